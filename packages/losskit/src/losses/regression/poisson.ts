import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { epsilon } from '../../core/numerics.ts';
import { assertMinRank } from '../../core/validate.ts';
import { tf } from '../../tf.ts';

export type PoissonOptions = KerasOptions;

const ID = 'poisson';

/**
 * Poisson loss, Keras 3 `Poisson`: the negative Poisson log-likelihood of the targets given rates yPred, without
 * the `log(y!)` term.
 *
 * Unreduced: `ℓᵢ = mean₋₁(yPred − yTrue·log(yPred + ε))`, ε = 1e-7 (the backend's).
 *
 * Conventions: ε is **added** inside the log and yPred is not clipped, as in Keras: a zero rate is finite
 * (`log ε`), a rate below −ε gives NaN. Because the constant `log(y!)` and `y − y·log y` are left out, the value
 * is not 0 at yPred = yTrue and can be negative; only its minimiser (yPred = yTrue) is meaningful.
 *
 * @param yTrue non-negative counts `[..., D]`
 * @param yPred predicted rates ≥ 0, the same shape (e.g. the output of an exp or softplus head)
 * @param options `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample `[...]` (yPred's shape without the last axis) with `reduction: 'none'`
 * @example
 * poisson(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [0, 0]])).print(); // 0.5 (0.49999997 in float32)
 * @see https://keras.io/api/losses/probabilistic_losses/#poisson-class
 */
export const poisson = kerasLoss<PoissonOptions>({
  info: {
    id: ID,
    aliases: ['Poisson'],
    task: 'regression',
    summary: 'Negative Poisson log-likelihood (up to a constant) of count targets given predicted rates.',
    formula: 'ℓ = mean₋₁(ŷ − y·log(ŷ + ε))',
    whenToUse:
      'Count data (events, arrivals, photon counts) where the variance grows with the mean; predictions must be ' +
      'non-negative rates.',
    params: [],
    references: ['Keras 3 keras.losses.Poisson', 'McCullagh & Nelder 1989, Generalized Linear Models §6'],
    properties: ['canBeNegative'],
  },
  perSample: (yt, yp) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    return tf.mean(tf.sub(yp, tf.mul(yt, tf.log(tf.add(yp, epsilon())))), -1);
  },
});
