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

/**
 * −[y·log q + (1 − y)·log(1 − q)] and its derivative, q = clip(p, lo, hi); terms with weight 0 count 0. When every
 * lane's target is 0 or 1 (hard labels, no smoothing) one log and one division do: the value is −log of q or 1 − q
 * and the derivative −1/q or 1/(1 − q), bit for bit what the general form gives.
 */
@inline function clippedBce(p: v128, y: v128, lo: f32, hi: f32, out: usize): v128 {
  const q = f32x4.pmin(f32x4.pmax(p, sp(lo)), sp(hi));
  const r = f32x4.sub(sp(1.0), q);
  const inside = v128.and(f32x4.ge(p, sp(lo)), f32x4.le(p, sp(hi)));
  const one = f32x4.eq(y, sp(1.0));
  if (i32x4.all_true(v128.or(one, f32x4.eq(y, sp(0))))) {
    const d = f32x4.div(sp(1.0), v128.bitselect(q, r, one));
    v128.store(out, v128.and(v128.bitselect(f32x4.neg(d), d, one), inside));
    return f32x4.neg(vlog(v128.bitselect(q, r, one)));
  }
  const y1 = f32x4.sub(sp(1.0), y);
  const pos = v128.and(f32x4.mul(y, vlog(q)), f32x4.ne(y, sp(0)));
  const neg = v128.and(f32x4.mul(y1, vlog(r)), f32x4.ne(y1, sp(0)));
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

/** Lane j: the sum of the four lanes of the j-th argument (a 4×4 transpose, then adds). */
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const u = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const v = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u, v, 0, 1, 4, 5), v128.shuffle<f32>(u, v, 2, 3, 6, 7));
}

/** Lane j: the largest of the four lanes of the j-th argument. */
@inline function hmax4(a: v128, b: v128, c: v128, d: v128): v128 {
  const u = f32x4.max(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const v = f32x4.max(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.max(v128.shuffle<f32>(u, v, 0, 1, 4, 5), v128.shuffle<f32>(u, v, 2, 3, 6, 7));
}

/** The lane-wise maximum over the C/4 vectors of the row at `base`. */
@inline function rowMax(P: usize, base: i32, C: i32): v128 {
  let mv = v128.load(at(P, base));
  for (let k = 4; k < C; k += 4) mv = f32x4.max(mv, v128.load(at(P, base + k)));
  return mv;
}

/** Stores e^(x − m) of the row at `base` in G and returns their lane-wise sum. */
@inline function rowExp(P: usize, G: usize, base: i32, C: i32, m: v128): v128 {
  let zv = sp(0);
  for (let k = 0; k < C; k += 4) {
    const e = vexp(f32x4.sub(v128.load(at(P, base + k)), m));
    v128.store(at(G, base + k), e);
    zv = f32x4.add(zv, e);
  }
  return zv;
}

/** The (label-smoothed) dense targets of one vector. */
@inline function targets(T: usize, i: i32, ls: f32, cls: f32): v128 {
  const y = v128.load(at(T, i));
  return ls == 0 ? y : f32x4.add(f32x4.mul(y, sp(1 - ls)), sp(cls));
}

/** Lane-wise Σy·(lse − x) over the row at `base`. */
@inline function rowDot(T: usize, P: usize, base: i32, C: i32, lse: v128, ls: f32, cls: f32): v128 {
  let dot = sp(0);
  for (let k = 0; k < C; k += 4) {
    dot = f32x4.add(dot, f32x4.mul(targets(T, base + k, ls, cls), f32x4.sub(lse, v128.load(at(P, base + k)))));
  }
  return dot;
}

/** Lane-wise Σy over the row at `base`. */
@inline function rowSum(T: usize, base: i32, C: i32, ls: f32, cls: f32): v128 {
  let ys = sp(0);
  for (let k = 0; k < C; k += 4) ys = f32x4.add(ys, targets(T, base + k, ls, cls));
  return ys;
}

/** The gradient of a dense row: cz·e − c·y over the e^(x − m) stored in G. */
@inline function rowGrad(T: usize, G: usize, base: i32, C: i32, cz: v128, c: f32, ls: f32, cls: f32): void {
  for (let k = 0; k < C; k += 4) {
    const g = f32x4.sub(f32x4.mul(cz, v128.load(at(G, base + k))), f32x4.mul(sp(c), targets(T, base + k, ls, cls)));
    v128.store(at(G, base + k), g);
  }
}

/** The gradient of a sparse row: cz·e over the e^(x − m) stored in G, minus c at the label. */
@inline function rowGradSparse(G: usize, base: i32, C: i32, label: i32, cz: v128, c: f32): void {
  for (let k = 0; k < C; k += 4) v128.store(at(G, base + k), f32x4.mul(cz, v128.load(at(G, base + k))));
  store<f32>(at(G, label), load<f32>(at(G, label)) - c);
}

@inline function lane0(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 0, 0, 0, 0);
}
@inline function lane1(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 1, 1, 1, 1);
}
@inline function lane2(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 2, 2, 2);
}
@inline function lane3(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

/**
 * Cross-entropy from logits over `rows` rows of C (a multiple of 4): Σ_c y_c·(lse − x_c), gradient
 * c·(softmax·Σy − y). With `sparse`, the label of row r is the float at T + 4r and y is its one-hot row; otherwise
 * y is dense, label-smoothed by ls. Rows go four at a time, so that the per-row reductions (max, Σe, Σy) and the
 * one log per row fill the four lanes; the last rows go one at a time.
 */
export function cceLogits(T: usize, P: usize, G: usize, rows: i32, C: i32, c: f32, ls: f32, sparse: bool): f64 {
  let a = f64x2.splat(0);
  const cls = ls / <f32>C;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * C;
    const b1 = b0 + C;
    const b2 = b1 + C;
    const b3 = b2 + C;
    const m = hmax4(rowMax(P, b0, C), rowMax(P, b1, C), rowMax(P, b2, C), rowMax(P, b3, C));
    const z = hsum4(
      rowExp(P, G, b0, C, lane0(m)),
      rowExp(P, G, b1, C, lane1(m)),
      rowExp(P, G, b2, C, lane2(m)),
      rowExp(P, G, b3, C, lane3(m)),
    );
    const lse = f32x4.add(m, vlog(z));
    if (sparse) {
      const l0 = b0 + <i32>load<f32>(at(T, r));
      const l1 = b1 + <i32>load<f32>(at(T, r + 1));
      const l2 = b2 + <i32>load<f32>(at(T, r + 2));
      const l3 = b3 + <i32>load<f32>(at(T, r + 3));
      let xl = f32x4.splat(load<f32>(at(P, l0)));
      xl = f32x4.replace_lane(xl, 1, load<f32>(at(P, l1)));
      xl = f32x4.replace_lane(xl, 2, load<f32>(at(P, l2)));
      xl = f32x4.replace_lane(xl, 3, load<f32>(at(P, l3)));
      a = acc(a, f32x4.sub(lse, xl));
      const cz = f32x4.div(sp(c), z);
      rowGradSparse(G, b0, C, l0, lane0(cz), c);
      rowGradSparse(G, b1, C, l1, lane1(cz), c);
      rowGradSparse(G, b2, C, l2, lane2(cz), c);
      rowGradSparse(G, b3, C, l3, lane3(cz), c);
    } else {
      a = acc(
        a,
        hsum4(
          rowDot(T, P, b0, C, lane0(lse), ls, cls),
          rowDot(T, P, b1, C, lane1(lse), ls, cls),
          rowDot(T, P, b2, C, lane2(lse), ls, cls),
          rowDot(T, P, b3, C, lane3(lse), ls, cls),
        ),
      );
      const ys = hsum4(rowSum(T, b0, C, ls, cls), rowSum(T, b1, C, ls, cls), rowSum(T, b2, C, ls, cls), rowSum(T, b3, C, ls, cls));
      const cz = f32x4.div(f32x4.mul(sp(c), ys), z);
      rowGrad(T, G, b0, C, lane0(cz), c, ls, cls);
      rowGrad(T, G, b1, C, lane1(cz), c, ls, cls);
      rowGrad(T, G, b2, C, lane2(cz), c, ls, cls);
      rowGrad(T, G, b3, C, lane3(cz), c, ls, cls);
    }
  }
  let s = total(a);
  for (; r < rows; r++) {
    const base = r * C;
    const m = sp(hmax(rowMax(P, base, C)));
    const z = hsum(rowExp(P, G, base, C, m));
    const lse = f32x4.extract_lane(m, 0) + f32x4.extract_lane(vlog(sp(z)), 0);
    if (sparse) {
      const label = base + <i32>load<f32>(at(T, r));
      s += <f64>(lse - load<f32>(at(P, label)));
      rowGradSparse(G, base, C, label, sp(c / z), c);
    } else {
      s += <f64>hsum(rowDot(T, P, base, C, sp(lse), ls, cls));
      rowGrad(T, G, base, C, sp((c * hsum(rowSum(T, base, C, ls, cls))) / z), c, ls, cls);
    }
  }
  return s;
}

// ---- region losses (one group per contiguous range) ---------------------------------------------------------------
/** Combo's cross-entropy sum of one group (float64 pair), accumulated by `pass1At`. */
let aCe = f64x2.splat(0);

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
 * at `sums` (TP, SP, SG, present, CE). p = σ(x) with `sigmoid`; k = 2 with `squared`. Stores p in G, for pass 2.
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
