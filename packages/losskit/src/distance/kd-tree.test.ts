import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointTree } from './kd-tree.ts';

describe('pointTree', () => {
  it('finds the exact nearest squared distance: a scan of all points, ranks 1–4, any spacing, duplicates', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((r) =>
          fc.tuple(
            fc.constant(r),
            fc.array(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: r, maxLength: r }), {
              minLength: 1,
              maxLength: 120,
            }),
            fc.array(fc.array(fc.integer({ min: -30, max: 30 }), { minLength: r, maxLength: r }), {
              minLength: 1,
              maxLength: 20,
            }),
            fc.array(fc.constantFrom(1, 0.7, 1.3, 2.5), { minLength: r, maxLength: r }),
          ),
        ),
        ([r, points, queries, spacing]) => {
          const tree = pointTree(Int32Array.from(points.flat()), r, spacing);
          for (const q of queries) {
            // The oracle: every point, the squared length written out from the definition.
            const want = Math.min(
              ...points.map((p) => p.reduce((s, x, a) => s + ((x - q[a]) * spacing[a]) ** 2, 0)),
            );
            const got = tree.nearest(Int32Array.from(q));
            expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * (1 + want));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers Infinity with no points, and 0 for a query on a point', () => {
    expect(pointTree(new Int32Array(0), 3, [1, 1, 1]).nearest(Int32Array.from([1, 2, 3]))).toBe(Infinity);
    const tree = pointTree(Int32Array.from([0, 0, 5, 5, 9, 1]), 2, [1, 1]);
    expect(tree.nearest(Int32Array.from([5, 5]))).toBe(0);
    expect(tree.nearest(Int32Array.from([8, 3]))).toBe(5);
  });
});
