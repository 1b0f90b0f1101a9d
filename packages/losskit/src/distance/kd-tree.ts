/**
 * Exact nearest-point queries among integer grid points, for the surface-distance queries that the local ball
 * search cannot settle (edges farther apart than its radius): a k-d tree over one label's target edges.
 *
 * Distances are squared lengths in spacing units summed as the transform sums them (`squaredLength` of
 * nearest.ts), and a subtree is skipped only when the part of the distance along its splitting axis alone, computed
 * in the same form, exceeds the best found: rounding is monotonic, so no point it holds could be closer. The result
 * is the exact minimum, the value the scan over all points gives.
 */

/** Points per leaf: below this a scan is cheaper than splitting further. */
const LEAF = 8;

/**
 * Reorders `order[lo..hi)` so that the point at `mid` has the coordinate it would have sorted along `axis`, with
 * none greater before it and none smaller after it: Hoare's selection with a three-way partition (edges share
 * coordinates by the hundred), O(n) per level.
 */
function select(
  order: Int32Array,
  coords: Int32Array,
  r: number,
  axis: number,
  lo: number,
  hi: number,
  mid: number,
): void {
  const at = (j: number) => coords[order[j] * r + axis];
  const swap = (i: number, j: number) => {
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  };
  let left = lo;
  let right = hi;
  while (right - left > 1) {
    const pivot = at((left + right) >> 1);
    // [left, lt) < pivot, [lt, i) = pivot, (gt, right) > pivot.
    let lt = left;
    let gt = right - 1;
    let i = left;
    while (i <= gt) {
      const x = at(i);
      if (x < pivot) swap(i++, lt++);
      else if (x > pivot) swap(i, gt--);
      else i++;
    }
    if (mid < lt) right = lt;
    else if (mid > gt) left = gt + 1;
    else return;
  }
}

/** A k-d tree over `count` points of rank `r` (`coords[j * r + a]`); `nearest` gives the squared distance. */
export interface PointTree {
  nearest(query: Int32Array): number;
}

/**
 * Builds the tree: each node splits its points at the median along the axis of largest extent (in spacing units),
 * left holding the points up to the median's coordinate, right those from it.
 */
export function pointTree(coords: Int32Array, r: number, spacing: readonly number[]): PointTree {
  const count = coords.length / r;
  const order = Int32Array.from({ length: count }, (_, j) => j);
  // Node k: points order[lo[k] .. hi[k]), children 2k + 1 and 2k + 2 split on axis[k] at value split[k].
  const nodes: { lo: number; hi: number; axis: number; split: number; left: number; right: number }[] = [];
  const build = (lo: number, hi: number): number => {
    const id = nodes.length;
    nodes.push({ lo, hi, axis: -1, split: 0, left: -1, right: -1 });
    if (hi - lo <= LEAF) return id;
    let axis = 0;
    let widest = -1;
    for (let a = 0; a < r; a++) {
      let min = Infinity;
      let max = -Infinity;
      for (let j = lo; j < hi; j++) {
        const x = coords[order[j] * r + a];
        if (x < min) min = x;
        if (x > max) max = x;
      }
      const width = (max - min) * spacing[a];
      if (width > widest) {
        widest = width;
        axis = a;
      }
    }
    if (widest === 0) return id; // every point at one position
    const mid = (lo + hi) >> 1;
    select(order, coords, r, axis, lo, hi, mid);
    const node = nodes[id];
    node.axis = axis;
    node.split = coords[order[mid] * r + axis];
    node.left = build(lo, mid);
    node.right = build(mid, hi);
    return id;
  };
  build(0, count);
  const axisOf = Int32Array.from(nodes, (n) => n.axis);
  const splitOf = Int32Array.from(nodes, (n) => n.split);
  const leftOf = Int32Array.from(nodes, (n) => n.left);
  const rightOf = Int32Array.from(nodes, (n) => n.right);
  const loOf = Int32Array.from(nodes, (n) => n.lo);
  const hiOf = Int32Array.from(nodes, (n) => n.hi);
  // Per axis, the squared length of a step d along it alone, in the form `squaredLength` sums it.
  const w = spacing.map((s, a) => (a === 0 ? s : s * s));
  const along = (a: number, d: number): number => (a === 0 ? d * w[0] * (d * w[0]) : w[a] * d * d);
  const s0 = spacing[0];
  // Nodes still to visit, each with the squared distance below which its subtree may hold a closer point.
  const stack = new Int32Array(2 * nodes.length + 2);
  const bound = new Float64Array(2 * nodes.length + 2);
  return {
    nearest(q: Int32Array): number {
      let best = Infinity;
      if (count === 0) return best;
      let top = 0;
      stack[0] = 0;
      bound[0] = 0;
      while (top >= 0) {
        const id = stack[top];
        const lowest = bound[top--];
        if (lowest > best) continue;
        const axis = axisOf[id];
        if (axis < 0) {
          for (let j = loOf[id]; j < hiOf[id]; j++) {
            // squaredLength of the difference, written out: the same products and sums in the same order.
            const p = order[j] * r;
            const d0 = (coords[p] - q[0]) * s0;
            let sq = d0 * d0;
            for (let a = 1; a < r; a++) {
              const o = coords[p + a] - q[a];
              sq = w[a] * o * o + sq;
            }
            if (sq < best) best = sq;
          }
          continue;
        }
        const d = q[axis] - splitOf[id];
        // Left points have coordinates ≤ split, right points ≥ split along the axis: the far side is at least
        // |d| away along it. It goes on the stack first, so the near side is searched first.
        stack[++top] = d < 0 ? rightOf[id] : leftOf[id];
        bound[top] = along(axis, d);
        stack[++top] = d < 0 ? leftOf[id] : rightOf[id];
        bound[top] = lowest;
      }
      return best;
    },
  };
}
