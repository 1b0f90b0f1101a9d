/**
 * Directed nearest-edge distances by a local search, with an exact transform only where the search is not enough.
 *
 * A surface distance asks, for each edge element of one mask, how far the nearest edge element of the other mask is.
 * In an evaluation the two masks mostly agree, so the answer is usually 0, 1 or √2 elements: a full distance transform
 * of the box (three passes over every element of it) spends nearly all its work on elements nobody asks about. Here
 * each query first walks a small ball of offsets sorted by distance and stops at the first edge it meets; only the
 * queries with no edge within the ball's radius fall back, either to a scan of the target's edge list (few of them)
 * or to the exact transform read at those queries (`edtAt`). Both paths give the distance of `edt`: the ball holds
 * every offset no farther than its radius, so the first hit in distance order is the nearest edge, and the squared
 * distance of an offset is summed axis by axis in the order and form the transform uses.
 */
import { edtAt } from './edt.ts';

/** The sorted offsets of one rank and spacing, searched before the fallback. */
export interface Ball {
  /** Per offset, its step along each axis: `steps[k * rank + a]`. */
  readonly steps: Int8Array;
  /** Per offset, its squared length in spacing units, ascending. */
  readonly squared: Float64Array;
  /** Chebyshev radius: every offset has |step| ≤ radius on each axis. */
  readonly radius: number;
}

/** Largest ball searched: about as many lookups as the transform spends per element of a small box. */
const MAX_BALL = 1000;
const MAX_RADIUS = 4;

/** `s0²o0²` then `+ s_a²·o_a·o_a` axis by axis, as the transform accumulates a squared distance. */
function squaredLength(steps: ArrayLike<number>, at: number, spacing: readonly number[]): number {
  const d0 = steps[at] * spacing[0];
  let sq = d0 * d0;
  for (let a = 1; a < spacing.length; a++) {
    const o = steps[at + a];
    sq = spacing[a] * spacing[a] * o * o + sq;
  }
  return sq;
}

const balls = new Map<string, Ball | null>();

/**
 * The offsets of length ≤ `R·min(spacing)` (all inside the cube of Chebyshev radius R), by length; null when even
 * radius 1 would exceed {@link MAX_BALL} offsets (high rank), where only the transform is used.
 * @internal shared with label-surfaces.ts
 */
export function ballFor(spacing: readonly number[]): Ball | null {
  const key = spacing.join(',');
  const known = balls.get(key);
  if (known !== undefined) return known;
  const r = spacing.length;
  let R = MAX_RADIUS;
  while (R > 0 && (2 * R + 1) ** r > MAX_BALL) R--;
  let ball: Ball | null = null;
  if (R > 0) {
    const limit = R * Math.min(...spacing);
    const side = 2 * R + 1;
    const cube = side ** r;
    const all = new Int8Array(cube * r);
    const lengths: { k: number; sq: number }[] = [];
    for (let k = 0; k < cube; k++) {
      for (let a = r - 1, rest = k; a >= 0; a--, rest = Math.floor(rest / side))
        all[k * r + a] = (rest % side) - R;
      const sq = squaredLength(all, k * r, spacing);
      if (sq <= limit * limit) lengths.push({ k, sq });
    }
    lengths.sort((x, y) => x.sq - y.sq);
    const steps = new Int8Array(lengths.length * r);
    lengths.forEach(({ k }, j) => {
      steps.set(all.subarray(k * r, k * r + r), j * r);
    });
    ball = { steps, squared: Float64Array.from(lengths, (l) => l.sq), radius: R };
  }
  if (balls.size > 64) balls.clear();
  balls.set(key, ball);
  return ball;
}

/** A 0/1 plane or a map of label codes: what the ball looks up. */
type Lookup = Uint8Array | Uint16Array | Int32Array;

/**
 * The ball laid over one array `shape`: `hit(to, value, i, c)` walks the offsets from element i (coordinates `c`) in
 * distance order and returns the squared distance of the first element of `to` equal to `value`, or −1 when none is
 * within the ball. Away from the faces every offset stays inside; near them each offset's coordinates are checked.
 * @internal shared with label-surfaces.ts
 */
export function ballSearch(
  ball: Ball,
  shape: readonly number[],
): (to: Lookup, value: number, i: number, c: Int32Array) => number {
  const r = shape.length;
  const n = ball.squared.length;
  const R = ball.radius;
  const { steps, squared } = ball;
  const strides = new Int32Array(r);
  for (let a = r - 1, s = 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a];
  }
  const delta = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let d = 0;
    for (let a = 0; a < r; a++) d += steps[k * r + a] * strides[a];
    delta[k] = d;
  }
  return (to, value, i, c) => {
    let inner = true;
    for (let a = 0; a < r; a++) if (c[a] < R || c[a] >= shape[a] - R) inner = false;
    if (inner) {
      for (let k = 0; k < n; k++) if (to[i + delta[k]] === value) return squared[k];
      return -1;
    }
    for (let k = 0; k < n; k++) {
      let inside = true;
      for (let a = 0; a < r; a++) {
        const x = c[a] + steps[k * r + a];
        if (x < 0 || x >= shape[a]) {
          inside = false;
          break;
        }
      }
      if (inside && to[i + delta[k]] === value) return squared[k];
    }
    return -1;
  };
}

/** Row-major coordinates of the non-zero elements of `mask` in `shape`, `coords[j * rank + a]`. */
function coordinatesOf(mask: Uint8Array, shape: readonly number[], count: number): Int32Array {
  const r = shape.length;
  const coords = new Int32Array(count * r);
  const c = new Int32Array(r);
  for (let i = 0, j = 0; i < mask.length; i++) {
    if (mask[i] !== 0) coords.set(c, r * j++);
    for (let a = r - 1; a >= 0; a--) {
      if (++c[a] < shape[a]) break;
      c[a] = 0;
    }
  }
  return coords;
}

/** Buffers reused across calls by one caller (one per thread of work). */
export interface NearestScratch {
  /** Marks of the queries left to the transform (box-sized, zeroed again before return). */
  marks: Uint8Array;
  /** The transform's float64 plane (box-sized). */
  squared: Float64Array;
  /** Its input, the inverted target (box-sized). */
  inverse: Uint8Array;
}

/**
 * For each non-zero element of `from` (row-major order), the spacing-weighted distance to the nearest non-zero
 * element of `to`; +Infinity for all when `to` is empty. Both are 0/1 planes of one box `shape`, whose outside
 * counts as empty. The values equal `edtAt(1 − to, …)` read at `from`.
 * @internal for surface.ts
 */
export function nearestDistances(
  from: Uint8Array,
  to: Uint8Array,
  shape: readonly number[],
  spacing: readonly number[],
  scratch: NearestScratch,
): Float64Array {
  let count = 0;
  let targets = 0;
  for (let i = 0; i < from.length; i++) {
    count += from[i];
    targets += to[i];
  }
  const out = new Float64Array(count);
  if (count === 0) return out;
  if (targets === 0) return out.fill(Infinity);
  const r = shape.length;
  const ball = ballFor(spacing);
  // Queries the ball does not settle: their place in `out` and their box index.
  const left: number[] = [];
  const leftAt: number[] = [];
  if (ball === null) {
    for (let i = 0, k = 0; i < from.length; i++)
      if (from[i] !== 0) {
        left.push(k++);
        leftAt.push(i);
      }
  } else {
    const hit = ballSearch(ball, shape);
    const c = new Int32Array(r);
    for (let i = 0, q = 0; i < from.length; i++) {
      if (from[i] !== 0) {
        const sq = hit(to, 1, i, c);
        if (sq >= 0) out[q] = Math.sqrt(sq);
        else {
          left.push(q);
          leftAt.push(i);
        }
        q++;
      }
      for (let a = r - 1; a >= 0; a--) {
        if (++c[a] < shape[a]) break;
        c[a] = 0;
      }
    }
  }
  if (left.length === 0) return out;
  // The rest: a scan of the target's edges when that is cheaper than one pass of the transform over the box.
  if (left.length * targets <= 4 * from.length) {
    const tc = coordinatesOf(to, shape, targets);
    const qc = coordinatesOf(from, shape, count);
    const diff = new Int32Array(r);
    for (let j = 0; j < left.length; j++) {
      const q = left[j];
      let best = Infinity;
      for (let t = 0; t < targets; t++) {
        for (let a = 0; a < r; a++) diff[a] = tc[t * r + a] - qc[q * r + a];
        const sq = squaredLength(diff, 0, spacing);
        if (sq < best) best = sq;
      }
      out[q] = Math.sqrt(best);
    }
    return out;
  }
  const { marks, squared, inverse } = scratch;
  for (let i = 0; i < to.length; i++) inverse[i] = to[i] ^ 1;
  for (const i of leftAt) marks[i] = 1;
  const values = new Float64Array(left.length);
  edtAt(inverse.subarray(0, to.length), shape, spacing, marks.subarray(0, to.length), squared, values);
  for (const i of leftAt) marks[i] = 0;
  // `edtAt` reads its marks in row-major order, the order `left` was filled in.
  for (let j = 0; j < left.length; j++) out[left[j]] = values[j];
  return out;
}
