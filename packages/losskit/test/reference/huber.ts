/** Float64 oracle of Keras 3 `huber` (keras-semantics.md §2), plain loops. */
import { meanLast64 } from './keras-reduce.ts';

/** Huber of one error: `½e²` for `|e| ≤ δ`, else `δ|e| − ½δ²` (Keras's piecewise form, not optax's). */
export function huberElement64(e: number, delta = 1): number {
  const a = Math.abs(e);
  return a <= delta ? 0.5 * e * e : delta * a - 0.5 * delta * delta;
}

/** Per-sample `mean₋₁(huber(yPred − yTrue))`, in the order of `shape` without its last axis. */
export function huber64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  delta = 1,
): Float64Array {
  return meanLast64(yTrue, yPred, shape, (t, p) => huberElement64(p - t, delta));
}
