// Shared vector math of the fused kernels (see kernels.ts for the conventions).

// ---- sizes ------------------------------------------------------------------------------------------------------
/** Elements per area of the scratch blocks the callers set up. */
export const CHUNK: i32 = 16384;
export const BLOCK: i32 = 16;


// ---- vector math ------------------------------------------------------------------------------------------------
@inline export function sp(x: f32): v128 {
  return f32x4.splat(x);
}

@inline export function vexp(x: v128): v128 {
  const lo = f32x4.splat(-87.33654);
  // pmin/pmax are single instructions on x86 (min/max carry NaN semantics). A NaN lane comes out as a finite,
  // meaningless number (0): kernels mark non-finite inputs in their sums with `poison`, not through exp.
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
@inline export function vlog(x: v128): v128 {
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
@inline export function vlog1p(e: v128): v128 {
  const u = f32x4.add(sp(1.0), e);
  const corr = f32x4.div(f32x4.sub(f32x4.sub(u, sp(1.0)), e), u);
  return f32x4.sub(vlog(u), corr);
}

/**
 * v + (x − x): NaN in the lanes where x is NaN or ±Infinity, v elsewhere. Added to a kernel's per-element values
 * for each input it reads (one sub and one add per vector), it makes the sum non-finite exactly when an input
 * element is, whatever clipping or exp's saturation made of that element; the caller then takes the composed path.
 */
@inline export function poison(v: v128, x: v128): v128 {
  return f32x4.add(v, f32x4.sub(x, x));
}

/** Lanes i, i+1, i+2, i+3 that are < n. */
@inline export function live(i: i32, n: i32): v128 {
  return i32x4.lt_s(i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3)), i32x4.splat(n));
}

/** Adds the four float32 lanes of v to a float64x2 accumulator. */
@inline export function acc(a: v128, v: v128): v128 {
  const hi = v128.shuffle<f32>(v, v, 2, 3, 0, 1);
  return f64x2.add(a, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(hi)));
}

@inline export function total(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** The address of element i of the float32 array at `base`. */
@inline export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Keras binary label smoothing y(1 − ls) + ls/2 (ls = 0 leaves y). */
@inline export function smooth(y: v128, ls: f32): v128 {
  return ls == 0 ? y : f32x4.add(f32x4.mul(y, sp(1 - ls)), sp(0.5 * ls));
}

/** softplus(−|x|) = log1p(e) and σ(x) from e = exp(−|x|), sharing one division by u = 1 + e. */
@inline export function softplusSigmoid(x: v128, e: v128, sig: usize): v128 {
  const u = f32x4.add(sp(1.0), e);
  const r = f32x4.div(sp(1.0), u);
  v128.store(sig, v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, sp(0))));
  return f32x4.sub(vlog(u), f32x4.mul(f32x4.sub(f32x4.sub(u, sp(1.0)), e), r));
}

/** σ(x) from e = exp(−|x|). */
@inline export function sigmoidFrom(x: v128, e: v128): v128 {
  const r = f32x4.div(sp(1.0), f32x4.add(sp(1.0), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, sp(0)));
}

