import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { denseRows } from '../../fused/keras.ts';
import { MSE } from '../../fused/keras-kernels.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';

const ID = 'meanSquaredError';

export type MeanSquaredErrorOptions = KerasOptions;

/**
 * Mean squared error, Keras 3 `MeanSquaredError`.
 *
 * Unreduced: `ℓᵢ = mean₋₁((yTrue − yPred)²)`; then `reduction` (default `'sum_over_batch_size'`).
 *
 * @param yTrue targets, any shape `[..., d]`
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or the per-sample tensor `[...]` with `reduction: 'none'`
 * @example
 * meanSquaredError(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [1, 0]])).print(); // 0.5
 * @see https://keras.io/api/losses/regression_losses/#meansquarederror-class
 */
export const meanSquaredError = kerasLoss<MeanSquaredErrorOptions>({
  info: {
    id: ID,
    aliases: ['mse', 'MeanSquaredError', 'mean_squared_error'],
    task: 'regression',
    summary: 'Average of squared differences between targets and predictions.',
    formula: 'ℓ = mean₋₁((y − ŷ)²)',
    whenToUse:
      'Regression with roughly Gaussian noise and no heavy outliers; punishes large errors quadratically.',
    params: [],
    references: ['Gauss 1809; Keras 3 keras.losses.MeanSquaredError'],
    properties: ['nonNegative', 'zeroAtPerfect', 'symmetric'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(tf.square(tf.sub(yt, yp)), -1);
  },
  fused: (yt, yp) => denseRows(yt, yp, MSE({})),
});
