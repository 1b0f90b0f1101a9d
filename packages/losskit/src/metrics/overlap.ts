/**
 * Overlap metrics on tensors (segmentation-region.md §2.5): the scores behind the region losses, with the same
 * grouping options, plus an optional `threshold` that binarises the probabilities first (`p ≥ t`; no gradient).
 * They reuse the region pipeline (`src/segmentation/`), so a metric and its loss can never disagree
 * on layout, labels, ignored pixels or groups.
 */
import { defineMetric, type Metric } from '../core/define-loss.ts';
import { type OptionsOf, param, type PresetTable, type Resolved } from '../core/options.ts';
import type { MetricInfo } from '../core/types.ts';
import {
  CLASS_WEIGHTS,
  diceScore,
  finishGroups,
  GROUP_PARAMS,
  GROUP_REDUCTION,
  type GroupSums,
  groupSums,
  jaccardScore,
  LAYOUT_PARAMS,
  MASK_EMPTY_CLASSES,
  prepare,
  PRESET,
  regionPresets,
  SMOOTH_PARAMS,
  smoothedRatio,
  SQUARED_PRED,
  TVERSKY_ALPHA,
  TVERSKY_BETA,
  tverskyScore,
} from '../segmentation/index.ts';
import { shapeText } from '../core/validate.ts';
import { tf, type Tensor } from '../tf.ts';

export * from './overlap-arrays.ts';

export const THRESHOLD = param({
  name: 'threshold',
  type: ['number', 'null'],
  default: null,
  range: [0, 1],
  doc: 'Binarise the probabilities (after the activation) as p ≥ threshold before the sums; null = soft scores.',
});

const MASK_EMPTY_SCORE = param({
  ...MASK_EMPTY_CLASSES,
  doc: 'Groups whose ground truth is empty score 1 (their loss is 0, as smp) and still count in the mean.',
});

const CLASS_WEIGHTS_SCORE = param({
  ...CLASS_WEIGHTS,
  doc: 'One weight per kept channel, multiplying each class’s score before a plain mean. Not with reduceChannels.',
});

const COMMON = [
  ...LAYOUT_PARAMS,
  ...GROUP_PARAMS,
  ...SMOOTH_PARAMS,
  MASK_EMPTY_SCORE,
  CLASS_WEIGHTS_SCORE,
  GROUP_REDUCTION,
] as const;
const OVERLAP_PARAMS = [...COMMON, SQUARED_PRED, THRESHOLD, PRESET] as const;
const TVERSKY_INDEX_PARAMS = [...COMMON, TVERSKY_ALPHA, TVERSKY_BETA, THRESHOLD, PRESET] as const;
const RATE_PARAMS = [...COMMON, THRESHOLD, PRESET] as const;

/** Options of diceCoefficient and iou (the rates — sensitivity, specificity, precision — have no squaredPred). */
export type OverlapMetricOptions = OptionsOf<typeof OVERLAP_PARAMS>;
export type TverskyIndexOptions = OptionsOf<typeof TVERSKY_INDEX_PARAMS>;
export type RateMetricOptions = OptionsOf<typeof RATE_PARAMS>;

/**
 * Every overlap metric's input contract: yTrue (dense masks) and the probabilities (yPred after the activation)
 * in [0, 1]. A value outside is an error rather than clipped or passed through, because passed through it yields
 * scores outside [0, 1] (precision 4.83 for a prediction of −0.5) and clipped it hides a missing `activation`.
 * NaN passes (NaN in, NaN out). Reads both tensors back to the CPU once per call.
 */
function checkUnitRange(id: string, what: string, t: Tensor, skip: number | null): void {
  const v = t.dataSync();
  for (let i = 0; i < v.length; i++) {
    if ((v[i] < 0 || v[i] > 1) && v[i] !== skip) {
      const hint =
        what === 'yPred'
          ? "probabilities must be in [0, 1] (pass activation: 'sigmoid' or 'softmax' for logits)"
          : `masks must be in [0, 1]${skip === null ? '' : ` or ignoreIndex ${skip}`} (sparseLabels: true for integer labels)`;
      throw new Error(
        `${id}: ${what} holds ${v[i]} at flat index ${i} of shape ${shapeText(t.shape)}; ${hint}`,
      );
    }
  }
}

/** Steps 1–5 and 7–9 of the pipeline around a per-group score. */
function overlapMetric<O extends RateMetricOptions & { readonly squaredPred?: boolean }>(
  info: MetricInfo,
  score: (s: GroupSums, o: Resolved<O>) => Tensor,
  needs: { squared?: boolean; tn?: boolean } = {},
  presets: PresetTable = regionPresets(),
): Metric<O> {
  return defineMetric<O>(
    info,
    (yTrue, yPred, o) => {
      const prep = prepare(info.id, yTrue, yPred, o, o.threshold);
      checkUnitRange(info.id, 'yPred', prep.pAll, null);
      if (!o.sparseLabels) checkUnitRange(info.id, 'yTrue', yTrue, o.ignoreIndex);
      const sums = groupSums(prep, o, {
        squared: needs.squared === true && o.squaredPred === true,
        tn: needs.tn ?? false,
      });
      return finishGroups(info.id, score(sums, o), prep, o, undefined, 1);
    },
    { presets },
  );
}

const SEE_DICE = 'Dice 1945, "Measures of the amount of ecologic association between species", Ecology 26(3)';

/**
 * Dice coefficient (F1 score) per group, then reduced: `(2·Σpg + s_nr)/(Σp^k + Σg^k + s_dr)`. The score of the `dice`
 * loss under the same options (not 1 − score), plus `threshold`.
 *
 * Inputs (every overlap metric: diceCoefficient, iou, tverskyIndex, sensitivity, specificity, precision): a value
 * outside [0, 1] in yTrue (dense) or in yPred after the activation is an Error naming the metric, the value and its
 * flat index, never clipped; NaN gives NaN (or, with `threshold`, counts as below it).
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1], or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * // g = [1, 0], p = [0.9, 0.2] → (1.8 + 1e-5)/(2.1 + 1e-5); thresholded at 0.5: (2 + 1e-5)/(2 + 1e-5) = 1
 * diceCoefficient(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.8571435
 */
export const diceCoefficient = overlapMetric<OverlapMetricOptions>(
  {
    id: 'diceCoefficient',
    aliases: [
      'dice_coefficient',
      'dice_coef',
      'DiceCoefficient',
      'dice_score',
      'dice_similarity',
      'f1_score',
    ],
    task: 'segmentation',
    summary: 'Dice similarity coefficient (F1 of the overlap), soft or thresholded, per sample and class.',
    formula: 'D = (2·Σ p·g + s_nr) / (Σ p^k + Σ g^k + s_dr)  per group; mean over groups',
    whenToUse:
      'The standard overlap score of medical segmentation; report it thresholded (threshold: 0.5) to evaluate, ' +
      'soft to monitor the Dice loss during training.',
    params: OVERLAP_PARAMS,
    references: [
      SEE_DICE,
      'Sørensen 1948, Kongelige Danske Videnskabernes Selskab, Biologiske Skrifter 5(4)',
    ],
    higherIsBetter: true,
    loss: 'dice',
  },
  (s, o) => diceScore(s, o),
  { squared: true },
  // Jadon's dice_coef metric: global, smoothing 1e-7 (§2.5).
  regionPresets({ jadon: { smoothNr: 1e-7, smoothDr: 1e-7 } }),
);

/**
 * Intersection over union (Jaccard index) per group: `(Σpg + s_nr)/(Σp^k + Σg^k − Σpg + s_dr)`.
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * // g = [1, 0], p = [1, 1] thresholded or not: (1 + 1e-5)/(2 + 1e-5) = 0.5000025
 * iou(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([1, 1], [1, 1, 2, 1])).print(); // 0.5000025
 */
export const iou = overlapMetric<OverlapMetricOptions>(
  {
    id: 'iou',
    aliases: ['IoU', 'jaccard_index', 'jaccard_score', 'jaccard_coefficient', 'intersection_over_union'],
    task: 'segmentation',
    summary: 'Intersection over union (Jaccard index), soft or thresholded, per sample and class.',
    formula: 'J = (Σ p·g + s_nr) / (Σ p^k + Σ g^k − Σ p·g + s_dr)  per group; mean over groups',
    whenToUse:
      'The overlap score of natural-image benchmarks (PASCAL VOC, Cityscapes mIoU: use reduceBatch).',
    params: OVERLAP_PARAMS,
    references: ['Jaccard 1912, "The distribution of the flora in the alpine zone", New Phytologist 11(2)'],
    higherIsBetter: true,
    loss: 'jaccard',
  },
  (s, o) => jaccardScore(s, o),
  { squared: true },
);

/**
 * Tversky index per group: `(TP + s_nr)/(TP + α·FP + β·FN + s_dr)`, α on FP, β on FN (0.3, 0.7).
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * tverskyIndex(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.8737876
 */
export const tverskyIndex = overlapMetric<TverskyIndexOptions>(
  {
    id: 'tverskyIndex',
    aliases: ['tversky_index', 'TverskyIndex', 'tversky_score'],
    task: 'segmentation',
    summary: 'Tversky index: an overlap score with separate weights on false positives and false negatives.',
    formula: 'TI = (TP + s_nr) / (TP + α·FP + β·FN + s_dr)  per group; α = β = 0.5 is Dice',
    whenToUse: 'To monitor the Tversky or focal Tversky loss with the same α, β; α = β = 0.5 reports Dice.',
    params: TVERSKY_INDEX_PARAMS,
    references: ['Tversky 1977, "Features of similarity", Psychological Review 84(4)'],
    higherIsBetter: true,
    loss: 'tversky',
  },
  (s, o) => tverskyScore(s, o.alpha, o.beta, o),
);

/**
 * Sensitivity (recall, true-positive rate) per group: `(TP + s_nr)/(TP + FN + s_dr)`.
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * sensitivity(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.9000010
 */
export const sensitivity = overlapMetric<RateMetricOptions>(
  {
    id: 'sensitivity',
    aliases: ['recall', 'true_positive_rate', 'tpr', 'Sensitivity', 'Recall'],
    task: 'segmentation',
    summary: 'Fraction of the ground-truth foreground that the prediction covers (recall).',
    formula: 'SE = (TP + s_nr) / (TP + FN + s_dr)  per group',
    whenToUse:
      'When missed foreground matters (lesion detection); read together with precision or specificity.',
    params: RATE_PARAMS,
    references: [
      'Yerushalmy 1947, "Statistical problems in assessing methods of medical diagnosis", Public Health Reports 62(40)',
    ],
    higherIsBetter: true,
    loss: 'sensitivitySpecificity',
  },
  (s, o) => smoothedRatio(s.tp, tf.add(s.tp, s.fn), o),
);

/**
 * Specificity (true-negative rate) per group: `(TN + s_nr)/(TN + FP + s_dr)`, over valid (not ignored) elements.
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * specificity(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.8000020
 */
export const specificity = overlapMetric<RateMetricOptions>(
  {
    id: 'specificity',
    aliases: ['true_negative_rate', 'tnr', 'selectivity', 'Specificity'],
    task: 'segmentation',
    summary: 'Fraction of the ground-truth background that the prediction leaves empty.',
    formula: 'SP = (TN + s_nr) / (TN + FP + s_dr)  per group',
    whenToUse:
      'To check false alarms relative to the background size; it is close to 1 whenever the background is large, ' +
      'so prefer precision for small structures.',
    params: RATE_PARAMS,
    references: [
      'Yerushalmy 1947, "Statistical problems in assessing methods of medical diagnosis", Public Health Reports 62(40)',
    ],
    higherIsBetter: true,
    loss: 'sensitivitySpecificity',
  },
  (s, o) => smoothedRatio(s.tn!, tf.add(s.tn!, s.fp), o),
  { tn: true },
);

/**
 * Precision (positive predictive value) per group: `(TP + s_nr)/(TP + FP + s_dr)`.
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * precision(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.8181835
 */
export const precision = overlapMetric<RateMetricOptions>(
  {
    id: 'precision',
    aliases: ['positive_predictive_value', 'ppv', 'Precision'],
    task: 'segmentation',
    summary: 'Fraction of the predicted foreground that is correct.',
    formula: 'PR = (TP + s_nr) / (TP + FP + s_dr)  per group',
    whenToUse: 'When false alarms matter; read together with sensitivity (their harmonic mean is Dice).',
    params: RATE_PARAMS,
    references: [
      'Kent, Berry, Luehrs & Perry 1955, "Machine literature searching VIII", American Documentation 6(2)',
    ],
    higherIsBetter: true,
    // Tversky with alpha > beta weighs false positives more: the loss that trades recall for precision.
    loss: 'tversky',
  },
  (s, o) => smoothedRatio(s.tp, tf.add(s.tp, s.fp), o),
);

/** Overlap metrics on tensors, in catalog order. */
export const overlapMetrics: readonly Metric<never>[] = [
  diceCoefficient,
  iou,
  tverskyIndex,
  sensitivity,
  specificity,
  precision,
];
