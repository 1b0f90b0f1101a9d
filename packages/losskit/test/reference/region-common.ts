/**
 * Float64 oracle of the shared region pipeline (segmentation-region.md §1.2–§1.3): plain loops, no tfjs, written
 * from the spec and sharing no code with `src/segmentation/` (the region pipeline).
 *
 * Layout: channels-last `[B, ...spatial, C]`, row-major; element (b, x, c) of yPred is at `(b·S + x)·C + c`;
 * sparse labels are `[B, ...spatial]` (label of (b, x) at `b·S + x`).
 */

export interface RefOptions {
  readonly activation?: 'none' | 'sigmoid' | 'softmax';
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly includeBackground?: boolean;
  readonly reduceBatch?: boolean;
  readonly reduceChannels?: boolean;
  readonly smoothNr?: number;
  readonly smoothDr?: number;
  readonly epsClamp?: number;
  readonly maskEmptyClasses?: boolean;
  readonly classWeights?: readonly number[] | null;
  readonly squaredPred?: boolean;
  readonly logLoss?: boolean;
  readonly eps?: number | null;
  readonly reduction?: 'mean' | 'sum' | 'none';
  readonly threshold?: number | null;
}

/** Steps 1–4: activated, masked, kept-channel p and g, `[B·S·K]` each, plus the validity of each element. */
export interface RefPrep {
  readonly B: number;
  /** Spatial elements per sample. */
  readonly S: number;
  /** Kept channels. */
  readonly K: number;
  readonly p: Float64Array;
  readonly g: Float64Array;
  readonly valid: Float64Array;
}

export function refPrepare(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: RefOptions,
): RefPrep {
  const B = predShape[0];
  const C = predShape[predShape.length - 1];
  const S = predShape.slice(1, -1).reduce((a, d) => a * d, 1);
  const ignore = o.ignoreIndex ?? null;
  const dropBg = o.includeBackground === false && C > 1;
  const K = dropBg ? C - 1 : C;
  const first = dropBg ? 1 : 0;
  const p = new Float64Array(B * S * K);
  const g = new Float64Array(B * S * K);
  const valid = new Float64Array(B * S * K);
  const act = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let x = 0; x < S; x++) {
      const base = (b * S + x) * C;
      // 1. activation over all channels
      if (o.activation === 'softmax') {
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, yPred[base + c]);
        let z = 0;
        for (let c = 0; c < C; c++) z += Math.exp(yPred[base + c] - m);
        for (let c = 0; c < C; c++) act[c] = Math.exp(yPred[base + c] - m) / z;
      } else {
        for (let c = 0; c < C; c++) {
          const v = yPred[base + c];
          act[c] = o.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : v;
        }
      }
      if (o.threshold !== undefined && o.threshold !== null) {
        for (let c = 0; c < C; c++) act[c] = act[c] >= o.threshold ? 1 : 0;
      }
      // 2.–3. labels and ignoreIndex
      for (let c = first; c < C; c++) {
        let gv: number;
        let ok: boolean;
        if (o.sparseLabels) {
          const label = yTrue[b * S + x];
          ok = ignore === null || label !== ignore;
          gv = C === 1 ? label : label === c ? 1 : 0;
        } else {
          const t = yTrue[base + c];
          ok = ignore === null || t !== ignore;
          gv = t;
        }
        // 4. kept channel k
        const i = (b * S + x) * K + (c - first);
        valid[i] = ok ? 1 : 0;
        p[i] = ok ? act[c] : 0;
        g[i] = ok ? gv : 0;
      }
    }
  }
  return { B, S, K, p, g, valid };
}

/** Step 5: per-group sums, `[Bg·Kg]` each (group (b, k) at `b·Kg + k`). */
export interface RefSums {
  readonly Bg: number;
  readonly Kg: number;
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  readonly tn: Float64Array;
  readonly sumP: Float64Array;
  readonly sumG: Float64Array;
  readonly powP: Float64Array;
  readonly powG: Float64Array;
}

export function refSums(prep: RefPrep, o: RefOptions): RefSums {
  const { B, S, K, p, g, valid } = prep;
  const Bg = o.reduceBatch ? 1 : B;
  const Kg = o.reduceChannels ? 1 : K;
  const n = Bg * Kg;
  const out = {
    Bg,
    Kg,
    tp: new Float64Array(n),
    fp: new Float64Array(n),
    fn: new Float64Array(n),
    tn: new Float64Array(n),
    sumP: new Float64Array(n),
    sumG: new Float64Array(n),
    powP: new Float64Array(n),
    powG: new Float64Array(n),
  };
  for (let b = 0; b < B; b++) {
    for (let x = 0; x < S; x++) {
      for (let k = 0; k < K; k++) {
        const i = (b * S + x) * K + k;
        const j = (o.reduceBatch ? 0 : b) * Kg + (o.reduceChannels ? 0 : k);
        const pv = p[i];
        const gv = g[i];
        out.tp[j] += pv * gv;
        out.fp[j] += pv * (1 - gv);
        out.fn[j] += (1 - pv) * gv;
        out.tn[j] += (1 - pv) * (1 - gv) * valid[i];
        out.sumP[j] += pv;
        out.sumG[j] += gv;
        out.powP[j] += o.squaredPred ? pv * pv : pv;
        out.powG[j] += o.squaredPred ? gv * gv : gv;
      }
    }
  }
  return out;
}

/** `(num + s_nr) / max(den + s_dr, epsClamp)`. */
export function refRatio(num: number, den: number, o: RefOptions): number {
  const d = den + (o.smoothDr ?? 1e-5);
  return (num + (o.smoothNr ?? 1e-5)) / Math.max(d, o.epsClamp ?? 0);
}

/** Step 6. */
export function refLossFromScore(s: number, o: RefOptions): number {
  return o.logLoss ? -Math.log(Math.max(s, o.eps ?? 1e-7)) : 1 - s;
}

/**
 * Steps 7–9 on per-group values `[Bg·Kg]`: masked groups (Σg = 0) take `maskValue`, class weights multiply, then
 * the reduction ('none' returns a copy).
 */
export function refFinish(
  values: Float64Array,
  sums: RefSums,
  o: RefOptions,
  maskValue = 0,
  sampleWeight?: readonly number[],
): number | Float64Array {
  const v = Float64Array.from(values);
  for (let j = 0; j < v.length; j++) {
    if (o.maskEmptyClasses && sums.sumG[j] === 0) v[j] = maskValue;
    const w = o.classWeights;
    if (w) v[j] *= w[j % sums.Kg];
    if (sampleWeight) v[j] *= sampleWeight[Math.floor(j / sums.Kg)];
  }
  if (o.reduction === 'none') return v;
  let total = 0;
  for (const x of v) total += x;
  return o.reduction === 'sum' ? total : total / v.length;
}

/** The number in a scalar result (a reduced oracle value), or the sum of a 'none' result. */
export function total(x: number | Float64Array): number {
  if (typeof x === 'number') return x;
  let s = 0;
  for (const v of x) s += v;
  return s;
}
