/**
 * The fused value-and-gradient kernel of the region losses (Dice, Jaccard, Tversky, focal Tversky, generalized
 * Dice, log-cosh Dice, and Combo's Dice plus cross-entropy), on plain typed arrays (no tfjs). Two passes over
 * `[B, S, C]` (channels-last, S the spatial size):
 *
 * 1. activates each pixel's C values (none, element-wise sigmoid, or a softmax over the pixel with its maximum
 *    subtracted), stashes p in the gradient array, and accumulates per group TP = Σpg, Σp^k, Σg^k, Σg (float64),
 *    Combo's cross-entropy, and a guard Σ(x − x) that is NaN exactly when an input is NaN or ±Infinity;
 * 2. writes the gradient: with a = ∂L/∂p = cTp·g + cSp·∂Σp^k/∂p (the coefficients of the element's group and
 *    channel, 0 on a dropped channel), ∂L/∂x = a (none), a·p(1 − p) (sigmoid) or p_c·(a_c − Σ_k p_k·a_k) (softmax:
 *    a dropped channel 0 still gets its share through the Jacobian).
 *
 * Ratio scores are `(kn·TP + s_nr) / max(kt·TP + kp·Σp^k + kg·Σg^k + s_dr, epsClamp)` — Dice (2, 0, 1, 1), Jaccard
 * (1, −1, 1, 1), Tversky (1, 1 − α − β, α, β) with FP = Σp − TP and FN = Σg − TP — followed by the steps of
 * src/segmentation/finish.ts: `1 − s` or `−log(max(s, logEpsilon))`, an optional `safePow` per group or after the
 * reduction, maskEmptyClasses, classWeights, then the mean or sum over groups, then optionally log cosh. The
 * generalized Dice score combines the classes of a sample (or of the batch) with constant weights from Σg.
 * Subgradients follow tfjs: `maximum` passes the gradient to its first argument on ties, `clipByValue` inside the
 * closed interval.
 *
 * Targets are dense (`[B, S, C]`) or, with `sparse`, one integer label per pixel (`[B, S]`, one-hot implied; with
 * C = 1 the label is the mask). Labels are assumed valid (the caller's layout check reads them first).
 */

import { simdInstance, simdPass1, simdPass2 } from './region-simd.ts';

/** How the kernel reads its inputs and combines its sums: plain data only (it travels as tfjs kernel attrs). */
export interface RegionKernelArgs {
  readonly B: number;
  readonly S: number;
  readonly C: number;
  /** First kept channel: 1 when includeBackground drops channel 0, else 0. */
  readonly c0: number;
  readonly activation: 'none' | 'sigmoid' | 'softmax';
  /** t holds one integer label per pixel (B·S values) instead of dense targets. */
  readonly sparse: boolean;
  readonly reduceBatch: boolean;
  readonly reduceChannels: boolean;
  /** Σp², Σg² in the denominator (squaredPred). */
  readonly squared: boolean;
  /** 'ratio': one score per group from kn, kt, kp, kg; 'generalized': generalized Dice per sample (or batch). */
  readonly score: 'ratio' | 'generalized';
  readonly kn: number;
  readonly kt: number;
  readonly kp: number;
  readonly kg: number;
  /** Generalized Dice class weights from V = Σg: 1/V², 1/V or 1. */
  readonly weightType: 'square' | 'simple' | 'uniform';
  readonly smoothNr: number;
  readonly smoothDr: number;
  readonly epsClamp: number;
  /** `−log(max(s, eps))` instead of `1 − s`, when a number. */
  readonly logEps: number | null;
  /** `safePow` exponent, per group or after the reduction (`powerAfterMean`); null = none. */
  readonly powerGamma: number | null;
  readonly powerAfterMean: boolean;
  /** log cosh of the reduced loss (log-cosh Dice). */
  readonly logCosh: boolean;
  readonly maskEmptyClasses: boolean;
  /** One weight per kept channel, or null. */
  readonly classWeights: readonly number[] | null;
  readonly reduction: 'mean' | 'sum';
  /** Combo: `ceRatio·CE − (1 − ceRatio)·mean(score)`, CE α-weighted on the clipped (or logit) probabilities. */
  readonly combo: boolean;
  readonly comboAlpha: number;
  readonly comboCeRatio: number;
  readonly comboEps: number;
}

/** Targets: dense float32, or one label per pixel (float32 or int32). */
export type RegionTargets = Float32Array | Int32Array;

/** Per-group sums of pass 1 (float64), indexed `gb·Cg + k`, and the scalars. */
export interface RegionSums {
  readonly tp: Float64Array;
  readonly sp: Float64Array;
  readonly sg: Float64Array;
  readonly present: Float64Array;
  ce: number;
  /** Σ(x − x) + Σ(t − t): 0, or NaN when an input is not finite. */
  guard: number;
}

/**
 * The gradient's coefficients per (group row, channel), `outer` included: ∂L/∂p_c = cT·g_c + cS·∂Σp^k/∂p_c; and
 * Combo's cross-entropy scale.
 */
export interface RegionCoefficients {
  readonly cT: Float64Array;
  readonly cS: Float64Array;
  readonly ceScale: number;
}

/** `max(x, 0)^γ` and its derivative as `safePow` defines them (0 at x = 0 for γ < 1, the pinned subgradient). */
function safePow(x: number, gamma: number): [number, number] {
  const v = Math.pow(Math.max(x, 0), gamma);
  if (gamma === 0) return [v, 0];
  if (gamma >= 1) return [v, x >= 0 ? gamma * Math.pow(Math.max(x, 0), gamma - 1) : 0];
  return [v, x > 0 ? gamma * Math.pow(x, gamma - 1) : 0];
}

/** Groups per sample row (1 with reduceBatch) and per row (kept channels, or 1 with reduceChannels). */
function groupShape(a: RegionKernelArgs): { Bg: number; Cg: number; K: number } {
  const K = a.C - a.c0;
  return {
    Bg: a.reduceBatch ? 1 : a.B,
    Cg: a.reduceChannels && a.score === 'ratio' ? 1 : K,
    K,
  };
}

/**
 * A score that cannot exceed 1 in exact arithmetic (probabilities in [0, 1], s_nr ≤ s_dr: 2·TP ≤ Σp^k + Σg^k,
 * TP ≤ TP + α·FP + β·FN) still can in float64, by a few ulps, when numerator and denominator are equal sums
 * accumulated in different orders (`tversky(y, y)` gave 1 + 2e-16, a loss of −2e-16). Scores within 1e-9 of 1 are
 * read as 1; a real excess (smoothing s_nr > s_dr, inputs outside [0, 1]) is far larger and passes through.
 */
function roundedScore(s: number): number {
  return s > 1 && s - 1 < 1e-9 ? 1 : s;
}

/** Computes the loss value and writes its gradient with respect to `x` into every element of `g`. */
export function regionKernel(
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
): number {
  const { Bg, Cg } = groupShape(a);
  const G = Bg * Cg;
  const sums: RegionSums = {
    tp: new Float64Array(G),
    sp: new Float64Array(G),
    sg: new Float64Array(G),
    present: new Float64Array(G),
    ce: 0,
    guard: 0,
  };
  const simd = simdInstance(a, x, t, g);
  if (simd) simdPass1(simd, a, x, t, g, sums);
  else pass1(a, x, t, g, sums);
  const { value, coef } = finish(a, sums);
  if (simd) simdPass2(simd, a, x, t, g, coef);
  else pass2(a, x, t, g, coef);
  // NaN (or ±Infinity) anywhere in the inputs makes the value NaN: the caller then runs the composed path.
  return value + sums.guard;
}

/** The target of element (pixel r, channel c): dense, or one-hot of the pixel's label (the label itself when C = 1). */
function target(a: RegionKernelArgs, t: RegionTargets, r: number, c: number): number {
  if (!a.sparse) return t[r * a.C + c];
  const l = t[r];
  return a.C === 1 ? l : l === c ? 1 : 0;
}

/** Pass 1 in JS: see the file comment. */
function pass1(
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
  out: RegionSums,
): void {
  const { B, S, C, c0, squared, sparse } = a;
  const { Cg } = groupShape(a);
  const { tp, sp, sg, present } = out;
  const act = a.activation;
  const combo = a.combo;
  const alpha = a.comboAlpha;
  const lo = combo ? Math.fround(a.comboEps) : 0;
  const hi = combo ? Math.fround(1 - a.comboEps) : 0;
  const perChannel = Cg !== 1 || C - c0 === 1;
  let ce = 0;
  let guard = 0;
  for (let b = 0; b < B; b++) {
    const gb = (a.reduceBatch ? 0 : b) * Cg;
    for (let s = 0; s < S; s++) {
      const r = b * S + s;
      const base = r * C;
      if (act === 'softmax') {
        let m = -Infinity;
        for (let c = 0; c < C; c++) {
          const v = x[base + c];
          guard += v - v;
          if (v > m) m = v;
        }
        let z = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(x[base + c] - m);
          g[base + c] = e;
          z += e;
        }
        const rz = 1 / z;
        for (let c = 0; c < C; c++) g[base + c] *= rz;
      } else if (act === 'sigmoid') {
        for (let c = 0; c < C; c++) {
          const v = x[base + c];
          guard += v - v;
          const e = Math.exp(-Math.abs(v));
          g[base + c] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        }
      } else {
        for (let c = 0; c < C; c++) {
          const v = x[base + c];
          guard += v - v;
        }
      }
      if (sparse) {
        const l = t[r];
        guard += l - l;
      }
      for (let c = c0; c < C; c++) {
        const i = base + c;
        const y = target(a, t, r, c);
        if (!sparse) guard += y - y;
        const p = act === 'none' ? x[i] : g[i];
        const gi = gb + (perChannel ? c - c0 : 0);
        tp[gi] += p * y;
        sp[gi] += squared ? p * p : p;
        sg[gi] += squared ? y * y : y;
        present[gi] += y;
        if (combo) {
          if (act === 'sigmoid') {
            const xi = x[i];
            const l1p = Math.log1p(Math.exp(-Math.abs(xi)));
            if (y !== 0) ce += alpha * y * (Math.max(-xi, 0) + l1p);
            if (y !== 1) ce += (1 - alpha) * (1 - y) * (Math.max(xi, 0) + l1p);
          } else {
            const q = p < lo ? lo : p > hi ? hi : p;
            if (y !== 0) ce -= alpha * y * Math.log(q);
            if (y !== 1) ce -= (1 - alpha) * (1 - y) * Math.log(Math.fround(1 - q));
          }
        }
      }
      // Dense targets of a dropped channel are read by nothing above, but their NaN must still show.
      if (!sparse) for (let c = 0; c < c0; c++) guard += t[base + c] - t[base + c];
    }
  }
  out.ce += ce;
  out.guard += guard;
}

/** The value, and the per-(group row, channel) coefficients of the gradient. */
function finish(a: RegionKernelArgs, s: RegionSums): { value: number; coef: RegionCoefficients } {
  const { Bg, Cg, K } = groupShape(a);
  const G = Bg * Cg;
  const { C, c0 } = a;
  // ∂L/∂TP and ∂L/∂Σp^k per group, before the outer factor.
  const dTp = new Float64Array(G);
  const dSp = new Float64Array(G);
  let total = 0;
  let count = G;
  if (a.score === 'generalized') {
    count = Bg;
    for (let r = 0; r < Bg; r++) {
      const o = r * Cg;
      const w = new Float64Array(Cg);
      let maxW = 0;
      for (let k = 0; k < Cg; k++) {
        const V = s.present[o + k];
        const wk =
          a.weightType === 'uniform' ? 1 : V === 0 ? 0 : a.weightType === 'square' ? 1 / (V * V) : 1 / V;
        w[k] = wk;
        if (wk > maxW) maxW = wk;
      }
      // MONAI: an absent class's infinite weight becomes the group's largest finite weight (0 if none).
      if (a.weightType !== 'uniform') for (let k = 0; k < Cg; k++) if (s.present[o + k] === 0) w[k] = maxW;
      let num = a.smoothNr;
      let den = a.smoothDr;
      for (let k = 0; k < Cg; k++) {
        num += 2 * w[k] * s.tp[o + k];
        den += w[k] * (s.sp[o + k] + s.sg[o + k]);
      }
      total += 1 - roundedScore(num / den);
      for (let k = 0; k < Cg; k++) {
        dTp[o + k] = (-2 * w[k]) / den;
        dSp[o + k] = (num * w[k]) / (den * den);
      }
    }
  } else {
    const perGroupPow = a.powerGamma !== null && !a.powerAfterMean ? a.powerGamma : null;
    for (let k = 0; k < G; k++) {
      const num = a.kn * s.tp[k] + a.smoothNr;
      const den0 = a.kt * s.tp[k] + a.kp * s.sp[k] + a.kg * s.sg[k] + a.smoothDr;
      const clamped = a.epsClamp > 0 && !(den0 >= a.epsClamp);
      const d = clamped ? a.epsClamp : den0;
      const score = num / d;
      const sc = roundedScore(score);
      let loss: number;
      let dLds: number;
      if (a.logEps === null) {
        loss = 1 - sc;
        dLds = -1;
      } else {
        loss = -Math.log(Math.max(sc, a.logEps));
        dLds = score >= a.logEps ? -1 / score : 0;
      }
      if (perGroupPow !== null) {
        const [v, dv] = safePow(loss, perGroupPow);
        loss = v;
        dLds *= dv;
      }
      let w = a.maskEmptyClasses && !(s.present[k] > 0) ? 0 : 1;
      if (a.classWeights) w *= a.classWeights[a.reduceChannels ? 0 : k % Cg];
      total += w * loss;
      dTp[k] = w * dLds * (a.kn / d - (clamped ? 0 : (num * a.kt) / (d * d)));
      dSp[k] = clamped ? 0 : w * dLds * (-(num * a.kp) / (d * d));
    }
  }
  const scale = a.reduction === 'mean' ? 1 / count : 1;
  let value = total * scale;
  let outer = scale;
  if (a.powerGamma !== null && a.powerAfterMean) {
    const [v, dv] = safePow(value, a.powerGamma);
    value = v;
    outer *= dv;
  }
  if (a.logCosh) {
    // log cosh v = log1p(2·sinh²(v/2)) near 0, where the overflow-free |v| + log1p(e^(−2|v|)) − log 2 would be
    // rounding noise around 0 (±1e-16 for v ≈ 1e-9, so possibly negative); that form beyond, where sinh could
    // overflow. Both are ≥ 0. The derivative is tanh v.
    const av = Math.abs(value);
    const dv = Math.tanh(value);
    const sh = Math.sinh(av / 2);
    value = av < 1 ? Math.log1p(2 * sh * sh) : av + Math.log1p(Math.exp(-2 * av)) - Math.LN2;
    outer *= dv;
  }
  let ceScale = 0;
  if (a.combo) {
    const n = a.B * a.S * K;
    ceScale = a.comboCeRatio / n;
    // −(1 − r)·mean(s) = (1 − r)·(mean(1 − s) − 1): the Dice part is the mean loss, shifted and scaled.
    value = a.comboCeRatio * (s.ce / n) + (1 - a.comboCeRatio) * (value - 1);
    outer *= 1 - a.comboCeRatio;
  }
  // Spread the group coefficients over (row, channel), zero on the dropped channel.
  const cT = new Float64Array(Bg * C);
  const cS = new Float64Array(Bg * C);
  for (let r = 0; r < Bg; r++) {
    for (let c = c0; c < C; c++) {
      const k = r * Cg + (Cg === 1 ? 0 : c - c0);
      cT[r * C + c] = outer * dTp[k];
      cS[r * C + c] = outer * dSp[k];
    }
  }
  return { value, coef: { cT, cS, ceScale } };
}

/** Pass 2 in JS: p is read from g (stashed by pass 1) or x (no activation), and overwritten by the gradient. */
function pass2(
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
  coef: RegionCoefficients,
): void {
  const { B, S, C, c0, squared } = a;
  const { cT, cS, ceScale } = coef;
  const act = a.activation;
  const combo = a.combo;
  const alpha = a.comboAlpha;
  const lo = combo ? Math.fround(a.comboEps) : 0;
  const hi = combo ? Math.fround(1 - a.comboEps) : 0;
  const src = act === 'none' ? x : g;
  const av = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    const cb = (a.reduceBatch ? 0 : b) * C;
    for (let s = 0; s < S; s++) {
      const r = b * S + s;
      const base = r * C;
      let dot = 0;
      for (let c = 0; c < C; c++) {
        const p = src[base + c];
        if (c < c0) {
          av[c] = 0;
          continue;
        }
        const y = target(a, t, r, c);
        let d = cT[cb + c] * y + cS[cb + c] * (squared ? 2 * p : 1);
        if (combo && act !== 'sigmoid' && p >= lo && p <= hi) {
          d += ceScale * (((1 - alpha) * (1 - y)) / Math.fround(1 - p) - (alpha * y) / p);
        }
        av[c] = d;
        dot += p * d;
      }
      for (let c = 0; c < C; c++) {
        const i = base + c;
        const p = src[i];
        let d = av[c];
        if (act === 'softmax') d = p * (d - dot);
        else if (act === 'sigmoid') {
          d *= p * (1 - p);
          if (combo && c >= c0) {
            const y = target(a, t, r, c);
            // ∂/∂x of α·y·softplus(−x) + (1 − α)(1 − y)·softplus(x).
            d += ceScale * (alpha * y * (p - 1) + (1 - alpha) * (1 - y) * p);
          }
        }
        // + 0 turns −0 into +0: a zero gradient reads as 0, as the composed version gives it.
        g[i] = d + 0;
      }
    }
  }
}
