/**
 * Per-(batch, channel) access to channels-last `[B, ...spatial, C]` arrays, so that distance transforms run over
 * the spatial axes only and never across B or C (segmentation-distance.md §1, §7 trap 3). No TensorFlow.js.
 */
import type { FloatOut } from './edt.ts';

/** Sizes of a channels-last `[B, ...spatial, C]` array. */
export interface ChannelsLastLayout {
  readonly B: number;
  readonly spatial: readonly number[];
  readonly C: number;
  /** Number of spatial elements, `prod(spatial)`. */
  readonly N: number;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Splits a channels-last shape `[B, ...spatial, C]` (rank ≥ 3) into its parts, checking it against `length`.
 * @param owner - Function name for error messages.
 * @param length - Number of elements of the array the shape describes.
 * @param shape - `[B, ...spatial, C]`, at least one spatial axis.
 * @returns `{ B, spatial, C, N }`.
 * @throws Error if the rank is below 3, a size is not a non-negative integer, or the element count differs.
 * @example
 * ```ts
 * channelsLastLayout('f', 2 * 4 * 4 * 3, [2, 4, 4, 3]); // { B: 2, spatial: [4, 4], C: 3, N: 16 }
 * ```
 * @see segmentation-distance.md §1 (per (b, c) over the spatial axes only; MONAI loops over (b, c) on channel-first data)
 */
export function channelsLastLayout(
  owner: string,
  length: number,
  shape: readonly number[],
): ChannelsLastLayout {
  if (shape.length < 3) {
    throw new Error(
      `${owner}: shape ${shapeText(shape)} must be channels-last [B, ...spatial, C] with at least one spatial axis`,
    );
  }
  let total = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`${owner}: shape ${shapeText(shape)} must hold non-negative integers`);
    total *= d;
  }
  if (total !== length) {
    throw new Error(`${owner}: shape ${shapeText(shape)} has ${total} elements but the array has ${length}`);
  }
  const spatial = shape.slice(1, -1);
  return { B: shape[0], spatial, C: shape[shape.length - 1], N: spatial.reduce((a, d) => a * d, 1) };
}

/**
 * Copies the (b, c) plane of a channels-last array into a contiguous spatial array (stride C de-interleaved).
 *
 * `plane[x] = data[(b·N + x)·C + c]` for each spatial element x (row-major).
 *
 * @param data - `[B, ...spatial, C]` values, row-major.
 * @param layout - From {@link channelsLastLayout}.
 * @param b - Batch index, 0 ≤ b < B.
 * @param c - Channel index, 0 ≤ c < C.
 * @param out - Destination of length N (default: a new Float64Array).
 * @returns `out`, the `[...spatial]` plane.
 * @example
 * ```ts
 * const L = channelsLastLayout('x', 8, [1, 2, 2, 2]);
 * extractPlane([0, 1, 2, 3, 4, 5, 6, 7], L, 0, 1); // Float64Array [1, 3, 5, 7]
 * ```
 * @see {@link mapSpatial}, segmentation-distance.md §1
 */
export function extractPlane<T extends FloatOut | Uint8Array = Float64Array>(
  data: ArrayLike<number>,
  layout: ChannelsLastLayout,
  b: number,
  c: number,
  out?: T,
): T {
  const { N, C } = layout;
  const dst = out ?? (new Float64Array(N) as T);
  let src = b * N * C + c;
  for (let x = 0; x < N; x++, src += C) dst[x] = data[src];
  return dst;
}

/**
 * The (b, c) plane binarised as `value > threshold` (strict, so p = 0.5 is background at the default threshold).
 * @param data - `[B, ...spatial, C]` values, row-major.
 * @param layout - From {@link channelsLastLayout}.
 * @param b - Batch index.
 * @param c - Channel index.
 * @param threshold - Default 0.5 (segmentation-distance.md §1: y > 0.5, p > 0.5).
 * @param out - Destination Uint8Array of length N (default: new).
 * @returns `out`, 1 where the value exceeds the threshold, else 0 (NaN is 0).
 * @example
 * ```ts
 * extractMask([0.2, 0.5, 0.7, 1], channelsLastLayout('x', 4, [1, 4, 1]), 0, 0); // Uint8Array [0, 0, 1, 1]
 * ```
 * @see {@link mapSpatial}, segmentation-distance.md §1
 */
export function extractMask(
  data: ArrayLike<number>,
  layout: ChannelsLastLayout,
  b: number,
  c: number,
  threshold = 0.5,
  out: Uint8Array = new Uint8Array(layout.N),
): Uint8Array {
  const { N, C } = layout;
  let src = b * N * C + c;
  for (let x = 0; x < N; x++, src += C) out[x] = data[src] > threshold ? 1 : 0;
  return out;
}

/**
 * Writes a contiguous spatial plane into the (b, c) plane of a channels-last array: the inverse of
 * {@link extractPlane}.
 * @param plane - `[...spatial]` values (length N).
 * @param out - `[B, ...spatial, C]` destination, row-major.
 * @param layout - From {@link channelsLastLayout}.
 * @param b - Batch index.
 * @param c - Channel index.
 * @returns `out`.
 * @example
 * ```ts
 * const out = new Float32Array(8);
 * scatterPlane([1, 3, 5, 7], out, channelsLastLayout('x', 8, [1, 2, 2, 2]), 0, 1); // [0,1,0,3,0,5,0,7]
 * ```
 * @see {@link mapSpatial}, segmentation-distance.md §1
 */
export function scatterPlane<T extends FloatOut>(
  plane: ArrayLike<number>,
  out: T,
  layout: ChannelsLastLayout,
  b: number,
  c: number,
): T {
  const { N, C } = layout;
  if (plane.length !== N) {
    throw new Error(`scatterPlane: plane has ${plane.length} elements but the spatial shape has ${N}`);
  }
  let dst = b * N * C + c;
  for (let x = 0; x < N; x++, dst += C) out[dst] = plane[x];
  return out;
}

function selectedChannels(
  owner: string,
  C: number,
  channels: readonly number[] | undefined,
): readonly number[] {
  if (channels === undefined) return Array.from({ length: C }, (_, c) => c);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= C) {
      throw new Error(`${owner}: channel ${String(c)} is out of range for ${C} channels`);
    }
  }
  return channels;
}

/** Options of {@link mapSpatial}. */
export interface MapSpatialOptions {
  /** Channels to transform; the others are 0 in the result. Default: all. */
  readonly channels?: readonly number[];
  /** Return a Float64Array instead of the default Float32Array. Default false. */
  readonly float64?: boolean;
}

/**
 * Applies a spatial transform to every (b, c) plane of a channels-last array, separately: the transform sees one
 * contiguous `[...spatial]` plane at a time and never mixes batch items or channels.
 *
 * `result[b, x, c] = fn(data[b, ·, c], spatial, b, c)[x]`
 *
 * @param data - `[B, ...spatial, C]` values, row-major (channels-last).
 * @param shape - `[B, ...spatial, C]`, at least one spatial axis.
 * @param fn - Maps the float64 plane (length N, row-major over `spatial`; reused between calls, so copy it to keep
 *   it) to N output values.
 * @param options - `channels` (default all; others stay 0), `float64` (default false: Float32Array result).
 * @returns `[B, ...spatial, C]` results, channels-last.
 * @throws Error for a shape that is not channels-last or does not match `data`, or a result of the wrong length.
 * @example
 * ```ts
 * // Distance transform of each channel of a [1, 1, 5, 2] array (channel 0: 0 1 1 1 0, channel 1: 1 1 0 1 1).
 * mapSpatial([0, 1, 1, 1, 1, 0, 1, 1, 0, 1], [1, 1, 5, 2], (p, s) => edt(p, s));
 * // → [0, 2, 1, 1, 2, 0, 1, 1, 0, 2]
 * ```
 * @see segmentation-distance.md §1 (per (b, c) over the spatial axes only; MONAI loops over (b, c) on channel-first data)
 */
export function mapSpatial(
  data: ArrayLike<number>,
  shape: readonly number[],
  fn: (plane: Float64Array, spatial: readonly number[], b: number, c: number) => ArrayLike<number>,
  options: MapSpatialOptions = {},
): FloatOut {
  const L = channelsLastLayout('mapSpatial', data.length, shape);
  const channels = selectedChannels('mapSpatial', L.C, options.channels);
  const out = options.float64 === true ? new Float64Array(data.length) : new Float32Array(data.length);
  const plane = new Float64Array(L.N);
  for (let b = 0; b < L.B; b++) {
    for (const c of channels) {
      const r = fn(extractPlane(data, L, b, c, plane), L.spatial, b, c);
      if (r.length !== L.N)
        throw new Error(`mapSpatial: fn returned ${r.length} values for a plane of ${L.N}`);
      scatterPlane(r, out, L, b, c);
    }
  }
  return out;
}

/** Options of {@link perChannel}. */
export interface PerChannelOptions {
  /** Channels to transform; the others are 0 in the result. Default: all. */
  readonly channels?: readonly number[];
  /** A plane element is foreground iff its value is `> threshold` (strict). Default 0.5. */
  readonly threshold?: number;
}

/**
 * Like {@link mapSpatial}, but hands `fn` each (b, c) plane already binarised (`value > threshold`) as a
 * Uint8Array: the form the distance-based losses and metrics use.
 *
 * `result[b, x, c] = fn(1[data[b, ·, c] > threshold], spatial, b, c)[x]`
 *
 * @param data - `[B, ...spatial, C]` values, row-major (channels-last).
 * @param shape - `[B, ...spatial, C]`, at least one spatial axis.
 * @param fn - Maps the 0/1 plane (length N; reused between calls) to N output values.
 * @param options - `channels` (default all; the others stay 0), `threshold` (default 0.5).
 * @returns Float32Array `[B, ...spatial, C]`, channels-last.
 * @throws Error as {@link mapSpatial}.
 * @example
 * ```ts
 * perChannel([0.9, 0.2, 0.7, 0.8], [1, 2, 2, 1], (m, s) => edt(m, s)); // [1, 0, 1.4142135, 1]
 * ```
 * @see segmentation-distance.md §1 (per (b, c) over the spatial axes only; MONAI loops over (b, c) on channel-first data)
 */
export function perChannel(
  data: ArrayLike<number>,
  shape: readonly number[],
  fn: (mask: Uint8Array, spatial: readonly number[], b: number, c: number) => ArrayLike<number>,
  options: PerChannelOptions = {},
): Float32Array {
  const L = channelsLastLayout('perChannel', data.length, shape);
  const channels = selectedChannels('perChannel', L.C, options.channels);
  const threshold = options.threshold ?? 0.5;
  const out = new Float32Array(data.length);
  const mask = new Uint8Array(L.N);
  for (let b = 0; b < L.B; b++) {
    for (const c of channels) {
      const r = fn(extractMask(data, L, b, c, threshold, mask), L.spatial, b, c);
      if (r.length !== L.N)
        throw new Error(`perChannel: fn returned ${r.length} values for a plane of ${L.N}`);
      scatterPlane(r, out, L, b, c);
    }
  }
  return out;
}
