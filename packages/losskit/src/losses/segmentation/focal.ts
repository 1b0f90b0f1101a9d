import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { bceFromLogits, bceFromProbs } from '../../core/numerics.ts';
import { tf, type Tensor } from '../../tf.ts';
import { FOCAL_GAMMA } from '../classification/params.ts';
import {
  binaryLogs,
  categoricalLogs,
  channelVector,
  CE_TYPE,
  clipEps,
  keepChannels,
  maskValid,
  PIXEL_EPSILON,
  reducePixels,
} from './pixel-common.ts';
import {
  ACTIVATION,
  IGNORE_INDEX,
  INCLUDE_BACKGROUND,
  PIXEL_REDUCTION,
  type Prepared,
  prepare,
  safePow,
  SPARSE_LABELS,
} from '../../segmentation/index.ts';

const PARAMS = [
  {
    ...CE_TYPE,
    doc:
      "'binary': element-wise, each channel a yes/no (sigmoid focal, also smp's one-vs-rest multiclass); " +
      "'categorical': per-pixel softmax focal over mutually exclusive channels.",
  },
  {
    name: 'alpha',
    type: ['number', 'number[]', 'null'],
    default: null,
    range: [0, 1],
    doc:
      'Class balance. null: none. Binary: α_t = α·y + (1−α)(1−y) (a per-channel array gives α_c). Categorical: a ' +
      'number means [1−α, α, α, …] (MONAI); an array gives α_c per channel (Keras: [0.25, …]). Arrays have C values ' +
      '(or one per kept channel).',
  },
  FOCAL_GAMMA,
  {
    name: 'classWeights',
    type: ['number[]', 'null'],
    default: null,
    range: [0, Infinity],
    doc: 'One weight per channel (MONAI weight), multiplying that channel’s loss before the reduction.',
  },
  {
    name: 'channelReduction',
    type: ['enum', 'null'],
    values: ['mean', 'sum'],
    default: null,
    doc:
      "How a pixel's channels combine: null = 'mean' for binary (mean over all elements), 'sum' for categorical " +
      "(Keras, torch CE-based focal). MONAI's softmax focal is 'mean' (÷C); smp's multiclass focal is 'sum'.",
  },
  ACTIVATION,
  SPARSE_LABELS,
  IGNORE_INDEX,
  INCLUDE_BACKGROUND,
  PIXEL_EPSILON,
  PIXEL_REDUCTION,
] as const;

export type FocalOptions = OptionsOf<typeof PARAMS>;

const ID = 'focal';

/** α as a `[C']` vector: a scalar in categorical mode is `[1 − α, α, α, …]` over all channels (MONAI). */
function alphaVector(
  alpha: number | readonly number[],
  type: 'binary' | 'categorical',
  prep: Prepared,
): Tensor {
  if (typeof alpha !== 'number') return channelVector(ID, 'alpha', alpha, prep);
  const { C } = prep.layout;
  const all = Array.from({ length: C }, (_, c) =>
    type === 'categorical' && c === 0 && C > 1 ? 1 - alpha : alpha,
  );
  return channelVector(ID, 'alpha', all, prep);
}

/**
 * Focal loss for segmentation (Lin et al. 2017; segmentation-region.md §2.4).
 *
 * Unreduced, binary (per element): `ℓ = α_t·(1 − p_t)^γ·BCE(y, p)`, `p_t = p` where y = 1 and `1 − p` where y = 0
 * (`1 − p_t = y(1 − p) + (1 − y)p` for soft labels), `α_t = α·y + (1 − α)(1 − y)`, or 1 without α. Categorical (per
 * channel): `ℓ_c = −α_c·(1 − p_c)^γ·g_c·log p_c`. Then `classWeights[c]`, the channel mean or sum of a pixel
 * (`channelReduction`), and the mean over valid pixels. With γ = 0 and α null the binary type is exactly BCE.
 *
 * Conventions (§2.4): no α by default (Keras 3, MONAI and smp; α = 0.25 was tuned for detection and down-weights a
 * rare foreground). MONAI's softmax focal is `type: 'categorical', channelReduction: 'mean'` (it divides by C); smp's
 * multiclass focal is sigmoid one-vs-rest: `type: 'binary', activation: 'sigmoid', sparseLabels: true,
 * channelReduction: 'sum'`; Keras's categorical focal is `alpha: [0.25, …]` (a scalar α here means MONAI's
 * `[1 − α, α, …]`); Jadon and torchvision use α = 0.25. The activation runs over all channels before channel 0 is
 * dropped (MONAI drops it before its softmax). Probabilities are clipped to [epsilon, 1 − epsilon] and p_t uses the clipped
 * p; from logits the BCE and log-softmax are exact. `(1 − p_t)^γ` has the gradient 0 at 0 for γ < 1.
 *
 * @param yTrue `[B, ...spatial, C]` targets, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar (`'mean'`, `'sum'`), or per-pixel `[B, ...spatial]` with `reduction: 'none'`
 * @example
 * // y = 1, p = 0.8, γ = 2: (1 − 0.8)²·(−ln 0.8) = 0.04·0.2231436 = 0.0089257
 * focal(tf.tensor3d([1], [1, 1, 1]), tf.tensor3d([0.8], [1, 1, 1])); // 0.0089257
 * @see Lin, Goyal, Girshick, He & Dollár 2017, "Focal Loss for Dense Object Detection", ICCV, arXiv:1708.02002
 */
export const focal = defineLoss<FocalOptions>(
  {
    id: ID,
    aliases: ['focal_loss', 'segmentation_focal'],
    task: 'segmentation',
    summary:
      'Cross-entropy scaled by (1 − p_t)^γ, which fades out well-classified pixels so training concentrates on the ' +
      'hard, usually rare ones.',
    formula:
      'binary: ℓ = α_t·(1 − p_t)^γ·BCE(y, p) per element;  categorical: ℓ = −Σ_c α_c·(1 − p_c)^γ·g_c·log p_c;  ' +
      'L = mean over pixels of the channel mean/sum',
    whenToUse:
      'Heavily imbalanced segmentation and small lesions, where the easy background swamps plain cross-entropy ' +
      '(with balanced data BCE is simpler and as good). Often combined with a region loss (Dice, Tversky) or used ' +
      'inside unified focal. γ = 2 is the usual choice; leave α unset unless tuned. To optimise IoU and boundaries ' +
      'directly, prefer Lovász.',
    params: PARAMS,
    references: [
      'Lin, Goyal, Girshick, He & Dollár 2017, "Focal Loss for Dense Object Detection", ICCV 2017, arXiv:1708.02002',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB 2020, arXiv:2006.14822',
      'MONAI monai.losses.FocalLoss; smp FocalLoss; Keras 3 BinaryFocalCrossentropy / CategoricalFocalCrossentropy',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const prep = prepare(ID, yTrue, yPred, o);
    const g = prep.g;
    const alpha = o.alpha === null ? null : alphaVector(o.alpha, o.type, prep);
    let e: Tensor;
    if (o.type === 'binary') {
      // The BCE factor is the core's BCE (so γ = 0 without α is BCE exactly); p_t from the same p.
      const { p, q } = binaryLogs(prep, o.epsilon);
      const bce =
        o.activation === 'sigmoid'
          ? bceFromLogits(g, keepChannels(prep.x, prep))
          : bceFromProbs(g, keepChannels(prep.pAll, prep), clipEps(o.epsilon));
      const oneMinusPt = tf.add(tf.mul(g, q), tf.mul(tf.sub(1, g), p));
      e = tf.mul(safePow(oneMinusPt, o.gamma), bce);
      if (alpha) e = tf.mul(tf.add(tf.mul(alpha, g), tf.mul(tf.sub(1, alpha), tf.sub(1, g))), e);
    } else {
      const { nlp, p } = categoricalLogs(prep, o.epsilon);
      e = tf.mul(safePow(tf.sub(1, p), o.gamma), tf.mul(g, nlp));
      if (alpha) e = tf.mul(alpha, e);
    }
    if (o.classWeights !== null) e = tf.mul(channelVector(ID, 'classWeights', o.classWeights, prep), e);
    return reducePixels(ID, maskValid(e, prep), prep, {
      reduction: o.reduction,
      channelReduction: o.channelReduction ?? (o.type === 'binary' ? 'mean' : 'sum'),
      sampleWeight,
    });
  },
);
