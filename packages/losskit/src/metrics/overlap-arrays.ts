/**
 * Overlap metrics on plain arrays (no TensorFlow.js): binary masks (non-zero = foreground) or integer label maps
 * (foreground = `value === label`). For tools that read label volumes (PNG, NIfTI) and for tests. The scores are
 * the hard (thresholded) versions of the tensor metrics in `overlap.ts`, with the same smoothing defaults (1e-5 on
 * both sides, so two empty masks score 1); pass `smoothNr: 0, smoothDr: 0` for the bare ratios (NaN for 0/0).
 */
import { evaluateLabels, LabelMapError } from '../distance/evaluate-labels.ts';

/** The four counts of a binary comparison. */
export interface OverlapCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface ArrayOverlapOptions {
  /** Foreground is `value === label`; null (default) = any non-zero value. */
  readonly label?: number | null;
  /** Added to the numerator (1e-5). */
  readonly smoothNr?: number;
  /** Added to the denominator (1e-5). */
  readonly smoothDr?: number;
}

export interface ArrayTverskyOptions extends ArrayOverlapOptions {
  /** Weight on false positives (0.3). */
  readonly alpha?: number;
  /** Weight on false negatives (0.7). */
  readonly beta?: number;
}

/**
 * Counts TP, FP, FN and TN of two masks of equal length. With `label`, an element is foreground when it equals the
 * label; otherwise when it is non-zero. Throws when the lengths differ.
 */
export function overlapCounts(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  label: number | null = null,
): OverlapCounts {
  if (yTrue.length !== yPred.length) {
    throw new Error(`overlapCounts: yTrue has ${yTrue.length} elements but yPred has ${yPred.length}`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = label === null ? yTrue[i] !== 0 : yTrue[i] === label;
    const p = label === null ? yPred[i] !== 0 : yPred[i] === label;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

function ratio(num: number, den: number, o: ArrayOverlapOptions): number {
  return (num + (o.smoothNr ?? 1e-5)) / (den + (o.smoothDr ?? 1e-5));
}

const counts = (a: ArrayLike<number>, b: ArrayLike<number>, o: ArrayOverlapOptions) =>
  overlapCounts(a, b, o.label ?? null);

/** A score from the four counts: each mask function below counts, then applies its score. */
type CountScore = (c: OverlapCounts, o: ArrayTverskyOptions) => number;

const dice: CountScore = (c, o) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, o);
const iou: CountScore = (c, o) => ratio(c.tp, c.tp + c.fp + c.fn, o);
const tversky: CountScore = (c, o) => ratio(c.tp, c.tp + (o.alpha ?? 0.3) * c.fp + (o.beta ?? 0.7) * c.fn, o);
const sensitivity: CountScore = (c, o) => ratio(c.tp, c.tp + c.fn, o);
const specificity: CountScore = (c, o) => ratio(c.tn, c.tn + c.fp, o);
const precision: CountScore = (c, o) => ratio(c.tp, c.tp + c.fp, o);

/** Dice coefficient `(2TP + s_nr)/(2TP + FP + FN + s_dr)`. */
export function diceOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayOverlapOptions = {},
): number {
  return dice(counts(yTrue, yPred, options), options);
}

/** Intersection over union `(TP + s_nr)/(TP + FP + FN + s_dr)`. */
export function iouOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayOverlapOptions = {},
): number {
  return iou(counts(yTrue, yPred, options), options);
}

/** Tversky index `(TP + s_nr)/(TP + α·FP + β·FN + s_dr)`, α on FP (0.3), β on FN (0.7). */
export function tverskyOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayTverskyOptions = {},
): number {
  return tversky(counts(yTrue, yPred, options), options);
}

/** Sensitivity (recall) `(TP + s_nr)/(TP + FN + s_dr)`. */
export function sensitivityOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayOverlapOptions = {},
): number {
  return sensitivity(counts(yTrue, yPred, options), options);
}

/** Specificity `(TN + s_nr)/(TN + FP + s_dr)`. */
export function specificityOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayOverlapOptions = {},
): number {
  return specificity(counts(yTrue, yPred, options), options);
}

/** Precision `(TP + s_nr)/(TP + FP + s_dr)`. */
export function precisionOfMasks(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ArrayOverlapOptions = {},
): number {
  return precision(counts(yTrue, yPred, options), options);
}

/** A mask metric of this module (or the caller's own function of the same form). */
type MaskMetric = (
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options?: ArrayTverskyOptions,
) => number;

/** The count scores of this module's mask metrics, so that {@link overlapPerLabel} counts every label at once. */
const SCORES = new Map<MaskMetric, CountScore>([
  [diceOfMasks, dice],
  [iouOfMasks, iou],
  [tverskyOfMasks, tversky],
  [sensitivityOfMasks, sensitivity],
  [specificityOfMasks, specificity],
  [precisionOfMasks, precision],
]);

/**
 * One score per label of two integer label maps: `labels` defaults to every non-zero value present in either.
 * `metric` is one of the functions above: every label's TP/FP/FN/TN then come from one pass over the elements
 * (`evaluateLabels`' per-label confusion count), not one pass per label. Any other function of the same form
 * is called once per label.
 *
 * @throws LabelMapError when a map holds NaN, ±Infinity or a non-integer value; Error when the lengths differ
 *   or `labels` are not distinct integers.
 * @example
 * overlapPerLabel(diceOfMasks, [0, 1, 2, 2], [0, 1, 1, 2]); // { 1: 0.666…, 2: 0.666… }
 */
export function overlapPerLabel(
  metric: MaskMetric,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  labels?: readonly number[],
  options: Omit<ArrayTverskyOptions, 'label'> = {},
): Record<number, number> {
  if (yTrue.length !== yPred.length) {
    throw new Error(`overlapPerLabel: yTrue has ${yTrue.length} elements but yPred has ${yPred.length}`);
  }
  let r: ReturnType<typeof evaluateLabels>;
  try {
    r = evaluateLabels(yTrue, yPred, [yTrue.length], { metrics: [], labels: labels ?? null });
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const message = e.message.replace(/^evaluateLabels:/, 'overlapPerLabel:');
    throw e instanceof LabelMapError
      ? new LabelMapError(message, e.input, e.index, e.value)
      : new Error(message);
  }
  const score = SCORES.get(metric);
  const out: Record<number, number> = {};
  const { tp, fp, fn, tn } = r.counts;
  r.labels.forEach((label, k) => {
    out[label] = score
      ? score({ tp: tp[k], fp: fp[k], fn: fn[k], tn: tn[k] }, options)
      : metric(yTrue, yPred, { ...options, label });
  });
  return out;
}
