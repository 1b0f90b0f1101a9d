/** Float64 oracle of Keras 3 `cosine_similarity` (keras-semantics.md §2), plain loops. */
import { EPS32, lanes64 } from './keras-reduce.ts';

/**
 * Per-sample `−Σ_axis n(yTrue)·n(yPred)` with `n(x) = x / max(‖x‖, ε)` (the L2 norm floored at ε = 1e-7,
 * Keras ≥ 3.3), in the order of `shape` without `axis`.
 */
export function cosineSimilarity64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  axis = -1,
): Float64Array {
  return Float64Array.from(lanes64(shape, axis), (lane) => {
    let tt = 0;
    let pp = 0;
    let tp = 0;
    for (const i of lane) {
      tt += yTrue[i] * yTrue[i];
      pp += yPred[i] * yPred[i];
      tp += yTrue[i] * yPred[i];
    }
    return -tp / (Math.max(Math.sqrt(tt), EPS32) * Math.max(Math.sqrt(pp), EPS32));
  });
}
