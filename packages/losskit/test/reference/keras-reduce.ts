/**
 * Float64 helpers shared by the regression oracles (plain loops, no tfjs): the float32 fuzz factor, lanes
 * along an axis, and Keras 3's `reduce_weighted_values` (keras-semantics.md §1).
 */

/** `keras.backend.epsilon()` = 1e-7 as the float32 value the losses see (1.0000000116860974e-7). */
export const EPS32 = Math.fround(1e-7);

export type Reduction64 = 'sum_over_batch_size' | 'mean' | 'sum' | 'none' | 'mean_with_sample_weight';

/**
 * The flat indices of every lane along `axis` of a row-major `shape`, in the row-major order of the remaining
 * axes (the order of a per-sample tensor).
 */
export function lanes64(shape: readonly number[], axis = -1): number[][] {
  const a = axis < 0 ? axis + shape.length : axis;
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const n = shape[a];
  const out: number[][] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const lane: number[] = [];
      for (let k = 0; k < n; k++) lane.push((o * n + k) * inner + i);
      out.push(lane);
    }
  }
  return out;
}

/** Per-sample `mean` over the last axis of an element-wise function of (yTrue, yPred). */
export function meanLast64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  element: (t: number, p: number) => number,
): Float64Array {
  return Float64Array.from(lanes64(shape, -1), (lane) => {
    let s = 0;
    for (const i of lane) s += element(yTrue[i], yPred[i]);
    return s / lane.length;
  });
}

/**
 * Keras 3 `reduce_weighted_values` of per-sample `values`. `weights` is a scalar, or an array whose length
 * divides the number of values: each weight then covers `values.length / weights.length` consecutive values
 * (a `(N,)` weight on `(N,)` values, or `(N,1)` on `(N,T)`). `'mean_with_sample_weight'` divides by the sum
 * of the weights as given, not as broadcast; a zero divisor gives 0 (`divide_no_nan`).
 */
export function kerasReduce64(
  values: ArrayLike<number>,
  reduction: Reduction64,
  weights?: number | ArrayLike<number>,
): number[] {
  const n = values.length;
  const given =
    weights === undefined ? undefined : typeof weights === 'number' ? [weights] : Array.from(weights);
  if (given && n % given.length !== 0)
    throw new Error(`kerasReduce64: ${given.length} weights for ${n} values`);
  const per = given ? n / given.length : 1;
  const v = Array.from(values, (x, i) => (given ? x * given[Math.floor(i / per)] : x));
  if (reduction === 'none') return v;
  const total = v.reduce((a, x) => a + x, 0);
  if (reduction === 'sum') return [total];
  const divisor = reduction === 'mean_with_sample_weight' && given ? given.reduce((a, x) => a + x, 0) : n;
  return [divisor === 0 ? 0 : total / divisor];
}

/** Σ of an array, for gradient-check oracles that compare against `reduction: 'sum'`. */
export function sum64(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
