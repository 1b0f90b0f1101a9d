/** Float64 oracle of Keras 3 `mean_absolute_percentage_error` (keras-semantics.md §2), plain loops. */
import { EPS32, meanLast64 } from './keras-reduce.ts';

/** Per-sample `100·mean₋₁(|(yTrue − yPred) / max(|yTrue|, ε)|)`, in the order of `shape` without its last axis. */
export function meanAbsolutePercentageError64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return meanLast64(yTrue, yPred, shape, (t, p) => Math.abs((t - p) / Math.max(Math.abs(t), EPS32))).map(
    (v) => 100 * v,
  );
}
