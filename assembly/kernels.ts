// WebAssembly SIMD kernels of the fused losses (AssemblyScript, compiled by `npm run build:wasm` into
// src/fused/wasm-bytes.ts). The module imports its memory and has no data of its own, so the same code runs on a
// small memory of its own (inputs copied in) or on the tfjs `wasm` backend's memory, in place on the tensors.
// Each kernel takes the addresses T (targets), P (predictions) and G (gradient), reads float32 four lanes at a
// time, writes the gradient (times `c`) and returns its float64 sum.
// Loops run four vectors per iteration (`BLOCK` elements), unmasked, then the rest one masked vector at a time:
// four independent dependency chains per iteration run about 1.5–2× faster than one (measured with V8 11.3's
// code for the exp polynomial: 1.2 against 2.4 ns per element), and full vectors need no lane mask. The last
// vector may run past `n` (its extra lanes are masked out of every sum): callers pass ranges of whole blocks when
// the memory past `n` is not theirs, and copy the rest through scratch (src/fused/wasm.ts).
//
// exp and log are the Cephes single-precision polynomials (expf: degree-5 on |r| ≤ ln2/2 after range reduction
// x = n·ln2 + r; logf: degree-9 on m − 1, m ∈ [√½, √2)), vectorised; log1p(e) = log(u) − ((u − 1) − e)/u with
// u = 1 + e. Their error is a few float32 ulps (src/fused/wasm.test.ts checks ≤ 4 ulp-equivalents against Math).

// ---- sizes ------------------------------------------------------------------------------------------------------
/** Elements per area of the scratch blocks the callers set up. */
export const CHUNK: i32 = 16384;
const BLOCK: i32 = 16;


// ---- vector math ------------------------------------------------------------------------------------------------
@inline function sp(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function vexp(x: v128): v128 {
  const lo = f32x4.splat(-87.33654);
  // pmin/pmax are single instructions on x86 (min/max carry NaN semantics); inputs here are never NaN.
  const c = f32x4.pmin(f32x4.pmax(x, lo), sp(88.0));
  // Round to nearest by adding 1.5·2^23: the sum's low mantissa bits hold n as an integer, n itself is sum − 1.5·2^23.
  const big = f32x4.add(f32x4.mul(c, sp(1.44269504088896341)), sp(12582912.0));
  const n = f32x4.sub(big, sp(12582912.0));
  let r = f32x4.sub(c, f32x4.mul(n, sp(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, sp(-2.12194440e-4)));
  let y = sp(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), sp(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), sp(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), sp(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), sp(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), sp(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), sp(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.sub(big, i32x4.splat(0x4b400000)), i32x4.splat(127)), 23);
  // Below the smallest normal result the true value is (nearly) 0: return 0, as float32 exp underflows.
  return v128.and(f32x4.mul(y, scale), f32x4.ge(x, lo));
}

/** log of positive normal floats. */
@inline function vlog(x: v128): v128 {
  const e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  const m = v128.or(v128.and(x, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, sp(0.707106781186547524));
  const ef = f32x4.sub(f32x4.convert_i32x4_s(e), v128.and(small, sp(1.0)));
  const xm = f32x4.add(f32x4.sub(m, sp(1.0)), v128.and(small, m));
  const z = f32x4.mul(xm, xm);
  let y = sp(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, xm), sp(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, xm), sp(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, xm), z);
  y = f32x4.add(y, f32x4.mul(ef, sp(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(sp(0.5), z));
  return f32x4.add(f32x4.add(xm, y), f32x4.mul(ef, sp(0.693359375)));
}

/** log(1 + e) for e ∈ [0, 1], accurate for small e. */
@inline function vlog1p(e: v128): v128 {
  const u = f32x4.add(sp(1.0), e);
  const corr = f32x4.div(f32x4.sub(f32x4.sub(u, sp(1.0)), e), u);
  return f32x4.sub(vlog(u), corr);
}

/** Lanes i, i+1, i+2, i+3 that are < n. */
@inline function live(i: i32, n: i32): v128 {
  return i32x4.lt_s(i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3)), i32x4.splat(n));
}

/** Adds the four float32 lanes of v to a float64x2 accumulator. */
@inline function acc(a: v128, v: v128): v128 {
  const hi = v128.shuffle<f32>(v, v, 2, 3, 0, 1);
  return f64x2.add(a, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(hi)));
}

@inline function total(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** The address of element i of the float32 array at `base`. */
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Keras binary label smoothing y(1 − ls) + ls/2 (ls = 0 leaves y). */
@inline function smooth(y: v128, ls: f32): v128 {
  return ls == 0 ? y : f32x4.add(f32x4.mul(y, sp(1 - ls)), sp(0.5 * ls));
}

/** softplus(−|x|) = log1p(e) and σ(x) from e = exp(−|x|), sharing one division by u = 1 + e. */
@inline function softplusSigmoid(x: v128, e: v128, sig: usize): v128 {
  const u = f32x4.add(sp(1.0), e);
  const r = f32x4.div(sp(1.0), u);
  v128.store(sig, v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, sp(0))));
  return f32x4.sub(vlog(u), f32x4.mul(f32x4.sub(f32x4.sub(u, sp(1.0)), e), r));
}

/** σ(x) from e = exp(−|x|). */
@inline function sigmoidFrom(x: v128, e: v128): v128 {
  const r = f32x4.div(sp(1.0), f32x4.add(sp(1.0), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, sp(0)));
}

// ---- Keras element-wise kernels ---------------------------------------------------------------------------------
@inline function mseAt(T: usize, P: usize, G: usize, i: i32, c2: v128): v128 {
  const e = f32x4.sub(v128.load(at(P, i)), v128.load(at(T, i)));
  v128.store(at(G, i), f32x4.mul(c2, e));
  return f32x4.mul(e, e);
}

export function mse(T: usize, P: usize, G: usize, n: i32, c: f32): f64 {
  let a = f64x2.splat(0);
  const c2 = sp(2 * c);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, mseAt(T, P, G, i, c2));
    a = acc(a, mseAt(T, P, G, i + 4, c2));
    a = acc(a, mseAt(T, P, G, i + 8, c2));
    a = acc(a, mseAt(T, P, G, i + 12, c2));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(mseAt(T, P, G, i, c2), live(i, n)));
  return total(a);
}

@inline function maeAt(T: usize, P: usize, G: usize, i: i32, c: f32): v128 {
  const e = f32x4.sub(v128.load(at(T, i)), v128.load(at(P, i)));
  v128.store(at(G, i), v128.bitselect(sp(-c), sp(c), f32x4.gt(e, sp(0))));
  return f32x4.abs(e);
}

export function mae(T: usize, P: usize, G: usize, n: i32, c: f32): f64 {
  let a = f64x2.splat(0);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, maeAt(T, P, G, i, c));
    a = acc(a, maeAt(T, P, G, i + 4, c));
    a = acc(a, maeAt(T, P, G, i + 8, c));
    a = acc(a, maeAt(T, P, G, i + 12, c));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(maeAt(T, P, G, i, c), live(i, n)));
  return total(a);
}

@inline function huberAt(T: usize, P: usize, G: usize, i: i32, c: f32, d: v128): v128 {
  const e = f32x4.sub(v128.load(at(P, i)), v128.load(at(T, i)));
  const ab = f32x4.abs(e);
  const q = f32x4.pmin(ab, d);
  const k = f32x4.mul(sp(c), v128.bitselect(ab, d, f32x4.le(ab, d)));
  v128.store(at(G, i), v128.bitselect(k, f32x4.neg(k), f32x4.gt(e, sp(0))));
  return f32x4.add(f32x4.mul(sp(0.5), f32x4.mul(q, q)), f32x4.mul(d, f32x4.sub(ab, q)));
}

export function huber(T: usize, P: usize, G: usize, n: i32, c: f32, delta: f32): f64 {
  let a = f64x2.splat(0);
  const d = sp(delta);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, huberAt(T, P, G, i, c, d));
    a = acc(a, huberAt(T, P, G, i + 4, c, d));
    a = acc(a, huberAt(T, P, G, i + 8, c, d));
    a = acc(a, huberAt(T, P, G, i + 12, c, d));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(huberAt(T, P, G, i, c, d), live(i, n)));
  return total(a);
}

@inline function bceLogitsAt(T: usize, P: usize, G: usize, i: i32, c: f32, ls: f32): v128 {
  const x = v128.load(at(P, i));
  const y = smooth(v128.load(at(T, i)), ls);
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const l = f32x4.add(f32x4.sub(f32x4.pmax(x, sp(0)), f32x4.mul(x, y)), softplusSigmoid(x, e, at(G, i)));
  v128.store(at(G, i), f32x4.mul(sp(c), f32x4.sub(v128.load(at(G, i)), y)));
  return l;
}

export function bceLogits(T: usize, P: usize, G: usize, n: i32, c: f32, ls: f32): f64 {
  let a = f64x2.splat(0);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, bceLogitsAt(T, P, G, i, c, ls));
    a = acc(a, bceLogitsAt(T, P, G, i + 4, c, ls));
    a = acc(a, bceLogitsAt(T, P, G, i + 8, c, ls));
    a = acc(a, bceLogitsAt(T, P, G, i + 12, c, ls));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(bceLogitsAt(T, P, G, i, c, ls), live(i, n)));
  return total(a);
}

/** −[y·log q + (1 − y)·log(1 − q)] and its derivative, q = clip(p, lo, hi); terms with weight 0 count 0. */
@inline function clippedBce(p: v128, y: v128, lo: f32, hi: f32, out: usize): v128 {
  const q = f32x4.pmin(f32x4.pmax(p, sp(lo)), sp(hi));
  const r = f32x4.sub(sp(1.0), q);
  const y1 = f32x4.sub(sp(1.0), y);
  const pos = v128.and(f32x4.mul(y, vlog(q)), f32x4.ne(y, sp(0)));
  const neg = v128.and(f32x4.mul(y1, vlog(r)), f32x4.ne(y1, sp(0)));
  const inside = v128.and(f32x4.ge(p, sp(lo)), f32x4.le(p, sp(hi)));
  v128.store(out, v128.and(f32x4.sub(f32x4.div(y1, r), f32x4.div(y, q)), inside));
  return f32x4.neg(f32x4.add(pos, neg));
}

@inline function bceProbsAt(T: usize, P: usize, G: usize, i: i32, c: f32, lo: f32, hi: f32, ls: f32): v128 {
  const y = smooth(v128.load(at(T, i)), ls);
  const l = clippedBce(v128.load(at(P, i)), y, lo, hi, at(G, i));
  v128.store(at(G, i), f32x4.mul(sp(c), v128.load(at(G, i))));
  return l;
}

export function bceProbs(T: usize, P: usize, G: usize, n: i32, c: f32, lo: f32, hi: f32, ls: f32): f64 {
  let a = f64x2.splat(0);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, bceProbsAt(T, P, G, i, c, lo, hi, ls));
    a = acc(a, bceProbsAt(T, P, G, i + 4, c, lo, hi, ls));
    a = acc(a, bceProbsAt(T, P, G, i + 8, c, lo, hi, ls));
    a = acc(a, bceProbsAt(T, P, G, i + 12, c, lo, hi, ls));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(bceProbsAt(T, P, G, i, c, lo, hi, ls), live(i, n)));
  return total(a);
}

/**
 * Keras binary focal cross-entropy; `alpha` < 0 means no class balancing. The focal factor max(b, 0)^γ has the
 * derivative γ·b^(γ−1) for b > 0 and, at b ≤ 0, 1 for γ = 1 and 0 otherwise (γ = 0: the constant 1).
 */
@inline function focalAt(
  T: usize,
  P: usize,
  G: usize,
  i: i32,
  c: f32,
  gamma: f32,
  alpha: f32,
  fromLogits: bool,
  lo: f32,
  hi: f32,
  ls: f32,
): v128 {
  const x = v128.load(at(P, i));
  const y = smooth(v128.load(at(T, i)), ls);
  let p = x;
  let dp = sp(1.0);
  if (fromLogits) {
    p = sigmoidFrom(x, vexp(f32x4.neg(f32x4.abs(x))));
    dp = f32x4.mul(p, f32x4.sub(sp(1.0), p));
  }
  const bce = clippedBce(p, y, lo, hi, at(G, i));
  const dbce = v128.load(at(G, i));
  const y1 = f32x4.sub(sp(1.0), y);
  const b = f32x4.sub(sp(1.0), f32x4.add(f32x4.mul(y, p), f32x4.mul(y1, f32x4.sub(sp(1.0), p))));
  const pos = f32x4.gt(b, sp(0));
  let f: v128;
  let df: v128;
  if (gamma == 0) {
    f = sp(1.0);
    df = sp(0);
  } else if (gamma == 2) {
    f = v128.and(f32x4.mul(b, b), pos);
    df = v128.and(f32x4.mul(sp(2.0), b), pos);
  } else if (gamma == 1) {
    f = v128.and(b, pos);
    df = sp(1.0);
  } else {
    // b^γ = exp(γ·log b), b^(γ−1) = b^γ / b, with b floored at 1e-30 as the composed derivative is.
    const bb = f32x4.pmax(b, sp(1e-30));
    const pw = vexp(f32x4.mul(sp(gamma), vlog(bb)));
    f = v128.and(pw, pos);
    df = v128.and(f32x4.mul(sp(gamma), f32x4.div(pw, bb)), pos);
  }
  let w = sp(1.0);
  if (alpha >= 0) w = f32x4.add(f32x4.mul(y, sp(alpha)), f32x4.mul(y1, sp(1 - alpha)));
  const l = f32x4.mul(w, f32x4.mul(f, bce));
  const dfdp = f32x4.mul(df, f32x4.sub(sp(1.0), f32x4.mul(sp(2.0), y)));
  const g = f32x4.mul(f32x4.add(f32x4.mul(dfdp, bce), f32x4.mul(f, dbce)), dp);
  v128.store(at(G, i), f32x4.mul(sp(c), f32x4.mul(w, g)));
  return l;
}

export function focal(T: usize, P: usize, G: usize, n: i32, c: f32, gamma: f32, alpha: f32, fromLogits: bool, lo: f32, hi: f32, ls: f32): f64 {
  let a = f64x2.splat(0);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    a = acc(a, focalAt(T, P, G, i, c, gamma, alpha, fromLogits, lo, hi, ls));
    a = acc(a, focalAt(T, P, G, i + 4, c, gamma, alpha, fromLogits, lo, hi, ls));
    a = acc(a, focalAt(T, P, G, i + 8, c, gamma, alpha, fromLogits, lo, hi, ls));
    a = acc(a, focalAt(T, P, G, i + 12, c, gamma, alpha, fromLogits, lo, hi, ls));
  }
  for (; i < n; i += 4) a = acc(a, v128.and(focalAt(T, P, G, i, c, gamma, alpha, fromLogits, lo, hi, ls), live(i, n)));
  return total(a);
}

// ---- categorical (rows of C = 4k logits) ------------------------------------------------------------------------
@inline function hmax(v: v128): f32 {
  const m = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1));
}

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/**
 * Cross-entropy from logits over `rows` rows of C (a multiple of 4): Σ_c y_c·(lse − x_c), gradient
 * c·(softmax·Σy − y). With `sparse`, the label of row r is the float at the labels area (t) index r and y is its
 * one-hot row; otherwise y is dense, label-smoothed by ls.
 */
export function cceLogits(T: usize, P: usize, G: usize, rows: i32, C: i32, c: f32, ls: f32, sparse: bool): f64 {
  let s: f64 = 0;
  const cls = ls / <f32>C;
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    let mv = v128.load(at(P, base));
    for (let k = 4; k < C; k += 4) mv = f32x4.max(mv, v128.load(at(P, base + k)));
    const m = sp(hmax(mv));
    let zv = sp(0);
    for (let k = 0; k < C; k += 4) {
      const e = vexp(f32x4.sub(v128.load(at(P, base + k)), m));
      v128.store(at(G, base + k), e);
      zv = f32x4.add(zv, e);
    }
    const z = hsum(zv);
    const lse = f32x4.extract_lane(m, 0) + f32x4.extract_lane(vlog(sp(z)), 0);
    if (sparse) {
      const label = base + <i32>load<f32>(at(T, r));
      s += <f64>(lse - load<f32>(at(P, label)));
      const cz = sp(c / z);
      for (let k = 0; k < C; k += 4) v128.store(at(G, base + k), f32x4.mul(cz, v128.load(at(G, base + k))));
      store<f32>(at(G, label), load<f32>(at(G, label)) - c);
    } else {
      let ysum = sp(0);
      let dot = sp(0);
      for (let k = 0; k < C; k += 4) {
        let y = v128.load(at(T, base + k));
        if (ls != 0) y = f32x4.add(f32x4.mul(y, sp(1 - ls)), sp(cls));
        ysum = f32x4.add(ysum, y);
        dot = f32x4.add(dot, f32x4.mul(y, f32x4.sub(sp(lse), v128.load(at(P, base + k)))));
      }
      s += <f64>hsum(dot);
      const cz = sp((c * hsum(ysum)) / z);
      for (let k = 0; k < C; k += 4) {
        let y = v128.load(at(T, base + k));
        if (ls != 0) y = f32x4.add(f32x4.mul(y, sp(1 - ls)), sp(cls));
        v128.store(at(G, base + k), f32x4.sub(f32x4.mul(cz, v128.load(at(G, base + k))), f32x4.mul(sp(c), y)));
      }
    }
  }
  return s;
}

// ---- region losses (one group per contiguous range) ---------------------------------------------------------------
/** Σp·g, Σp^k, Σg^k, Σg, CE of one group, float64 pairs (accumulated by `pass1At`). */
let aTp = f64x2.splat(0);
let aSp = f64x2.splat(0);
let aSg = f64x2.splat(0);
let aPr = f64x2.splat(0);
let aCe = f64x2.splat(0);

/** One vector of pass 1: lanes outside `mask` add nothing; p is stored in G for pass 2. */
@inline function pass1At(
  T: usize,
  P: usize,
  G: usize,
  i: i32,
  mask: v128,
  sigmoid: bool,
  squared: bool,
  combo: bool,
  alpha: f32,
  lo: f32,
  hi: f32,
): void {
  const x = v128.load(at(P, i));
  const y = v128.and(v128.load(at(T, i)), mask);
  let p = x;
  const y1 = f32x4.sub(sp(1.0), y);
  if (sigmoid && !combo) {
    // σ(x) = 1/(1 + e^−x): e^−x saturates at e^88 for x ≪ 0, giving p ≈ 6e-39, and underflows to 0 for x ≫ 0.
    p = f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(x))));
  } else if (sigmoid) {
    const e = vexp(f32x4.neg(f32x4.abs(x)));
    const l1p = softplusSigmoid(x, e, at(G, i));
    p = v128.load(at(G, i));
    const nlp = f32x4.add(f32x4.pmax(f32x4.neg(x), sp(0)), l1p);
    const nl1p = f32x4.add(f32x4.pmax(x, sp(0)), l1p);
    const pos = v128.and(f32x4.mul(f32x4.mul(sp(alpha), y), nlp), f32x4.ne(y, sp(0)));
    const neg = v128.and(f32x4.mul(f32x4.mul(sp(1 - alpha), y1), nl1p), f32x4.ne(y1, sp(0)));
    aCe = acc(aCe, v128.and(f32x4.add(pos, neg), mask));
  } else if (combo) {
    const q = f32x4.pmin(f32x4.pmax(p, sp(lo)), sp(hi));
    const pos = v128.and(f32x4.mul(f32x4.mul(sp(alpha), y), vlog(q)), f32x4.ne(y, sp(0)));
    const neg = v128.and(
      f32x4.mul(f32x4.mul(sp(1 - alpha), y1), vlog(f32x4.sub(sp(1.0), q))),
      f32x4.ne(y1, sp(0)),
    );
    aCe = acc(aCe, v128.and(f32x4.neg(f32x4.add(pos, neg)), mask));
  }
  v128.store(at(G, i), p);
  p = v128.and(p, mask);
  aTp = acc(aTp, f32x4.mul(p, y));
  if (squared) {
    aSp = acc(aSp, f32x4.mul(p, p));
    aSg = acc(aSg, f32x4.mul(y, y));
    aPr = acc(aPr, y);
  } else {
    aSp = acc(aSp, p);
    aSg = acc(aSg, y);
  }
}

/**
 * Pass 1 over n elements of one group: adds Σp·g, Σp^k, Σg^k, Σg and Combo's cross-entropy sum to the six float64
 * at `sums()` (TP, SP, SG, present, CE). p = σ(x) with `sigmoid`; k = 2 with `squared`. Stores p in G, for pass 2.
 * Full blocks run unmasked; only the vectors after the last full block are masked.
 */
export function regionPass1(
  T: usize,
  P: usize,
  G: usize,
  sums: usize,
  n: i32, sigmoid: bool, squared: bool, combo: bool, alpha: f32, lo: f32, hi: f32): void {
  aTp = f64x2.splat(0);
  aSp = f64x2.splat(0);
  aSg = f64x2.splat(0);
  aPr = f64x2.splat(0);
  aCe = f64x2.splat(0);
  const all = i32x4.splat(-1);
  const full = n & ~(BLOCK - 1);
  let i = 0;
  for (; i < full; i += BLOCK) {
    pass1At(T, P, G, i, all, sigmoid, squared, combo, alpha, lo, hi);
    pass1At(T, P, G, i + 4, all, sigmoid, squared, combo, alpha, lo, hi);
    pass1At(T, P, G, i + 8, all, sigmoid, squared, combo, alpha, lo, hi);
    pass1At(T, P, G, i + 12, all, sigmoid, squared, combo, alpha, lo, hi);
  }
  for (; i < n; i += 4) pass1At(T, P, G, i, live(i, n), sigmoid, squared, combo, alpha, lo, hi);
  const o = sums;
  store<f64>(o, load<f64>(o) + total(aTp));
  store<f64>(o + 8, load<f64>(o + 8) + total(aSp));
  store<f64>(o + 16, load<f64>(o + 16) + total(aSg));
  // Without squaring, Σg is Σg^k.
  store<f64>(o + 24, load<f64>(o + 24) + total(squared ? aPr : aSg));
  store<f64>(o + 32, load<f64>(o + 32) + total(aCe));
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

// ---- accuracy probes (tests): G = f(P) over n elements --------------------------------------------------------
export function probe(P: usize, G: usize, n: i32, which: i32): void {
  for (let i = 0; i < n; i += 4) {
    const x = v128.load(at(P, i));
    if (which == 0) v128.store(at(G, i), vexp(x));
    else if (which == 1) v128.store(at(G, i), vlog(x));
    else v128.store(at(G, i), vlog1p(x));
  }
}
