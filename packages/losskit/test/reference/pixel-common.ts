/**
 * Float64 helpers shared by the oracles of the pixel-wise segmentation losses (plain loops over channels-last
 * `[B, ...spatial, C]` arrays, no tfjs): activations, log-probabilities, labels and ignore masks, and the per-group
 * soft Dice of segmentation-region.md §1.2–§1.5.
 *
 * Flat index of (sample b, pixel s, channel c): `(b·S + s)·C + c`, with S the number of spatial positions.
 */

export type Activation64 = 'none' | 'sigmoid' | 'softmax';

/** The channels-last layout of yPred. */
export interface Grid64 {
  readonly B: number;
  readonly S: number;
  readonly C: number;
}

export function grid64(predShape: readonly number[]): Grid64 {
  const B = predShape[0];
  const C = predShape[predShape.length - 1];
  const S = predShape.slice(1, -1).reduce((a, d) => a * d, 1);
  return { B, S, C };
}

/** The float32 clip bounds `[ε, 1 − ε]` a float32 implementation gets (1 − 1e-7 is 0.99999988 in float32). */
export function clipBounds(eps: number | null | undefined): readonly [number, number] {
  const e = eps ?? 1e-7;
  return [Math.fround(e), Math.fround(1 - e)];
}

export function clip64(p: number, [lo, hi]: readonly [number, number]): number {
  return Math.min(Math.max(p, lo), hi);
}

/** `log(1 + eˣ)` without overflow. */
export function softplus64(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid64(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** `log softmax` over the channels of each pixel. */
export function logSoftmax64(x: ArrayLike<number>, g: Grid64): Float64Array {
  const out = new Float64Array(g.B * g.S * g.C);
  for (let px = 0; px < g.B * g.S; px++) {
    let m = -Infinity;
    for (let c = 0; c < g.C; c++) m = Math.max(m, x[px * g.C + c]);
    let s = 0;
    for (let c = 0; c < g.C; c++) s += Math.exp(x[px * g.C + c] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < g.C; c++) out[px * g.C + c] = x[px * g.C + c] - lse;
  }
  return out;
}

/** The activation of §1.1: sigmoid element-wise, softmax over each pixel's channels, or none. */
export function activate64(x: ArrayLike<number>, g: Grid64, activation: Activation64): Float64Array {
  if (activation === 'sigmoid') return Float64Array.from(x, sigmoid64);
  if (activation === 'softmax') return logSoftmax64(x, g).map(Math.exp);
  return Float64Array.from(x);
}

/** Dense targets and validity, both `[B·S·C]`. */
export interface Labels64 {
  readonly g: Float64Array;
  readonly valid: Float64Array;
}

/**
 * Dense float targets from yTrue. Sparse: integer labels `[B·S]`, one-hot to C channels (with C = 1 the label is the
 * mask); a pixel whose label equals `ignoreIndex` has g = 0 and valid = 0 in every channel. Dense: yTrue as given,
 * with the ignore test element-wise.
 */
export function labels64(
  yTrue: ArrayLike<number>,
  g: Grid64,
  o: { readonly sparse?: boolean | undefined; readonly ignoreIndex?: number | null | undefined },
): Labels64 {
  const n = g.B * g.S * g.C;
  const gt = new Float64Array(n);
  const valid = new Float64Array(n).fill(1);
  const ignore = o.ignoreIndex ?? null;
  if (o.sparse) {
    for (let px = 0; px < g.B * g.S; px++) {
      const label = yTrue[px];
      for (let c = 0; c < g.C; c++) {
        const i = px * g.C + c;
        if (label === ignore) {
          valid[i] = 0;
          continue;
        }
        gt[i] = g.C === 1 ? label : label === c ? 1 : 0;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (yTrue[i] === ignore) valid[i] = 0;
      else gt[i] = yTrue[i];
    }
  }
  return { g: gt, valid };
}

/** Channel indices left by `includeBackground` (channel 0 dropped only when C > 1). */
export function keptChannels(C: number, includeBackground = true): number[] {
  const all = Array.from({ length: C }, (_, c) => c);
  return includeBackground || C === 1 ? all : all.slice(1);
}

/** Expands one channel to `[1 − v, v]` per pixel (valid pixels only: an ignored pixel stays 0 in both). */
export function expandBinary64(v: ArrayLike<number>, valid: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length * 2);
  for (let i = 0; i < v.length; i++) {
    out[2 * i] = valid[i] * (1 - v[i]);
    out[2 * i + 1] = valid[i] * v[i];
  }
  return out;
}

export interface DiceGroups64 {
  readonly reduceBatch?: boolean | undefined;
  readonly reduceChannels?: boolean | undefined;
  readonly smoothNr: number;
  readonly smoothDr: number;
  /** Channels that take part (after includeBackground). */
  readonly channels: readonly number[];
}

/**
 * Soft Dice per group (§1.3): `(2Σpg + s_nr)/(Σp + Σg + s_dr)`; groups are (sample, class) by default, with the
 * batch and/or the channels summed in by `reduceBatch` / `reduceChannels`. p and g are already masked.
 */
export function diceGroups64(
  p: ArrayLike<number>,
  gt: ArrayLike<number>,
  g: Grid64,
  o: DiceGroups64,
): number[] {
  const nb = o.reduceBatch ? 1 : g.B;
  const nc = o.reduceChannels ? 1 : o.channels.length;
  const tp = new Float64Array(nb * nc);
  const den = new Float64Array(nb * nc);
  for (let b = 0; b < g.B; b++) {
    for (let s = 0; s < g.S; s++) {
      o.channels.forEach((c, k) => {
        const i = (b * g.S + s) * g.C + c;
        const grp = (o.reduceBatch ? 0 : b) * nc + (o.reduceChannels ? 0 : k);
        tp[grp] += p[i] * gt[i];
        den[grp] += p[i] + gt[i];
      });
    }
  }
  return Array.from(tp, (t, k) => (2 * t + o.smoothNr) / (den[k] + o.smoothDr));
}

export function mean64(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}
