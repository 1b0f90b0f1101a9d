/**
 * Surface metrics (Hausdorff distance and its percentiles, average surface distance, normalised surface Dice) on
 * plain arrays, with MONAI semantics (segmentation-distance.md §3). No TensorFlow.js: the tensor metrics wrap these.
 *
 * Shared conventions:
 * - Layout channels-last `[B, ...spatial, C]`; every value is computed per (b, c) over the spatial axes only.
 * - Binarisation `y > 0.5`, `p > 0.5` (strict). MONAI compares to exactly 1.0, which differs only on non-binary input.
 * - `includeBackground: false` (the default, as MONAI) drops channel 0 when C > 1, so results are `[B, C']`
 *   with C' = C − 1; with C = 1 the channel is kept.
 * - Empty masks never throw: both empty → NaN; exactly one empty → +Infinity for the distances (HD, HD95, ASD)
 *   and 0 for surface Dice. MONAI gives NaN for HD95 with one empty mask, an artefact of inf − inf in its
 *   quantile, which its NaN-ignoring mean then silently drops; losskit returns +Infinity instead.
 */
import { normalizeName } from '../util/names.ts';
import { checkShapeAndSpacing } from './edt.ts';
import { channelsLastLayout, extractMask, type ChannelsLastLayout } from './per-channel.ts';
import { surfaceDistances, type SurfaceDistances } from './surface.ts';

/** Options shared by the per-pair surface metrics. */
export interface SurfacePairOptions {
  /** Element size per spatial axis, array-axis order (not ITK (x, y, z)). null or absent = 1 on every axis. */
  readonly spacing?: readonly number[] | null;
}

/** Options shared by the `[B, ...spatial, C]` surface metrics. */
export interface SurfaceArrayOptions extends SurfacePairOptions {
  /** Keep channel 0 when C > 1. Default false (MONAI). */
  readonly includeBackground?: boolean;
}

/** Hausdorff-distance options (one mask pair). */
export interface HausdorffPairOptions extends SurfacePairOptions {
  /** Percentile of the surface distances, 0–100 (95 = HD95); null or absent = the maximum. */
  readonly percentile?: number | null;
  /** Only D(pred→gt). Default false. */
  readonly directed?: boolean;
  /** Percentile convention: `'monai'` (default) = max of the per-direction percentiles; `'medpy'` = pooled. */
  readonly convention?: 'monai' | 'medpy' | (string & {});
}
/** Hausdorff-distance options (`[B, ...spatial, C]` arrays). */
export interface HausdorffArrayOptions extends HausdorffPairOptions, SurfaceArrayOptions {}

/** Average-surface-distance options (one mask pair). */
export interface AverageSurfaceDistancePairOptions extends SurfacePairOptions {
  /** Use both directions (ASSD). Default false: the directed mean over prediction edges (MONAI's default). */
  readonly symmetric?: boolean;
  /** Symmetric form: `'monai'` (default) and `'medpy'` pool both sets; `'medpy_0.4'` averages the two means. */
  readonly convention?: 'monai' | 'medpy' | 'medpy_0.4' | (string & {});
}
/** Average-surface-distance options (`[B, ...spatial, C]` arrays). */
export interface AverageSurfaceDistanceArrayOptions
  extends AverageSurfaceDistancePairOptions, SurfaceArrayOptions {}

/** Surface-Dice options (one mask pair). */
export interface SurfaceDicePairOptions extends SurfacePairOptions {
  /** Tolerance τ ≥ 0 in spacing units (MONAI `class_thresholds`). Default 1. */
  readonly tolerance?: number;
}
/** Surface-Dice options (`[B, ...spatial, C]` arrays). */
export interface SurfaceDiceArrayOptions extends SurfaceArrayOptions {
  /** τ ≥ 0 in spacing units: one number for every channel, or one per kept channel (C' entries). Default 1. */
  readonly tolerance?: number | readonly number[];
}

type Kind = 'hd' | 'asd' | 'nsd';
const NAMES: Record<Kind, string> = {
  hd: 'hausdorffDistance',
  asd: 'averageSurfaceDistance',
  nsd: 'surfaceDice',
};
const KEYS: Record<Kind, readonly string[]> = {
  hd: ['spacing', 'includeBackground', 'percentile', 'directed', 'convention'],
  asd: ['spacing', 'includeBackground', 'symmetric', 'convention'],
  nsd: ['spacing', 'includeBackground', 'tolerance'],
};

interface Resolved {
  readonly spacing: readonly number[] | null;
  readonly includeBackground: boolean;
  readonly percentile: number | null;
  readonly directed: boolean;
  readonly pooled: boolean;
  readonly symmetric: boolean;
  readonly tolerance: number | readonly number[];
}

function checkBoolean(owner: string, key: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean')
    throw new Error(`${owner}: option '${key}' must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function checkTau(owner: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new Error(`${owner}: tolerance must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates the options of metric `kind`, naming the allowed keys and values in every error. */
function resolve(kind: Kind, options: object, pair: boolean): Resolved {
  const owner = NAMES[kind];
  const o = options as Record<string, unknown>;
  const allowed = KEYS[kind].filter((k) => !(pair && k === 'includeBackground'));
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k) && o[k] !== undefined) {
      throw new Error(`${owner}: unknown option '${k}'; allowed: ${allowed.join(', ')}`);
    }
  }
  const spacing = o.spacing ?? null;
  if (spacing !== null && !Array.isArray(spacing)) {
    throw new Error(`${owner}: option 'spacing' must be an array of numbers or null`);
  }
  let percentile: number | null = null;
  if (o.percentile != null) {
    const p = o.percentile;
    if (typeof p !== 'number' || !(p >= 0 && p <= 100)) {
      throw new Error(
        `${owner}: option 'percentile' must be a number in [0, 100] or null, got ${JSON.stringify(p)}`,
      );
    }
    percentile = p;
  }
  let pooled = kind === 'asd';
  if (o.convention !== undefined) {
    const c = typeof o.convention === 'string' ? normalizeName(o.convention) : '';
    const values = kind === 'hd' ? ['monai', 'medpy'] : kind === 'asd' ? ['monai', 'medpy', 'medpy_0.4'] : [];
    const known = values.map(normalizeName);
    const alias = c === 'medpy04' ? 'medpy0.4' : c;
    if (!known.includes(alias)) {
      throw new Error(
        `${owner}: unknown convention ${JSON.stringify(o.convention)}; expected one of ${values.map((v) => `'${v}'`).join(', ')}`,
      );
    }
    pooled = kind === 'hd' ? alias === 'medpy' : alias !== 'medpy0.4';
  }
  let tolerance: number | readonly number[] = 1;
  if (o.tolerance !== undefined) {
    if (Array.isArray(o.tolerance) && !pair) tolerance = o.tolerance.map((t) => checkTau(owner, t));
    else tolerance = checkTau(owner, o.tolerance);
  }
  return {
    spacing: spacing as readonly number[] | null,
    includeBackground: checkBoolean(owner, 'includeBackground', o.includeBackground),
    percentile,
    directed: checkBoolean(owner, 'directed', o.directed),
    pooled,
    symmetric: checkBoolean(owner, 'symmetric', o.symmetric),
    tolerance,
  };
}

/** numpy's default (linear) quantile of values sorted ascending; `torch.quantile` is the same. */
function quantileSorted(v: Float64Array, percentile: number): number {
  const pos = (percentile / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  const frac = pos - lo;
  return frac === 0 ? v[lo] : v[lo] + (v[hi] - v[lo]) * frac;
}

function maxOf(v: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
  return m;
}

function sumOf(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One metric value from the directed distance sets (both masks non-empty, so both sets are non-empty). */
function fromDistances(kind: Kind, d: SurfaceDistances, o: Resolved, tau: number): number {
  const A = d.predToGt;
  const G = d.gtToPred;
  if (kind === 'hd') {
    const q = o.percentile;
    if (q === null) return o.directed ? maxOf(A) : Math.max(maxOf(A), maxOf(G));
    if (o.directed) return quantileSorted(A.sort(), q);
    if (o.pooled) return quantileSorted(concat(A, G).sort(), q);
    return Math.max(quantileSorted(A.sort(), q), quantileSorted(G.sort(), q));
  }
  if (kind === 'asd') {
    // Summed in ascending order, so that the last bits do not depend on the order of the edge elements (the axis
    // order of the array, or another metric having sorted the shared sets already).
    if (!o.symmetric) return sumOf(A.sort()) / A.length;
    if (o.pooled) return (sumOf(A.sort()) + sumOf(G.sort())) / (A.length + G.length);
    return (sumOf(A.sort()) / A.length + sumOf(G.sort()) / G.length) / 2;
  }
  let within = 0;
  for (let i = 0; i < A.length; i++) if (A[i] <= tau) within++;
  for (let i = 0; i < G.length; i++) if (G[i] <= tau) within++;
  return within / (A.length + G.length);
}

function isEmpty(m: Uint8Array): boolean {
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) return false;
  return true;
}

/** The empty-mask rules: NaN when both masks are empty, +Infinity (surface Dice 0) when one is; else undefined. */
function emptyValue(kind: Kind, gEmpty: boolean, pEmpty: boolean): number | undefined {
  if (gEmpty && pEmpty) return NaN;
  if (gEmpty || pEmpty) return kind === 'nsd' ? 0 : Infinity;
  return undefined;
}

/** The distance sets a metric reads: D(pred→gt) alone for directed HD and directed ASD, else both. */
function directionsOf(kind: Kind, o: Resolved): 'both' | 'predToGt' {
  return (kind === 'hd' && o.directed) || (kind === 'asd' && !o.symmetric) ? 'predToGt' : 'both';
}

/** The metric of one binarised pair, with the empty-mask rules. */
function pairValue(
  kind: Kind,
  g: Uint8Array,
  p: Uint8Array,
  spatial: readonly number[],
  o: Resolved,
  tau: number,
): number {
  const empty = emptyValue(kind, isEmpty(g), isEmpty(p));
  if (empty !== undefined) return empty;
  const d = surfaceDistances(g, p, spatial, { spacing: o.spacing, directions: directionsOf(kind, o) });
  return fromDistances(kind, d, o, tau);
}

/** A surface metric with its pair options resolved, evaluated on distance sets that several metrics share. */
export interface BoundSurfaceMetric {
  /** The distance sets it reads (`surfaceDistances` `directions`). */
  readonly directions: 'both' | 'predToGt';
  /**
   * The value from the empty-mask rules, or from `distances()` (called only when both masks are non-empty).
   * The distance arrays may be sorted in place.
   */
  value(gEmpty: boolean, pEmpty: boolean, distances: () => SurfaceDistances): number;
}

/**
 * Binds one of the surface metrics to its single-pair options (as {@link hausdorffDistancePair} and friends take
 * them), so that one `surfaceDistances` call per mask pair can serve several metrics. `spacing` is ignored here:
 * it is the caller's, passed to `surfaceDistances`.
 * @param id - `'hausdorffDistance'`, `'averageSurfaceDistance'` or `'surfaceDice'`.
 * @param options - The pair options of that metric (unknown keys and bad values throw, naming the metric).
 * @returns `{ directions, value }`.
 * @example
 * ```ts
 * const hd95 = bindSurfaceMetric('hausdorffDistance', { percentile: 95 });
 * const d = surfaceDistances(gt, pred, shape, { directions: hd95.directions });
 * hd95.value(false, false, () => d); // HD95 of the pair
 * ```
 */
export function bindSurfaceMetric(
  id: 'hausdorffDistance' | 'averageSurfaceDistance' | 'surfaceDice',
  options: HausdorffPairOptions | AverageSurfaceDistancePairOptions | SurfaceDicePairOptions,
): BoundSurfaceMetric {
  const kind = (Object.keys(NAMES) as Kind[]).find((k) => NAMES[k] === id);
  if (kind === undefined) throw new Error(`bindSurfaceMetric: unknown surface metric '${id}'`);
  const o = resolve(kind, options, true);
  return {
    directions: directionsOf(kind, o),
    value: (gEmpty, pEmpty, distances) =>
      emptyValue(kind, gEmpty, pEmpty) ?? fromDistances(kind, distances(), o, o.tolerance as number),
  };
}

/**
 * The channels a `[B, ...spatial, C]` surface metric reports: all of them, or all but channel 0 when
 * `includeBackground` is false and C > 1 (MONAI `ignore_background`).
 * @param C - Number of channels.
 * @param includeBackground - Default false.
 * @returns Channel indices, ascending; the result of a surface metric is `[B, returned.length]`.
 * @example
 * ```ts
 * surfaceMetricChannels(3); // [1, 2]
 * surfaceMetricChannels(1); // [0]
 * ```
 * @see MONAI `ignore_background` (monai/metrics/utils.py, v1.5.0)
 */
export function surfaceMetricChannels(C: number, includeBackground = false): number[] {
  const all = Array.from({ length: C }, (_, c) => c);
  return includeBackground || C === 1 ? all : all.slice(1);
}

function arraysMetric(
  kind: Kind,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  options: object,
): Float64Array {
  const owner = NAMES[kind];
  const o = resolve(kind, options, false);
  if (yTrue.length !== yPred.length) {
    throw new Error(`${owner}: yTrue has ${yTrue.length} elements but yPred has ${yPred.length}`);
  }
  const L: ChannelsLastLayout = channelsLastLayout(owner, yTrue.length, shape);
  checkShapeAndSpacing(owner, L.N, L.spatial, o.spacing);
  const kept = surfaceMetricChannels(L.C, o.includeBackground);
  const taus = kept.map((_, k) => (typeof o.tolerance === 'number' ? o.tolerance : o.tolerance[k]));
  if (typeof o.tolerance !== 'number' && o.tolerance.length !== kept.length) {
    throw new Error(
      `${owner}: tolerance has ${o.tolerance.length} entries but ${kept.length} channels are evaluated ` +
        `(channels ${kept.join(', ')})`,
    );
  }
  const out = new Float64Array(L.B * kept.length);
  const g = new Uint8Array(L.N);
  const p = new Uint8Array(L.N);
  for (let b = 0; b < L.B; b++) {
    kept.forEach((c, k) => {
      extractMask(yTrue, L, b, c, 0.5, g);
      extractMask(yPred, L, b, c, 0.5, p);
      out[b * kept.length + k] = pairValue(kind, g, p, L.spatial, o, taus[k]);
    });
  }
  return out;
}

function pairMetric(
  kind: Kind,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  spatialShape: readonly number[],
  options: object,
): number {
  const owner = NAMES[kind];
  const o = resolve(kind, options, true);
  if (spatialShape.length === 0) throw new Error(`${owner}: the spatial shape needs at least one axis`);
  checkShapeAndSpacing(owner, yTrue.length, spatialShape, o.spacing);
  checkShapeAndSpacing(owner, yPred.length, spatialShape, undefined);
  const bin = (m: ArrayLike<number>): Uint8Array => {
    const out = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) out[i] = m[i] > 0.5 ? 1 : 0;
    return out;
  };
  return pairValue(kind, bin(yTrue), bin(yPred), spatialShape, o, o.tolerance as number);
}

/**
 * Hausdorff distance (or a percentile of it, e.g. HD95) per (batch, channel) of channels-last masks.
 *
 * With A = D(pred→gt) and G = D(gt→pred), the edge-to-edge surface distances (spacing-aware, cross-connected
 * edges with the image border as background; `surfaceDistances`):
 * ```
 * HD = max(max A, max G)              directed: max A
 * HDq (MONAI, default) = max(q(A), q(G))   medpy: q(A ∪ G)     directed: q(A)
 * ```
 * q is numpy's linear percentile (`torch.quantile`). On the disc-with-spur goldens the two HD95 conventions give
 * 3.7 (MONAI) and 3.0 (medpy).
 *
 * @param yTrue - Ground truth `[B, ...spatial, C]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction, same shape; foreground is `p > 0.5` (strict).
 * @param shape - `[B, ...spatial, C]`, at least one spatial axis.
 * @param options - `percentile` (0–100, null = max), `directed` (false), `convention` (`'monai'` | `'medpy'`),
 *   `includeBackground` (false: drop channel 0 when C > 1), `spacing` (per spatial axis, default 1).
 * @returns Float64Array `[B, C']` row-major (b, then kept channel). NaN where both masks are empty, +Infinity
 *   where exactly one is (HD95 included).
 * @throws Error for mismatched shapes, unknown options or out-of-range values; never for empty masks.
 * @example
 * ```ts
 * // Spatial [1, 4]: axis 0 has size 1, so every foreground element is an edge; A = [0, 0, 1], G = [0, 0].
 * hausdorffDistanceArrays([1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 4, 1]); // Float64Array [1]
 * ```
 * @see Project-MONAI `compute_hausdorff_distance` (v1.5.0); medpy `metric.binary.hd95`.
 * @see Huttenlocher, Klanderman & Rucklidge, "Comparing images using the Hausdorff distance", PAMI 1993.
 */
export function hausdorffDistanceArrays(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  options: HausdorffArrayOptions = {},
): Float64Array {
  return arraysMetric('hd', yTrue, yPred, shape, options);
}

/**
 * Average surface distance per (batch, channel) of channels-last masks.
 *
 * ```
 * directed (symmetric false, MONAI default): mean A
 * symmetric, MONAI and medpy ≥ 0.5.2 (ASSD):  mean(A ∪ G) = (ΣA + ΣG) / (|A| + |G|)
 * symmetric, convention 'medpy_0.4':          (mean A + mean G) / 2
 * ```
 * with A = D(pred→gt), G = D(gt→pred) as in {@link hausdorffDistanceArrays}. Spur golden: 0.4468 pooled vs 0.3954.
 *
 * @param yTrue - Ground truth `[B, ...spatial, C]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction, same shape; foreground is `p > 0.5`.
 * @param shape - `[B, ...spatial, C]`.
 * @param options - `symmetric` (false), `convention` (`'monai'` | `'medpy'` | `'medpy_0.4'`),
 *   `includeBackground` (false), `spacing` (default 1).
 * @returns Float64Array `[B, C']` row-major; NaN (both empty), +Infinity (one empty).
 * @throws Error for mismatched shapes or bad options; never for empty masks.
 * @example
 * ```ts
 * averageSurfaceDistanceArrays([1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 4, 1], { symmetric: true }); // [0.2] = 1/5
 * ```
 * @see Project-MONAI `compute_average_surface_distance` (v1.5.0); medpy `metric.binary.assd`.
 */
export function averageSurfaceDistanceArrays(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  options: AverageSurfaceDistanceArrayOptions = {},
): Float64Array {
  return arraysMetric('asd', yTrue, yPred, shape, options);
}

/**
 * Normalised surface Dice (NSD) at tolerance τ per (batch, channel) of channels-last masks.
 *
 * ```
 * NSD = (#{a ∈ A : a ≤ τ} + #{g ∈ G : g ≤ τ}) / (|A| + |G|)
 * ```
 * with A, G as in {@link hausdorffDistanceArrays}: MONAI `compute_surface_dice` with `use_subvoxels=False`
 * (edge elements counted, not surfel areas as in DeepMind's surface-distance).
 *
 * @param yTrue - Ground truth `[B, ...spatial, C]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction, same shape; foreground is `p > 0.5`.
 * @param shape - `[B, ...spatial, C]`.
 * @param options - `tolerance` (τ ≥ 0 in spacing units, one number or one per kept channel; default 1),
 *   `includeBackground` (false), `spacing` (default 1).
 * @returns Float64Array `[B, C']` in [0, 1]; NaN when both masks are empty, 0 when exactly one is.
 * @throws Error for mismatched shapes or bad options; never for empty masks.
 * @example
 * ```ts
 * // A = [0, 0, 1, 2], G = [0, 0]: 5 of 6 within τ = 1.
 * surfaceDiceArrays([1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0], [1, 1, 6, 1], { tolerance: 1 }); // [0.8333…]
 * ```
 * @see Nikolov et al., "Clinically applicable segmentation of head and neck anatomy for radiotherapy", JMIR 2021
 *   (arXiv:1809.04430); Project-MONAI `compute_surface_dice` (v1.5.0).
 */
export function surfaceDiceArrays(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  options: SurfaceDiceArrayOptions = {},
): Float64Array {
  return arraysMetric('nsd', yTrue, yPred, shape, options);
}

/**
 * {@link hausdorffDistanceArrays} for a single mask pair without batch or channel axes.
 * @param yTrue - Ground truth `[...spatial]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction `[...spatial]`; foreground is `p > 0.5`.
 * @param spatialShape - Spatial shape, rank ≥ 1.
 * @param options - `percentile`, `directed`, `convention`, `spacing` as for the array form.
 * @returns The distance; NaN (both empty), +Infinity (one empty).
 * @example
 * ```ts
 * hausdorffDistancePair([0, 1, 1, 0], [0, 0, 1, 1], [4]); // 1
 * ```
 * @see {@link hausdorffDistanceArrays}
 */
export function hausdorffDistancePair(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  spatialShape: readonly number[],
  options: HausdorffPairOptions = {},
): number {
  return pairMetric('hd', yTrue, yPred, spatialShape, options);
}

/**
 * {@link averageSurfaceDistanceArrays} for a single mask pair without batch or channel axes.
 * @param yTrue - Ground truth `[...spatial]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction `[...spatial]`; foreground is `p > 0.5`.
 * @param spatialShape - Spatial shape, rank ≥ 1.
 * @param options - `symmetric`, `convention`, `spacing` as for the array form.
 * @returns The mean distance; NaN (both empty), +Infinity (one empty).
 * @example
 * ```ts
 * averageSurfaceDistancePair([0, 1, 1, 0], [0, 0, 1, 1], [4], { symmetric: true }); // 0.5
 * ```
 * @see {@link averageSurfaceDistanceArrays}
 */
export function averageSurfaceDistancePair(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  spatialShape: readonly number[],
  options: AverageSurfaceDistancePairOptions = {},
): number {
  return pairMetric('asd', yTrue, yPred, spatialShape, options);
}

/**
 * {@link surfaceDiceArrays} for a single mask pair without batch or channel axes.
 * @param yTrue - Ground truth `[...spatial]`, row-major; foreground is `y > 0.5`.
 * @param yPred - Prediction `[...spatial]`; foreground is `p > 0.5`.
 * @param spatialShape - Spatial shape, rank ≥ 1.
 * @param options - `tolerance` (one number, default 1), `spacing`.
 * @returns NSD in [0, 1]; NaN (both empty), 0 (one empty).
 * @example
 * ```ts
 * surfaceDicePair([0, 1, 1, 0], [0, 0, 1, 1], [4], { tolerance: 0.5 }); // 0.5
 * ```
 * @see {@link surfaceDiceArrays}
 */
export function surfaceDicePair(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  spatialShape: readonly number[],
  options: SurfaceDicePairOptions = {},
): number {
  return pairMetric('nsd', yTrue, yPred, spatialShape, options);
}
