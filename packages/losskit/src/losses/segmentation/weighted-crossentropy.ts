import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { tf } from '../../tf.ts';
import {
  binaryLogs,
  categoricalLogs,
  CE_TYPE,
  channelVector,
  maskValid,
  PIXEL_EPSILON,
  reducePixels,
} from './pixel-common.ts';
import {
  ACTIVATION,
  IGNORE_INDEX,
  PIXEL_REDUCTION,
  prepare,
  SPARSE_LABELS,
} from '../../segmentation/index.ts';

const PARAMS = [
  CE_TYPE,
  {
    name: 'posWeight',
    type: 'number',
    default: 1,
    range: [0, Infinity],
    doc: 'Weight w⁺ of the positive term (binary only; torch pos_weight). > 1 favours recall; Jadon uses 1/3.',
  },
  {
    name: 'classWeights',
    type: ['number[]', 'null'],
    default: null,
    range: [0, Infinity],
    doc: 'One weight ω_c per channel, multiplying that channel’s loss (categorical: the weight of the true class).',
  },
  {
    name: 'weightedMean',
    type: 'boolean',
    default: false,
    doc:
      'Divide by Σω over the valid elements/pixels (torch CrossEntropyLoss(weight)) instead of their number ' +
      '(Keras).',
  },
  ACTIVATION,
  SPARSE_LABELS,
  IGNORE_INDEX,
  PIXEL_EPSILON,
  PIXEL_REDUCTION,
] as const;

export type WeightedCrossentropyOptions = OptionsOf<typeof PARAMS>;

const ID = 'weightedCrossentropy';

/**
 * Weighted cross-entropy for segmentation (segmentation-region.md §2.2).
 *
 * Unreduced: binary, per element `ℓ = ω_c·[−w⁺·y·log p − (1 − y)·log(1 − p)]` (TF `weighted_cross_entropy_with_logits`,
 * torch `BCEWithLogitsLoss(pos_weight)`); categorical, per pixel `ℓ = −Σ_c ω_c·g_c·log p_c` (torch
 * `CrossEntropyLoss(weight)`). From logits the logs are exact (`softplus`, log-softmax); probabilities are clipped to
 * [epsilon, 1 − epsilon].
 *
 * Conventions: the mean divides by the number of valid elements (binary) or pixels (categorical), as Keras class and
 * sample weights do; `weightedMean: true` divides by `Σ ω` over them instead, which is torch's
 * `CrossEntropyLoss(weight=w)` (`Σ_pixels ω[y]`). Jadon's code passes `pos_weight = β/(1−β) = 1/3` (β = 0.25), which
 * down-weights positives. `posWeight` applies to the binary type only.
 *
 * @param yTrue `[B, ...spatial, C]` targets in [0, 1], or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar (`'mean'`, `'sum'`), or the per-pixel losses `[B, ...spatial]` with `reduction: 'none'` (binary:
 *   the mean over the channels)
 * @example
 * // y = [1, 0], p = [0.8, 0.4], w⁺ = 2: (2·(−ln 0.8) + (−ln 0.6))/2 = (0.446287 + 0.510826)/2 = 0.4785565
 * weightedCrossentropy(tf.tensor3d([1, 0], [1, 2, 1]), tf.tensor3d([0.8, 0.4], [1, 2, 1]), { posWeight: 2 }); // 0.4785565
 * @see Ronneberger, Fischer & Brox 2015, "U-Net", MICCAI, arXiv:1505.04597 (pixel-weighted cross-entropy)
 */
export const weightedCrossentropy = defineLoss<WeightedCrossentropyOptions>(
  {
    id: ID,
    aliases: ['wce', 'weighted_bce', 'weighted_binary_crossentropy'],
    task: 'segmentation',
    summary:
      'Cross-entropy with a weight on the positive term (binary) or one weight per class (categorical), to ' +
      'counter class imbalance.',
    formula:
      'binary: ℓ = ω_c·[−w⁺·y·log p − (1−y)·log(1−p)] per element;  categorical: ℓ = −Σ_c ω_c·g_c·log p_c per pixel;  ' +
      'L = Σℓ / N (or / Σω with weightedMean)',
    whenToUse:
      'Moderately imbalanced segmentation where plain BCE (the choice for balanced data) lets the majority class ' +
      'dominate: raise posWeight (about #neg/#pos) or give per-class weights. For heavily imbalanced data or ' +
      'small lesions prefer the focal family (focal, focal Tversky, unified focal) or a Dice-based compound; to ' +
      'optimise IoU and boundaries directly, Lovász.',
    params: PARAMS,
    references: [
      'Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical Image Segmentation", MICCAI ' +
        '2015, arXiv:1505.04597',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB 2020, arXiv:2006.14822',
      'TensorFlow tf.nn.weighted_cross_entropy_with_logits; torch BCEWithLogitsLoss(pos_weight), CrossEntropyLoss(weight)',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    if (o.type === 'categorical' && o.posWeight !== 1) {
      throw new Error(
        `${ID}: option 'posWeight' (${o.posWeight}) applies to type 'binary' only; use classWeights with ` +
          "type 'categorical'",
      );
    }
    const prep = prepare(ID, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: o.sparseLabels,
      ignoreIndex: o.ignoreIndex,
      includeBackground: true,
    });
    const g = prep.g;
    const omega = o.classWeights === null ? null : channelVector(ID, 'classWeights', o.classWeights, prep);
    let e;
    let weightOfElement;
    if (o.type === 'binary') {
      const { nlp, nl1p } = binaryLogs(prep, o.epsilon);
      const pos = o.posWeight === 1 ? tf.mul(g, nlp) : tf.mul(tf.mul(g, o.posWeight), nlp);
      e = tf.add(pos, tf.mul(tf.sub(1, g), nl1p));
      weightOfElement = omega ?? tf.onesLike(g);
    } else {
      e = tf.mul(g, categoricalLogs(prep, o.epsilon).nlp);
      // The weight of a pixel is that of its class, Σ_c ω_c·g_c.
      weightOfElement = omega ? tf.mul(g, omega) : g;
    }
    if (omega) e = tf.mul(e, omega);
    e = maskValid(e, prep);
    // weightedMean: Σ ω over the valid elements, over C' for the binary channel mean (reducePixels divides Σ_pixels).
    const sumOmega = () => tf.sum(maskValid(tf.mul(weightOfElement, tf.onesLike(g)), prep));
    const divisor = !o.weightedMean
      ? undefined
      : o.type === 'binary'
        ? tf.div(sumOmega(), prep.layout.kept)
        : sumOmega();
    return reducePixels(ID, e, prep, {
      reduction: o.reduction,
      channelReduction: o.type === 'binary' ? 'mean' : 'sum',
      sampleWeight,
      ...(divisor ? { divisor } : {}),
    });
  },
);
