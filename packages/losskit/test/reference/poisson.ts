/** Float64 oracle of Keras 3 `poisson` (keras-semantics.md §2), plain loops. */
import { EPS32, meanLast64 } from './keras-reduce.ts';

/** Per-sample `mean₋₁(yPred − yTrue·log(yPred + ε))`, in the order of `shape` without its last axis. */
export function poisson64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return meanLast64(yTrue, yPred, shape, (t, p) => p - t * Math.log(p + EPS32));
}
