import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { assertMinRank } from '../../core/validate.ts';
import { denseRows } from '../../fused/keras.ts';
import { MAE } from '../../fused/keras-kernels.ts';
import { tf } from '../../tf.ts';

export type MeanAbsoluteErrorOptions = KerasOptions;

const ID = 'meanAbsoluteError';

/**
 * Mean absolute error, Keras 3 `MeanAbsoluteError`.
 *
 * Unreduced: `ℓᵢ = mean₋₁(|yTrue − yPred|)`; then `reduction` (default `'sum_over_batch_size'`).
 *
 * Conventions: the kink at yPred = yTrue has no gradient; any value in `[−1, 1]/D` is a subgradient
 * (D the size of the last axis). The loss is computed as Keras writes it, `|yTrue − yPred|`, and tfjs's `abs`
 * has gradient −1 at 0 (TensorFlow and PyTorch use sign(0) = 0), so ∂ℓ/∂yPred there is **+1/D** on cpu and
 * wasm.
 *
 * @param yTrue targets `[..., D]`
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * meanAbsoluteError(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [1, 0]])).print(); // 0.5
 * @see https://keras.io/api/losses/regression_losses/#meanabsoluteerror-class
 */
export const meanAbsoluteError = kerasLoss<MeanAbsoluteErrorOptions>({
  info: {
    id: ID,
    aliases: ['mae', 'MeanAbsoluteError', 'mean_absolute_error'],
    task: 'regression',
    summary: 'Average of absolute differences between targets and predictions (L1).',
    formula: 'ℓ = mean₋₁(|y − ŷ|)',
    whenToUse:
      'Regression with outliers or heavy-tailed (Laplace-like) noise: it estimates the median and grows only ' +
      'linearly with the error. Its gradient has constant size, so it does not slow down near the optimum.',
    params: [],
    references: ['Laplace 1774; Keras 3 keras.losses.MeanAbsoluteError'],
    properties: ['nonNegative', 'zeroAtPerfect', 'symmetric'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(tf.abs(tf.sub(yt, yp)), -1);
  },
  fused: (yt, yp) => denseRows(yt, yp, MAE({})),
});
