import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { assertMinRank } from '../../core/validate.ts';
import { denseRows } from '../../fused/keras.ts';
import { HUBER } from '../../fused/keras-kernels.ts';
import { tf } from '../../tf.ts';

export interface HuberOptions extends KerasOptions {
  /** The error size where the loss turns from quadratic to linear; > 0. Default 1. */
  readonly delta?: number;
}

const ID = 'huber';

/**
 * Huber loss, Keras 3 `Huber`: squared error for small errors, absolute error beyond `delta`.
 *
 * Unreduced: `ℓᵢ = mean₋₁(|e| ≤ δ ? ½e² : δ|e| − ½δ²)`, e = yPred − yTrue.
 *
 * Conventions: Keras's form, with the ½ (optax's `huber_loss` too; tfjs-core's `huberLoss` with δ = 1 is the
 * same on `[..., 1]` inputs). It is computed as `½q² + δ(|e| − q)` with `q = min(|e|, δ)`, so the gradient is
 * well-defined everywhere without a branch: `clip(e, −δ, δ)/D` (D the size of the last axis), 0 at e = 0
 * and ±δ/D at |e| = δ, where the loss is once differentiable. Large δ gives ½·MSE.
 *
 * @param yTrue targets `[..., D]`
 * @param yPred predictions, the same shape (Keras rank matching squeezes or expands one trailing size-1 axis)
 * @param options `delta` (default 1, > 0), `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * huber(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 0.155
 * @see https://keras.io/api/losses/regression_losses/#huber-class
 * @see Huber 1964, Robust Estimation of a Location Parameter, Ann. Math. Statist. 35(1)
 */
export const huber = kerasLoss<HuberOptions>({
  info: {
    id: ID,
    aliases: ['Huber'],
    task: 'regression',
    summary: 'Squared error for errors up to δ, absolute error beyond: robust to outliers, smooth at 0.',
    formula: 'ℓ = mean₋₁(|e| ≤ δ ? ½e² : δ·|e| − ½δ²), e = ŷ − y',
    whenToUse:
      'Regression with occasional outliers: as precise as MSE for small errors, as robust as MAE for large ones. ' +
      'Set δ to the error size beyond which a residual counts as an outlier.',
    params: [
      {
        name: 'delta',
        type: 'number',
        default: 1,
        range: [0, Infinity],
        exclusive: 'min',
        doc: 'Error size where the loss turns from quadratic to linear; must be > 0.',
      },
    ],
    references: ['Huber 1964, Robust Estimation of a Location Parameter', 'Keras 3 keras.losses.Huber'],
    properties: ['nonNegative', 'zeroAtPerfect', 'symmetric'],
  },
  perSample: (yt, yp, o) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    const a = tf.abs(tf.sub(yp, yt));
    // q = min(|e|, δ): ½q² is the quadratic part, δ(|e| − q) the linear part beyond δ. No branch on the
    // gradient path, and no doubled gradient at |e| = δ (optax's construction).
    const q = tf.minimum(a, o.delta);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(q)), tf.mul(o.delta, tf.sub(a, q))), -1);
  },
  fused: (yt, yp, o) => denseRows(yt, yp, HUBER({ delta: o.delta })),
});
