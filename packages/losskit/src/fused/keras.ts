import type { Reduction } from '../core/types.ts';
import type { Tensor } from '../tf.ts';
import type { RangeKernel } from './keras-kernels.ts';
import { defineFusedKernel } from './registry.ts';

/** The elements of a tensor as a Float32Array (read once; a copy only when the dtype is not float32). */
function floatData(t: Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** How a Keras-family kernel call reduces its rows (attrs of the tfjs kernel, with the kernel's own `params`). */
export interface RowAttrs {
  /** Elements per row (the size of the reduced axis, which is the last one). */
  readonly rowSize: number;
  /** Every row's scale: its weight, the per-row mean's 1/rowSize and the reduction's 1/divisor folded together. */
  readonly scale: number;
  /** Per-row weights multiplying `scale` (one per row), or null when every row has the same. */
  readonly weights: number[] | null;
}

/** A Keras kernel with its parameters bound: runs on (yPred, targets) with the reduction's row attrs. */
export type KerasCall = (yPred: Tensor, t: Tensor, rows: RowAttrs) => Tensor | null;

/**
 * Registers the range kernel that `make(params)` gives as tfjs kernel `name` (registry.ts) and returns a function
 * of the parameters giving the call `kerasFused` runs. Sums rows of `p` scaled per row, in float64.
 */
export function kerasKernel<P extends object>(
  name: string,
  make: (params: P) => RangeKernel,
): (params: P) => KerasCall {
  const op = defineFusedKernel<RowAttrs & { readonly params: P }>(name, (x, t, a, g) => {
    const run = make(a.params);
    if (!a.weights) return a.scale * run(t, x, g, 0, x.length, a.scale);
    const D = a.rowSize;
    let total = 0;
    for (let r = 0; r < a.weights.length; r++) {
      const c = a.weights[r] * a.scale;
      total += c * run(t, x, g, r * D, (r + 1) * D, c);
    }
    return total;
  });
  return (params) => (yPred, t, rows) => op(yPred, t, { ...rows, params });
}

/** What a Keras-family loss hands the fused path: its kernel call, its targets and how to read a row. */
export interface FusedRows {
  /** The targets as the kernel reads them: dense targets of yPred's shape, or one label per row. */
  readonly t: Tensor;
  /** Elements per row (the size of the reduced axis, which is the last one). */
  readonly rowSize: number;
  /** The per-sample value is the row's mean (true) or sum (false). */
  readonly rowMean: boolean;
  readonly call: KerasCall;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The per-row sample weights as `reduceWeighted` would apply them, or undefined when their shape is outside the
 * fused subset (a scalar, the per-sample shape, or it with one trailing 1 either side): the composed path then
 * runs, with its own checks and errors.
 */
function rowWeights(sw: Tensor, valueShape: readonly number[]): Float32Array | number | undefined {
  if (sw.rank === 0) return floatData(sw)[0];
  const s = sw.shape;
  const fits =
    sameShape(s, valueShape) ||
    sameShape(s, [...valueShape, 1]) ||
    (valueShape[valueShape.length - 1] === 1 && sameShape([...s, 1], valueShape));
  return fits ? floatData(sw) : undefined;
}

/**
 * The fused twin of `perSample` + `reduceWeighted` for a loss whose per-sample value reduces the last axis of a
 * float32 `yPred` of rank ≥ 2: reductions other than `'none'`, no weights, a scalar weight or per-sample weights.
 * `make` (called only inside that subset) gives the kernel, or null to decline. Returns null outside the subset,
 * and when the value is not finite (the composed path is the reference for NaN and Infinity).
 */
export function kerasFused(
  yPred: Tensor,
  sampleWeight: Tensor | undefined,
  reduction: Reduction,
  make: () => FusedRows | null,
): Tensor | null {
  if (reduction === 'none' || yPred.rank < 2 || yPred.size === 0 || yPred.dtype !== 'float32') return null;
  const w = sampleWeight ? rowWeights(sampleWeight, yPred.shape.slice(0, -1)) : 1;
  if (w === undefined) return null;
  const k = make();
  if (!k) return null;
  const D = k.rowSize;
  const rows = yPred.size / D;
  let divisor = reduction === 'sum' ? 1 : rows;
  if (reduction === 'mean_with_sample_weight' && sampleWeight) {
    divisor = 0;
    if (typeof w === 'number') divisor = w;
    else for (const v of w) divisor += v;
  }
  // divide_no_nan: an all-zero divisor gives 0 and a zero gradient.
  const inv = divisor === 0 ? 0 : 1 / divisor;
  const rowF = k.rowMean ? 1 / D : 1;
  return typeof w === 'number'
    ? k.call(yPred, k.t, { rowSize: D, scale: w * rowF * inv, weights: null })
    : k.call(yPred, k.t, { rowSize: D, scale: rowF * inv, weights: Array.from(w) });
}

/** `FusedRows` of dense targets of yPred's shape, reduced over the last axis. */
export function denseRows(yTrue: Tensor, yPred: Tensor, call: KerasCall, rowMean = true): FusedRows {
  return { t: yTrue, rowSize: yPred.shape[yPred.rank - 1], rowMean, call };
}

/** Whether a Keras `axis` option names the last axis of a rank-`rank` tensor (the only one the kernels reduce). */
export function isLastAxis(axis: number, rank: number): boolean {
  return axis === -1 || axis === rank - 1;
}
