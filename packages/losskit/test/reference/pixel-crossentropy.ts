/**
 * Float64 oracles of the pixel-wise cross-entropies of segmentation-region.md §2.2–§2.3 (weighted and balanced
 * cross-entropy) and of the per-pixel reduction they share with focal, as plain loops over channels-last arrays.
 */
import {
  activate64,
  type Activation64,
  clip64,
  clipBounds,
  grid64,
  type Grid64,
  labels64,
  logSoftmax64,
  softplus64,
} from './pixel-common.ts';

export type PixelReduction64 = 'mean' | 'sum' | 'none';

export interface PixelReduce64 {
  readonly reduction?: PixelReduction64 | undefined;
  /** 'sum' or 'mean' of a pixel's channels. */
  readonly channelReduction: 'sum' | 'mean';
  /** Channels that take part. */
  readonly channels: readonly number[];
  /** One weight per sample (`[B]`), or per pixel (`[B·S]`). */
  readonly sampleWeight?: ArrayLike<number> | undefined;
  /** Divisor of the sum of the per-pixel values for 'mean', instead of the valid pixels (valid elements / K). */
  readonly divisor?: number | undefined;
}

/**
 * Reduces element losses `e` (already 0 where invalid): per pixel the sum or mean over `channels`, times the
 * sample weight; 'none' returns those `[B·S]` values, 'sum' their sum, 'mean' their sum over the number of valid
 * elements divided by the channel count (the number of valid pixels, when validity is per pixel).
 */
export function reducePixels64(
  e: ArrayLike<number>,
  valid: ArrayLike<number>,
  g: Grid64,
  o: PixelReduce64,
): number | Float64Array {
  const K = o.channels.length;
  const v = new Float64Array(g.B * g.S);
  let count = 0;
  for (let b = 0; b < g.B; b++) {
    for (let s = 0; s < g.S; s++) {
      const px = b * g.S + s;
      let t = 0;
      for (const c of o.channels) {
        t += e[px * g.C + c];
        count += valid[px * g.C + c];
      }
      const sw = o.sampleWeight
        ? o.sampleWeight.length === g.B
          ? o.sampleWeight[b]
          : o.sampleWeight[px]
        : 1;
      v[px] = (o.channelReduction === 'mean' ? t / K : t) * sw;
    }
  }
  const reduction = o.reduction ?? 'mean';
  if (reduction === 'none') return v;
  const total = v.reduce((a, x) => a + x, 0);
  if (reduction === 'sum') return total;
  const divisor = o.divisor ?? count / K;
  return divisor === 0 ? 0 : total / divisor;
}

/** `−log p` and `−log(1 − p)` per element: exact from logits with a sigmoid, else from the clipped probabilities. */
export function binaryNegLogs64(
  x: ArrayLike<number>,
  g: Grid64,
  activation: Activation64,
  eps: number | null | undefined,
): { nlp: Float64Array; nl1p: Float64Array; p: Float64Array } {
  const n = x.length;
  const nlp = new Float64Array(n);
  const nl1p = new Float64Array(n);
  if (activation === 'sigmoid') {
    for (let i = 0; i < n; i++) {
      nlp[i] = softplus64(-x[i]);
      nl1p[i] = softplus64(x[i]);
    }
    return { nlp, nl1p, p: activate64(x, g, 'sigmoid') };
  }
  const bounds = clipBounds(eps);
  const p = activate64(x, g, activation).map((v) => clip64(v, bounds));
  for (let i = 0; i < n; i++) {
    nlp[i] = -Math.log(p[i]);
    nl1p[i] = -Math.log(1 - p[i]);
  }
  return { nlp, nl1p, p };
}

/** `−log p_c` per element for a categorical loss: exact log-softmax / log-sigmoid from logits, else clipped. */
export function categoricalNegLog64(
  x: ArrayLike<number>,
  g: Grid64,
  activation: Activation64,
  eps: number | null | undefined,
): { nlp: Float64Array; p: Float64Array } {
  if (activation === 'softmax') {
    const lp = logSoftmax64(x, g);
    return { nlp: lp.map((v) => -v), p: lp.map(Math.exp) };
  }
  if (activation === 'sigmoid') {
    return { nlp: Float64Array.from(x, (v) => softplus64(-v)), p: activate64(x, g, 'sigmoid') };
  }
  const bounds = clipBounds(eps);
  const p = Float64Array.from(x, (v) => clip64(v, bounds));
  return { nlp: p.map((v) => -Math.log(v)), p };
}

export interface Wce64 {
  readonly type?: 'binary' | 'categorical';
  readonly activation?: Activation64;
  readonly posWeight?: number;
  readonly classWeights?: readonly number[] | null;
  readonly weightedMean?: boolean;
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly eps?: number | null;
  readonly reduction?: PixelReduction64;
  readonly sampleWeight?: ArrayLike<number>;
}

/**
 * Weighted cross-entropy (§2.2). Binary: `ω_c·[−w⁺·g·log p − (1−g)·log(1−p)]` per element, mean over valid
 * elements (or over Σω with weightedMean). Categorical: `−Σ_c ω_c·g_c·log p_c` per pixel, mean over valid pixels
 * (or over Σ_pixels ω[y] with weightedMean, torch's CrossEntropyLoss(weight)).
 */
export function weightedCrossentropy64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: Wce64 = {},
): number | Float64Array {
  const g = grid64(predShape);
  const { g: gt, valid } = labels64(yTrue, g, { sparse: o.sparseLabels, ignoreIndex: o.ignoreIndex });
  const act = o.activation ?? 'none';
  const w = o.classWeights ?? null;
  const omega = (c: number) => (w ? w[c] : 1);
  const e = new Float64Array(gt.length);
  let weightSum = 0;
  const channels = Array.from({ length: g.C }, (_, c) => c);
  if ((o.type ?? 'binary') === 'binary') {
    const wp = o.posWeight ?? 1;
    const { nlp, nl1p } = binaryNegLogs64(yPred, g, act, o.eps);
    for (let i = 0; i < e.length; i++) {
      const c = i % g.C;
      e[i] = valid[i] * omega(c) * (wp * gt[i] * nlp[i] + (1 - gt[i]) * nl1p[i]);
      weightSum += valid[i] * omega(c);
    }
    return reducePixels64(e, valid, g, {
      channelReduction: 'mean',
      channels,
      reduction: o.reduction,
      sampleWeight: o.sampleWeight,
      divisor: o.weightedMean ? weightSum / g.C : undefined,
    });
  }
  const { nlp } = categoricalNegLog64(yPred, g, act, o.eps);
  for (let i = 0; i < e.length; i++) {
    const c = i % g.C;
    e[i] = valid[i] * omega(c) * gt[i] * nlp[i];
    weightSum += valid[i] * omega(c) * gt[i];
  }
  return reducePixels64(e, valid, g, {
    channelReduction: 'sum',
    channels,
    reduction: o.reduction,
    sampleWeight: o.sampleWeight,
    divisor: o.weightedMean ? weightSum : undefined,
  });
}

export interface Bbce64 {
  readonly activation?: Activation64;
  readonly beta?: 'auto' | number;
  readonly eps?: number | null;
  readonly reduction?: PixelReduction64;
  readonly sampleWeight?: ArrayLike<number>;
}

/**
 * Balanced cross-entropy (§2.3): `−[β·y·log p + (1−β)·(1−y)·log(1−p)]`, mean over all elements; β 'auto' is each
 * sample's fraction of negatives, `1 − mean(y)` over its pixels and channels.
 */
export function balancedCrossentropy64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: Bbce64 = {},
): number | Float64Array {
  const g = grid64(predShape);
  const per = g.S * g.C;
  const beta = Array.from({ length: g.B }, (_, b) => {
    if (o.beta !== undefined && o.beta !== 'auto') return o.beta;
    let s = 0;
    for (let i = 0; i < per; i++) s += yTrue[b * per + i];
    return 1 - s / per;
  });
  const { nlp, nl1p } = binaryNegLogs64(yPred, g, o.activation ?? 'none', o.eps);
  const e = Float64Array.from(yTrue, (y, i) => {
    const bt = beta[Math.floor(i / per)];
    return bt * y * nlp[i] + (1 - bt) * (1 - y) * nl1p[i];
  });
  return reducePixels64(e, new Float64Array(e.length).fill(1), g, {
    channelReduction: 'mean',
    channels: Array.from({ length: g.C }, (_, c) => c),
    reduction: o.reduction,
    sampleWeight: o.sampleWeight,
  });
}
