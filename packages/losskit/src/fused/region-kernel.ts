/**
 * The fused value-and-gradient kernel of the region losses (Dice, Jaccard, Tversky, focal Tversky, and Combo's
 * Dice plus cross-entropy), on plain typed arrays (no tfjs). Two passes over `[B, S, C]` (channels-last, S the
 * spatial size): the first activates, accumulates the per-group sums TP = Σpg, Σp^k, Σg^k (float64) and Combo's
 * cross-entropy sum, stashing σ(x) in the gradient array; the second writes the gradient, which depends on the
 * element only through p, g and its group's two coefficients ∂L/∂TP, ∂L/∂Σp^k.
 *
 * Every score is `(kn·TP + s_nr) / max(kt·TP + kp·Σp^k + kg·Σg^k + s_dr, epsClamp)` — Dice (2, 0, 1, 1), Jaccard
 * (1, −1, 1, 1), Tversky (1, 1 − α − β, α, β) with FP = Σp − TP and FN = Σg − TP — followed by the steps of
 * src/segmentation/finish.ts: `1 − s` or `−log(max(s, logEpsilon))`, an optional `safePow` per group or after the
 * reduction, maskEmptyClasses, classWeights, then the mean or sum over groups. Subgradients follow tfjs: `maximum`
 * passes the gradient to its first argument on ties, `clipByValue` inside the closed interval.
 */

import { heapHolding, onInstance, wasmKernels } from './wasm.ts';

export interface RegionKernelArgs {
  /** yPred (probabilities, or logits with `sigmoid`) and dense yTrue, `[B, S, C]` row-major. */
  readonly x: Float32Array;
  readonly t: Float32Array;
  readonly B: number;
  readonly S: number;
  readonly C: number;
  /** First kept channel: 1 when includeBackground drops channel 0, else 0. */
  readonly c0: number;
  readonly reduceBatch: boolean;
  readonly reduceChannels: boolean;
  readonly sigmoid: boolean;
  /** Σp², Σg² in the denominator (squaredPred). */
  readonly squared: boolean;
  readonly kn: number;
  readonly kt: number;
  readonly kp: number;
  readonly kg: number;
  readonly smoothNr: number;
  readonly smoothDr: number;
  readonly epsClamp: number;
  /** `−log(max(s, eps))` instead of `1 − s`, when a number. */
  readonly logEps: number | null;
  /** `safePow` exponent, per group or after the reduction; null = none. */
  readonly power: { readonly gamma: number; readonly afterMean: boolean } | null;
  readonly maskEmptyClasses: boolean;
  /** One weight per kept channel, or null. */
  readonly classWeights: readonly number[] | null;
  readonly reduction: 'mean' | 'sum';
  /** Combo: `ceRatio·CE − (1 − ceRatio)·mean(score)`, CE α-weighted on the clipped (or logit) probabilities. */
  readonly combo: { readonly alpha: number; readonly ceRatio: number; readonly eps: number } | null;
}

/** `max(x, 0)^γ` and its derivative as `safePow` defines them (0 at x = 0 for γ < 1, the pinned subgradient). */
function safePow(x: number, gamma: number): [number, number] {
  const v = Math.pow(Math.max(x, 0), gamma);
  if (gamma >= 1) return [v, x >= 0 ? gamma * Math.pow(Math.max(x, 0), gamma - 1) : 0];
  return [v, x > 0 ? gamma * Math.pow(x, gamma - 1) : 0];
}

/** Computes the loss value and writes its gradient with respect to `x` into `g` (zeros on dropped channels). */
export function regionKernel(a: RegionKernelArgs, g: Float32Array): number {
  const { x, t, B, S, C, c0, sigmoid, squared, combo } = a;
  const K = C - c0;
  const Bg = a.reduceBatch ? 1 : B;
  const Cg = a.reduceChannels ? 1 : K;
  const G = Bg * Cg;
  const tp = new Float64Array(G);
  const sp = new Float64Array(G);
  const sg = new Float64Array(G);
  const present = new Float64Array(G);
  const alpha = combo ? combo.alpha : 0;
  const lo = combo ? Math.fround(combo.eps) : 0;
  const hi = combo ? Math.fround(1 - combo.eps) : 0;
  let ce = 0;
  // One channel: each sample is one contiguous run of S elements, which the SIMD kernels take whole.
  const simd = C === 1 && S >= 64 ? (heapHolding(x, t, g) ?? wasmKernels()) : null;
  if (simd) {
    for (let b = 0; b < B; b++) {
      const gi = a.reduceBatch ? 0 : b;
      const sums = simd.scratch().sums;
      sums.fill(0);
      // p is stashed in the gradient array for pass 2 (as the JS pass does).
      const pass1 = onInstance(simd, (k, T, P, G, n) => {
        k.regionPass1(T, P, G, simd.S, n, sigmoid, squared, combo !== null, alpha, lo, hi);
        return 0;
      });
      pass1(t, x, g, b * S, (b + 1) * S, 0);
      tp[gi] += sums[0];
      sp[gi] += sums[1];
      sg[gi] += sums[2];
      present[gi] += sums[3];
      ce += sums[4];
    }
  }
  // Pass 1: sums per group.
  if (!simd) {
    forEachKept(a, Cg, (i, gi) => {
      const xi = x[i];
      const y = t[i];
      let p = xi;
      if (sigmoid) {
        const e = Math.exp(-Math.abs(xi));
        p = Math.fround(xi >= 0 ? 1 / (1 + e) : e / (1 + e));
        g[i] = p;
        if (combo) {
          const l1p = Math.log1p(e);
          if (y !== 0) ce += alpha * y * (Math.max(-xi, 0) + l1p);
          if (y !== 1) ce += (1 - alpha) * (1 - y) * (Math.max(xi, 0) + l1p);
        }
      } else if (combo) {
        const q = p < lo ? lo : p > hi ? hi : p;
        if (y !== 0) ce -= alpha * y * Math.log(q);
        if (y !== 1) ce -= (1 - alpha) * (1 - y) * Math.log(Math.fround(1 - q));
      }
      tp[gi] += p * y;
      sp[gi] += squared ? p * p : p;
      sg[gi] += squared ? y * y : y;
      present[gi] += y;
    });
  }
  // Per group: the loss and the coefficients of ∂L/∂p = cTp·g + cSp·∂Σp^k/∂p.
  const cTp = tp;
  const cSp = sp;
  const perGroupPow = a.power && !a.power.afterMean ? a.power.gamma : null;
  let total = 0;
  for (let k = 0; k < G; k++) {
    const num = a.kn * tp[k] + a.smoothNr;
    const den0 = a.kt * tp[k] + a.kp * sp[k] + a.kg * sg[k] + a.smoothDr;
    const clamped = a.epsClamp > 0 && !(den0 >= a.epsClamp);
    const d = clamped ? a.epsClamp : den0;
    const score = num / d;
    let loss: number;
    let dLds: number;
    if (a.logEps === null) {
      loss = 1 - score;
      dLds = -1;
    } else {
      loss = -Math.log(Math.max(score, a.logEps));
      dLds = score >= a.logEps ? -1 / score : 0;
    }
    if (perGroupPow !== null) {
      const [v, dv] = safePow(loss, perGroupPow);
      loss = v;
      dLds *= dv;
    }
    let w = a.maskEmptyClasses && !(present[k] > 0) ? 0 : 1;
    if (a.classWeights) w *= a.classWeights[a.reduceChannels ? 0 : k % Cg];
    total += w * loss;
    const dsdtp = a.kn / d - (clamped ? 0 : (num * a.kt) / (d * d));
    const dsdsp = clamped ? 0 : -(num * a.kp) / (d * d);
    cTp[k] = w * dLds * dsdtp;
    cSp[k] = w * dLds * dsdsp;
  }
  const scale = a.reduction === 'mean' ? 1 / G : 1;
  let value = total * scale;
  let outer = scale;
  if (a.power?.afterMean) {
    const [v, dv] = safePow(value, a.power.gamma);
    value = v;
    outer *= dv;
  }
  let ceScale = 0;
  if (combo) {
    const count = B * S * K;
    ceScale = combo.ceRatio / count;
    // −(1 − r)·mean(s) = (1 − r)·(mean(1 − s) − 1): the Dice part is the mean loss, shifted and scaled.
    value = combo.ceRatio * (ce / count) + (1 - combo.ceRatio) * (value - 1);
    outer *= 1 - combo.ceRatio;
  }
  if (simd) {
    for (let b = 0; b < B; b++) {
      const gi = a.reduceBatch ? 0 : b;
      const kTp = outer * cTp[gi];
      const kSp = outer * cSp[gi];
      const pass2 = onInstance(simd, (k, T, P, G, n) => {
        k.regionPass2(T, P, G, n, kTp, kSp, sigmoid, squared, combo !== null, ceScale, alpha, lo, hi);
        return 0;
      });
      pass2(t, sigmoid ? g : x, g, b * S, (b + 1) * S, 0);
    }
    return value;
  }
  // Pass 2: the gradient.
  forEachKept(a, Cg, (i, gi) => {
    const y = t[i];
    const p = sigmoid ? g[i] : x[i];
    let d = outer * (cTp[gi] * y + cSp[gi] * (squared ? 2 * p : 1));
    if (sigmoid) {
      d *= p * (1 - p);
      // ∂/∂x of α·y·softplus(−x) + (1 − α)(1 − y)·softplus(x).
      if (combo) d += ceScale * (alpha * y * (p - 1) + (1 - alpha) * (1 - y) * p);
    } else if (combo && p >= lo && p <= hi) {
      d += ceScale * (((1 - alpha) * (1 - y)) / Math.fround(1 - p) - (alpha * y) / p);
    }
    // + 0 turns −0 into +0: a zero gradient reads as 0, as the composed version gives it.
    g[i] = d + 0;
  });
  return value;
}

/** Calls `fn(i, gi)` for every kept element i of `[B, S, C]`, with gi its group. */
function forEachKept(a: RegionKernelArgs, Cg: number, fn: (i: number, gi: number) => void): void {
  const { B, S, C, c0 } = a;
  for (let b = 0; b < B; b++) {
    const gb = a.reduceBatch ? 0 : b * Cg;
    for (let s = 0; s < S; s++) {
      const base = (b * S + s) * C;
      for (let c = c0; c < C; c++) fn(base + c, a.reduceChannels ? gb : gb + c - c0);
    }
  }
}
