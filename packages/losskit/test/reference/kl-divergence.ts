/** Float64 oracle of Keras 3 `kl_divergence` (keras-semantics.md §2), plain loops. */
import { EPS32, lanes64 } from './keras-reduce.ts';

const clip = (x: number): number => Math.min(Math.max(x, EPS32), 1);

/**
 * Per-sample `Σ₋₁ t′·log(t′/p′)` with `t′ = clip(yTrue, ε, 1)` and `p′ = clip(yPred, ε, 1)` (the clipped target
 * multiplies), in the order of `shape` without its last axis.
 */
export function klDivergence64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return Float64Array.from(lanes64(shape, -1), (lane) => {
    let s = 0;
    for (const i of lane) {
      const t = clip(yTrue[i]);
      s += t * Math.log(t / clip(yPred[i]));
    }
    return s;
  });
}
