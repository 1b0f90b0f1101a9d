import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { bceFromProbs, epsilon } from '../../core/numerics.ts';
import { resolveAxis } from '../../core/validate.ts';
import { denseRows, isLastAxis } from '../../fused/keras.ts';
import { FOCAL } from '../../fused/keras-kernels.ts';
import { tf } from '../../tf.ts';
import { powAtLeastZero, smoothBinary } from './internal.ts';
import { AXIS, FOCAL_GAMMA, FROM_LOGITS, LABEL_SMOOTHING } from './params.ts';

export interface BinaryFocalCrossentropyOptions extends KerasOptions {
  readonly applyClassBalancing?: boolean;
  readonly alpha?: number;
  readonly gamma?: number;
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

const ID = 'binaryFocalCrossentropy';

/**
 * Binary focal cross-entropy, Keras 3 `BinaryFocalCrossentropy` (Lin et al. 2017): binary cross-entropy
 * scaled down on well-classified elements, averaged over `axis`.
 *
 * Unreduced: `ℓᵢ = mean_axis(w·(1 − p_t)^γ·bce(y, p))`, with `p = ŷ` (or `sigmoid(ŷ)` with `fromLogits`),
 * `p_t = y·p + (1 − y)·(1 − p)`, `bce` the clipped binary cross-entropy
 * `−[y·log p̃ + (1 − y)·log(1 − p̃)]`, `p̃ = clip(p, ε, 1 − ε)`, and
 * `w = applyClassBalancing ? y·α + (1 − y)·(1 − α) : 1`. Label smoothing comes first: `y ← y(1 − ls) + ls/2`.
 *
 * Conventions (Keras 3): with `fromLogits` the sigmoid is applied first and the **clipped** probability BCE
 * follows — not the exact logit formula of `binaryCrossentropy` — so a confidently wrong logit costs at
 * most `(1 − p_t)^γ·16.1` and the two losses differ with γ = 0 once |logit| > ~16. `p_t` uses the
 * **unclipped** p. `alpha` only acts with `applyClassBalancing`. At `1 − p_t = 0` (a perfect prediction) the
 * derivative of the focal factor is taken as 0 for 0 < γ < 1, where the true one-sided derivative is +∞.
 *
 * @param yTrue targets in [0, 1], the shape of yPred
 * @param yPred probabilities, or logits with `fromLogits`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without `axis`) with `reduction: 'none'`
 * @example
 * binaryFocalCrossentropy(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[-18.6, 0.51], [2.94, -12.8]]), { gamma: 3, applyClassBalancing: true, fromLogits: true }).print(); // 0.4821413
 * @see https://keras.io/api/losses/probabilistic_losses/#binaryfocalcrossentropy-class
 * @see Lin et al. 2017, Focal Loss for Dense Object Detection, arXiv:1708.02002
 */
export const binaryFocalCrossentropy = kerasLoss<BinaryFocalCrossentropyOptions>({
  info: {
    id: ID,
    aliases: ['BinaryFocalCrossentropy', 'binary_focal_crossentropy', 'bfce'],
    task: 'classification',
    summary: 'Binary cross-entropy that down-weights easy, well-classified elements by (1 − p_t)^γ.',
    formula:
      'ℓ = mean_axis(w·(1 − p_t)^γ·bce(y, p)), p_t = y·p + (1−y)(1−p), w = y·α + (1−y)(1−α) if balancing',
    whenToUse:
      'Binary or multi-label classification (and dense detection) with heavy class imbalance, where many ' +
      'easy negatives would swamp plain binaryCrossentropy; tune γ (2 is common) and, with class balancing, α.',
    params: [
      {
        name: 'applyClassBalancing',
        type: 'boolean',
        default: false,
        doc: 'Weight positives by α and negatives by 1 − α.',
      },
      {
        name: 'alpha',
        type: 'number',
        default: 0.25,
        range: [0, 1],
        doc: 'Weight of the positive class when applyClassBalancing is true (negatives get 1 − α); ignored otherwise.',
      },
      FOCAL_GAMMA,
      FROM_LOGITS,
      LABEL_SMOOTHING,
      AXIS,
    ],
    references: [
      'Keras 3 keras.losses.BinaryFocalCrossentropy',
      'Lin et al. 2017, Focal Loss for Dense Object Detection, arXiv:1708.02002',
    ],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp, o) => {
    const axis = resolveAxis(ID, o.axis, yp.rank);
    const y = smoothBinary(yt, o.labelSmoothing);
    const p = o.fromLogits ? tf.sigmoid(yp) : yp;
    const bce = bceFromProbs(y, p, epsilon());
    const pT = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p)));
    let focal = tf.mul(powAtLeastZero(tf.sub(1, pT), o.gamma), bce);
    if (o.applyClassBalancing) {
      focal = tf.mul(tf.add(tf.mul(y, o.alpha), tf.mul(tf.sub(1, y), 1 - o.alpha)), focal);
    }
    return tf.mean(focal, axis);
  },
  fused: (yt, yp, o) => {
    if (!isLastAxis(o.axis, yp.rank)) return null;
    const alpha = o.applyClassBalancing ? o.alpha : null;
    const call = FOCAL({
      gamma: o.gamma,
      alpha,
      fromLogits: o.fromLogits,
      eps: epsilon(),
      ls: o.labelSmoothing,
    });
    return denseRows(yt, yp, call);
  },
});
