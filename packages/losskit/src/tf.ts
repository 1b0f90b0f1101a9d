/**
 * The only module that imports TensorFlow.js. The union package is required (not tfjs-core plus a backend):
 * it registers the gradients and the chained ops that `tf.grad` needs.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Rank = tf.Rank;
