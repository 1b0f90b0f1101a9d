// Region-loss kernels of the fused losses (see kernels.ts for the conventions).
import { BLOCK, sp, vexp, vlog, live, acc, total, at, softplusSigmoid, sigmoidFrom } from './math';

// ---- region losses (one group per contiguous range) ---------------------------------------------------------------
/** Combo's cross-entropy sum of one group (float64 pair), accumulated by `pass1At`. */
let aCe = f64x2.splat(0);
/**
 * Σ(x − x) of one group: NaN exactly when a logit is NaN or ±Infinity. The sums alone would not show it: the exp
 * saturates (σ(NaN) = 1 here) and a dropped lane is masked out.
 */
let aGuard = f32x4.splat(0);

/**
 * One vector of pass 1: stores p (σ(x) with `sigmoid`, else x) in G for pass 2, adds Combo's cross-entropy of the
 * lanes in `mask` to `aCe`, and returns p with the lanes outside `mask` zeroed.
 */
@inline function pass1At(
  T: usize,
  P: usize,
  G: usize,
  i: i32,
  mask: v128,
  sigmoid: bool,
  combo: bool,
  alpha: f32,
  lo: f32,
  hi: f32,
): v128 {
  const x = v128.load(at(P, i));
  aGuard = f32x4.add(aGuard, v128.and(f32x4.sub(x, x), mask));
  let p = x;
  if (sigmoid && !combo) {
    // σ(x) = 1/(1 + e^−x): e^−x saturates at e^88 for x ≪ 0, giving p ≈ 6e-39, and underflows to 0 for x ≫ 0.
    p = f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(x))));
  } else if (combo) {
    const y = v128.and(v128.load(at(T, i)), mask);
    const y1 = f32x4.sub(sp(1.0), y);
    let pos: v128;
    let neg: v128;
    if (sigmoid) {
      const e = vexp(f32x4.neg(f32x4.abs(x)));
      const l1p = softplusSigmoid(x, e, at(G, i));
      p = v128.load(at(G, i));
      pos = f32x4.mul(f32x4.mul(sp(alpha), y), f32x4.add(f32x4.pmax(f32x4.neg(x), sp(0)), l1p));
      neg = f32x4.mul(f32x4.mul(sp(1 - alpha), y1), f32x4.add(f32x4.pmax(x, sp(0)), l1p));
    } else {
      const q = f32x4.pmin(f32x4.pmax(p, sp(lo)), sp(hi));
      pos = f32x4.neg(f32x4.mul(f32x4.mul(sp(alpha), y), vlog(q)));
      neg = f32x4.neg(f32x4.mul(f32x4.mul(sp(1 - alpha), y1), vlog(f32x4.sub(sp(1.0), q))));
    }
    // Terms whose weight is 0 count 0 (their log may be −∞).
    pos = v128.and(pos, f32x4.ne(y, sp(0)));
    neg = v128.and(neg, f32x4.ne(y1, sp(0)));
    aCe = acc(aCe, v128.and(f32x4.add(pos, neg), mask));
  }
  v128.store(at(G, i), p);
  return v128.and(p, mask);
}

@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  return f32x4.add(f32x4.add(a, b), f32x4.add(c, d));
}

/**
 * Pass 1 over n elements of one group: adds Σp·g, Σp^k, Σg^k, Σg and Combo's cross-entropy sum to the six float64
 * at `sums` (TP, SP, SG, present, CE, then the guard Σ(x − x)). p = σ(x) with `sigmoid`; k = 2 with `squared`.
 * Stores p in G, for pass 2.
 * Full blocks run unmasked, their four vectors summed in float32 before each float64 accumulation; only the vectors
 * after the last full block are masked.
 */
export function regionPass1(
  T: usize,
  P: usize,
  G: usize,
  sums: usize,
  n: i32,
  sigmoid: bool,
  squared: bool,
  combo: bool,
  alpha: f32,
  lo: f32,
  hi: f32,
): void {
  aCe = f64x2.splat(0);
  aGuard = f32x4.splat(0);
  let aTp = f64x2.splat(0);
  let aSp = f64x2.splat(0);
  let aSg = f64x2.splat(0);
  let aPr = f64x2.splat(0);
  const all = i32x4.splat(-1);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    const p0 = pass1At(T, P, G, i, all, sigmoid, combo, alpha, lo, hi);
    const p1 = pass1At(T, P, G, i + 4, all, sigmoid, combo, alpha, lo, hi);
    const p2 = pass1At(T, P, G, i + 8, all, sigmoid, combo, alpha, lo, hi);
    const p3 = pass1At(T, P, G, i + 12, all, sigmoid, combo, alpha, lo, hi);
    const y0 = v128.load(at(T, i));
    const y1 = v128.load(at(T, i + 4));
    const y2 = v128.load(at(T, i + 8));
    const y3 = v128.load(at(T, i + 12));
    aTp = acc(aTp, sum4(f32x4.mul(p0, y0), f32x4.mul(p1, y1), f32x4.mul(p2, y2), f32x4.mul(p3, y3)));
    if (squared) {
      aSp = acc(aSp, sum4(f32x4.mul(p0, p0), f32x4.mul(p1, p1), f32x4.mul(p2, p2), f32x4.mul(p3, p3)));
      aSg = acc(aSg, sum4(f32x4.mul(y0, y0), f32x4.mul(y1, y1), f32x4.mul(y2, y2), f32x4.mul(y3, y3)));
      aPr = acc(aPr, sum4(y0, y1, y2, y3));
    } else {
      aSp = acc(aSp, sum4(p0, p1, p2, p3));
      aSg = acc(aSg, sum4(y0, y1, y2, y3));
    }
  }
  for (; i < n; i += 4) {
    const mask = live(i, n);
    const p = pass1At(T, P, G, i, mask, sigmoid, combo, alpha, lo, hi);
    const y = v128.and(v128.load(at(T, i)), mask);
    aTp = acc(aTp, f32x4.mul(p, y));
    aSp = acc(aSp, squared ? f32x4.mul(p, p) : p);
    aSg = acc(aSg, squared ? f32x4.mul(y, y) : y);
    aPr = acc(aPr, y);
  }
  const o = sums;
  store<f64>(o, load<f64>(o) + total(aTp));
  store<f64>(o + 8, load<f64>(o + 8) + total(aSp));
  store<f64>(o + 16, load<f64>(o + 16) + total(aSg));
  // Without squaring, Σg is Σg^k (aPr then holds only the masked vectors).
  store<f64>(o + 24, load<f64>(o + 24) + total(squared ? aPr : aSg));
  store<f64>(o + 32, load<f64>(o + 32) + total(aCe));
  store<f64>(o + 40, load<f64>(o + 40) + total(acc(f64x2.splat(0), aGuard)));
}

/**
 * Pass 2 over n elements of one group, P holding p (pass 1's output): ∂L/∂x = (cTp·g + cSp·∂Σp^k/∂p)·(σ′ with
 * sigmoid) plus Combo's cross-entropy derivative times ceScale.
 */
export function regionPass2(
  T: usize,
  P: usize,
  G: usize,
  n: i32,
  cTp: f32,
  cSp: f32,
  sigmoid: bool,
  squared: bool,
  combo: bool,
  ceScale: f32,
  alpha: f32,
  lo: f32,
  hi: f32,
): void {
  for (let i = 0; i < n; i += 4) {
    const p = v128.load(at(P, i));
    const y = v128.load(at(T, i));
    const y1 = f32x4.sub(sp(1.0), y);
    let d = f32x4.add(f32x4.mul(sp(cTp), y), squared ? f32x4.mul(sp(2 * cSp), p) : sp(cSp));
    if (sigmoid) {
      d = f32x4.mul(d, f32x4.mul(p, f32x4.sub(sp(1.0), p)));
      if (combo) {
        const dce = f32x4.add(
          f32x4.mul(f32x4.mul(sp(alpha), y), f32x4.sub(p, sp(1.0))),
          f32x4.mul(f32x4.mul(sp(1 - alpha), y1), p),
        );
        d = f32x4.add(d, f32x4.mul(sp(ceScale), dce));
      }
    } else if (combo) {
      const inside = v128.and(f32x4.ge(p, sp(lo)), f32x4.le(p, sp(hi)));
      const dce = f32x4.sub(
        f32x4.div(f32x4.mul(sp(1 - alpha), y1), f32x4.sub(sp(1.0), p)),
        f32x4.div(f32x4.mul(sp(alpha), y), p),
      );
      d = f32x4.add(d, f32x4.mul(sp(ceScale), v128.and(dce, inside)));
    }
    // + 0 turns −0 into +0, as in the JS kernel.
    v128.store(at(G, i), f32x4.add(d, sp(0)));
  }
}

