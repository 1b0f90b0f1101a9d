import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { epsilon } from '../../core/numerics.ts';
import { assertMinRank, resolveAxis } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';

export interface CosineSimilarityOptions extends KerasOptions {
  /** The axis along which vectors are compared; negative counts from the end. Default −1. */
  readonly axis?: number;
}

const ID = 'cosineSimilarity';

/**
 * Cosine similarity loss, Keras 3 `CosineSimilarity`: the **negative** cosine of the angle between target and
 * prediction vectors along `axis`.
 *
 * Unreduced: `ℓᵢ = −Σ_axis n(yTrue)·n(yPred)`, `n(x) = x·rsqrt(max(Σ_axis x², ε²))`, ε = 1e-7 (the backend's).
 *
 * Conventions: identical directions give −1, opposite +1, orthogonal or zero vectors 0 (the *metric*
 * `keras.metrics.CosineSimilarity` is the positive cosine). The L2 norm is floored at ε (Keras ≥ 3.3); tfjs-layers'
 * `cosineProximity` and Keras 3.0–3.2 floor the squared norm at ε (norm floor 3.2e-4), which shrinks vectors
 * shorter than that. The floor keeps the gradient finite at a zero vector: there it is `−n(yTrue)/ε`.
 *
 * @param yTrue target vectors, the shape of yPred
 * @param yPred predicted vectors `[..., D, ...]`, compared along `axis`
 * @param options `axis` (default −1), `reduction`, and `sampleWeight` (scalar or per-sample shape)
 * @returns a scalar, or per-sample (yPred's shape without `axis`) with `reduction: 'none'`
 * @example
 * cosineSimilarity(tf.tensor2d([[0, 1], [1, 1]]), tf.tensor2d([[1, 0], [1, 1]])).print(); // -0.5
 * @see https://keras.io/api/losses/regression_losses/#cosinesimilarity-class
 */
export const cosineSimilarity = kerasLoss<CosineSimilarityOptions>({
  info: {
    id: ID,
    aliases: ['CosineSimilarity', 'cosine_similarity'],
    task: 'regression',
    summary:
      'Negative cosine of the angle between target and predicted vectors: −1 when they point the same way.',
    formula: 'ℓ = −Σ_axis n(y)·n(ŷ), n(x) = x / max(‖x‖₂, ε)',
    whenToUse:
      'When only the direction of a vector matters, not its length: embeddings, normals, word vectors. The loss ' +
      'is minimised (−1) by any positive multiple of the target.',
    params: [
      {
        name: 'axis',
        type: 'integer',
        default: -1,
        doc: 'The axis along which vectors are normalised and compared; negative counts from the end.',
      },
    ],
    references: ['Keras 3 keras.losses.CosineSimilarity'],
    properties: ['boundedUnit', 'symmetric', 'canBeNegative'],
  },
  perSample: (yt, yp, o) => {
    assertMinRank(ID, 'yPred', yp, 1, '[..., D]');
    const axis = resolveAxis(ID, o.axis, yp.rank);
    const eps = epsilon();
    const normalize = (x: Tensor): Tensor =>
      tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), axis, true), eps * eps)));
    return tf.neg(tf.sum(tf.mul(normalize(yt), normalize(yp)), axis));
  },
});
