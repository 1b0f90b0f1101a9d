/** Float64 oracle of Keras 3 `hinge` (keras-semantics.md §2), plain loops. */
import { lanes } from './classification-common.ts';

/** Keras's global rule: every label in {0,1} → all become 2y − 1; otherwise none change. */
export function hingeLabels64(yTrue: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(yTrue);
  const binary = y.every((v) => v === 0 || v === 1);
  return binary ? y.map((v) => 2 * v - 1) : y;
}

/** Per-sample `mean₋₁(max(1 − y·ŷ, 0))`, in the order of `shape` without its last axis. */
export function hinge64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
): Float64Array {
  const y = hingeLabels64(yTrue);
  const all = lanes(shape, -1);
  return Float64Array.from(all, (lane) => {
    let s = 0;
    for (const i of lane) s += Math.max(1 - y[i] * yPred[i], 0);
    return s / lane.length;
  });
}
