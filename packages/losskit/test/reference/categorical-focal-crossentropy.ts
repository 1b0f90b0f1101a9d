/** Float64 oracle of Keras 3 `categorical_focal_crossentropy` (keras-semantics.md §2), plain loops. */
import { clipProb, lanes } from './classification-common.ts';

export interface CfceOptions64 {
  /** A scalar, or per-class weights broadcast against the **last** axis (Keras's broadcasting). */
  readonly alpha?: number | readonly number[];
  readonly gamma?: number;
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

/** Per-sample values (sum over `axis`), in the order of `shape` without `axis`. */
export function categoricalFocalCrossentropy64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: CfceOptions64 = {},
): Float64Array {
  const ls = o.labelSmoothing ?? 0;
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? 0.25;
  const last = shape[shape.length - 1];
  const alphaAt = (flat: number): number =>
    typeof alpha === 'number' ? alpha : alpha.length === 1 ? alpha[0] : alpha[flat % last];
  return Float64Array.from(lanes(shape, o.axis ?? -1), (lane) => {
    const c = lane.length;
    let p = lane.map((i) => yPred[i]);
    if (o.fromLogits) {
      const m = Math.max(...p);
      const e = p.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      p = e.map((v) => v / s);
    }
    const s = p.reduce((a, v) => a + v, 0);
    let loss = 0;
    lane.forEach((i, k) => {
      const q = clipProb(p[k] / s);
      const y = yTrue[i] * (1 - ls) + ls / c;
      loss += alphaAt(i) * (1 - q) ** gamma * -y * Math.log(q);
    });
    return loss;
  });
}
