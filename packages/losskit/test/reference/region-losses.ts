/**
 * Float64 oracles of the region losses and overlap metrics (segmentation-region.md §2.5–§2.11, §2.15), on top of
 * the float64 pipeline in `region-common.ts`. Each returns the reduced value (a number), or the per-group values
 * with `reduction: 'none'`.
 */
import {
  refFinish,
  refLossFromScore,
  refPrepare,
  refRatio,
  refSums,
  type RefOptions,
  type RefSums,
} from './region-common.ts';

type Data = ArrayLike<number>;
type Shape = readonly number[];

function perGroup(s: RefSums, f: (j: number) => number): Float64Array {
  const out = new Float64Array(s.Bg * s.Kg);
  for (let j = 0; j < out.length; j++) out[j] = f(j);
  return out;
}

function scoreLoss(
  yTrue: Data,
  yPred: Data,
  shape: Shape,
  o: RefOptions,
  score: (s: RefSums, j: number) => number,
  sampleWeight?: readonly number[],
): number | Float64Array {
  const s = refSums(refPrepare(yTrue, yPred, shape, o), o);
  return refFinish(
    perGroup(s, (j) => refLossFromScore(score(s, j), o)),
    s,
    o,
    0,
    sampleWeight,
  );
}

export const diceScore64 = (s: RefSums, j: number, o: RefOptions): number =>
  refRatio(2 * s.tp[j], s.powP[j] + s.powG[j], o);

export const jaccardScore64 = (s: RefSums, j: number, o: RefOptions): number =>
  refRatio(s.tp[j], s.powP[j] + s.powG[j] - s.tp[j], o);

export const tverskyScore64 = (s: RefSums, j: number, o: RefOptions, alpha: number, beta: number): number =>
  refRatio(s.tp[j], s.tp[j] + alpha * s.fp[j] + beta * s.fn[j], o);

export function refDice(yTrue: Data, yPred: Data, shape: Shape, o: RefOptions = {}, sw?: readonly number[]) {
  return scoreLoss(yTrue, yPred, shape, o, (s, j) => diceScore64(s, j, o), sw);
}

export function refJaccard(yTrue: Data, yPred: Data, shape: Shape, o: RefOptions = {}) {
  return scoreLoss(yTrue, yPred, shape, o, (s, j) => jaccardScore64(s, j, o));
}

export interface RefTverskyOptions extends RefOptions {
  readonly alpha?: number;
  readonly beta?: number;
}

export function refTversky(yTrue: Data, yPred: Data, shape: Shape, o: RefTverskyOptions = {}) {
  const { alpha = 0.3, beta = 0.7 } = o;
  return scoreLoss(yTrue, yPred, shape, { ...o, squaredPred: false }, (s, j) =>
    tverskyScore64(s, j, o, alpha, beta),
  );
}

export interface RefFocalTverskyOptions extends RefTverskyOptions {
  readonly gamma?: number;
  readonly invertGamma?: boolean;
  readonly powerAfterMean?: boolean;
}

export function refFocalTversky(yTrue: Data, yPred: Data, shape: Shape, o: RefFocalTverskyOptions = {}) {
  const { alpha = 0.3, beta = 0.7, gamma = 0.75 } = o;
  const e = o.invertGamma ? 1 / gamma : gamma;
  const oo = { ...o, squaredPred: false, logLoss: false };
  const s = refSums(refPrepare(yTrue, yPred, shape, oo), oo);
  const losses = perGroup(s, (j) => {
    const l = 1 - tverskyScore64(s, j, oo, alpha, beta);
    return o.powerAfterMean ? l : Math.max(l, 0) ** e;
  });
  const out = refFinish(losses, s, oo);
  if (!o.powerAfterMean) return out;
  return typeof out === 'number' ? Math.max(out, 0) ** e : out.map((v) => Math.max(v, 0) ** e);
}

export function refLogCoshDice(yTrue: Data, yPred: Data, shape: Shape, o: RefOptions = {}) {
  const d = refDice(yTrue, yPred, shape, { ...o, logLoss: false });
  const lc = (x: number) => Math.log(Math.cosh(x));
  return typeof d === 'number' ? lc(d) : d.map(lc);
}

export interface RefGdlOptions extends RefOptions {
  readonly weightType?: 'square' | 'simple' | 'uniform';
}

/** Generalized Dice with MONAI's weights: 1/V², 1/V or 1, infinite weights replaced by the group's largest finite one. */
export function refGeneralizedDice(yTrue: Data, yPred: Data, shape: Shape, o: RefGdlOptions = {}) {
  const type = o.weightType ?? 'square';
  const oo = { ...o, reduceChannels: false, squaredPred: false };
  const s = refSums(refPrepare(yTrue, yPred, shape, oo), oo);
  const losses = new Float64Array(s.Bg);
  for (let b = 0; b < s.Bg; b++) {
    const w = new Float64Array(s.Kg);
    let maxFinite = 0;
    for (let k = 0; k < s.Kg; k++) {
      const V = s.sumG[b * s.Kg + k];
      w[k] = type === 'uniform' ? 1 : type === 'square' ? 1 / (V * V) : 1 / V;
      if (Number.isFinite(w[k])) maxFinite = Math.max(maxFinite, w[k]);
    }
    let num = 0;
    let den = 0;
    for (let k = 0; k < s.Kg; k++) {
      const wk = Number.isFinite(w[k]) ? w[k] : maxFinite;
      const j = b * s.Kg + k;
      num += wk * s.tp[j];
      den += wk * (s.sumP[j] + s.sumG[j]);
    }
    losses[b] = 1 - (2 * num + (o.smoothNr ?? 1e-5)) / (den + (o.smoothDr ?? 1e-5));
  }
  const groups: RefSums = { ...s, Kg: 1, sumG: new Float64Array(s.Bg).fill(1) };
  return refFinish(losses, groups, { ...oo, maskEmptyClasses: false, classWeights: null });
}

export interface RefSsOptions extends RefOptions {
  readonly r?: number;
  readonly smooth?: number;
}

/** Sensitivity–specificity: r·Σ(g−p)²g/(Σg + s) + (1−r)·Σ(g−p)²(1−g)/(Σ(1−g) + s), 0/0 terms are 0. */
export function refSensitivitySpecificity(yTrue: Data, yPred: Data, shape: Shape, o: RefSsOptions = {}) {
  const { r = 0.05, smooth = 1e-5 } = o;
  const prep = refPrepare(yTrue, yPred, shape, o);
  const Bg = o.reduceBatch ? 1 : prep.B;
  const Kg = o.reduceChannels ? 1 : prep.K;
  const fgN = new Float64Array(Bg * Kg);
  const fgD = new Float64Array(Bg * Kg);
  const bgN = new Float64Array(Bg * Kg);
  const bgD = new Float64Array(Bg * Kg);
  for (let b = 0; b < prep.B; b++) {
    for (let x = 0; x < prep.S; x++) {
      for (let k = 0; k < prep.K; k++) {
        const i = (b * prep.S + x) * prep.K + k;
        const j = (o.reduceBatch ? 0 : b) * Kg + (o.reduceChannels ? 0 : k);
        const e = (prep.g[i] - prep.p[i]) ** 2;
        fgN[j] += e * prep.g[i];
        fgD[j] += prep.g[i];
        bgN[j] += e * (1 - prep.g[i]) * prep.valid[i];
        bgD[j] += (1 - prep.g[i]) * prep.valid[i];
      }
    }
  }
  const q = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const losses = new Float64Array(Bg * Kg);
  for (let j = 0; j < losses.length; j++) {
    losses[j] = r * q(fgN[j], fgD[j] + smooth) + (1 - r) * q(bgN[j], bgD[j] + smooth);
  }
  const s = refSums(prep, o);
  return refFinish(losses, s, { ...o, maskEmptyClasses: false, classWeights: null });
}

export interface RefMccOptions {
  readonly activation?: 'none' | 'sigmoid' | 'softmax';
  readonly eps?: number;
  readonly reduceBatch?: boolean;
}

/** smp MCC: counts over all elements (per sample without reduceBatch), eps added to each, 1 − MCC, mean. */
export function refMcc(yTrue: Data, yPred: Data, shape: Shape, o: RefMccOptions = {}): number {
  const eps = o.eps ?? 1e-5;
  const reduceBatch = o.reduceBatch ?? true;
  const B = shape[0];
  const per = yPred.length / B;
  const groups = reduceBatch ? 1 : B;
  let totalLoss = 0;
  for (let gi = 0; gi < groups; gi++) {
    let tp = eps;
    let tn = eps;
    let fp = eps;
    let fn = eps;
    const from = reduceBatch ? 0 : gi * per;
    const to = reduceBatch ? yPred.length : (gi + 1) * per;
    for (let i = from; i < to; i++) {
      const p = o.activation === 'sigmoid' ? 1 / (1 + Math.exp(-yPred[i])) : yPred[i];
      const g = yTrue[i];
      tp += p * g;
      tn += (1 - p) * (1 - g);
      fp += p * (1 - g);
      fn += (1 - p) * g;
    }
    totalLoss += 1 - (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  }
  return totalLoss / groups;
}

/** The overlap metrics: per-group score, masked groups score 1, class weights multiply, reduction. */
export function refMetric(
  kind: 'dice' | 'iou' | 'tversky' | 'sensitivity' | 'specificity' | 'precision',
  yTrue: Data,
  yPred: Data,
  shape: Shape,
  o: RefTverskyOptions = {},
): number | Float64Array {
  const oo = kind === 'dice' || kind === 'iou' ? o : { ...o, squaredPred: false };
  const s = refSums(refPrepare(yTrue, yPred, shape, oo), oo);
  const score = perGroup(s, (j) => {
    switch (kind) {
      case 'dice':
        return diceScore64(s, j, oo);
      case 'iou':
        return jaccardScore64(s, j, oo);
      case 'tversky':
        return tverskyScore64(s, j, oo, o.alpha ?? 0.3, o.beta ?? 0.7);
      case 'sensitivity':
        return refRatio(s.tp[j], s.tp[j] + s.fn[j], oo);
      case 'specificity':
        return refRatio(s.tn[j], s.tn[j] + s.fp[j], oo);
      case 'precision':
        return refRatio(s.tp[j], s.tp[j] + s.fp[j], oo);
    }
  });
  return refFinish(score, s, oo, 1);
}
