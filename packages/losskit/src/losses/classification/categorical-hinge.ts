import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';

export type CategoricalHingeOptions = KerasOptions;

const ID = 'categoricalHinge';

/**
 * The maximum over the last axis with the gradient split evenly between tied maxima, as TensorFlow, JAX and
 * PyTorch do. tfjs's own `max` gives every tied element the full gradient, which is not a subgradient.
 */
const maxLastAxis = tf.customGrad((input: Tensor | tf.GradSaveFunc, save: Tensor | tf.GradSaveFunc) => {
  const x = input as Tensor;
  const m = tf.max(x, -1);
  (save as tf.GradSaveFunc)([x, m]);
  return {
    value: m,
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ms] = saved;
      const hit = tf.cast(tf.equal(xs, tf.expandDims(ms, -1)), 'float32');
      return tf.mul(tf.expandDims(dy, -1), tf.div(hit, tf.sum(hit, -1, true)));
    },
  };
});

/**
 * Categorical hinge loss, Keras 3 `CategoricalHinge`: the multi-class margin loss of Crammer and Singer,
 * per sample over the last axis.
 *
 * Unreduced: `ℓᵢ = max(max₋₁((1 − y)·ŷ) − Σ₋₁ y·ŷ + 1, 0)`: the best wrong-class score must trail the true
 * class's score by a margin of 1.
 *
 * Conventions: labels are never converted (unlike `hinge`). Keras writes the wrong-class term as
 * `(1 − y)·ŷ`, so with one-hot targets the true class contributes 0 to the max: when every wrong-class
 * score is below 0 the max is 0, not the best wrong score. At a tie for the max the gradient is split
 * evenly between the tied entries (TensorFlow's rule); at the outer kink (the bracket equal to 0) the
 * gradient is that of the bracket, as TensorFlow's `Maximum` gives ties to its first argument.
 *
 * @param yTrue one-hot (or soft) targets `[..., C]`, the shape of yPred
 * @param yPred real-valued class scores `[..., C]`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * categoricalHinge(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 1.4
 * @see https://keras.io/api/losses/hinge_losses/#categoricalhinge-class
 */
export const categoricalHinge = kerasLoss<CategoricalHingeOptions>({
  info: {
    id: ID,
    aliases: ['CategoricalHinge', 'categorical_hinge'],
    task: 'classification',
    summary: 'Multi-class margin loss: the true class must beat the best other class by a margin of 1.',
    formula: 'ℓ = max(max₋₁((1 − y)·ŷ) − Σ₋₁ y·ŷ + 1, 0)',
    whenToUse:
      'Single-label multi-class classification with raw scores and one-hot targets when a margin (SVM-style) ' +
      'objective is wanted instead of probabilities.',
    params: [],
    references: [
      'Keras 3 keras.losses.CategoricalHinge',
      'Crammer & Singer 2001, On the Algorithmic Implementation of Multiclass Kernel-based Vector Machines',
    ],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., C]');
    const pos = tf.sum(tf.mul(yt, yp), -1);
    const neg = maxLastAxis(tf.mul(tf.sub(1, yt), yp));
    return tf.maximum(tf.add(tf.sub(neg, pos), 1), 0);
  },
});
