import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';
import { hingeLabels } from './internal.ts';

export type HingeOptions = KerasOptions;

const ID = 'hinge';

/**
 * Hinge loss, Keras 3 `Hinge`: the margin loss of a linear SVM, per element, averaged over the last axis.
 *
 * Unreduced: `ℓᵢ = mean₋₁(max(1 − y·ŷ, 0))`, where `y` is converted from {0,1} to {−1,1} when every label in
 * yTrue is 0 or 1.
 *
 * Conventions: the {0,1} test is global, as in Keras 3 — a single −1 (or any other value) anywhere in the
 * batch disables the conversion for all rows, and a 0 label then gives `max(1, 0) = 1`. tfjs-layers'
 * `hinge` never converts; tfjs-core's `hingeLoss` always does. At the kink `1 − y·ŷ = 0` the gradient with
 * respect to ŷ is `−y/D` (D the size of the last axis): the linear piece, as TensorFlow's `Maximum`
 * gradient gives ties to its first argument.
 *
 * @param yTrue labels in {−1, 1} or {0, 1}, the shape of yPred
 * @param yPred real-valued scores (not probabilities), `[..., D]`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * hinge(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 1.3
 * @see https://keras.io/api/losses/hinge_losses/#hinge-class
 */
export const hinge = kerasLoss<HingeOptions>({
  info: {
    id: ID,
    aliases: ['Hinge'],
    task: 'classification',
    summary: 'Margin loss of a linear SVM: zero once y·ŷ ≥ 1, linear below.',
    formula: 'ℓ = mean₋₁(max(1 − y·ŷ, 0)), y ← 2y − 1 if every label ∈ {0,1}',
    whenToUse:
      'Binary (or per-element multi-label) classification with raw scores when only the margin matters, ' +
      'SVM-style; it ignores examples beyond the margin. For calibrated probabilities use binaryCrossentropy.',
    params: [],
    references: ['Keras 3 keras.losses.Hinge', 'Cortes & Vapnik 1995, Support-vector networks'],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(tf.maximum(tf.sub(1, tf.mul(hingeLabels(yt), yp)), 0), -1);
  },
});
