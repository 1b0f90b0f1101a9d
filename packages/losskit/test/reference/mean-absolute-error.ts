/** Float64 oracle of Keras 3 `mean_absolute_error` (keras-semantics.md §2), plain loops. */
import { meanLast64 } from './keras-reduce.ts';

/** Per-sample `mean₋₁(|yTrue − yPred|)`, in the order of `shape` without its last axis. */
export function meanAbsoluteError64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return meanLast64(yTrue, yPred, shape, (t, p) => Math.abs(t - p));
}
