import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edt } from './edt.ts';
import { edgeSearch } from './nearest.ts';

const indicesOf = (m: Uint8Array) => Int32Array.from([...m.keys()].filter((i) => m[i] !== 0));

/** The search from every element of `from` to the elements of `to` (0/1 planes of one shape). */
function nearest(from: Uint8Array, to: Uint8Array, shape: number[], spacing: number[]): Float64Array {
  return edgeSearch(shape, spacing)(indicesOf(from), to, 1, indicesOf(to));
}

/** The transform's answer: the float64 EDT of the inverted target, read at the queries in row-major order. */
function byTransform(from: Uint8Array, to: Uint8Array, shape: number[], spacing: number[]): Float64Array {
  const d = edt(
    to.map((x) => x ^ 1),
    shape,
    { spacing, float64: true },
  );
  return Float64Array.from(indicesOf(from), (i) => d[i]);
}

/** Float64 oracle over all pairs, written from the definition (no shared code with nearest.ts). */
function byPairs(from: Uint8Array, to: Uint8Array, shape: number[], spacing: number[]): number[] {
  const coords = (i: number) => {
    const c: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) {
      c[a] = i % shape[a];
      i = Math.floor(i / shape[a]);
    }
    return c;
  };
  const targets = [...to.keys()].filter((i) => to[i]).map(coords);
  return [...from.keys()]
    .filter((i) => from[i])
    .map((i) => {
      const q = coords(i);
      return Math.min(
        ...targets.map((t) => Math.hypot(...t.map((x, a) => (x - q[a]) * spacing[a]))),
        Infinity,
      );
    });
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function check(from: Uint8Array, to: Uint8Array, shape: number[], spacing: number[]): void {
  const got = nearest(from, to, shape, spacing);
  expect(Array.from(got)).toEqual(Array.from(byTransform(from, to, shape, spacing)));
  const oracle = byPairs(from, to, shape, spacing);
  got.forEach((d, k) => {
    if (oracle[k] === Infinity) expect(d).toBe(Infinity);
    else expect(Math.abs(d - oracle[k])).toBeLessThanOrEqual(1e-12 * oracle[k]);
  });
}

describe('edgeSearch', () => {
  it('equals the transform and the all-pairs oracle on random sparse masks, ranks 1–4, any spacing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rank) =>
          fc.tuple(
            fc.array(fc.integer({ min: 1, max: rank === 1 ? 40 : rank === 2 ? 14 : 6 }), {
              minLength: rank,
              maxLength: rank,
            }),
            fc.array(fc.constantFrom(1, 0.5, 0.85, 1.2, 3), { minLength: rank, maxLength: rank }),
            fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            fc.constantFrom(0.02, 0.1, 0.4),
          ),
        ),
        ([shape, spacing, seed, density]) => {
          let s = seed;
          const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
          const n = size(shape);
          const from = Uint8Array.from({ length: n }, () => (rand() < density ? 1 : 0));
          const to = Uint8Array.from({ length: n }, () => (rand() < density ? 1 : 0));
          check(from, to, shape, spacing);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches every path: the ball, the k-d tree for a few or for most queries, and rank 7 (no ball)', () => {
    // Ball: overlapping shapes one element apart.
    const shape = [30, 30];
    const from = new Uint8Array(900);
    const to = new Uint8Array(900);
    for (let i = 5; i < 25; i++) {
      from[5 * 30 + i] = 1;
      to[6 * 30 + i] = 1;
    }
    check(from, to, shape, [1, 1]);
    // Tree after the ball: two far queries (10 and 20 elements away, beyond the ball's radius 4).
    const f2 = new Uint8Array(900);
    const t2 = new Uint8Array(900);
    f2[0] = 1;
    f2[29] = 1;
    t2[10 * 30 + 0] = 1;
    t2[20 * 30 + 29] = 1;
    check(f2, t2, shape, [1, 1]);
    // Tree alone: 90 far queries; after the first 64 have missed the ball, the rest skip it.
    const f3 = new Uint8Array(900);
    const t3 = new Uint8Array(900);
    for (let i = 0; i < 30; i++) {
      f3[i] = 1;
      f3[30 + i] = 1;
      f3[60 + i] = 1;
      t3[25 * 30 + i] = 1;
      t3[29 * 30 + i] = 1;
    }
    for (let j = 0; j < 30; j++) t3[27 * 30 + j] = j % 2;
    check(f3, t3, shape, [0.7, 1.3]);
    // Rank 7: (2·1 + 1)⁷ offsets exceed the ball's budget, so every query goes to the tree.
    const s7 = [2, 2, 2, 2, 2, 3, 3];
    const n7 = size(s7);
    const f7 = Uint8Array.from({ length: n7 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const t7 = Uint8Array.from({ length: n7 }, (_, i) => (i % 7 === 3 ? 1 : 0));
    check(f7, t7, s7, [1, 2, 1, 1, 0.5, 1, 1]);
  });

  it('gives +Infinity for every query when the target is empty, and nothing for no query', () => {
    const from = Uint8Array.from([0, 1, 1, 0]);
    expect(Array.from(nearest(from, new Uint8Array(4), [2, 2], [1, 1]))).toEqual([Infinity, Infinity]);
    expect(nearest(new Uint8Array(4), from, [2, 2], [1, 1]).length).toBe(0);
  });
});
