/** Float64 oracle of Keras 3 `binary_focal_crossentropy` (keras-semantics.md §2), plain loops. */
import { clipProb, lanes } from './classification-common.ts';

export interface BfceOptions64 {
  readonly applyClassBalancing?: boolean;
  readonly alpha?: number;
  readonly gamma?: number;
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

/** The element-wise value `w·(1 − p_t)^γ·bce(y, clip(p))`, p_t from the unclipped p. */
export function binaryFocalElement64(yRaw: number, x: number, o: BfceOptions64 = {}): number {
  const ls = o.labelSmoothing ?? 0;
  const alpha = o.alpha ?? 0.25;
  const gamma = o.gamma ?? 2;
  const y = yRaw * (1 - ls) + 0.5 * ls;
  const p = o.fromLogits ? 1 / (1 + Math.exp(-x)) : x;
  const q = clipProb(p);
  const bce = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
  const pT = y * p + (1 - y) * (1 - p);
  const w = o.applyClassBalancing ? y * alpha + (1 - y) * (1 - alpha) : 1;
  return w * Math.max(1 - pT, 0) ** gamma * bce;
}

/** Per-sample values (mean over `axis`), in the order of `shape` without `axis`. */
export function binaryFocalCrossentropy64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: BfceOptions64 = {},
): Float64Array {
  return Float64Array.from(lanes(shape, o.axis ?? -1), (lane) => {
    let s = 0;
    for (const i of lane) s += binaryFocalElement64(yTrue[i], yPred[i], o);
    return s / lane.length;
  });
}
