/**
 * Fused value-and-gradient kernels of the Keras-family losses, on plain typed arrays (no tfjs).
 *
 * A `RangeKernel(t, p, g, start, end, c)` sums the unreduced element losses of `p[start..end)` (a whole number of
 * rows) in float64 and writes `g[i] = c · ∂ℓᵢ/∂pᵢ`; the caller (`kerasFused`) folds weights, the per-row mean and
 * the reduction into `c`. Each kernel reproduces its composed twin's conventions, including the subgradients tfjs
 * picks at kinks and clipping bounds (`clipByValue` passes gradient on the closed interval) and float32 rounding
 * of probabilities where the composed version saturates (`sigmoid` of a large logit is exactly 1 in float32).
 *
 * Non-finite inputs: every kernel adds `x − x` of each element it reads (NaN exactly for NaN and ±Infinity, 0
 * otherwise) to its sum, so that any NaN or ±Infinity in yPred or yTrue makes the value NaN, whatever the clipping
 * or the exp's saturation would have made of it. The fused op then returns null and the composed path, the
 * reference for NaN and Infinity, runs instead (registry.ts).
 *
 * Each kernel is also registered as a tfjs kernel (`kerasKernel`, at the end of this file).
 */
import { kerasKernel } from './keras.ts';
import { CHUNK, wasmKernels, wasmRange } from './wasm.ts';

export type RangeKernel = (
  t: Float32Array | Int32Array,
  p: Float32Array,
  g: Float32Array,
  start: number,
  end: number,
  c: number,
) => number;

const fround = Math.fround;

/* Each kernel below is a plain JS loop, wrapped by `wasmRange` to run on the SIMD module when it is loaded. */

/** `(yPred − yTrue)²`; gradient `2(yPred − yTrue)`. */
const mseJs: RangeKernel = (t, p, g, start, end, c) => {
  let s = 0;
  const c2 = 2 * c;
  for (let i = start; i < end; i++) {
    // e is non-finite when either input is, and so is e·e.
    const e = p[i] - t[i];
    s += e * e;
    g[i] = c2 * e;
  }
  return s;
};
const mseKernel = wasmRange(mseJs, (k, T, P, G, n, c) => k.mse(T, P, G, n, c));

/** `|yTrue − yPred|`; gradient +1 at a tie (tfjs `abs` has gradient −1 at 0, on yTrue − yPred). */
const maeJs: RangeKernel = (t, p, g, start, end, c) => {
  let s = 0;
  for (let i = start; i < end; i++) {
    // |e| is non-finite when either input is.
    const e = t[i] - p[i];
    s += Math.abs(e);
    g[i] = e > 0 ? -c : c;
  }
  return s;
};
const maeKernel = wasmRange(maeJs, (k, T, P, G, n, c) => k.mae(T, P, G, n, c));

/** Huber `½q² + δ(|e| − q)`, q = min(|e|, δ), e = yPred − yTrue; gradient `clip(e, −δ, δ)` (0 at e = 0). */
function huberKernel(delta: number): RangeKernel {
  const js: RangeKernel = (t, p, g, start, end, c) => {
    let s = 0;
    for (let i = start; i < end; i++) {
      const e = p[i] - t[i];
      const a = Math.abs(e);
      const q = Math.min(a, delta);
      // Non-finite when e is: min(NaN, δ) is NaN, and δ·(a − q) is Infinity for an infinite a.
      s += 0.5 * q * q + delta * (a - q);
      const d = a <= delta ? a : delta;
      g[i] = e > 0 ? c * d : -c * d;
    }
    return s;
  };
  return wasmRange(js, (k, T, P, G, n, c) => k.huber(T, P, G, n, c, delta));
}

/** Keras binary label smoothing, `y(1 − ls) + ls/2`, in float32 as the composed version computes it. */
function smooth(y: number, ls: number): number {
  return ls ? fround(fround(y * (1 - ls)) + 0.5 * ls) : y;
}

/** BCE from logits `max(x,0) − x·y + log1p(e^−|x|)`; gradient `σ(x) − y`. One exp and one log1p per element. */
function bceLogitsKernel(ls: number): RangeKernel {
  const js: RangeKernel = (t, p, g, start, end, c) => {
    let s = 0;
    for (let i = start; i < end; i++) {
      const x = p[i];
      const y = smooth(t[i], ls);
      const e = Math.exp(-Math.abs(x));
      s += Math.max(x, 0) - x * y + Math.log1p(e) + (x - x) + (y - y);
      const sig = x >= 0 ? 1 / (1 + e) : e / (1 + e);
      g[i] = c * (sig - y);
    }
    return s;
  };
  return wasmRange(js, (k, T, P, G, n, c) => k.bceLogits(T, P, G, n, c, ls));
}

/**
 * Keras BCE on clipped probabilities `−[y·log q + (1−y)·log(1−q)]`, q = clip(p, ε, 1−ε) and 1 − q in float32; gradient
 * `−y/q + (1−y)/(1−q)` inside the closed clip interval, 0 outside. A log whose weight is exactly 0 is skipped.
 */
function bceProbsKernel(eps: number, ls: number): RangeKernel {
  const lo = fround(eps);
  const hi = fround(1 - eps);
  const js: RangeKernel = (t, p, g, start, end, c) => {
    let s = 0;
    for (let i = start; i < end; i++) {
      const x = p[i];
      const y = smooth(t[i], ls);
      const q = x < lo ? lo : x > hi ? hi : x;
      const r = fround(1 - q); // float32, as the composed `sub(1, q)`
      s -= (y !== 0 ? y * Math.log(q) : 0) + (y !== 1 ? (1 - y) * Math.log(r) : 0) + (x - x) + (y - y);
      g[i] = x >= lo && x <= hi ? c * ((1 - y) / r - y / q) : 0;
    }
    return s;
  };
  return wasmRange(js, (k, T, P, G, n, c) => k.bceProbs(T, P, G, n, c, lo, hi, ls));
}

export interface FocalParams {
  readonly gamma: number;
  /** α of class balancing, or null without it. */
  readonly alpha: number | null;
  readonly fromLogits: boolean;
  readonly eps: number;
  readonly ls: number;
}

/**
 * Keras binary focal cross-entropy `w·(1 − p_t)^γ·bce(y, p)`, p = σ(x) (float32) with fromLogits, p_t from the
 * unclipped p, bce on the clipped p. The focal factor is `powAtLeastZero`: `max(b, 0)^γ` with derivative
 * `γ·b^(γ−1)` for b > 0 and, at b ≤ 0, 1 for γ = 1 and 0 otherwise (γ = 0: the constant 1).
 */
function focalKernel(o: FocalParams): RangeKernel {
  const { gamma, alpha, fromLogits, ls } = o;
  const lo = fround(o.eps);
  const hi = fround(1 - o.eps);
  const square = gamma === 2;
  const js: RangeKernel = (t, p, g, start, end, c) => {
    let s = 0;
    for (let i = start; i < end; i++) {
      const x = p[i];
      const y = smooth(t[i], ls);
      let pr = x;
      let dp = 1;
      if (fromLogits) {
        const e = Math.exp(-Math.abs(x));
        pr = fround(x >= 0 ? 1 / (1 + e) : e / (1 + e));
        dp = pr * (1 - pr);
      }
      const q = pr < lo ? lo : pr > hi ? hi : pr;
      const r = fround(1 - q); // float32, as the composed `sub(1, q)`
      const bce = -((y !== 0 ? y * Math.log(q) : 0) + (y !== 1 ? (1 - y) * Math.log(r) : 0));
      const dbce = pr >= lo && pr <= hi ? (1 - y) / r - y / q : 0;
      // b = 1 − p_t = 1 − [y·p + (1 − y)(1 − p)]; ∂b/∂p = 1 − 2y.
      const b = 1 - (y * pr + (1 - y) * (1 - pr));
      let f: number;
      let df: number;
      if (gamma === 0) {
        f = 1;
        df = 0;
      } else if (b > 0) {
        f = square ? b * b : Math.pow(b, gamma);
        df = square ? 2 * b : gamma * Math.pow(Math.max(b, 1e-30), gamma - 1);
      } else {
        f = 0;
        df = gamma === 1 ? 1 : 0;
      }
      const w = alpha === null ? 1 : y * alpha + (1 - y) * (1 - alpha);
      s += w * f * bce + (x - x) + (y - y);
      g[i] = c * w * (df * (1 - 2 * y) * bce + f * dbce) * dp;
    }
    return s;
  };
  return wasmRange(js, (k, T, P, G, n, c) =>
    k.focal(T, P, G, n, c, gamma, alpha ?? -1, fromLogits, lo, hi, ls),
  );
}

/** Writes softmax(p[r..r+C)) into g[r..r+C) and returns the row's log-sum-exp. */
function softmaxRow(p: Float32Array, g: Float32Array, r: number, C: number): number {
  let m = -Infinity;
  for (let k = r; k < r + C; k++) if (p[k] > m) m = p[k];
  let z = 0;
  for (let k = r; k < r + C; k++) {
    const e = Math.exp(p[k] - m);
    g[k] = e;
    z += e;
  }
  for (let k = r; k < r + C; k++) g[k] /= z;
  return m + Math.log(z);
}

/**
 * Categorical cross-entropy from logits over rows of `C` classes: `Σ_c y_c·(lse − x_c)` with
 * `y ← y(1 − ls) + ls/C`; gradient `softmax_c·Σy − y_c`. C exps and one log per row.
 */
function cceLogitsKernel(C: number, ls: number): RangeKernel {
  const js: RangeKernel = (t, p, g, start, end, c) => {
    let s = 0;
    for (let r = start; r < end; r += C) {
      const lse = softmaxRow(p, g, r, C);
      let ySum = 0;
      for (let k = r; k < r + C; k++) {
        const y = ls ? fround(fround(t[k] * (1 - ls)) + ls / C) : t[k];
        ySum += y;
        if (y !== 0) s += y * (lse - p[k]);
        s += p[k] - p[k] + (y - y);
      }
      const cz = c * ySum;
      for (let k = r; k < r + C; k++) {
        const y = ls ? fround(fround(t[k] * (1 - ls)) + ls / C) : t[k];
        g[k] = cz * g[k] - c * y;
      }
    }
    return s;
  };
  // The SIMD kernel takes rows of a multiple of 4 classes, a whole number of them per scratch chunk.
  return C % 4 === 0 && C <= CHUNK
    ? wasmRange(js, (k, T, P, G, n, c) => k.cceLogits(T, P, G, n / C, C, c, ls, false), C)
    : js;
}

/** Sparse categorical cross-entropy from logits: `lse − x_label` per row; gradient `softmax − onehot`. */
function scceLogitsKernel(C: number): RangeKernel {
  const js: RangeKernel = (labels, p, g, start, end, c) => {
    let s = 0;
    for (let r = start; r < end; r += C) {
      const label = r + labels[r / C];
      s += softmaxRow(p, g, r, C) - p[label];
      for (let k = r; k < r + C; k++) s += p[k] - p[k];
      for (let k = r; k < r + C; k++) g[k] *= c;
      g[label] -= c;
    }
    return s;
  };
  if (C % 4 !== 0 || C > CHUNK) return js;
  // As `wasmRange`'s copying path, but the labels are one per row (they are never a tensor's memory).
  return (labels, p, g, start, end, c) => {
    const w = wasmKernels();
    if (!w || end - start < 64) return js(labels, p, g, start, end, c);
    const v = w.scratch();
    const step = Math.floor(w.chunk / C) * C;
    let s = 0;
    for (let i = start; i < end; i += step) {
      const m = Math.min(step, end - i);
      v.t.set(labels.subarray(i / C, (i + m) / C));
      v.p.set(p.subarray(i, i + m));
      s += w.k.cceLogits(w.T, w.P, w.G, m / C, C, c, 0, true);
      g.set(v.g.subarray(0, m), i);
    }
    return s;
  };
}

// ---- the tfjs kernels (registry.ts): one per kernel family, parameters as attrs ----------------------------------
/** Mean squared error. */
export const MSE = kerasKernel<object>('LosskitMeanSquaredError', () => mseKernel);
/** Mean absolute error. */
export const MAE = kerasKernel<object>('LosskitMeanAbsoluteError', () => maeKernel);
/** Huber loss. */
export const HUBER = kerasKernel<{ delta: number }>('LosskitHuber', (a) => huberKernel(a.delta));
/** Binary cross-entropy from logits. */
export const BCE_LOGITS = kerasKernel<{ ls: number }>('LosskitBinaryCrossentropyLogits', (a) =>
  bceLogitsKernel(a.ls),
);
/** Binary cross-entropy on clipped probabilities. */
export const BCE_PROBS = kerasKernel<{ eps: number; ls: number }>('LosskitBinaryCrossentropy', (a) =>
  bceProbsKernel(a.eps, a.ls),
);
/** Binary focal cross-entropy. */
export const FOCAL = kerasKernel<FocalParams>('LosskitBinaryFocalCrossentropy', focalKernel);
/** Categorical cross-entropy from logits, rows of C classes. */
export const CCE_LOGITS = kerasKernel<{ C: number; ls: number }>(
  'LosskitCategoricalCrossentropyLogits',
  (a) => cceLogitsKernel(a.C, a.ls),
);
/** Sparse categorical cross-entropy from logits, one label per row of C classes. */
export const SCCE_LOGITS = kerasKernel<{ C: number }>('LosskitSparseCategoricalCrossentropyLogits', (a) =>
  scceLogitsKernel(a.C),
);
