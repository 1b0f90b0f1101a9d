/**
 * Float64 helpers shared by the classification oracles (plain loops, no tfjs): the float32 clip bounds
 * Keras uses, lanes along an axis, and Keras 3's reduction of per-sample values (keras-semantics.md §1).
 */

/** ε = 1e-7 as a float32 value, the lower clip bound. */
export const CLIP_LO = Math.fround(1e-7);
/** 1 − ε in float32: 0.99999988, the upper clip bound (keras-semantics.md §1). */
export const CLIP_HI = Math.fround(1 - 1e-7);

/** `clip(x, ε, 1 − ε)` with the float32 bounds. */
export function clipProb(x: number): number {
  return Math.min(Math.max(x, CLIP_LO), CLIP_HI);
}

export type Reduction64 = 'sum_over_batch_size' | 'mean' | 'sum' | 'none' | 'mean_with_sample_weight';

/** The flat indices of every lane along `axis` of a row-major `shape`, in the order of the remaining axes. */
export function lanes(shape: readonly number[], axis: number): number[][] {
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

/**
 * Keras 3 `reduce_weighted_values` for per-sample values and weights of the same length (one weight per
 * value, or none): 'none' returns the weighted values; the others a single number.
 */
export function reduce64(
  values: ArrayLike<number>,
  reduction: Reduction64,
  weights?: ArrayLike<number>,
): number[] {
  const v = Array.from(values, (x, i) => x * (weights ? weights[i] : 1));
  if (reduction === 'none') return v;
  const total = v.reduce((a, x) => a + x, 0);
  if (reduction === 'sum') return [total];
  const divisor =
    reduction === 'mean_with_sample_weight' && weights
      ? Array.from(weights).reduce((a, x) => a + x, 0)
      : v.length;
  return [divisor === 0 ? 0 : total / divisor];
}

/** Σ of an array, for gradient-check oracles that compare against `reduction: 'sum'`. */
export function sum64(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
