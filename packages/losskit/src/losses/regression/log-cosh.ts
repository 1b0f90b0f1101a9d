import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { logCosh as logCoshOf } from '../../core/numerics.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';

export type LogCoshOptions = KerasOptions;

const ID = 'logCosh';

/**
 * Log-cosh loss, Keras 3 `LogCosh`: about ½e² for small errors and |e| − log 2 for large ones.
 *
 * Unreduced: `ℓᵢ = mean₋₁(log cosh(yPred − yTrue))`, computed as `x + softplus(−2x) − log 2`.
 *
 * Conventions: the overflow-safe form is Keras's; `log(cosh(x))` overflows float32 for |x| > 89. Value and
 * gradient (`tanh(x)`) are finite for any finite error, and smooth everywhere (no kink).
 *
 * @param yTrue targets `[..., D]`
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * logCosh(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [0, 0]])).print(); // 0.1084452
 * @see https://keras.io/api/losses/regression_losses/#logcosh-class
 */
export const logCosh = kerasLoss<LogCoshOptions>({
  info: {
    id: ID,
    aliases: ['logcosh', 'log_cosh', 'LogCosh'],
    task: 'regression',
    summary:
      'Mean of log(cosh(error)): quadratic for small errors, linear for large ones, smooth everywhere.',
    formula: 'ℓ = mean₋₁(log cosh(ŷ − y)), log cosh x = x + softplus(−2x) − log 2',
    whenToUse:
      'Regression that should behave like MSE near the target and like MAE for outliers, with a gradient that ' +
      'is smooth everywhere (a Huber loss without a threshold to tune).',
    params: [],
    references: ['Keras 3 keras.losses.LogCosh', 'Chen et al. 2019, Log Hyperbolic Cosine Loss, OpenReview'],
    properties: ['nonNegative', 'zeroAtPerfect', 'symmetric'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(logCoshOf(tf.sub(yp, yt)), -1);
  },
});
