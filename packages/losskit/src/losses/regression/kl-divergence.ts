import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { epsilon } from '../../core/numerics.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';

export type KlDivergenceOptions = KerasOptions;

const ID = 'klDivergence';

/**
 * Kullback–Leibler divergence, Keras 3 `KLDivergence`: KL(yTrue ‖ yPred) over the last axis.
 *
 * Unreduced: `ℓᵢ = Σ₋₁ t′·log(t′/p′)` with `t′ = clip(yTrue, ε, 1)`, `p′ = clip(yPred, ε, 1)`, ε = 1e-7.
 *
 * Conventions: Keras 3 multiplies by the **clipped** target, so a zero target contributes `ε·log(ε/p′)`, not 0,
 * and values above 1 are capped at 1 in both tensors (tfjs-layers multiplies by the raw target). Rows are not
 * renormalised: for vectors that are not distributions the value can be negative (e.g. t = 0.8, p = 0.9). The
 * gradient with respect to a prediction outside [ε, 1] is 0.
 *
 * @param yTrue target distributions `[..., C]`
 * @param yPred predicted distributions, the same shape
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * klDivergence(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 0.4581431
 * @see https://keras.io/api/losses/probabilistic_losses/#kldivergence-class
 */
export const klDivergence = kerasLoss<KlDivergenceOptions>({
  info: {
    id: ID,
    aliases: ['kld', 'kl_divergence', 'kullback_leibler_divergence', 'KLDivergence'],
    task: 'regression',
    summary: 'Kullback–Leibler divergence KL(y ‖ ŷ) between target and predicted distributions.',
    formula: 'ℓ = Σ₋₁ t′·log(t′/p′), t′ = clip(y, ε, 1), p′ = clip(ŷ, ε, 1)',
    whenToUse:
      'Matching a predicted probability distribution to a soft target distribution (distillation, label ' +
      'distributions, density regression). For one-hot targets it equals categorical cross-entropy up to a constant.',
    params: [],
    references: [
      'Kullback & Leibler 1951, On Information and Sufficiency',
      'Keras 3 keras.losses.KLDivergence',
    ],
    properties: ['zeroAtPerfect', 'canBeNegative'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., C]');
    const eps = epsilon();
    const t = tf.clipByValue(yt, eps, 1);
    const p = tf.clipByValue(yp, eps, 1);
    return tf.sum(tf.mul(t, tf.log(tf.div(t, p))), -1);
  },
});
