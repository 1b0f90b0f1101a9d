// Region-loss kernels for any channel count C ≤ 16 that is not a multiple of 4 (see kernels.ts for the
// conventions; region-multi.ts takes C = 4k).
//
// Layout: lanes = pixels. Four pixels at a time, each channel's four values are gathered into one vector (scalar
// loads), so the softmax over the C channels is vertical (max, exp, sum over C vectors, one division per four
// pixels) and the per-channel sums are plain vector adds; results are scattered back. With C = 2 or 3 a pixel does
// not fill a vector, and a lanes = channels layout would mix pixels in one vector and need per-pixel horizontal
// steps across vector boundaries.
//
// The table at TAB (float64): for each of TP, Σp^k, Σg^k, Σg and each channel c, four pixel lanes
// (TAB[(s·C + c)·4 + lane]), then the guard Σ(x − x) at TAB[16C]. BUF (C or 2C vectors) holds a block's
// channel vectors. Pass 2 reads float32 coefficients cT[C], cS[C] at COEF. The last block of a range, with fewer
// than four pixels, re-reads its last pixel in the missing lanes and masks them out of every sum and store.
import { sp, vexp, at } from './math';
import { addLanes } from './region-common';

const SIGMOID: i32 = 1;
const SOFTMAX: i32 = 2;

/** Channel c of pixels r..r+3 (pixel min(r + j, last) in lane j). */
@inline function gather(A: usize, r: i32, C: i32, c: i32, last: i32): v128 {
  let v = f32x4.splat(load<f32>(at(A, r * C + c)));
  v = f32x4.replace_lane(v, 1, load<f32>(at(A, min(r + 1, last) * C + c)));
  v = f32x4.replace_lane(v, 2, load<f32>(at(A, min(r + 2, last) * C + c)));
  v = f32x4.replace_lane(v, 3, load<f32>(at(A, min(r + 3, last) * C + c)));
  return v;
}

/** Stores the lanes of v as channel c of pixels r..r+3, the first `live` of them. */
@inline function scatter(A: usize, r: i32, C: i32, c: i32, v: v128, live: i32): void {
  store<f32>(at(A, r * C + c), f32x4.extract_lane(v, 0));
  if (live > 1) store<f32>(at(A, (r + 1) * C + c), f32x4.extract_lane(v, 1));
  if (live > 2) store<f32>(at(A, (r + 2) * C + c), f32x4.extract_lane(v, 2));
  if (live > 3) store<f32>(at(A, (r + 3) * C + c), f32x4.extract_lane(v, 3));
}

/** The labels of pixels r..r+3 (min(r + j, last)) as int32 lanes. */
@inline function labels(T: usize, r: i32, last: i32, intLabels: bool): v128 {
  if (intLabels) {
    let v = i32x4.splat(load<i32>(at(T, r)));
    v = i32x4.replace_lane(v, 1, load<i32>(at(T, min(r + 1, last))));
    v = i32x4.replace_lane(v, 2, load<i32>(at(T, min(r + 2, last))));
    return i32x4.replace_lane(v, 3, load<i32>(at(T, min(r + 3, last))));
  }
  return i32x4.trunc_sat_f32x4_s(gather(T, r, 1, 0, last));
}

/** Targets of channel c for the block: dense, or the one-hot of the labels (with C = 1 not used here). */
@inline function target(T: usize, r: i32, C: i32, c: i32, last: i32, sparse: bool, lv: v128): v128 {
  return sparse ? v128.and(i32x4.eq(lv, i32x4.splat(c)), sp(1.0)) : gather(T, r, C, c, last);
}

/** Adds the lanes of v (masked) to the four float64 slots of (sum s, channel c). */
@inline function addMasked(TAB: usize, C: i32, s: i32, c: i32, v: v128, mask: v128): void {
  addLanes(TAB, (s * C + c) * 4, v128.and(v, mask));
}

@inline function liveMask(live: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(live));
}

@inline function pass1(
  T: usize,
  P: usize,
  G: usize,
  TAB: usize,
  BUF: usize,
  n: i32,
  C: i32,
  act: i32,
  sparse: bool,
  intLabels: bool,
  squared: bool,
): void {
  let guard = sp(0);
  const last = n - 1;
  for (let r = 0; r < n; r += 4) {
    const live = min(4, n - r);
    const mask = liveMask(live);
    let m = sp(-Infinity);
    for (let c = 0; c < C; c++) {
      const x = gather(P, r, C, c, last);
      guard = f32x4.add(guard, f32x4.sub(x, x));
      v128.store(BUF + (<usize>c << 4), x);
      if (act == SOFTMAX) m = f32x4.pmax(m, x);
    }
    let rz = sp(1.0);
    if (act == SOFTMAX) {
      let z = sp(0);
      for (let c = 0; c < C; c++) {
        const e = vexp(f32x4.sub(v128.load(BUF + (<usize>c << 4)), m));
        v128.store(BUF + (<usize>c << 4), e);
        z = f32x4.add(z, e);
      }
      rz = f32x4.div(sp(1.0), z);
    }
    const lv = sparse ? labels(T, r, last, intLabels) : sp(0);
    for (let c = 0; c < C; c++) {
      let p = v128.load(BUF + (<usize>c << 4));
      if (act == SOFTMAX) p = f32x4.mul(p, rz);
      else if (act == SIGMOID) p = f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(p))));
      if (act != 0) scatter(G, r, C, c, p, live);
      const y = target(T, r, C, c, last, sparse, lv);
      addMasked(TAB, C, 0, c, f32x4.mul(p, y), mask);
      addMasked(TAB, C, 1, c, squared ? f32x4.mul(p, p) : p, mask);
      addMasked(TAB, C, 2, c, squared ? f32x4.mul(y, y) : y, mask);
      addMasked(TAB, C, 3, c, y, mask);
    }
  }
  // The guard's masked-out lanes repeat the last pixel, which is counted anyway: no mask needed.
  const o = TAB + (<usize>(16 * C) << 3);
  const h = f32x4.add(guard, v128.shuffle<f32>(guard, guard, 2, 3, 0, 1));
  store<f64>(o, load<f64>(o) + <f64>(f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1)));
}

@inline function pass2(
  T: usize,
  S: usize,
  G: usize,
  COEF: usize,
  BUF: usize,
  n: i32,
  C: i32,
  act: i32,
  sparse: bool,
  intLabels: bool,
  squared: bool,
): void {
  const last = n - 1;
  for (let r = 0; r < n; r += 4) {
    const live = min(4, n - r);
    const lv = sparse ? labels(T, r, last, intLabels) : sp(0);
    let dot = sp(0);
    for (let c = 0; c < C; c++) {
      const p = gather(S, r, C, c, last);
      const y = target(T, r, C, c, last, sparse, lv);
      const cS = load<f32>(at(COEF, C + c));
      let a = f32x4.add(f32x4.mul(sp(load<f32>(at(COEF, c))), y), squared ? f32x4.mul(sp(2 * cS), p) : sp(cS));
      if (act == SOFTMAX) {
        dot = f32x4.add(dot, f32x4.mul(p, a));
        v128.store(BUF + (<usize>c << 5), p);
        v128.store(BUF + (<usize>c << 5) + 16, a);
      } else {
        if (act == SIGMOID) a = f32x4.mul(a, f32x4.mul(p, f32x4.sub(sp(1.0), p)));
        // + 0 turns −0 into +0, as in the JS kernel.
        scatter(G, r, C, c, f32x4.add(a, sp(0)), live);
      }
    }
    if (act == SOFTMAX) {
      for (let c = 0; c < C; c++) {
        const p = v128.load(BUF + (<usize>c << 5));
        const a = v128.load(BUF + (<usize>c << 5) + 16);
        scatter(G, r, C, c, f32x4.add(f32x4.mul(p, f32x4.sub(a, dot)), sp(0)), live);
      }
    }
  }
}

export function regionGPass1None(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, BUF, n, C, 0, sparse, intLabels, squared);
}
export function regionGPass1Sigmoid(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, BUF, n, C, SIGMOID, sparse, intLabels, squared);
}
export function regionGPass1Softmax(T: usize, P: usize, G: usize, TAB: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass1(T, P, G, TAB, BUF, n, C, SOFTMAX, sparse, intLabels, squared);
}
export function regionGPass2None(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, BUF, n, C, 0, sparse, intLabels, squared);
}
export function regionGPass2Sigmoid(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, BUF, n, C, SIGMOID, sparse, intLabels, squared);
}
export function regionGPass2Softmax(T: usize, S: usize, G: usize, COEF: usize, BUF: usize, n: i32, C: i32, sparse: bool, intLabels: bool, squared: bool): void {
  pass2(T, S, G, COEF, BUF, n, C, SOFTMAX, sparse, intLabels, squared);
}
