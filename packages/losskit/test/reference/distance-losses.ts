/**
 * Float64 oracles of the distance- and shape-based segmentation losses (segmentation-distance.md §1–§2):
 * plain loops, no tfjs, and a brute-force Euclidean distance transform (O(N²), for test-sized arrays only) that
 * shares no code with `src/distance/`, so it checks the production EDT as well as the losses.
 *
 * Layout: channels-last `[B, ...spatial, C]`, row-major; element (b, x, c) is at `(b·N + x)·C + c`.
 */

/** The layout of a channels-last array. */
export interface Layout64 {
  readonly B: number;
  readonly spatial: readonly number[];
  readonly C: number;
  /** Number of spatial elements per (b, c) plane. */
  readonly N: number;
}

export function layout64(shape: readonly number[]): Layout64 {
  const spatial = shape.slice(1, -1);
  return { B: shape[0], spatial, C: shape[shape.length - 1], N: spatial.reduce((a, d) => a * d, 1) };
}

/** The (b, c) plane of a channels-last array, as a contiguous Float64Array of length N. */
export function plane64(data: ArrayLike<number>, L: Layout64, b: number, c: number): Float64Array {
  const out = new Float64Array(L.N);
  for (let x = 0; x < L.N; x++) out[x] = data[(b * L.N + x) * L.C + c];
  return out;
}

/** Writes a plane back into a channels-last array. */
function setPlane(out: Float64Array, L: Layout64, b: number, c: number, v: ArrayLike<number>): void {
  for (let x = 0; x < L.N; x++) out[(b * L.N + x) * L.C + c] = v[x];
}

/** Row-major coordinates of every flat index of `shape`. */
function coords(shape: readonly number[]): number[][] {
  const n = shape.reduce((a, d) => a * d, 1);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c: number[] = new Array<number>(shape.length);
    let r = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      c[k] = r % shape[k];
      r = Math.floor(r / shape[k]);
    }
    out.push(c);
  }
  return out;
}

/**
 * Brute-force EDT: the distance from each element to the nearest element where `mask` is false/0, with
 * `spacing` per axis; +Infinity everywhere when there is no such element (losskit's rule, §1).
 */
export function bruteEdt64(
  mask: ArrayLike<number | boolean>,
  shape: readonly number[],
  spacing?: readonly number[] | null,
): Float64Array {
  const s = spacing ?? shape.map(() => 1);
  const xs = coords(shape);
  const bg = xs.filter((_, i) => !mask[i]);
  return Float64Array.from(xs, (x, i) => {
    if (!mask[i]) return 0;
    let best = Infinity;
    for (const y of bg) {
      let d = 0;
      for (let k = 0; k < x.length; k++) d += (s[k] * (x[k] - y[k])) ** 2;
      if (d < best) best = d;
    }
    return Math.sqrt(best);
  });
}

/** `m ∧ ¬erode(m)` with the cross structuring element, outside the array counting as 0 (§1). */
export function edges64(mask: ArrayLike<number | boolean>, shape: readonly number[]): Uint8Array {
  const xs = coords(shape);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, d) => a * d, 1));
  return Uint8Array.from(xs, (x, i) => {
    if (!mask[i]) return 0;
    for (let k = 0; k < shape.length; k++) {
      for (const step of [-1, 1]) {
        const v = x[k] + step;
        if (v < 0 || v >= shape[k] || !mask[i + step * strides[k]]) return 1;
      }
    }
    return 0;
  });
}

const not = (m: ArrayLike<number | boolean>): Uint8Array =>
  Uint8Array.from({ length: m.length }, (_, i) => (m[i] ? 0 : 1));
const isDegenerate = (m: ArrayLike<number | boolean>): boolean => {
  let fg = 0;
  for (let i = 0; i < m.length; i++) if (m[i]) fg++;
  return fg === 0 || fg === m.length;
};

/** HD loss field `u(m) = edt(m) + edt(¬m)`, and 0 for an all-0 or all-1 mask (MONAI's guard, §2.1). */
export function hdField64(
  mask: ArrayLike<number | boolean>,
  shape: readonly number[],
  spacing?: readonly number[] | null,
): Float64Array {
  if (isDegenerate(mask)) return new Float64Array(mask.length);
  const a = bruteEdt64(mask, shape, spacing);
  const b = bruteEdt64(not(mask), shape, spacing);
  return a.map((v, i) => v + b[i]);
}

/** LIVIAETS `one_hot2dist`: +edt(¬m) outside, −(edt(m) − offset) inside; 0 for an all-0 or all-1 class (§1). */
export function boundaryPhi64(
  mask: ArrayLike<number | boolean>,
  shape: readonly number[],
  insideOffset: number,
  spacing?: readonly number[] | null,
): Float64Array {
  if (isDegenerate(mask)) return new Float64Array(mask.length);
  const inside = bruteEdt64(mask, shape, spacing);
  const outside = bruteEdt64(not(mask), shape, spacing);
  return Float64Array.from(inside, (d, i) => (mask[i] ? -(d - insideOffset) : outside[i]));
}

/** Caliva/JunMa11 penalty map Φ (§2.3): per region (max d − d)/(max d − min d); 1 on a flat region; 0 without a boundary. */
export function dmpPhi64(
  mask: ArrayLike<number | boolean>,
  shape: readonly number[],
  spacing?: readonly number[] | null,
): Float64Array {
  const out = new Float64Array(mask.length);
  if (isDegenerate(mask)) return out;
  for (const region of [Uint8Array.from({ length: mask.length }, (_, i) => (mask[i] ? 1 : 0)), not(mask)]) {
    const d = bruteEdt64(region, shape, spacing);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      if (!region[i]) continue;
      lo = Math.min(lo, d[i]);
      hi = Math.max(hi, d[i]);
    }
    for (let i = 0; i < d.length; i++) if (region[i]) out[i] = hi === lo ? 1 : (hi - d[i]) / (hi - lo);
  }
  return out;
}

/** Directed ASD from the edges of `a` to the edges of `b` (§2.4); 0 when either edge set is empty. */
export function directedAsd64(
  a: ArrayLike<number | boolean>,
  b: ArrayLike<number | boolean>,
  shape: readonly number[],
  spacing?: readonly number[] | null,
): number {
  const ea = edges64(a, shape);
  const eb = edges64(b, shape);
  if (!ea.some((v) => v) || !eb.some((v) => v)) return 0;
  const d = bruteEdt64(not(eb), shape, spacing);
  let s = 0;
  let n = 0;
  for (let i = 0; i < ea.length; i++) {
    if (!ea[i]) continue;
    s += d[i];
    n++;
  }
  return s / n;
}

export type Activation64 = 'none' | 'sigmoid' | 'softmax';

/** Probabilities from yPred as given: identity, elementwise sigmoid, or softmax over the last axis. */
export function activate64(
  yPred: ArrayLike<number>,
  shape: readonly number[],
  activation: Activation64,
): Float64Array {
  const p = Float64Array.from(yPred);
  if (activation === 'sigmoid') return p.map((x) => 1 / (1 + Math.exp(-x)));
  if (activation === 'softmax') {
    const C = shape[shape.length - 1];
    for (let r = 0; r < p.length; r += C) {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, p[r + c]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(p[r + c] - m);
      for (let c = 0; c < C; c++) p[r + c] = Math.exp(p[r + c] - m) / s;
    }
  }
  return p;
}

/**
 * Element-wise BCE of §2: on probabilities clipped to the float32 bounds `[fround(ε), fround(1 − ε)]`, or, with
 * `logits`, the exact `max(x,0) − x·y + log1p(e^−|x|)`.
 */
export function bce64(y: number, p: number, eps: number, logits = false): number {
  if (logits) return Math.max(p, 0) - p * y + Math.log1p(Math.exp(-Math.abs(p)));
  const q = Math.min(Math.max(p, Math.fround(eps)), Math.fround(1 - eps));
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

export type SegReduction64 = 'mean' | 'sum' | 'none';

/** Weights per group (scalar, one per sample, or one per group) times the `[B, K]` group values, then reduced. */
export function reduceGroups64(
  values: readonly number[],
  B: number,
  reduction: SegReduction64,
  weights?: readonly number[],
): number[] {
  const K = values.length / B;
  const w = (i: number) =>
    !weights
      ? 1
      : weights.length === 1
        ? weights[0]
        : weights.length === B
          ? weights[Math.floor(i / K)]
          : weights[i];
  const v = values.map((x, i) => x * w(i));
  if (reduction === 'none') return v;
  const s = v.reduce((a, x) => a + x, 0);
  return [reduction === 'sum' ? s : s / v.length];
}

function channelsKept(C: number, includeBackground: boolean): number[] {
  return Array.from({ length: C }, (_, c) => c).filter((c) => includeBackground || C === 1 || c > 0);
}

export interface HdOptions64 {
  alpha?: number;
  includeBackground?: boolean;
  log?: boolean;
  reduction?: SegReduction64;
  spacing?: readonly number[] | null;
  activation?: Activation64;
  /** Per-sample or per-group weights (the loss's sampleWeight, as numbers). */
  weights?: readonly number[];
}

/** Hausdorff DT loss (§2.1), MONAI `HausdorffDTLoss`: groups (b, c kept), `mean_x (p−y)²(d_P^α + d_Y^α)`. */
export function hausdorffDt64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: HdOptions64 = {},
): number[] {
  const L = layout64(shape);
  const alpha = o.alpha ?? 2;
  const p = activate64(yPred, shape, o.activation ?? 'none');
  const groups: number[] = [];
  for (let b = 0; b < L.B; b++) {
    for (const c of channelsKept(L.C, o.includeBackground ?? false)) {
      const pp = plane64(p, L, b, c);
      const yy = plane64(yTrue, L, b, c);
      const dP = hdField64(
        pp.map((v) => (v > 0.5 ? 1 : 0)),
        L.spatial,
        o.spacing,
      );
      const dY = hdField64(
        yy.map((v) => (v > 0.5 ? 1 : 0)),
        L.spatial,
        o.spacing,
      );
      let s = 0;
      for (let x = 0; x < L.N; x++) s += (pp[x] - yy[x]) ** 2 * (dP[x] ** alpha + dY[x] ** alpha);
      groups.push(s / L.N);
    }
  }
  const r = reduceGroups64(groups, L.B, o.reduction ?? 'mean', o.weights);
  return o.log ? r.map((v) => Math.log1p(v)) : r;
}

export interface BoundaryOptions64 {
  classIndices?: readonly number[] | null;
  insideOffset?: number;
  spacing?: readonly number[] | null;
  reduction?: SegReduction64;
  activation?: Activation64;
  /** Per-sample or per-group weights (the loss's sampleWeight, as numbers). */
  weights?: readonly number[];
}

/** Boundary loss (§2.2), LIVIAETS: groups (b, c ∈ classIndices), `mean_x p·φ`. */
export function boundary64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: BoundaryOptions64 = {},
): number[] {
  const L = layout64(shape);
  const p = activate64(yPred, shape, o.activation ?? 'none');
  const idc = o.classIndices ?? channelsKept(L.C, false);
  const groups: number[] = [];
  for (let b = 0; b < L.B; b++) {
    for (const c of idc) {
      const pp = plane64(p, L, b, c);
      const m = plane64(yTrue, L, b, c).map((v) => (v > 0.5 ? 1 : 0));
      const phi = boundaryPhi64(m, L.spatial, o.insideOffset ?? 1, o.spacing);
      let s = 0;
      for (let x = 0; x < L.N; x++) s += pp[x] * phi[x];
      groups.push(s / L.N);
    }
  }
  return reduceGroups64(groups, L.B, o.reduction ?? 'mean', o.weights);
}

export interface WeightedBceOptions64 {
  epsilon?: number;
  spacing?: readonly number[] | null;
  reduction?: SegReduction64;
  activation?: Activation64;
  /** Per-sample or per-group weights (the loss's sampleWeight, as numbers). */
  weights?: readonly number[];
}

/** Groups (b, c) of `mean_x weight(x)·BCE(y, p)` for a per-plane weight map. */
function weightedBce64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: WeightedBceOptions64,
  weight: (y: Float64Array, p: Float64Array) => ArrayLike<number>,
): number[] {
  const L = layout64(shape);
  const activation = o.activation ?? 'none';
  const p = activate64(yPred, shape, activation);
  const groups: number[] = [];
  for (let b = 0; b < L.B; b++) {
    for (let c = 0; c < L.C; c++) {
      const yy = plane64(yTrue, L, b, c);
      const pp = plane64(p, L, b, c);
      const raw = plane64(yPred, L, b, c);
      const w = weight(yy, pp);
      let s = 0;
      for (let x = 0; x < L.N; x++) {
        s +=
          w[x] *
          (activation === 'sigmoid' ? bce64(yy[x], raw[x], 0, true) : bce64(yy[x], pp[x], o.epsilon ?? 1e-7));
      }
      groups.push(s / L.N);
    }
  }
  return reduceGroups64(groups, L.B, o.reduction ?? 'mean', o.weights);
}

/** Distance-map-penalised BCE (§2.3): `mean((1 + Φ)·BCE)`. */
export function distanceMapPenalty64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: WeightedBceOptions64 = {},
): number[] {
  const L = layout64(shape);
  return weightedBce64(yTrue, yPred, shape, o, (y) =>
    dmpPhi64(
      y.map((v) => (v > 0.5 ? 1 : 0)),
      L.spatial,
      o.spacing,
    ).map((v) => 1 + v),
  );
}

/** Shape-aware loss (§2.4): `mean((1 + E_bc)·BCE)` with E the directed ASD from predicted to GT edges. */
export function shapeAware64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: WeightedBceOptions64 = {},
): number[] {
  const L = layout64(shape);
  return weightedBce64(yTrue, yPred, shape, o, (y, p) => {
    const e = directedAsd64(
      p.map((v) => (v > 0.5 ? 1 : 0)),
      y.map((v) => (v > 0.5 ? 1 : 0)),
      L.spatial,
      o.spacing,
    );
    return new Float64Array(L.N).fill(1 + e);
  });
}

export interface CmssOptions64 {
  C4?: number;
  beta?: number;
  window?: number;
  sigma?: number;
  epsilon?: number;
  activation?: Activation64;
  /** Per-sample or per-group weights (the loss's sampleWeight, as numbers). */
  weights?: readonly number[];
}

/** The normalised Gaussian window of side `w`, row-major `w × w`. */
export function gaussianWindow64(w: number, sigma: number): Float64Array {
  const g = Array.from({ length: w }, (_, i) => Math.exp(-((i - (w - 1) / 2) ** 2) / (2 * sigma * sigma)));
  const out = new Float64Array(w * w);
  for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) out[i * w + j] = g[i] * g[j];
  const s = out.reduce((a, v) => a + v, 0);
  return out.map((v) => v / s);
}

/** `(x − μ + C4)/(σ + C4)` of one 2-D plane, with zero-padded "same" Gaussian statistics (§2.5). */
function structure64(
  x: Float64Array,
  H: number,
  W: number,
  g: Float64Array,
  w: number,
  C4: number,
): Float64Array {
  const r = (w - 1) / 2;
  const conv = (v: Float64Array) =>
    Float64Array.from(v, (_, k) => {
      const i = Math.floor(k / W);
      const j = k % W;
      let s = 0;
      for (let a = 0; a < w; a++) {
        for (let b = 0; b < w; b++) {
          const ii = i + a - r;
          const jj = j + b - r;
          if (ii >= 0 && ii < H && jj >= 0 && jj < W) s += g[a * w + b] * v[ii * W + jj];
        }
      }
      return s;
    });
  const mu = conv(x);
  const m2 = conv(x.map((v) => v * v));
  return x.map((v, k) => (v - mu[k] + C4) / (Math.sqrt(Math.max(m2[k] - mu[k] * mu[k], 0)) + C4));
}

/**
 * The detached CMSS weights `e·f / M` (§2.5) of a `[B, H, W, C]` input: e the structural error, f = 1[e > β·e_max],
 * e_max and M over the whole batch; all zero when M = 0.
 */
export function cmssWeights64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: CmssOptions64 = {},
): Float64Array {
  const L = layout64(shape);
  const [H, W] = L.spatial;
  const w = o.window ?? 3;
  const C4 = o.C4 ?? 0.01;
  const g = gaussianWindow64(w, o.sigma ?? 1.5);
  const p = activate64(yPred, shape, o.activation ?? 'none');
  const e = new Float64Array(p.length);
  for (let b = 0; b < L.B; b++) {
    for (let c = 0; c < L.C; c++) {
      const sy = structure64(plane64(yTrue, L, b, c), H, W, g, w, C4);
      const sp = structure64(plane64(p, L, b, c), H, W, g, w, C4);
      setPlane(
        e,
        L,
        b,
        c,
        sy.map((v, k) => Math.abs(v - sp[k])),
      );
    }
  }
  const emax = e.reduce((a, v) => Math.max(a, v), 0);
  const thr = (o.beta ?? 0.1) * emax;
  let M = 0;
  for (const v of e) if (v > thr) M++;
  return e.map((v) => (M > 0 && v > thr ? v / M : 0));
}

/**
 * CMSS loss (§2.5): `(1/M) Σ e·f·BCE`. `weightsFrom` computes the detached weights e·f/M from another
 * prediction (the base point of a finite-difference check), so that they stay constant, as in the loss.
 */
export function cmss64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: CmssOptions64 = {},
  weightsFrom: ArrayLike<number> = yPred,
): number {
  const L = layout64(shape);
  const wts = cmssWeights64(yTrue, weightsFrom, shape, o);
  const activation = o.activation ?? 'none';
  const p = activate64(yPred, shape, activation);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (wts[i] === 0) continue;
    const sw = !o.weights
      ? 1
      : o.weights.length === 1
        ? o.weights[0]
        : o.weights[Math.floor(i / (L.N * L.C))];
    const l =
      activation === 'sigmoid'
        ? bce64(yTrue[i], yPred[i], 0, true)
        : bce64(yTrue[i], p[i], o.epsilon ?? 1e-7);
    s += sw * wts[i] * l;
  }
  return s;
}
