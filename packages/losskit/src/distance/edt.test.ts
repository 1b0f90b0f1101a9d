import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectGolden, flat, goldenCases, shapeOf } from '../../test/helpers/golden.ts';
import { edt } from './edt.ts';

/** O(N²) reference: for every element, the minimum over all background elements of Σ s_k²Δ_k². */
function bruteSquaredEdt(
  mask: ArrayLike<number>,
  shape: readonly number[],
  spacing: readonly number[],
): number[] {
  const N = mask.length;
  const coords = Array.from({ length: N }, (_, i) => {
    const c = new Array<number>(shape.length);
    let rem = i;
    for (let a = shape.length - 1; a >= 0; a--) {
      c[a] = rem % shape[a];
      rem = Math.floor(rem / shape[a]);
    }
    return c;
  });
  const bg = coords.filter((_, i) => mask[i] === 0);
  return coords.map((x, i) => {
    if (mask[i] === 0) return 0;
    let best = Infinity;
    for (const y of bg) {
      let d = 0;
      for (let a = 0; a < shape.length; a++) d += (spacing[a] * (x[a] - y[a])) ** 2;
      if (d < best) best = d;
    }
    return best;
  });
}

describe('edt: golden cases (test/golden/segmentation-distance.json, scipy distance_transform_edt)', () => {
  const cases = goldenCases('distance').filter((c) => c.kind === 'edt' && c.name === 'edt');
  it('has the edt cases', () => {
    expect(cases.length).toBe(17);
  });
  for (const float64 of [false, true]) {
    it.each(cases.map((c) => [c.id, c] as const))(`%s (${float64 ? 'float64' : 'float32'})`, (_id, c) => {
      const options = {
        ...(c.spacing ? { spacing: c.spacing } : {}),
        squared: c.options.squared === true,
        float64,
      };
      const out = edt(flat(c.mask!), shapeOf(c.mask!), options);
      expect(out).toBeInstanceOf(float64 ? Float64Array : Float32Array);
      expectGolden(out, flat(c.expected), c.tol, c.id);
    });
  }
});

describe('edt: hand-derived values', () => {
  it('1-D distances to the nearest zero, in index units and with spacing', () => {
    expect(Array.from(edt([0, 1, 1, 1, 0, 1, 1], [7]))).toEqual([0, 1, 2, 1, 0, 1, 2]);
    expect(Array.from(edt([1, 1, 0], [3], { spacing: [0.5], float64: true }))).toEqual([1, 0.5, 0]);
  });

  it('2-D: a single background pixel in the corner of a 3×4 image gives sqrt(i² + j²)', () => {
    const mask = new Array<number>(12).fill(1);
    mask[0] = 0;
    const out = edt(mask, [3, 4], { float64: true });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) expect(out[i * 4 + j]).toBe(Math.sqrt(i * i + j * j));
  });

  it('all foreground is +Infinity in every rank (not scipy phantom-index garbage); all background is 0', () => {
    for (const shape of [[5], [3, 4], [2, 3, 2], [2, 2, 2, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      expect(Array.from(edt(new Array<number>(n).fill(1), shape))).toEqual(
        new Array<number>(n).fill(Infinity),
      );
      expect(Array.from(edt(new Uint8Array(n), shape))).toEqual(new Array<number>(n).fill(0));
    }
  });

  it('lines without background on some axes stay finite through the other axes (no inf − inf)', () => {
    // Column 0 of a 4×3 image is background only in row 3: rows 0–2 have no zero along axis 1 except via axis 0.
    const mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1];
    const out = edt(mask, [4, 3], { float64: true });
    const want = bruteSquaredEdt(mask, [4, 3], [1, 1]).map(Math.sqrt);
    expect(Array.from(out)).toEqual(want);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('treats every non-zero value (negative, fractional, NaN) as foreground, as scipy does', () => {
    expect(Array.from(edt([0, -2, 0.25, NaN, 0], [5]))).toEqual([0, 1, 2, 1, 0]);
  });

  it('accepts plain arrays, Uint8Array and Float32Array masks alike', () => {
    const m = [0, 1, 1, 1, 1, 0, 1, 1, 1];
    const want = Array.from(edt(m, [3, 3]));
    expect(Array.from(edt(Uint8Array.from(m), [3, 3]))).toEqual(want);
    expect(Array.from(edt(Float32Array.from(m), [3, 3]))).toEqual(want);
  });

  it('rank 0 and empty shapes', () => {
    expect(Array.from(edt([1], []))).toEqual([Infinity]);
    expect(Array.from(edt([0], []))).toEqual([0]);
    expect(edt([], [0, 3]).length).toBe(0);
  });

  it('squared returns d² (also in 1-D), float64 returns a Float64Array', () => {
    expect(Array.from(edt([0, 1, 1, 1], [4], { squared: true }))).toEqual([0, 1, 4, 9]);
    expect(Array.from(edt([0, 1, 1], [3], { spacing: [3], squared: true }))).toEqual([0, 9, 36]);
    expect(edt([0, 1], [2], { float64: true })).toBeInstanceOf(Float64Array);
    expect(edt([0, 1], [2])).toBeInstanceOf(Float32Array);
  });

  it('writes into `out` and takes its precision', () => {
    const out = new Float64Array(3);
    const r = edt([1, 0, 1], [3], { out });
    expect(r).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 1]);
  });

  it('float32 squared output equals float64 on unit spacing (integer squared distances are exact in float32)', () => {
    const mask = Array.from({ length: 20 * 30 }, (_, i) => ((i * 7919) % 13 < 10 ? 1 : 0));
    const f64 = edt(mask, [20, 30], { float64: true, squared: true });
    const f32 = edt(mask, [20, 30], { squared: true });
    expect(Array.from(f32)).toEqual(Array.from(f64));
  });
});

describe('edt: validation', () => {
  it('names the mismatch', () => {
    expect(() => edt(new Uint8Array(64), [4, 4, 4], { spacing: [1, 1] })).toThrow(
      'edt: spacing has 2 entries but shape [4,4,4] has 3 axes',
    );
    expect(() => edt(new Uint8Array(10), [3, 3])).toThrow(
      'edt: shape [3,3] has 9 elements but the mask has 10',
    );
    expect(() => edt(new Uint8Array(4), [2, 2], { spacing: [1, 0] })).toThrow(/spacing\[1\] is 0/);
    expect(() => edt(new Uint8Array(4), [2, 2], { spacing: [1, -1] })).toThrow(/spacing\[1\] is -1/);
    expect(() => edt(new Uint8Array(4), [2, 2], { spacing: [Infinity, 1] })).toThrow(
      /spacing\[0\] is Infinity/,
    );
    expect(() => edt(new Uint8Array(4), [2, 2], { spacing: [NaN, 1] })).toThrow(/finite number > 0/);
    expect(() => edt(new Uint8Array(4), [2, 2.5])).toThrow(/non-negative integers/);
    expect(() => edt(new Uint8Array(4), [2, 2], { out: new Float32Array(3) })).toThrow(/out has 3 elements/);
    const same = new Float32Array(4);
    expect(() => edt(same, [2, 2], { out: same })).toThrow(/must not be the mask/);
  });
});

describe('edt: equals the O(N²) brute force on random masks, 1-D to 4-D, random spacing (fast-check)', () => {
  const maxSide = [0, 40, 12, 7, 5];
  // Per-element uniform integers thresholded by a density: fast-check biases `density` towards its bounds, so
  // all-background and all-foreground masks come up often, next to mixed ones.
  const arbCase = fc.integer({ min: 1, max: 4 }).chain((rank) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 1, max: maxSide[rank] }), { minLength: rank, maxLength: rank }),
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: rank, maxLength: rank }),
        fc.integer({ min: 0, max: 1000 }),
      )
      .chain(([shape, spacing, density]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc
          .array(fc.integer({ min: 0, max: 999 }), { minLength: n, maxLength: n })
          .map((u) => ({ shape, spacing, mask: u.map((v) => (v < density ? 1 : 0)) }));
      }),
  );

  it('float64: relative error ≤ 1e-12 (and identical infinities)', () => {
    fc.assert(
      fc.property(arbCase, ({ shape, spacing, mask }) => {
        const want = bruteSquaredEdt(mask, shape, spacing);
        const sq = edt(mask, shape, { spacing, squared: true, float64: true });
        const d = edt(mask, shape, { spacing, float64: true });
        for (let i = 0; i < want.length; i++) {
          if (want[i] === Infinity) {
            if (sq[i] !== Infinity || d[i] !== Infinity) return false;
          } else if (Math.abs(sq[i] - want[i]) > 1e-12 * Math.max(1, want[i])) return false;
          else if (Math.abs(d[i] - Math.sqrt(want[i])) > 1e-12 * Math.max(1, Math.sqrt(want[i])))
            return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('float32 (default): relative error ≤ 1e-6', () => {
    fc.assert(
      fc.property(arbCase, ({ shape, spacing, mask }) => {
        const want = bruteSquaredEdt(mask, shape, spacing).map(Math.sqrt);
        const d = edt(mask, shape, { spacing });
        return want.every((w, i) =>
          w === Infinity ? d[i] === Infinity : Math.abs(d[i] - w) <= 1e-6 * Math.max(1, w),
        );
      }),
      { numRuns: 200 },
    );
  });
});
