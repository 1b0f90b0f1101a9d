import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundingBox, directedSurfaceDistances, surfaceDistances, surfaceEdges } from './surface.ts';

function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    c[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return c;
}

function indexOf(c: readonly number[], shape: readonly number[]): number {
  return c.reduce((acc, v, a) => acc * shape[a] + v, 0);
}

/** Edges by definition: foreground with a face neighbour that is background or outside the image. */
function bruteEdges(mask: readonly number[], shape: readonly number[]): number[] {
  return mask.map((m, i) => {
    if (!m) return 0;
    const c = coordsOf(i, shape);
    for (let a = 0; a < shape.length; a++) {
      for (const step of [-1, 1]) {
        const n = [...c];
        n[a] += step;
        if (n[a] < 0 || n[a] >= shape[a] || !mask[indexOf(n, shape)]) return 1;
      }
    }
    return 0;
  });
}

/** D(A→B) by brute force over all pairs of edge elements, in row-major order of A's edges. */
function bruteDirected(
  a: readonly number[],
  b: readonly number[],
  shape: readonly number[],
  spacing: readonly number[],
): number[] {
  const ea = bruteEdges(a, shape);
  const eb = bruteEdges(b, shape);
  const pb = eb.flatMap((e, i) => (e ? [coordsOf(i, shape)] : []));
  const out: number[] = [];
  ea.forEach((e, i) => {
    if (!e) return;
    const x = coordsOf(i, shape);
    let best = Infinity;
    for (const y of pb)
      best = Math.min(best, Math.sqrt(x.reduce((s, v, k) => s + (spacing[k] * (v - y[k])) ** 2, 0)));
    out.push(best);
  });
  return out;
}

const arbMaskPair = fc
  .tuple(
    fc.constantFrom<number[]>([1, 9], [12], [5, 6], [1, 7], [4, 3, 5], [3, 3, 3], [4, 3, 1], [2, 3, 2, 3]),
    fc.integer({ min: 50, max: 950 }),
  )
  .chain(([shape, density]) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const bits = fc.array(fc.integer({ min: 0, max: 999 }), { minLength: n, maxLength: n });
    return fc
      .tuple(
        bits,
        bits,
        fc.array(fc.double({ min: 0.25, max: 2.25, noNaN: true }), {
          minLength: shape.length,
          maxLength: shape.length,
        }),
      )
      .map(([u, v, spacing]) => ({
        shape,
        a: u.map((x) => (x < density ? 1 : 0)),
        b: v.map((x) => (x < density ? 1 : 0)),
        spacing,
      }));
  });

describe('surfaceEdges (MONAI get_mask_edges: cross erosion, image border = background)', () => {
  it('hand-derived 2-D and 1-D examples', () => {
    expect(Array.from(surfaceEdges([1, 1, 1, 1, 1, 1, 1, 1, 1], [3, 3]))).toEqual([
      1, 1, 1, 1, 0, 1, 1, 1, 1,
    ]);
    expect(Array.from(surfaceEdges([0, 1, 1, 1, 0], [5]))).toEqual([0, 1, 0, 1, 0]);
    // 5×5 filled 3×3 square: the ring is edge, the centre is interior.
    const sq = [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const ring = [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    expect(Array.from(surfaceEdges(sq, [5, 5]))).toEqual(ring);
  });

  it('an object touching the border has edges on the border; a size-1 axis makes every element an edge', () => {
    // 3×4, left two columns filled: column 0 is on the image border.
    expect(Array.from(surfaceEdges([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0], [3, 4]))).toEqual([
      1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0,
    ]);
    expect(Array.from(surfaceEdges([1, 1, 1, 1], [1, 4]))).toEqual([1, 1, 1, 1]);
  });

  it('diagonal neighbours do not count (cross, not box, connectivity)', () => {
    // 4×4 with a 2×2 hole-free block plus background only diagonal to (1,1)? Use a plus-shaped interior check.
    const m = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    // (3,3) is interior: its face neighbours (2,3),(4,3),(3,2),(3,4) are 1; (4,4) is a diagonal 0.
    expect(surfaceEdges(m, [5, 5])[3 * 5 + 3]).toBe(0);
  });

  it('equals the definition on random 1-D to 4-D masks (fast-check)', () => {
    fc.assert(
      fc.property(arbMaskPair, ({ shape, a }) => {
        const got = Array.from(surfaceEdges(a, shape));
        return got.every((v, i) => v === bruteEdges(a, shape)[i]);
      }),
    );
  });
});

describe('boundingBox', () => {
  it('covers the union of the masks, inclusive', () => {
    expect(boundingBox([[0, 0, 0, 1, 1, 0]], [2, 3])).toEqual({ lo: [1, 0], hi: [1, 1] });
    expect(
      boundingBox(
        [
          [0, 0, 0, 0, 1, 0],
          [1, 0, 0, 0, 0, 0],
        ],
        [2, 3],
      ),
    ).toEqual({ lo: [0, 0], hi: [1, 1] });
    expect(boundingBox([[0, 0, 0]], [3])).toBeNull();
  });
});

describe('surfaceDistances / directedSurfaceDistances', () => {
  it('hand-derived: identical masks give 0, a one-pixel shift gives 1', () => {
    const gt = [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0];
    const pred = [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0];
    const d = surfaceDistances(gt, pred, [3, 4]);
    expect(Array.from(d.predToGt)).toEqual([1, 1, 1]);
    expect(Array.from(d.gtToPred)).toEqual([1, 1, 1]);
    const same = surfaceDistances(gt, gt, [3, 4]);
    expect(Array.from(same.predToGt)).toEqual([0, 0, 0]);
    expect(Array.from(directedSurfaceDistances([0, 1, 1, 0, 0], [0, 0, 1, 1, 1], [5]))).toEqual([1, 0]);
  });

  it('spacing scales each axis (array-axis order)', () => {
    // Bars one row apart along axis 0 with spacing (2.5, 1): distance 2.5.
    const gt = [1, 1, 1, 0, 0, 0];
    const pred = [0, 0, 0, 1, 1, 1];
    expect(Array.from(surfaceDistances(gt, pred, [2, 3], { spacing: [2.5, 1] }).predToGt)).toEqual([
      2.5, 2.5, 2.5,
    ]);
  });

  it('empty source gives an empty set, empty target gives +Infinity, directions can be skipped', () => {
    expect(directedSurfaceDistances([0, 0, 0], [0, 1, 0], [3]).length).toBe(0);
    expect(Array.from(directedSurfaceDistances([0, 1, 0], [0, 0, 0], [3]))).toEqual([Infinity]);
    const d = surfaceDistances([0, 1, 0], [1, 0, 0], [3], { directions: 'gtToPred' });
    expect(d.predToGt.length).toBe(0);
    expect(Array.from(d.gtToPred)).toEqual([1]);
    expect(surfaceDistances([0, 0], [0, 0], [2]).predToGt.length).toBe(0);
  });

  it('equals the all-pairs brute force on random masks with random spacing (crop is exact)', () => {
    fc.assert(
      fc.property(arbMaskPair, ({ shape, a, b, spacing }) => {
        const d = surfaceDistances(a, b, shape, { spacing });
        const wantPG = bruteDirected(b, a, shape, spacing);
        const wantGP = bruteDirected(a, b, shape, spacing);
        const close = (x: ArrayLike<number>, y: number[]) =>
          x.length === y.length &&
          y.every((v, i) =>
            v === Infinity ? x[i] === Infinity : Math.abs(x[i] - v) <= 1e-12 * Math.max(1, v),
          );
        return close(d.predToGt, wantPG) && close(d.gtToPred, wantGP);
      }),
      { numRuns: 150 },
    );
  });

  it('validates lengths and spacing', () => {
    expect(() => surfaceDistances([0, 1], [0, 1, 0], [2])).toThrow(
      /shape \[2\] has 2 elements but the mask has 3/,
    );
    expect(() => surfaceDistances([0, 1], [0, 1], [2], { spacing: [1, 1] })).toThrow(/spacing has 2 entries/);
  });
});
