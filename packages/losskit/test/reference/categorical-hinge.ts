/** Float64 oracle of Keras 3 `categorical_hinge` (keras-semantics.md §2), plain loops. */
import { lanes } from './classification-common.ts';

/** Per-sample `max(max₋₁((1 − y)·ŷ) − Σ₋₁ y·ŷ + 1, 0)`, in the order of `shape` without its last axis. */
export function categoricalHinge64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  return Float64Array.from(lanes(shape, -1), (lane) => {
    let pos = 0;
    let neg = -Infinity;
    for (const i of lane) {
      pos += yTrue[i] * yPred[i];
      neg = Math.max(neg, (1 - yTrue[i]) * yPred[i]);
    }
    return Math.max(neg - pos + 1, 0);
  });
}
