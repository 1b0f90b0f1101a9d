// Keras-family kernels of the fused losses (see kernels.ts for the conventions).
import { BLOCK, sp, vexp, vlog, live, acc, total, at, smooth, softplusSigmoid, sigmoidFrom, poison } from './math';

// Non-finite inputs: every kernel's per-element value is NaN or ±Infinity where an input element is. MSE, MAE and
// Huber get it from e = p − t (non-finite when either is) and their values of e; the others add `poison` of each
// input, since clipping and the exp's saturation would turn a NaN or an infinite logit into a finite value.

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
  return poison(poison(l, x), y);
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
  const p = v128.load(at(P, i));
  const l = clippedBce(p, y, lo, hi, at(G, i));
  v128.store(at(G, i), f32x4.mul(sp(c), v128.load(at(G, i))));
  return poison(poison(l, p), y);
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
  return poison(poison(l, x), y);
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

/** Lane-wise Σy·(lse − x) over the row at `base`, poisoned by non-finite x and y. */
@inline function rowDot(T: usize, P: usize, base: i32, C: i32, lse: v128, ls: f32, cls: f32): v128 {
  let dot = sp(0);
  for (let k = 0; k < C; k += 4) {
    const x = v128.load(at(P, base + k));
    const y = targets(T, base + k, ls, cls);
    dot = poison(poison(f32x4.add(dot, f32x4.mul(y, f32x4.sub(lse, x))), x), y);
  }
  return dot;
}

/** Lane-wise Σ(x − x) over the row at `base`: NaN where the row holds a NaN or ±Infinity, else 0. */
@inline function rowCheck(P: usize, base: i32, C: i32): v128 {
  let s = sp(0);
  for (let k = 0; k < C; k += 4) s = poison(s, v128.load(at(P, base + k)));
  return s;
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
      a = acc(a, hsum4(rowCheck(P, b0, C), rowCheck(P, b1, C), rowCheck(P, b2, C), rowCheck(P, b3, C)));
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
      s += <f64>(lse - load<f32>(at(P, label))) + <f64>hsum(rowCheck(P, base, C));
      rowGradSparse(G, base, C, label, sp(c / z), c);
    } else {
      s += <f64>hsum(rowDot(T, P, base, C, sp(lse), ls, cls));
      rowGrad(T, G, base, C, sp((c * hsum(rowSum(T, base, C, ls, cls))) / z), c, ls, cls);
    }
  }
  return s;
}

