import type { Reduction } from '../core/types.ts';
import type { Tensor } from '../tf.ts';
import { floatData, floatSource, fusedLoss, type FloatSource } from './fused-loss.ts';
import type { RangeKernel } from './keras-kernels.ts';

/** What a Keras-family loss hands the fused path: its kernel and how to read a row. */
export interface FusedRows {
  /** The targets as the kernel reads them (dense targets, or one label per row), read when the kernel runs. */
  readonly t: FloatSource;
  /** Elements per row (the size of the reduced axis, which is the last one). */
  readonly rowSize: number;
  /** The per-sample value is the row's mean (true) or sum (false). */
  readonly rowMean: boolean;
  readonly run: RangeKernel;
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
 * `make` (called only inside that subset) gives the kernel, or null to decline. Returns null outside the subset.
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
  const pSource = floatSource(yPred);
  const { run } = k;
  return fusedLoss(yPred, (g) => {
    const t = k.t();
    const p = pSource();
    if (typeof w === 'number') return w * rowF * inv * run(t, p, g, 0, p.length, w * rowF * inv);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const c = w[r] * rowF * inv;
      total += c * run(t, p, g, r * D, (r + 1) * D, c);
    }
    return total;
  });
}

/** `FusedRows` of dense targets of yPred's shape, reduced over the last axis. */
export function denseRows(yTrue: Tensor, yPred: Tensor, run: RangeKernel, rowMean = true): FusedRows {
  return { t: floatSource(yTrue), rowSize: yPred.shape[yPred.rank - 1], rowMean, run };
}

/** Whether a Keras `axis` option names the last axis of a rank-`rank` tensor (the only one the kernels reduce). */
export function isLastAxis(axis: number, rank: number): boolean {
  return axis === -1 || axis === rank - 1;
}
