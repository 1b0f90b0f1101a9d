/** Float64 oracle of Keras 3 `categorical_crossentropy` (keras-semantics.md §2), plain loops. */
import { clipProb, lanes } from './classification-common.ts';

export interface CceOptions64 {
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

/** `log_softmax` of one lane, stable: `x − (m + log Σ exp(x − m))`. */
export function logSoftmax64(x: readonly number[]): number[] {
  const m = Math.max(...x);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  return x.map((v) => v - lse);
}

/** Per-sample values, in the order of `shape` without `axis`. */
export function categoricalCrossentropy64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: CceOptions64 = {},
): Float64Array {
  const axis = o.axis ?? -1;
  const ls = o.labelSmoothing ?? 0;
  const all = lanes(shape, axis);
  const out = new Float64Array(all.length);
  all.forEach((lane, r) => {
    const c = lane.length;
    const y = lane.map((i) => yTrue[i] * (1 - ls) + ls / c);
    const x = lane.map((i) => yPred[i]);
    let logQ: number[];
    if (o.fromLogits) {
      logQ = logSoftmax64(x);
    } else {
      const s = x.reduce((a, v) => a + v, 0);
      logQ = x.map((v) => Math.log(clipProb(v / s)));
    }
    let loss = 0;
    for (let k = 0; k < c; k++) loss -= y[k] * logQ[k];
    out[r] = loss;
  });
  return out;
}
