import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { clipProbs, epsilon } from '../../core/numerics.ts';
import { resolveAxis } from '../../core/validate.ts';
import { denseRows, isLastAxis } from '../../fused/keras.ts';
import { CCE_LOGITS } from '../../fused/keras-kernels.ts';
import { tf } from '../../tf.ts';
import { logSoftmaxAlong, smoothCategorical, warnOneClass } from './internal.ts';
import { AXIS, FROM_LOGITS, LABEL_SMOOTHING } from './params.ts';

export interface CategoricalCrossentropyOptions extends KerasOptions {
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

const ID = 'categoricalCrossentropy';

/**
 * Categorical cross-entropy, Keras 3 `CategoricalCrossentropy`: the cross-entropy of a predicted class
 * distribution against one-hot (or soft) targets.
 *
 * Unreduced: `ℓᵢ = −Σ_axis y·log q`, with `q = clip(ŷ / Σ_axis ŷ, ε, 1−ε)` for probabilities (renormalised
 * first, then clipped, as Keras does) or `log q = log_softmax(ŷ)` for logits (exact, no clipping). Label
 * smoothing comes first: `y ← y·(1 − ls) + ls/C`, with `C = yPred.shape[axis]`.
 *
 * Conventions: ε is the backend's epsilon (1e-7 on cpu and wasm); in float32 the upper clip bound is
 * 0.99999988, so a perfect one-hot prediction gives 1.19e-7, not 0, on the probability path. tfjs-layers'
 * `categoricalCrossentropy` clips logits after a softmax (capping the loss at 16.1); this loss does not.
 * A row of yPred that sums to 0 has no distribution to renormalise and gives NaN, as in Keras.
 * A class axis of size 1 is accepted, as in Keras, with a one-time warning on stderr: the loss is then
 * constant — 0 from logits, −y·log(1−ε) ≈ 1.19e-7·y from probabilities — and its gradient is 0. Use
 * `binaryCrossentropy` for a single yes/no output.
 *
 * @param yTrue targets `[..., C]`, one-hot or a distribution over `axis`; the shape of yPred
 * @param yPred probabilities `[..., C]` (rows need not sum to 1), or logits with `fromLogits`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without `axis`) with `reduction: 'none'`
 * @example
 * categoricalCrossentropy(tf.tensor2d([[0, 1, 0], [0, 0, 1]]), tf.tensor2d([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).print(); // 1.1769392
 * @see https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class
 */
export const categoricalCrossentropy = kerasLoss<CategoricalCrossentropyOptions>({
  info: {
    id: ID,
    aliases: ['cce', 'CategoricalCrossentropy', 'categorical_crossentropy', 'categorical_cross_entropy'],
    task: 'classification',
    summary: 'Cross-entropy of a predicted class distribution against one-hot or soft targets.',
    formula: 'ℓ = −Σ_axis y·log q, q = clip(ŷ / Σŷ, ε, 1−ε) or log q = log_softmax(ŷ); y ← y(1−ls) + ls/C',
    whenToUse:
      'Single-label multi-class classification with one-hot (or soft, e.g. distilled) targets; with integer ' +
      'labels use sparseCategoricalCrossentropy. Prefer fromLogits: it is exact and never saturates.',
    params: [FROM_LOGITS, LABEL_SMOOTHING, AXIS],
    references: [
      'Keras 3 keras.losses.CategoricalCrossentropy',
      'Szegedy et al. 2016, Rethinking the Inception Architecture (label smoothing), arXiv:1512.00567',
    ],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp, o) => {
    const axis = resolveAxis(ID, o.axis, yp.rank);
    warnOneClass(ID, yp.shape, axis);
    const y = smoothCategorical(yt, o.labelSmoothing, yp.shape[axis]);
    const logQ = o.fromLogits
      ? logSoftmaxAlong(yp, axis)
      : tf.log(clipProbs(tf.div(yp, tf.sum(yp, axis, true)), epsilon()));
    return tf.neg(tf.sum(tf.mul(y, logQ), axis));
  },
  fused: (yt, yp, o) => {
    const C = yp.shape[yp.rank - 1];
    if (!o.fromLogits || !isLastAxis(o.axis, yp.rank) || C < 2) return null;
    return denseRows(yt, yp, CCE_LOGITS({ C, ls: o.labelSmoothing }), false);
  },
});
