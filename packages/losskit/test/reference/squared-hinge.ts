/** Float64 oracle of Keras 3 `squared_hinge` (keras-semantics.md §2), plain loops. */
import { lanes } from './classification-common.ts';
import { hingeLabels64 } from './hinge.ts';

/** Per-sample `mean₋₁(max(1 − y·ŷ, 0)²)`, in the order of `shape` without its last axis. */
export function squaredHinge64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  const y = hingeLabels64(yTrue);
  return Float64Array.from(lanes(shape, -1), (lane) => {
    let s = 0;
    for (const i of lane) s += Math.max(1 - y[i] * yPred[i], 0) ** 2;
    return s / lane.length;
  });
}
