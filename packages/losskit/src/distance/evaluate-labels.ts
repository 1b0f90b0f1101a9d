/**
 * Every metric, every label of two integer label maps: one pass over the voxels for the overlap counts, and the
 * surface distances of all labels together (label-surfaces.ts). Typed arrays only, no TensorFlow.js.
 *
 * The values are those of the catalog metrics on the binary masks `truth == label`, `pred == label` (one image,
 * one channel): the overlap scores from a per-label confusion count (TP, FP, FN, TN), the surface distances from a
 * nearest-edge search over the whole volume (label-surfaces.ts).
 */
import { normalizeName } from '../util/names.ts';
import { checkShapeAndSpacing } from './edt.ts';
import type { BoundingBox } from './surface.ts';
import { bindSurfaceMetric, type BoundSurfaceMetric } from './surface-metrics.ts';
import { labelSurfaceDistances, type Codes } from './label-surfaces.ts';

/** The metrics {@link evaluateLabels} computes, by catalog id. */
export const LABEL_METRICS = [
  'diceCoefficient',
  'iou',
  'tverskyIndex',
  'sensitivity',
  'specificity',
  'precision',
  'hausdorffDistance',
  'averageSurfaceDistance',
  'surfaceDice',
] as const;
export type LabelMetricId = (typeof LABEL_METRICS)[number];

const SURFACE: readonly string[] = ['hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice'];
const OVERLAP_KEYS = ['smoothNr', 'smoothDr', 'epsClamp', 'maskEmptyClasses'];

/** One metric to compute, with its options and the key of its values in the result. */
export interface LabelMetricSpec {
  /** A catalog id of {@link LABEL_METRICS}, any spelling (`dice_coefficient`, `diceCoefficient`). */
  readonly metric: string;
  /**
   * Overlap scores: `smoothNr`, `smoothDr` (1e-5 each), `epsClamp` (0), `maskEmptyClasses` (false; an empty truth
   * scores 1), and `alpha`, `beta` (0.3, 0.7) for the Tversky index. Surface metrics: the options of
   * `hausdorffDistancePair`, `averageSurfaceDistancePair`, `surfaceDicePair` (`spacing` is the call's).
   */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Key of the values in the result; default the metric id. Keys must be distinct. */
  readonly key?: string;
}

/** Options of {@link evaluateLabels}. */
export interface EvaluateLabelsOptions {
  /** The metrics, by id or as {@link LabelMetricSpec}. */
  readonly metrics: readonly (string | LabelMetricSpec)[];
  /** Voxel size per axis (array-axis order) for the surface metrics; default 1. */
  readonly spacing?: readonly number[] | null;
  /** The labels to evaluate; default every non-zero value found in either map, ascending. */
  readonly labels?: readonly number[] | null;
  /**
   * Round as the float32 tensor metrics do (each arithmetic step of the overlap scores, and the surface values),
   * so that the results equal theirs bit for bit. Default false: float64 throughout.
   */
  readonly float32?: boolean;
  /**
   * Also return each label's bounding box (`boxes`), the union of its boxes in both maps. Default false (the count
   * alone is a faster pass).
   */
  readonly boxes?: boolean;
}

/** Per-label results of {@link evaluateLabels}; every array is indexed like `labels`. */
export interface LabelEvaluation {
  readonly labels: number[];
  /** Per metric key, one value per label: NaN/Infinity as the metrics define them for empty masks. */
  readonly values: Record<string, Float64Array>;
  /** The per-label confusion counts. */
  readonly counts: {
    readonly tp: Float64Array;
    readonly fp: Float64Array;
    readonly fn: Float64Array;
    readonly tn: Float64Array;
  };
  /**
   * With the option `boxes`, per label the union of its boxes in both maps (inclusive
   * bounds per axis), null for a label in neither map.
   */
  readonly boxes?: (BoundingBox | null)[];
}

/** Thrown for a label map holding NaN, ±Infinity or a non-integer value (never turned into a number). */
export class LabelMapError extends Error {
  override readonly name = 'LabelMapError';
  /** Which input holds the value. */
  readonly input: 'truth' | 'pred';
  /** Its flat (row-major) index. */
  readonly index: number;
  readonly value: number;
  constructor(message: string, input: 'truth' | 'pred', index: number, value: number) {
    super(message);
    this.input = input;
    this.index = index;
    this.value = value;
  }
}

/** The error for a value that is not an integer (NaN, ±Infinity or a fraction). */
function badValue(input: 'truth' | 'pred', i: number, v: number): LabelMapError {
  const what = Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'a non-integer value' : String(v);
  return new LabelMapError(
    `evaluateLabels: ${input} holds ${what} (${v}) at element ${i}; label maps hold integers`,
    input,
    i,
    v,
  );
}

/** Checks a label map and returns its smallest and largest value. */
function scanValues(a: ArrayLike<number>, input: 'truth' | 'pred'): [number, number] {
  let min = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - Math.floor(v) !== 0) throw badValue(input, i, v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** Maps a value to its label code (1…L, 0 for values not evaluated): a table over [min, max], or a Map. */
type Coder = { readonly lut: Int32Array; readonly min: number; readonly max: number } | Map<number, number>;

function makeCoder(labels: readonly number[]): Coder {
  const min = labels.length ? Math.min(...labels) : 0;
  const max = labels.length ? Math.max(...labels) : -1;
  if (max - min > 1 << 24) return new Map(labels.map((l, k) => [l, k + 1]));
  const lut = new Int32Array(Math.max(0, max - min + 1));
  labels.forEach((l, k) => {
    lut[l - min] = k + 1;
  });
  return { lut, min, max };
}

/** Every non-zero value of either map, ascending. */
function presentLabels(a: ArrayLike<number>, b: ArrayLike<number>, min: number, max: number): number[] {
  if (max - min <= 1 << 24) {
    const seen = new Uint8Array(max - min + 1);
    for (let i = 0; i < a.length; i++) seen[a[i] - min] = 1;
    for (let i = 0; i < b.length; i++) seen[b[i] - min] = 1;
    const out: number[] = [];
    for (let k = 0; k < seen.length; k++) if (seen[k] && k + min !== 0) out.push(k + min);
    return out;
  }
  const set = new Set<number>();
  for (let i = 0; i < a.length; i++) set.add(a[i]);
  for (let i = 0; i < b.length; i++) set.add(b[i]);
  set.delete(0);
  return [...set].sort((x, y) => x - y);
}

const INTEGER_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
];
const holdsIntegers = (a: ArrayLike<number>) => INTEGER_ARRAYS.some((T) => a instanceof T);

/** Per code (0 = not evaluated), the elements in both maps, only in pred, only in truth. */
interface Counts3 {
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
}

/**
 * Both maps as label codes (1…L, 0 for values not evaluated) and the confusion counts per code, checking every
 * value in element order: one pass.
 */
function encode(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  coder: Coder,
  L: number,
): { ct: Codes; cp: Codes } & Counts3 {
  const total = truth.length;
  const make = (): Codes =>
    L < 256 ? new Uint8Array(total) : L < 65536 ? new Uint16Array(total) : new Int32Array(total);
  const ct = make();
  const cp = make();
  const tp = new Float64Array(L + 1);
  const fp = new Float64Array(L + 1);
  const fn = new Float64Array(L + 1);
  const count = (t: number, p: number) => {
    if (t === p) tp[t]++;
    else {
      fn[t]++;
      fp[p]++;
    }
  };
  if (coder instanceof Map) {
    for (let i = 0; i < total; i++) {
      const tv = truth[i];
      const pv = pred[i];
      if (tv - Math.floor(tv) !== 0) throw badValue('truth', i, tv);
      if (pv - Math.floor(pv) !== 0) throw badValue('pred', i, pv);
      count((ct[i] = coder.get(tv) ?? 0), (cp[i] = coder.get(pv) ?? 0));
    }
  } else if (holdsIntegers(truth) && holdsIntegers(pred)) {
    // Integer typed arrays (label maps as read from files) cannot hold a bad value: no check per element. Most
    // voxels are background in both maps; unless 0 is evaluated, they leave the codes 0 and no count to keep.
    const { lut, min, max } = coder;
    const skipZero = !(min <= 0 && max >= 0 && lut[-min] !== 0);
    for (let i = 0; i < total; i++) {
      const tv = truth[i];
      const pv = pred[i];
      if (skipZero && tv === 0 && pv === 0) continue;
      count(
        (ct[i] = tv >= min && tv <= max ? lut[tv - min] : 0),
        (cp[i] = pv >= min && pv <= max ? lut[pv - min] : 0),
      );
    }
  } else {
    const { lut, min, max } = coder;
    for (let i = 0; i < total; i++) {
      const tv = truth[i];
      const pv = pred[i];
      if (tv - Math.floor(tv) !== 0) throw badValue('truth', i, tv);
      if (pv - Math.floor(pv) !== 0) throw badValue('pred', i, pv);
      count(
        (ct[i] = tv >= min && tv <= max ? lut[tv - min] : 0),
        (cp[i] = pv >= min && pv <= max ? lut[pv - min] : 0),
      );
    }
  }
  return { ct, cp, tp, fp, fn };
}

/** Inclusive box per code, `lo[c * r + a]`; `hi < lo` when the label is absent from both maps. */
interface Boxes {
  lo: Int32Array;
  hi: Int32Array;
}

/** Each label's bounding box in either coded map: one pass over the codes. */
function boxesOf(ct: Codes, cp: Codes, shape: readonly number[], L: number): Boxes {
  const r = shape.length;
  const lo = new Int32Array((L + 1) * r).fill(0x7fffffff);
  const hi = new Int32Array((L + 1) * r).fill(-1);
  const total = ct.length;
  const n = shape[r - 1];
  const last = r - 1;
  const coord = new Int32Array(r);
  // The row (all axes but the last) each code was last seen in, so the outer axes are updated once per row.
  const rowOf = new Int32Array(L + 1).fill(-1);
  const mark = (c: number, j: number, row: number) => {
    const o = c * r;
    if (j < lo[o + last]) lo[o + last] = j;
    if (j > hi[o + last]) hi[o + last] = j;
    if (rowOf[c] !== row) {
      rowOf[c] = row;
      for (let a = 0; a < last; a++) {
        if (coord[a] < lo[o + a]) lo[o + a] = coord[a];
        if (coord[a] > hi[o + a]) hi[o + a] = coord[a];
      }
    }
  };
  for (let base = 0, row = 0; base < total; base += n, row++) {
    for (let j = 0; j < n; j++) {
      const t = ct[base + j];
      const p = cp[base + j];
      if (t !== 0) mark(t, j, row);
      if (p !== 0 && p !== t) mark(p, j, row);
    }
    for (let a = last - 1; a >= 0; a--) {
      if (++coord[a] < shape[a]) break;
      coord[a] = 0;
    }
  }
  return { lo, hi };
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
type OverlapScore = (c: Counts) => number;

function numberOption(id: string, o: Record<string, unknown>, key: string, fallback: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
    throw new Error(
      `evaluateLabels: ${id}: option '${key}' must be a finite number ≥ 0, got ${JSON.stringify(v)}`,
    );
  return v;
}

/** An overlap score from the counts, each step rounded by `f` (Math.fround reproduces the float32 tensors). */
function overlapScore(id: LabelMetricId, o: Record<string, unknown>, f: (x: number) => number): OverlapScore {
  const allowed = id === 'tverskyIndex' ? [...OVERLAP_KEYS, 'alpha', 'beta'] : OVERLAP_KEYS;
  for (const k of Object.keys(o))
    if (o[k] !== undefined && !allowed.includes(k))
      throw new Error(`evaluateLabels: ${id}: unknown option '${k}'; allowed: ${allowed.join(', ')}`);
  const sNr = f(numberOption(id, o, 'smoothNr', 1e-5));
  const sDr = f(numberOption(id, o, 'smoothDr', 1e-5));
  const clamp = f(numberOption(id, o, 'epsClamp', 0));
  const alpha = f(numberOption(id, o, 'alpha', 0.3));
  const beta = f(numberOption(id, o, 'beta', 0.7));
  const maskEmpty = o.maskEmptyClasses === true;
  const ratio = (num: number, den: number): number => {
    let d = f(den + sDr);
    if (clamp > 0) d = Math.max(d, clamp);
    return f(f(num + sNr) / d);
  };
  const score: Record<string, OverlapScore> = {
    diceCoefficient: (c) => ratio(f(2 * c.tp), f(f(c.tp + c.fp) + f(c.tp + c.fn))),
    iou: (c) => ratio(c.tp, f(f(f(c.tp + c.fp) + f(c.tp + c.fn)) - c.tp)),
    tverskyIndex: (c) => ratio(c.tp, f(c.tp + f(f(c.fp * alpha) + f(c.fn * beta)))),
    sensitivity: (c) => ratio(c.tp, f(c.tp + c.fn)),
    specificity: (c) => ratio(c.tn, f(c.tn + c.fp)),
    precision: (c) => ratio(c.tp, f(c.tp + c.fp)),
  };
  const s = score[id];
  if (!maskEmpty) return s;
  // finishGroups: v · present + (1 − present) · 1, so an empty truth scores 1 (and NaN stays NaN).
  return (c) => {
    const present = c.tp + c.fn > 0 ? 1 : 0;
    return f(f(s(c) * present) + (1 - present));
  };
}

interface Bound {
  key: string;
  overlap?: OverlapScore;
  surface?: BoundSurfaceMetric;
}

function bindMetric(spec: string | LabelMetricSpec, f: (x: number) => number): Bound {
  const s = typeof spec === 'string' ? { metric: spec } : spec;
  const id = LABEL_METRICS.find((m) => normalizeName(m) === normalizeName(s.metric));
  if (id === undefined)
    throw new Error(
      `evaluateLabels: unknown metric '${s.metric}'; expected one of ${LABEL_METRICS.join(', ')}`,
    );
  const options = { ...(s.options ?? {}) };
  if (SURFACE.includes(id)) {
    delete options.spacing;
    return { key: s.key ?? id, surface: bindSurfaceMetric(id as 'hausdorffDistance', options) };
  }
  return { key: s.key ?? id, overlap: overlapScore(id, options, f) };
}

/**
 * Every requested metric for every label of two integer label maps of one shape, each label scored on the binary
 * masks `truth == label` and `pred == label` (one image, one channel).
 *
 * - Overlap scores (`diceCoefficient`, `iou`, `tverskyIndex`, `sensitivity`, `specificity`, `precision`) are
 *   arithmetic on per-label TP/FP/FN/TN counted in a single pass; with the default smoothing (1e-5 on both sides)
 *   two empty masks score 1, as the tensor metrics do.
 * - Surface metrics (`hausdorffDistance`, `averageSurfaceDistance`, `surfaceDice`) use MONAI's conventions and the
 *   options of their `…Pair` forms (HD95 = `{ percentile: 95 }`, MONAI's max of the two directed percentiles;
 *   `convention: 'medpy'` pools them); one exact surface-distance computation per label serves all of them. NaN
 *   where both masks are empty, +Infinity (surface Dice 0) where one is.
 *
 * @param truth - Ground-truth label map, row-major `[...shape]`, integer values.
 * @param pred - Predicted label map, same shape.
 * @param shape - Spatial shape, rank ≥ 1.
 * @param options - `metrics` (ids or `{ metric, options, key }`), `spacing`, `labels`, `float32`, `boxes`.
 * @returns `{ labels, values: { [key]: Float64Array per label }, counts: { tp, fp, fn, tn } }`, and `boxes` (per
 *   label `{ lo, hi }` or null) with the option `boxes`.
 * @throws LabelMapError (named, with `input` and `index`) when a map holds NaN, ±Infinity or a non-integer; Error
 *   for mismatched lengths, a bad shape or spacing, unknown metrics, options or duplicate keys.
 * @example
 * ```ts
 * import { evaluateLabels } from 'losskit/distance';
 * // Two 1-D label maps: label 1 shifted by one element, label 2 identical.
 * const truth = Int32Array.from([1, 1, 1, 0, 2, 2]);
 * const pred = Int32Array.from([0, 1, 1, 1, 2, 2]);
 * const r = evaluateLabels(truth, pred, [6], {
 *   metrics: ['diceCoefficient', { metric: 'hausdorffDistance', options: { percentile: 95 }, key: 'hd95' }],
 * });
 * r.labels; // [1, 2]
 * r.values.diceCoefficient; // Float64Array [0.6666…, 1]
 * r.values.hd95; // Float64Array [1, 0]
 * ```
 * @see hausdorffDistancePair, averageSurfaceDistancePair, surfaceDicePair; the tensor metrics of the catalog.
 */
export function evaluateLabels(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  shape: readonly number[],
  options: EvaluateLabelsOptions,
): LabelEvaluation {
  const spacing = checkShapeAndSpacing('evaluateLabels', truth.length, shape, options.spacing);
  checkShapeAndSpacing('evaluateLabels', pred.length, shape, undefined);
  if (shape.length === 0) throw new Error('evaluateLabels: shape must have at least one axis');
  const f = options.float32 ? Math.fround : (x: number) => x;
  const bound = options.metrics.map((m) => bindMetric(m, f));
  const keys = new Set<string>();
  for (const b of bound) {
    if (keys.has(b.key))
      throw new Error(`evaluateLabels: two metrics have the key '${b.key}'; give each a key`);
    keys.add(b.key);
  }
  let labels: number[];
  if (options.labels) labels = [...options.labels];
  else {
    // Every value is checked again in the counting pass; here the range is needed to find the labels.
    const [tMin, tMax] = scanValues(truth, 'truth');
    const [pMin, pMax] = scanValues(pred, 'pred');
    labels = presentLabels(truth, pred, Math.min(tMin, pMin), Math.max(tMax, pMax));
  }
  if (new Set(labels).size !== labels.length || labels.some((l) => !Number.isInteger(l)))
    throw new Error(`evaluateLabels: labels must be distinct integers, got [${labels.join(', ')}]`);
  const L = labels.length;
  const scan = encode(truth, pred, makeCoder(labels), L);
  const { ct, cp } = scan;
  const N = truth.length;
  const counts = {
    tp: scan.tp.slice(1),
    fp: scan.fp.slice(1),
    fn: scan.fn.slice(1),
    tn: new Float64Array(L),
  };
  for (let k = 0; k < L; k++) counts.tn[k] = N - counts.tp[k] - counts.fp[k] - counts.fn[k];
  const values: Record<string, Float64Array> = {};
  for (const b of bound) values[b.key] = new Float64Array(L);
  const directions = bound.some((b) => b.surface?.directions === 'both') ? 'both' : 'predToGt';
  // Every label's surface distances over the whole volume at once.
  const surfaces = bound.some((b) => b.surface)
    ? labelSurfaceDistances(ct, cp, shape, spacing, L, directions)
    : [];
  for (let k = 0; k < L; k++) {
    const c = { tp: f(counts.tp[k]), fp: f(counts.fp[k]), fn: f(counts.fn[k]), tn: f(counts.tn[k]) };
    const gEmpty = counts.tp[k] + counts.fn[k] === 0;
    const pEmpty = counts.tp[k] + counts.fp[k] === 0;
    for (const b of bound) {
      values[b.key][k] = b.overlap ? b.overlap(c) : f(b.surface!.value(gEmpty, pEmpty, () => surfaces[k]));
    }
  }
  if (options.boxes !== true) return { labels, values, counts };
  const r = shape.length;
  const { lo: los, hi: his } = boxesOf(ct, cp, shape, L);
  const boxes = labels.map((_, k): BoundingBox | null => {
    const lo = Array.from(los.subarray((k + 1) * r, (k + 2) * r));
    const hi = Array.from(his.subarray((k + 1) * r, (k + 2) * r));
    return hi[0] < lo[0] ? null : { lo, hi };
  });
  return { labels, values, counts, boxes };
}
