/** Float64 oracle of Keras 3 `log_cosh` (keras-semantics.md §2), plain loops. */
import { meanLast64 } from './keras-reduce.ts';

/**
 * `log cosh x`, written independently of the loss's `x + softplus(−2x) − log 2`: `|x| + log1p(e^(−2|x|)) − log 2`
 * (log cosh is even), exact in float64 for any x.
 */
export function logCosh64(x: number): number {
  const a = Math.abs(x);
  return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}

/** Per-sample `mean₋₁(log cosh(yPred − yTrue))`, in the order of `shape` without its last axis. */
export function logCoshLoss64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return meanLast64(yTrue, yPred, shape, (t, p) => logCosh64(p - t));
}
