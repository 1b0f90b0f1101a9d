/** Float64 oracle of Keras 3 `mean_squared_logarithmic_error` (keras-semantics.md §2), plain loops. */
import { EPS32, meanLast64 } from './keras-reduce.ts';

/**
 * Per-sample `mean₋₁((log(max(yPred, ε) + 1) − log(max(yTrue, ε) + 1))²)`, both clamped below at ε (negatives
 * included), in the order of `shape` without its last axis.
 */
export function meanSquaredLogarithmicError64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return meanLast64(
    yTrue,
    yPred,
    shape,
    (t, p) => (Math.log(Math.max(p, EPS32) + 1) - Math.log(Math.max(t, EPS32) + 1)) ** 2,
  );
}
