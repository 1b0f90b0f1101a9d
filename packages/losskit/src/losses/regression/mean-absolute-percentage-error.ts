import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { epsilon } from '../../core/numerics.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';

export type MeanAbsolutePercentageErrorOptions = KerasOptions;

const ID = 'meanAbsolutePercentageError';

/**
 * Mean absolute percentage error, Keras 3 `MeanAbsolutePercentageError`.
 *
 * Unreduced: `ℓᵢ = 100·mean₋₁(|(yTrue − yPred) / max(|yTrue|, ε)|)`, ε = 1e-7 (the backend's).
 *
 * Conventions: only the target is guarded: a zero target divides by ε, so the loss is finite but about 1e9 per
 * unit of error. There is no guard on yPred, and the factor 100 is applied after the mean. At yPred = yTrue
 * the kink's gradient is tfjs's `abs` choice (−1 at 0) through `yTrue − yPred`: ∂ℓ/∂yPred = +100/(D·max(|y|, ε)).
 *
 * @param yTrue targets `[..., D]`, ideally away from 0
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * meanAbsolutePercentageError(tf.tensor1d([100, 200, 300]), tf.tensor1d([90, 210, 310])).print(); // 6.111111
 * @see https://keras.io/api/losses/regression_losses/#meanabsolutepercentageerror-class
 */
export const meanAbsolutePercentageError = kerasLoss<MeanAbsolutePercentageErrorOptions>({
  info: {
    id: ID,
    aliases: ['mape', 'MeanAbsolutePercentageError', 'mean_absolute_percentage_error'],
    task: 'regression',
    summary: 'Average absolute error relative to the target, in percent.',
    formula: 'ℓ = 100·mean₋₁(|(y − ŷ) / max(|y|, ε)|)',
    whenToUse:
      'Targets well away from zero whose errors are judged relative to their size (demand, sales forecasts). ' +
      'Avoid when targets can be near 0: the loss explodes there.',
    params: [],
    references: ['Keras 3 keras.losses.MeanAbsolutePercentageError'],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    const diff = tf.abs(tf.div(tf.sub(yt, yp), tf.maximum(tf.abs(yt), epsilon())));
    return tf.mul(100, tf.mean(diff, -1));
  },
});
