// Region-loss kernels for C channels, C a multiple of 4, channels-last (see kernels.ts for the conventions).
//
// Layout: lanes = channels. A pixel's C values are C/4 whole vectors, so the per-channel sums need no shuffles (one
// float64 pair of accumulators per lane pair), sparse labels become a one-hot vector by one compare, and the
// softmax of a pixel needs two horizontal steps (max, sum). Lanes = pixels would make the softmax vertical but needs
// a 4×4 transpose in and out of every block of 4 pixels (8 shuffles each way), and the per-channel sums then need a
// horizontal add per channel; at C = 4 that is more shuffles than the two horizontal steps, and lanes = channels
// serves every C = 4k with the same code.
//
// Pixels go four at a time: their activations are independent (four exp chains in flight), and their per-channel
// products are summed in float32 over the four pixels before each float64 accumulation.
//
// The table at TAB (float64, filled by the caller's zeroing and read back after pass 1): TP[C], Σp^k[C], Σg^k[C],
// Σg[C], then the guard Σ(x − x) (NaN when any logit is NaN or ±Infinity: the exp below saturates and would hide
// them). Pass 2 reads the float32 coefficients cT[C], cS[C] at COEF.
import { sp, vexp, at } from './math';
import { addLanes, hsumSplat } from './region-common';

// Other channel counts: lanes = pixels (re-exported here, so that kernels.ts names one region-multi module).
export * from './region-gather';

/** Activation codes: none, sigmoid, softmax. */
const SIGMOID: i32 = 1;
const SOFTMAX: i32 = 2;

@inline function hmaxSplat(v: v128): v128 {
  const m = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.pmax(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2));
}

/** The labels of pixels r..r+3 as int32 lanes (float32 labels are whole numbers: checked by the caller). */
@inline function labels4(T: usize, r: i32, intLabels: bool): v128 {
  const v = v128.load(at(T, r));
  return intLabels ? v : i32x4.trunc_sat_f32x4_s(v);
}

/** The label of pixel r in every lane. */
@inline function label1(T: usize, r: i32, intLabels: bool): v128 {
  return i32x4.splat(intLabels ? load<i32>(at(T, r)) : <i32>load<f32>(at(T, r)));
}

@inline function lane(v: v128, j: i32): v128 {
  if (j == 0) return v128.shuffle<i32>(v, v, 0, 0, 0, 0);
  if (j == 1) return v128.shuffle<i32>(v, v, 1, 1, 1, 1);
  if (j == 2) return v128.shuffle<i32>(v, v, 2, 2, 2, 2);
  return v128.shuffle<i32>(v, v, 3, 3, 3, 3);
}

/** One-hot channels k4..k4+3 of a pixel whose label is `l` in every lane. */
@inline function oneHot(l: v128, k4: i32): v128 {
  return v128.and(i32x4.eq(l, i32x4(k4, k4 + 1, k4 + 2, k4 + 3)), sp(1.0));
}

/** Targets of channels k4..k4+3 of pixel r: dense from T, or the one-hot of the label splat `l`. */
@inline function target(T: usize, r: i32, C: i32, k4: i32, sparse: bool, l: v128): v128 {
  return sparse ? oneHot(l, k4) : v128.load(at(T, r * C + k4));
}

/** The activation of one pixel's four channels (C = 4): σ(x), the softmax over the vector, or x. */
@inline function act4(x: v128, act: i32): v128 {
  if (act == SOFTMAX) {
    const e = vexp(f32x4.sub(x, hmaxSplat(x)));
    return f32x4.div(e, hsumSplat(e));
  }
  if (act == SIGMOID) return f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(x))));
  return x;
}

/**
 * Activates pixel r (C values at P) into G, except with no activation (p is x); returns the guard term Σ(x − x)
 * of its vectors, lane-wise.
 */
@inline function activate(P: usize, G: usize, r: i32, C: i32, act: i32): v128 {
  const b = r * C;
  let guard = sp(0);
  if (act == SOFTMAX) {
    let m = v128.load(at(P, b));
    for (let k = 4; k < C; k += 4) m = f32x4.pmax(m, v128.load(at(P, b + k)));
    m = hmaxSplat(m);
    let z = sp(0);
    for (let k = 0; k < C; k += 4) {
      const x = v128.load(at(P, b + k));
      guard = f32x4.add(guard, f32x4.sub(x, x));
      const e = vexp(f32x4.sub(x, m));
      v128.store(at(G, b + k), e);
      z = f32x4.add(z, e);
    }
    const rz = f32x4.div(sp(1.0), hsumSplat(z));
    for (let k = 0; k < C; k += 4) v128.store(at(G, b + k), f32x4.mul(v128.load(at(G, b + k)), rz));
  } else {
    for (let k = 0; k < C; k += 4) {
      const x = v128.load(at(P, b + k));
      guard = f32x4.add(guard, f32x4.sub(x, x));
      if (act == SIGMOID) v128.store(at(G, b + k), act4(x, SIGMOID));
    }
  }
  return guard;
}

@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  return f32x4.add(f32x4.add(a, b), f32x4.add(c, d));
}

/** Adds the sums of four pixels' channels k..k+3 (p and y of each) to the table. */
@inline function accumulate(TAB: usize, C: i32, k: i32, p0: v128, p1: v128, p2: v128, p3: v128, y0: v128, y1: v128, y2: v128, y3: v128, squared: bool): void {
  addLanes(TAB, k, sum4(f32x4.mul(p0, y0), f32x4.mul(p1, y1), f32x4.mul(p2, y2), f32x4.mul(p3, y3)));
  const ys = sum4(y0, y1, y2, y3);
  if (squared) {
    addLanes(TAB, C + k, sum4(f32x4.mul(p0, p0), f32x4.mul(p1, p1), f32x4.mul(p2, p2), f32x4.mul(p3, p3)));
    addLanes(TAB, 2 * C + k, sum4(f32x4.mul(y0, y0), f32x4.mul(y1, y1), f32x4.mul(y2, y2), f32x4.mul(y3, y3)));
  } else {
    addLanes(TAB, C + k, sum4(p0, p1, p2, p3));
    addLanes(TAB, 2 * C + k, ys);
  }
  addLanes(TAB, 3 * C + k, ys);
}

/**
 * Pass 1 over n pixels of C channels: p (σ(x), the softmax of the pixel, or x) into G (not with no activation),
 * and the per-channel TP, Σp^k, Σg^k, Σg added to the table at TAB, the guard to TAB[4C]. With C = 4 a pixel is
 * one vector, kept in registers from the load of x to the sums.
 */
@inline function pass1(
  T: usize,
  P: usize,
  G: usize,
  TAB: usize,
  n: i32,
  C: i32,
  act: i32,
  sparse: bool,
  intLabels: bool,
  squared: bool,
): void {
  const S = act == 0 ? P : G;
  let guard = sp(0);
  let r = 0;
  const zero = sp(0);
  for (; r + 4 <= n; r += 4) {
    const lv = sparse ? labels4(T, r, intLabels) : zero;
    if (C == 4) {
      const x0 = v128.load(at(P, 4 * r));
      const x1 = v128.load(at(P, 4 * r + 4));
      const x2 = v128.load(at(P, 4 * r + 8));
      const x3 = v128.load(at(P, 4 * r + 12));
      guard = f32x4.add(guard, sum4(f32x4.sub(x0, x0), f32x4.sub(x1, x1), f32x4.sub(x2, x2), f32x4.sub(x3, x3)));
      const p0 = act4(x0, act);
      const p1 = act4(x1, act);
      const p2 = act4(x2, act);
      const p3 = act4(x3, act);
      if (act != 0) {
        v128.store(at(G, 4 * r), p0);
        v128.store(at(G, 4 * r + 4), p1);
        v128.store(at(G, 4 * r + 8), p2);
        v128.store(at(G, 4 * r + 12), p3);
      }
      const y0 = target(T, r, 4, 0, sparse, lane(lv, 0));
      const y1 = target(T, r + 1, 4, 0, sparse, lane(lv, 1));
      const y2 = target(T, r + 2, 4, 0, sparse, lane(lv, 2));
      const y3 = target(T, r + 3, 4, 0, sparse, lane(lv, 3));
      accumulate(TAB, 4, 0, p0, p1, p2, p3, y0, y1, y2, y3, squared);
      continue;
    }
    guard = f32x4.add(guard, activate(P, G, r, C, act));
    guard = f32x4.add(guard, activate(P, G, r + 1, C, act));
    guard = f32x4.add(guard, activate(P, G, r + 2, C, act));
    guard = f32x4.add(guard, activate(P, G, r + 3, C, act));
    const l0 = lane(lv, 0);
    const l1 = lane(lv, 1);
    const l2 = lane(lv, 2);
    const l3 = lane(lv, 3);
    for (let k = 0; k < C; k += 4) {
      const p0 = v128.load(at(S, r * C + k));
      const p1 = v128.load(at(S, (r + 1) * C + k));
      const p2 = v128.load(at(S, (r + 2) * C + k));
      const p3 = v128.load(at(S, (r + 3) * C + k));
      const y0 = target(T, r, C, k, sparse, l0);
      const y1 = target(T, r + 1, C, k, sparse, l1);
      const y2 = target(T, r + 2, C, k, sparse, l2);
      const y3 = target(T, r + 3, C, k, sparse, l3);
      accumulate(TAB, C, k, p0, p1, p2, p3, y0, y1, y2, y3, squared);
    }
  }
  for (; r < n; r++) {
    guard = f32x4.add(guard, activate(P, G, r, C, act));
    const l = sparse ? label1(T, r, intLabels) : zero;
    for (let k = 0; k < C; k += 4) {
      const p = v128.load(at(S, r * C + k));
      const y = target(T, r, C, k, sparse, l);
      addLanes(TAB, k, f32x4.mul(p, y));
      addLanes(TAB, C + k, squared ? f32x4.mul(p, p) : p);
      addLanes(TAB, 2 * C + k, squared ? f32x4.mul(y, y) : y);
      addLanes(TAB, 3 * C + k, y);
    }
  }
  const o = TAB + (<usize>(4 * C) << 3);
  const h = hsumSplat(guard);
  store<f64>(o, load<f64>(o) + <f64>f32x4.extract_lane(h, 0));
}

/** ∂L/∂p of channels k..k+3: cT·g + cS·∂Σp^k/∂p. */
@inline function dLdp(COEF: usize, C: i32, k: i32, p: v128, y: v128, squared: bool): v128 {
  const cT = v128.load(at(COEF, k));
  const cS = v128.load(at(COEF, C + k));
  return f32x4.add(f32x4.mul(cT, y), squared ? f32x4.mul(f32x4.add(cS, cS), p) : cS);
}

/** The gradient of pixel r (label splat l when sparse): a (none), a·p(1 − p) (sigmoid), p·(a − Σp·a) (softmax). */
@inline function grad(
  T: usize,
  S: usize,
  G: usize,
  COEF: usize,
  r: i32,
  C: i32,
  act: i32,
  sparse: bool,
  l: v128,
  squared: bool,
): void {
  const b = r * C;
  if (C == 4 || act != SOFTMAX) {
    for (let k = 0; k < C; k += 4) {
      const p = v128.load(at(S, b + k));
      let d = dLdp(COEF, C, k, p, target(T, r, C, k, sparse, l), squared);
      if (act == SOFTMAX) d = f32x4.mul(p, f32x4.sub(d, hsumSplat(f32x4.mul(p, d))));
      else if (act == SIGMOID) d = f32x4.mul(d, f32x4.mul(p, f32x4.sub(sp(1.0), p)));
      // + 0 turns −0 into +0, as in the JS kernel.
      v128.store(at(G, b + k), f32x4.add(d, sp(0)));
    }
    return;
  }
  let dot = sp(0);
  for (let k = 0; k < C; k += 4) {
    const p = v128.load(at(S, b + k));
    dot = f32x4.add(dot, f32x4.mul(p, dLdp(COEF, C, k, p, target(T, r, C, k, sparse, l), squared)));
  }
  dot = hsumSplat(dot);
  for (let k = 0; k < C; k += 4) {
    const p = v128.load(at(S, b + k));
    const a = dLdp(COEF, C, k, p, target(T, r, C, k, sparse, l), squared);
    v128.store(at(G, b + k), f32x4.add(f32x4.mul(p, f32x4.sub(a, dot)), sp(0)));
  }
}

/** Pass 2 over n pixels: S holds p (pass 1's G, or x with no activation); the gradient goes to G. */
@inline function pass2(
  T: usize,
  S: usize,
  G: usize,
  COEF: usize,
  n: i32,
  C: i32,
  act: i32,
  sparse: bool,
  intLabels: bool,
  squared: bool,
): void {
  let r = 0;
  const zero = sp(0);
  for (; r + 4 <= n; r += 4) {
    const lv = sparse ? labels4(T, r, intLabels) : zero;
    grad(T, S, G, COEF, r, C, act, sparse, lane(lv, 0), squared);
    grad(T, S, G, COEF, r + 1, C, act, sparse, lane(lv, 1), squared);
    grad(T, S, G, COEF, r + 2, C, act, sparse, lane(lv, 2), squared);
    grad(T, S, G, COEF, r + 3, C, act, sparse, lane(lv, 3), squared);
  }
  for (; r < n; r++) grad(T, S, G, COEF, r, C, act, sparse, sparse ? label1(T, r, intLabels) : zero, squared);
}

// The exports: one function per activation (and C = 4 or any C = 4k), each a copy of the loops with the activation
// and, for C = 4, the channel count as constants, so that branches vanish and each stays small enough for V8 to
// optimise it soon (one function holding every copy took many calls to reach its optimised tier). BUF is unused:
// the signature is region-gather.ts's, so that one driver calls both.

export function region4Pass1None(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, 4, 0, sparse, intLabels, squared);
}
export function region4Pass1Sigmoid(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, 4, SIGMOID, sparse, intLabels, squared);
}
export function region4Pass1Softmax(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, 4, SOFTMAX, sparse, intLabels, squared);
}
export function regionNPass1None(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, C, 0, sparse, intLabels, squared);
}
export function regionNPass1Sigmoid(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, C, SIGMOID, sparse, intLabels, squared);
}
export function regionNPass1Softmax(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, n, C, SOFTMAX, sparse, intLabels, squared);
}
export function region4Pass2None(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, 4, 0, sparse, intLabels, squared);
}
export function region4Pass2Sigmoid(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, 4, SIGMOID, sparse, intLabels, squared);
}
export function region4Pass2Softmax(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, 4, SOFTMAX, sparse, intLabels, squared);
}
export function regionNPass2None(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, C, 0, sparse, intLabels, squared);
}
export function regionNPass2Sigmoid(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, C, SIGMOID, sparse, intLabels, squared);
}
export function regionNPass2Softmax(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, n, C, SOFTMAX, sparse, intLabels, squared);
}
