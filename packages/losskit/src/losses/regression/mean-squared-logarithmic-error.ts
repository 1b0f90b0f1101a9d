import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { epsilon } from '../../core/numerics.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';

export type MeanSquaredLogarithmicErrorOptions = KerasOptions;

const ID = 'meanSquaredLogarithmicError';

/**
 * Mean squared logarithmic error, Keras 3 `MeanSquaredLogarithmicError`.
 *
 * Unreduced: `ℓᵢ = mean₋₁((log(max(yPred, ε) + 1) − log(max(yTrue, ε) + 1))²)`, ε = 1e-7 (the backend's).
 *
 * Conventions: both tensors are clamped **below** at ε, so any negative value (target or prediction) counts as ε,
 * and the gradient with respect to a prediction below ε is 0. The log is `log(x + 1)` as in Keras (not
 * `log1p`); in float32 `log(1e-7 + 1)` is 1.19e-7.
 *
 * @param yTrue non-negative targets `[..., D]` (counts, prices, sizes)
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * meanSquaredLogarithmicError(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [1, 0]])).print(); // 0.2402264
 * @see https://keras.io/api/losses/regression_losses/#meansquaredlogarithmicerror-class
 */
export const meanSquaredLogarithmicError = kerasLoss<MeanSquaredLogarithmicErrorOptions>({
  info: {
    id: ID,
    aliases: ['msle', 'MeanSquaredLogarithmicError', 'mean_squared_logarithmic_error'],
    task: 'regression',
    summary:
      'Mean squared error between log(1 + y) and log(1 + ŷ): penalises ratios rather than differences.',
    formula: 'ℓ = mean₋₁((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²)',
    whenToUse:
      'Non-negative targets spanning orders of magnitude (counts, prices, durations) where a relative error ' +
      'matters more than an absolute one; it penalises under-prediction more than over-prediction.',
    params: [],
    references: ['Keras 3 keras.losses.MeanSquaredLogarithmicError'],
    properties: ['nonNegative', 'zeroAtPerfect', 'symmetric'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    const eps = epsilon();
    const log1 = (x: Tensor): Tensor => tf.log(tf.add(tf.maximum(x, eps), 1));
    return tf.mean(tf.square(tf.sub(log1(yp), log1(yt))), -1);
  },
});
