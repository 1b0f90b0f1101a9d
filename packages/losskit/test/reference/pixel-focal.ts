/**
 * Float64 oracles of the focal losses of segmentation-region.md §2.4 (focal, binary and categorical) and §2.16
 * (Yeung's unified focal loss), as plain loops over channels-last arrays.
 */
import {
  activate64,
  type Activation64,
  clip64,
  clipBounds,
  expandBinary64,
  grid64,
  keptChannels,
  labels64,
  mean64,
} from './pixel-common.ts';
import {
  binaryNegLogs64,
  categoricalNegLog64,
  type PixelReduction64,
  reducePixels64,
} from './pixel-crossentropy.ts';

export interface Focal64 {
  readonly type?: 'binary' | 'categorical';
  readonly activation?: Activation64;
  readonly alpha?: number | readonly number[] | null;
  readonly gamma?: number;
  readonly classWeights?: readonly number[] | null;
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly includeBackground?: boolean;
  readonly channelReduction?: 'mean' | 'sum' | null;
  readonly eps?: number | null;
  readonly reduction?: PixelReduction64;
  readonly sampleWeight?: ArrayLike<number>;
}

/**
 * Focal loss. Binary (element-wise): `α_t·(1 − p_t)^γ·BCE`, with `p_t = p` where y = 1 and `1 − p` where y = 0
 * (soft labels: `1 − p_t = y(1−p) + (1−y)p`), `α_t = αy + (1−α)(1−y)` (1 without α). Categorical (per channel):
 * `−α_c·(1 − p_c)^γ·g_c·log p_c`, a scalar α meaning `[1−α, α, α, …]`. Then `classWeights` per kept channel, the
 * channel sum or mean, and the mean over valid pixels.
 */
export function focal64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: Focal64 = {},
): number | Float64Array {
  const g = grid64(predShape);
  const type = o.type ?? 'binary';
  const gamma = o.gamma ?? 2;
  const act = o.activation ?? 'none';
  const { g: gt, valid } = labels64(yTrue, g, { sparse: o.sparseLabels, ignoreIndex: o.ignoreIndex });
  const channels = keptChannels(g.C, o.includeBackground ?? true);
  // α per original channel (an array of the kept length is given for the kept channels).
  const a = o.alpha ?? null;
  const alpha = new Float64Array(g.C).fill(1);
  if (typeof a === 'number') {
    for (let c = 0; c < g.C; c++) alpha[c] = type === 'categorical' && c === 0 ? 1 - a : a;
  } else if (a) {
    if (a.length === g.C) a.forEach((v, c) => (alpha[c] = v));
    else a.forEach((v, k) => (alpha[channels[k]] = v));
  }
  const weight = new Float64Array(g.C).fill(1);
  if (o.classWeights) o.classWeights.forEach((v, k) => (weight[channels[k]] = v));
  const e = new Float64Array(gt.length);
  if (type === 'binary') {
    const { nlp, nl1p, p } = binaryNegLogs64(yPred, g, act, o.eps);
    for (let i = 0; i < e.length; i++) {
      const c = i % g.C;
      const y = gt[i];
      const ce = y * nlp[i] + (1 - y) * nl1p[i];
      const q = act === 'sigmoid' ? 1 / (1 + Math.exp(yPred[i])) : 1 - p[i]; // 1 − p
      const oneMinusPt = y * q + (1 - y) * p[i];
      const at = a === null ? 1 : alpha[c] * y + (1 - alpha[c]) * (1 - y);
      e[i] = valid[i] * weight[c] * at * Math.max(oneMinusPt, 0) ** gamma * ce;
    }
  } else {
    const { nlp, p } = categoricalNegLog64(yPred, g, act, o.eps);
    for (let i = 0; i < e.length; i++) {
      const c = i % g.C;
      e[i] = valid[i] * weight[c] * alpha[c] * Math.max(1 - p[i], 0) ** gamma * gt[i] * nlp[i];
    }
  }
  return reducePixels64(e, valid, g, {
    channelReduction: o.channelReduction ?? (type === 'binary' ? 'mean' : 'sum'),
    channels,
    reduction: o.reduction,
    sampleWeight: o.sampleWeight,
  });
}

export interface Unified64 {
  readonly variant?: 'asymmetric' | 'symmetric';
  readonly weight?: number;
  readonly delta?: number;
  readonly gamma?: number;
  readonly eps?: number | null;
  readonly sparseLabels?: boolean;
  readonly activation?: Activation64;
}

/**
 * Unified focal loss (Yeung et al. 2022), binary with channels [background, foreground]; one channel is expanded to
 * `[1 − p, p]`. p is clipped to [ε, 1 − ε]; per (b, c) `TI = (TP + ε)/(TP + δ·FN + (1−δ)·FP + ε)`.
 * Asymmetric: `FTL = mean_(b,c)[1 − TI_bg, (1 − TI_fg)^(1−γ)]`, `FL = mean_px[(1−δ)(1−p_bg)^γ·CE_bg + δ·CE_fg]`;
 * symmetric: the γ terms on both classes. `L = λ·FTL + (1−λ)·FL`.
 */
export function unifiedFocal64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: Unified64 = {},
): number {
  const g0 = grid64(predShape);
  const { g: gt0, valid } = labels64(yTrue, g0, { sparse: o.sparseLabels });
  let p = activate64(yPred, g0, o.activation ?? 'none');
  let gt = gt0;
  if (g0.C === 1) {
    p = expandBinary64(p, valid);
    gt = expandBinary64(gt0, valid);
  }
  const { B, S } = g0;
  const eps = o.eps ?? 1e-7;
  const bounds = clipBounds(eps);
  p = p.map((v) => clip64(v, bounds));
  const delta = o.delta ?? 0.6;
  const gamma = o.gamma ?? 0.5;
  const lambda = o.weight ?? 0.5;
  const symmetric = o.variant === 'symmetric';
  const ftl: number[] = [];
  let fl = 0;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < 2; c++) {
      let tp = 0;
      let fn = 0;
      let fp = 0;
      for (let s = 0; s < S; s++) {
        const i = (b * S + s) * 2 + c;
        tp += p[i] * gt[i];
        fn += (1 - p[i]) * gt[i];
        fp += p[i] * (1 - gt[i]);
      }
      const ti = (tp + eps) / (tp + delta * fn + (1 - delta) * fp + eps);
      ftl.push(c === 1 || symmetric ? (1 - ti) ** (1 - gamma) : 1 - ti);
    }
    for (let s = 0; s < S; s++) {
      const i = (b * S + s) * 2;
      const ceBg = -gt[i] * Math.log(p[i]);
      const ceFg = -gt[i + 1] * Math.log(p[i + 1]);
      const fgFactor = symmetric ? (1 - p[i + 1]) ** gamma : 1;
      fl += (1 - delta) * (1 - p[i]) ** gamma * ceBg + delta * fgFactor * ceFg;
    }
  }
  return lambda * mean64(ftl) + (1 - lambda) * (fl / (B * S));
}
