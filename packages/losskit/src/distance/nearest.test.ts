import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edtAt } from './edt.ts';
import { nearestDistances } from './nearest.ts';

function scratchFor(size: number) {
  return { marks: new Uint8Array(size), squared: new Float64Array(size), inverse: new Uint8Array(size) };
}

/** The transform's answer: the EDT of the inverted target read at the queries (what surface.ts used before). */
function byTransform(from: Uint8Array, to: Uint8Array, shape: number[], spacing: number[]): Float64Array {
  const count = from.reduce((s, x) => s + x, 0);
  const out = new Float64Array(count);
  if (count === 0) return out;
  edtAt(
    to.map((x) => x ^ 1),
    shape,
    spacing,
    from,
    new Float64Array(from.length),
    out,
  );
  return out;
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
  const got = nearestDistances(from, to, shape, spacing, scratchFor(from.length));
  expect(Array.from(got)).toEqual(Array.from(byTransform(from, to, shape, spacing)));
  const oracle = byPairs(from, to, shape, spacing);
  got.forEach((d, k) => {
    if (oracle[k] === Infinity) expect(d).toBe(Infinity);
    else expect(Math.abs(d - oracle[k])).toBeLessThanOrEqual(1e-12 * oracle[k]);
  });
}

describe('nearestDistances', () => {
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

  it('reaches every path: the ball, the scan of the target edges, the transform, and rank 7 (no ball)', () => {
    // Ball: overlapping shapes one element apart.
    const shape = [30, 30];
    const from = new Uint8Array(900);
    const to = new Uint8Array(900);
    for (let i = 5; i < 25; i++) {
      from[5 * 30 + i] = 1;
      to[6 * 30 + i] = 1;
    }
    check(from, to, shape, [1, 1]);
    // Scan: two far queries (10 and 20 elements away, beyond the ball's radius 4) and a small target.
    const f2 = new Uint8Array(900);
    const t2 = new Uint8Array(900);
    f2[0] = 1;
    f2[29] = 1;
    t2[10 * 30 + 0] = 1;
    t2[20 * 30 + 29] = 1;
    check(f2, t2, shape, [1, 1]);
    // Transform: many far queries against a large target (queries × targets > 4 × box size).
    const f3 = new Uint8Array(900);
    const t3 = new Uint8Array(900);
    for (let i = 0; i < 30; i++) {
      f3[i] = 1;
      f3[30 + i] = 1;
      t3[25 * 30 + i] = 1;
      t3[29 * 30 + i] = 1;
    }
    for (let j = 0; j < 30; j++) t3[27 * 30 + j] = j % 2;
    check(f3, t3, shape, [0.7, 1.3]);
    // Rank 7: (2·1 + 1)⁷ offsets exceed the ball's budget, so every query goes to the fallbacks.
    const s7 = [2, 2, 2, 2, 2, 3, 3];
    const n7 = size(s7);
    const f7 = Uint8Array.from({ length: n7 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const t7 = Uint8Array.from({ length: n7 }, (_, i) => (i % 7 === 3 ? 1 : 0));
    check(f7, t7, s7, [1, 2, 1, 1, 0.5, 1, 1]);
  });

  it('gives +Infinity for every query when the target is empty, and nothing for no query', () => {
    const from = Uint8Array.from([0, 1, 1, 0]);
    expect(Array.from(nearestDistances(from, new Uint8Array(4), [2, 2], [1, 1], scratchFor(4)))).toEqual([
      Infinity,
      Infinity,
    ]);
    expect(nearestDistances(new Uint8Array(4), from, [2, 2], [1, 1], scratchFor(4)).length).toBe(0);
  });

  it('leaves the scratch marks zeroed for the next call', () => {
    const scratch = scratchFor(900);
    const f = new Uint8Array(900);
    const t = new Uint8Array(900);
    for (let i = 0; i < 30; i++) {
      f[i] = 1;
      t[29 * 30 + i] = 1;
      t[28 * 30 + i] = 1;
    }
    nearestDistances(f, t, [30, 30], [1, 1], scratch);
    expect(scratch.marks.every((m) => m === 0)).toBe(true);
  });
});
