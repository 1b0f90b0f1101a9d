import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flat, goldenCases, shapeOf } from '../../test/helpers/golden.ts';
import { edt } from './edt.ts';
import { resolveConvention, signedDistance } from './signed-distance.ts';

describe('signedDistance: golden cases (test/golden/segmentation-distance.json)', () => {
  const cases = goldenCases('distance').filter((c) => c.kind === 'edt' && c.name === 'signed_distance');
  it('has the signed_distance cases', () => {
    expect(cases.length).toBe(6);
  });
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const options = {
      ...(c.options as { convention: string; insideOffset?: number }),
      ...(c.spacing ? { spacing: c.spacing } : {}),
    };
    const got = signedDistance(flat(c.mask!), shapeOf(c.mask!), options);
    const want = flat(c.expected);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => {
      if (!Number.isFinite(w)) expect(got[i], `[${i}]`).toBe(w);
      else
        expect(Math.abs(got[i] - w), `[${i}] got ${got[i]} want ${w}`).toBeLessThanOrEqual(
          c.tol * Math.max(1, Math.abs(w)),
        );
    });
  });
});

describe('signedDistance: conventions (segmentation-distance.md §1 table)', () => {
  const mask = [0, 1, 1, 1, 0];

  it('1-D values, hand-derived', () => {
    expect(Array.from(signedDistance(mask, [5], { convention: 'outside_positive' }))).toEqual([
      1, -1, -2, -1, 1,
    ]);
    expect(Array.from(signedDistance(mask, [5], { convention: 'inside_positive' }))).toEqual([
      -1, 1, 2, 1, -1,
    ]);
    expect(Array.from(signedDistance(mask, [5], { convention: 'boundary_loss' }))).toEqual([1, 0, -1, 0, 1]);
    expect(Array.from(signedDistance(mask, [5], { convention: 'boundary_loss', insideOffset: 0 }))).toEqual([
      1, -1, -2, -1, 1,
    ]);
  });

  it('the LIVIAETS offset is not scaled by spacing: spacing 0.5 puts +0.5 on the inner boundary', () => {
    const out = signedDistance(mask, [5], { convention: 'boundary_loss', spacing: [0.5] });
    expect(Array.from(out)).toEqual([0.5, 0.5, 0, 0.5, 0.5]);
  });

  it('accepts any spelling of the convention', () => {
    for (const spelling of ['outsidePositive', 'OUTSIDE-POSITIVE', 'outside positive', 'Outside_Positive']) {
      expect(resolveConvention(spelling)).toBe('outside_positive');
    }
    expect(resolveConvention('insidePositive')).toBe('inside_positive');
    expect(resolveConvention('BoundaryLoss')).toBe('boundary_loss');
  });

  it('degenerate masks: ±Infinity for the geometric conventions, 0 for boundary_loss', () => {
    const zeros = [0, 0, 0, 0];
    const ones = [1, 1, 1, 1];
    expect(Array.from(signedDistance(zeros, [2, 2], { convention: 'outside_positive' }))).toEqual(
      Array(4).fill(Infinity),
    );
    expect(Array.from(signedDistance(ones, [2, 2], { convention: 'outside_positive' }))).toEqual(
      Array(4).fill(-Infinity),
    );
    expect(Array.from(signedDistance(zeros, [2, 2], { convention: 'inside_positive' }))).toEqual(
      Array(4).fill(-Infinity),
    );
    expect(Array.from(signedDistance(ones, [2, 2], { convention: 'inside_positive' }))).toEqual(
      Array(4).fill(Infinity),
    );
    expect(Array.from(signedDistance(zeros, [2, 2], { convention: 'boundary_loss' }))).toEqual(
      Array(4).fill(0),
    );
    expect(Array.from(signedDistance(ones, [2, 2], { convention: 'boundary_loss' }))).toEqual(
      Array(4).fill(0),
    );
  });

  it('float64 option returns a Float64Array, default Float32Array', () => {
    expect(signedDistance(mask, [5], { convention: 'outside_positive', float64: true })).toBeInstanceOf(
      Float64Array,
    );
    expect(signedDistance(mask, [5], { convention: 'outside_positive' })).toBeInstanceOf(Float32Array);
  });

  it('rejects unknown conventions and misplaced offsets, naming the allowed set', () => {
    expect(() => signedDistance(mask, [5], { convention: 'outward' })).toThrow(
      /unknown convention "outward"; expected one of 'outside_positive', 'inside_positive', 'boundary_loss'/,
    );
    expect(() => signedDistance(mask, [5], { convention: 'inside_positive', insideOffset: 1 })).toThrow(
      /insideOffset applies only to convention 'boundary_loss'/,
    );
    expect(() => signedDistance(mask, [5], { convention: 'boundary_loss', insideOffset: NaN })).toThrow(
      /finite/,
    );
    expect(() => signedDistance(mask, [5], { convention: 'boundary_loss', spacing: [1, 1] })).toThrow(
      'signedDistance: spacing has 2 entries but shape [5] has 1 axes',
    );
  });
});

describe('signedDistance: properties on random 2-D/3-D masks (fast-check)', () => {
  const arb = fc
    .tuple(
      fc.constantFrom<number[]>([6, 7], [9, 4], [4, 5, 3], [3, 3, 3]),
      fc.double({ min: 0.2, max: 3, noNaN: true }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    )
    .map(([shape, s, seed]) => {
      let x = seed;
      const n = shape.reduce((a, b) => a * b, 1);
      const mask = Array.from({ length: n }, () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) % 3 === 0 ? 0 : 1;
      });
      mask[0] = 0;
      mask[n - 1] = 1;
      return { shape, spacing: shape.map((_, a) => (a === 0 ? s : 1)), mask };
    });

  it('changes sign exactly at the boundary: outside_positive > 0 off the mask, < 0 on it', () => {
    fc.assert(
      fc.property(arb, ({ shape, spacing, mask }) => {
        const d = signedDistance(mask, shape, { convention: 'outside_positive', spacing, float64: true });
        return mask.every((m, i) => (m ? d[i] < 0 : d[i] > 0));
      }),
    );
  });

  it('inside_positive is the negation of outside_positive; both are ±edt of the two sides', () => {
    fc.assert(
      fc.property(arb, ({ shape, spacing, mask }) => {
        const o = signedDistance(mask, shape, { convention: 'outside_positive', spacing, float64: true });
        const p = signedDistance(mask, shape, { convention: 'inside_positive', spacing, float64: true });
        const inside = edt(mask, shape, { spacing, float64: true });
        const outside = edt(
          mask.map((m) => 1 - m),
          shape,
          { spacing, float64: true },
        );
        return mask.every((m, i) => p[i] === -o[i] && (m ? o[i] === -inside[i] : o[i] === outside[i]));
      }),
    );
  });

  it('boundary_loss equals outside_positive plus insideOffset inside the mask', () => {
    fc.assert(
      fc.property(arb, fc.double({ min: -2, max: 2, noNaN: true }), ({ shape, spacing, mask }, offset) => {
        const o = signedDistance(mask, shape, { convention: 'outside_positive', spacing, float64: true });
        const b = signedDistance(mask, shape, {
          convention: 'boundary_loss',
          insideOffset: offset,
          spacing,
          float64: true,
        });
        return mask.every(
          (m, i) => Math.abs(b[i] - (m ? o[i] + offset : o[i])) <= 1e-12 * Math.max(1, Math.abs(o[i])),
        );
      }),
    );
  });
});
