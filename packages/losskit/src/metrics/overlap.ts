/**
 * Overlap metrics on tensors (segmentation-region.md §2.5): the scores behind the region losses, with the same
 * grouping options, plus an optional `threshold` that binarises the probabilities first (`p ≥ t`; no gradient).
 * They reuse the region pipeline (`src/segmentation/`), so a metric and its loss can never disagree
 * on layout, labels, ignored pixels or groups. Their catalog entries and presets are in info.ts, which loads no
 * TensorFlow.js.
 */
import { defineMetric, type Metric } from '../core/define-loss.ts';
import type { Resolved } from '../core/options.ts';
import {
  diceScore,
  finishGroups,
  type GroupSums,
  groupSums,
  jaccardScore,
  prepare,
  smoothedRatio,
  tverskyScore,
} from '../segmentation/index.ts';
import { shapeText } from '../core/validate.ts';
import { tf, type Tensor } from '../tf.ts';
import {
  DICE_COEFFICIENT,
  IOU,
  type MetricEntry,
  type OverlapMetricOptions,
  PRECISION,
  type RateMetricOptions,
  SENSITIVITY,
  SPECIFICITY,
  TVERSKY_INDEX,
  type TverskyIndexOptions,
} from './info.ts';

export * from './overlap-arrays.ts';

export type { OverlapMetricOptions, RateMetricOptions, TverskyIndexOptions } from './info.ts';

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
  entry: MetricEntry,
  score: (s: GroupSums, o: Resolved<O>) => Tensor,
  needs: { squared?: boolean; tn?: boolean } = {},
): Metric<O> {
  const { id } = entry.info;
  return defineMetric<O>(entry, (yTrue, yPred, o) => {
    const prep = prepare(id, yTrue, yPred, o, o.threshold);
    checkUnitRange(id, 'yPred', prep.pAll, null);
    if (!o.sparseLabels) checkUnitRange(id, 'yTrue', yTrue, o.ignoreIndex);
    const sums = groupSums(prep, o, {
      squared: needs.squared === true && o.squaredPred === true,
      tn: needs.tn ?? false,
    });
    return finishGroups(id, score(sums, o), prep, o, undefined, 1);
  });
}

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
  DICE_COEFFICIENT,
  (s, o) => diceScore(s, o),
  { squared: true },
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
export const iou = overlapMetric<OverlapMetricOptions>(IOU, (s, o) => jaccardScore(s, o), { squared: true });

/**
 * Tversky index per group: `(TP + s_nr)/(TP + α·FP + β·FN + s_dr)`, α on FP, β on FN (0.3, 0.7).
 *
 * @param yTrue `[B, ...spatial, C]` masks in [0, 1] (an error outside), or integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities in [0, 1] (an error outside, as for every overlap metric), or logits with `activation`
 * @returns a scalar, or `[B', C']` with `reduction: 'none'`
 * @example
 * tverskyIndex(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.8737876
 */
export const tverskyIndex = overlapMetric<TverskyIndexOptions>(TVERSKY_INDEX, (s, o) =>
  tverskyScore(s, o.alpha, o.beta, o),
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
export const sensitivity = overlapMetric<RateMetricOptions>(SENSITIVITY, (s, o) =>
  smoothedRatio(s.tp, tf.add(s.tp, s.fn), o),
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
  SPECIFICITY,
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
export const precision = overlapMetric<RateMetricOptions>(PRECISION, (s, o) =>
  smoothedRatio(s.tp, tf.add(s.tp, s.fp), o),
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
