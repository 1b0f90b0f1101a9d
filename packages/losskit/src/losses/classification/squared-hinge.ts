import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';
import { hingeLabels } from './internal.ts';

export type SquaredHingeOptions = KerasOptions;

const ID = 'squaredHinge';

/**
 * Squared hinge loss, Keras 3 `SquaredHinge`: the hinge margin violation squared, per element, averaged
 * over the last axis.
 *
 * Unreduced: `ℓᵢ = mean₋₁(max(1 − y·ŷ, 0)²)`, where `y` is converted from {0,1} to {−1,1} when every label
 * in yTrue is 0 or 1.
 *
 * Conventions: the {0,1} test is global, as for `hinge` (keras-semantics.md §2): one label outside {0,1}
 * anywhere in the batch disables the conversion for all rows. tfjs-layers' `squaredHinge` never converts.
 * The loss is differentiable everywhere; its gradient at the margin `1 − y·ŷ = 0` is 0.
 *
 * @param yTrue labels in {−1, 1} or {0, 1}, the shape of yPred
 * @param yPred real-valued scores (not probabilities), `[..., D]`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * squaredHinge(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 1.86
 * @see https://keras.io/api/losses/hinge_losses/#squaredhinge-class
 */
export const squaredHinge = kerasLoss<SquaredHingeOptions>({
  info: {
    id: ID,
    aliases: ['SquaredHinge', 'squared_hinge'],
    task: 'classification',
    summary: 'Hinge loss squared: a smooth margin loss that punishes large violations more.',
    formula: 'ℓ = mean₋₁(max(1 − y·ŷ, 0)²), y ← 2y − 1 if every label ∈ {0,1}',
    whenToUse:
      'Margin-based binary classification with raw scores when a smooth (differentiable) loss is wanted, ' +
      'e.g. an L2-SVM head; more sensitive to outliers than hinge.',
    params: [],
    references: [
      'Keras 3 keras.losses.SquaredHinge',
      'Lee & Mangasarian 2001, SSVM: A Smooth Support Vector Machine',
    ],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(tf.square(tf.maximum(tf.sub(1, tf.mul(hingeLabels(yt), yp)), 0)), -1);
  },
});
