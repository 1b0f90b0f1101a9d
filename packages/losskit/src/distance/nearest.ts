/**
 * Directed nearest-edge distances by a local search, with a k-d tree only where the search is not enough.
 *
 * A surface distance asks, for each edge element of one mask, how far the nearest edge element of the other mask is.
 * In an evaluation the two masks mostly agree, so the answer is usually 0, 1 or √2 elements: a distance transform
 * of the box (three passes over every element of it) spends nearly all its work on elements nobody asks about. Here
 * each query first walks a small ball of offsets sorted by distance and stops at the first edge it meets; the
 * queries with no edge within the ball's radius ask a k-d tree over the target edges (kd-tree.ts). Both give the
 * distance of `edt`: the ball holds every offset no farther than its radius, so the first hit in distance order is
 * the nearest edge, and squared distances are summed axis by axis in the order and form the transform uses.
 */
import { stridesOf } from './edt.ts';
import { pointTree, type PointTree } from './kd-tree.ts';

/** The sorted offsets of one rank and spacing, searched before the fallback. */
interface Ball {
  /** Per offset, its step along each axis: `steps[k * rank + a]`. */
  readonly steps: Int8Array;
  /** Per offset, its squared length in spacing units, ascending. */
  readonly squared: Float64Array;
  /** Chebyshev radius: every offset has |step| ≤ radius on each axis. */
  readonly radius: number;
}

/** Largest ball searched: a miss walks all of it before the tree is asked. */
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
 * radius 1 would exceed {@link MAX_BALL} offsets (high rank), where only the k-d tree is used.
 */
function ballFor(spacing: readonly number[]): Ball | null {
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
 */
function ballSearch(
  ball: Ball,
  shape: readonly number[],
): (to: Lookup, value: number, i: number, c: Int32Array) => number {
  const r = shape.length;
  const n = ball.squared.length;
  const R = ball.radius;
  const { steps, squared } = ball;
  const strides = stridesOf(shape);
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

/**
 * The search over one array `shape`: `(from, to, value, targets)` gives, for each element index of `from`, the
 * distance to the nearest element of `to` equal to `value`, whose indices are `targets` (+Infinity for all when
 * there is none). Each query walks the ball first; the ones it does not settle ask a k-d tree over the targets,
 * and once most queries of a call have missed (two surfaces far apart), the rest go to the tree directly. Without a
 * ball (rank above 6) every query asks the tree.
 * @internal for label-surfaces.ts
 */
export function edgeSearch(
  shape: readonly number[],
  spacing: readonly number[],
): (from: Int32Array, to: Lookup, value: number, targets: Int32Array) => Float64Array {
  const r = shape.length;
  const ball = ballFor(spacing);
  const hit = ball && ballSearch(ball, shape);
  const strides = stridesOf(shape);
  const coordsOf = (i: number, into: Int32Array, at: number) => {
    for (let a = 0, rest = i; a < r; a++) {
      const x = Math.floor(rest / strides[a]);
      rest -= x * strides[a];
      into[at + a] = x;
    }
  };
  const c = new Int32Array(r);
  return (from, to, value, targets) => {
    const result = new Float64Array(from.length);
    if (from.length === 0) return result;
    if (targets.length === 0) return result.fill(Infinity);
    let tree: PointTree | undefined;
    const nearest = (): number => {
      if (!tree) {
        const points = new Int32Array(targets.length * r);
        targets.forEach((i, j) => {
          coordsOf(i, points, j * r);
        });
        tree = pointTree(points, r, spacing);
      }
      return tree.nearest(c);
    };
    let misses = 0;
    for (let q = 0; q < from.length; q++) {
      const i = from[q];
      coordsOf(i, c, 0);
      const sq = hit && !(q >= 64 && 2 * misses > q) ? hit(to, value, i, c) : -1;
      if (sq >= 0) result[q] = Math.sqrt(sq);
      else {
        misses++;
        result[q] = Math.sqrt(nearest());
      }
    }
    return result;
  };
}
