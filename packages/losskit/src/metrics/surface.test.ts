import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { BACKENDS, useBackend } from '../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../test/helpers/assert.ts';
import {
  caseOptions,
  distanceCases,
  flat,
  randomMasks,
  shapeOf,
} from '../../test/helpers/distance-golden.ts';
import { surfaceMetric64, type SurfaceOptions64 } from '../../test/reference/distance-metrics.ts';
import { averageSurfaceDistance, hausdorffDistance, surfaceDice, surfaceMetrics } from './surface.ts';

const METRICS = {
  hausdorff_distance: ['hd', hausdorffDistance],
  average_surface_distance: ['asd', averageSurfaceDistance],
  surface_dice: ['nsd', surfaceDice],
} as const;
type Name = keyof typeof METRICS;

function run(name: Name, yt: readonly number[], yp: readonly number[], shape: number[], o: object = {}) {
  const a = tf.tensor(yt, shape);
  const b = tf.tensor(yp, shape);
  const out = (METRICS[name][1] as (x: tf.Tensor, y: tf.Tensor, o: object) => tf.Tensor)(a, b, o);
  const res = { shape: out.shape, dtype: out.dtype, values: Array.from(take(out)) };
  tf.dispose([a, b]);
  return res;
}

/** A 1×8×8 square, and the same square shifted or cut. */
function square(r0: number, c0: number, h: number, w: number, H = 8, W = 8): number[] {
  return Array.from({ length: H * W }, (_, i) => {
    const r = Math.floor(i / W);
    const c = i % W;
    return r >= r0 && r < r0 + h && c >= c0 && c < c0 + w ? 1 : 0;
  });
}

describe('the float64 metric oracle', () => {
  for (const name of Object.keys(METRICS) as Name[]) {
    it.each(distanceCases(name).map((c) => [c.id, c] as const))(`reproduces golden %s`, (_id, c) => {
      const got = surfaceMetric64(
        METRICS[name][0],
        flat(c.y_true!),
        flat(c.y_pred!),
        shapeOf(c.y_true!),
        caseOptions(c),
      );
      expectAllClose(got, flat(c.expected), { rtol: 1e-12, atol: 1e-12 });
    });
  }
});

describe.each(BACKENDS)('surface metrics on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const name of Object.keys(METRICS) as Name[]) {
    it.each(distanceCases(name).map((c) => [c.id, c] as const))(`${name}: golden %s`, (_id, c) => {
      const got = run(name, flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), caseOptions(c));
      expect(got.shape).toEqual(shapeOf(c.expected));
      expectAllClose(got.values, flat(c.expected), { rtol: c.tol, atol: c.tol });
    });
  }

  it('match hand-derived values on squares', () => {
    const s = [1, 8, 8, 1];
    const a = square(2, 2, 4, 4);
    // Identical masks: every distance 0; surface Dice 1.
    expect(run('hausdorff_distance', a, a, s).values).toEqual([0]);
    expect(run('average_surface_distance', a, a, s, { symmetric: true }).values).toEqual([0]);
    expect(run('surface_dice', a, a, s, { tolerance: 0 }).values).toEqual([1]);
    // Shift by one column: every edge pixel of one square is at most 1 from the other's edge → HD 1.
    const b = square(2, 3, 4, 4);
    expectAllClose(run('hausdorff_distance', b, a, s).values, [1]);
    // Spacing [1, 2] doubles distances along columns: HD 2.
    expectAllClose(run('hausdorff_distance', b, a, s, { spacing: [1, 2] }).values, [2]);
    // A 4×4 square inside a 6×6 one (1-pixel margin). Prediction inner, truth outer: every inner edge pixel is 1
    // from the outer edge (directed HD 1). Prediction outer, truth inner: the outer corners are √2 from the inner
    // corners (directed HD √2). Symmetric: √2 either way.
    const outer = square(1, 1, 6, 6);
    expectAllClose(run('hausdorff_distance', outer, a, s, { directed: true }).values, [1]);
    expectAllClose(run('hausdorff_distance', a, outer, s, { directed: true }).values, [Math.SQRT2]);
    expectAllClose(run('hausdorff_distance', a, outer, s).values, [Math.SQRT2]);
    // Directed ASD (MONAI default), prediction inner → truth outer: all 12 inner edge pixels are 1 away → 1.
    expectAllClose(run('average_surface_distance', outer, a, s).values, [1]);
    // Prediction outer → truth inner: 16 non-corner edge pixels at 1, 4 corners at √2 → (16 + 4√2)/20.
    expectAllClose(run('average_surface_distance', a, outer, s).values, [(16 + 4 * Math.SQRT2) / 20], {
      rtol: 1e-6,
    });
    // Symmetric, pooled (MONAI): (12·1 + 16 + 4√2)/32; medpy 0.4: the mean of the two means.
    expectAllClose(
      run('average_surface_distance', outer, a, s, { symmetric: true }).values,
      [(28 + 4 * Math.SQRT2) / 32],
      {
        rtol: 1e-6,
      },
    );
    expectAllClose(
      run('average_surface_distance', outer, a, s, { symmetric: true, convention: 'medpy_0.4' }).values,
      [(1 + (16 + 4 * Math.SQRT2) / 20) / 2],
      { rtol: 1e-6 },
    );
    // Surface Dice with τ = 1: the 4 outer corners (√2 > 1) miss → (12 + 16)/32; τ = 1.5: all → 1; τ = 0.5: 0.
    expectAllClose(run('surface_dice', outer, a, s, { tolerance: 1 }).values, [28 / 32]);
    expectAllClose(run('surface_dice', outer, a, s, { tolerance: 1.5 }).values, [1]);
    expectAllClose(run('surface_dice', outer, a, s, { tolerance: 0.5 }).values, [0]);
  });

  it('binarise strictly at 0.5: p = 0.5 is background', () => {
    const s = [1, 8, 8, 1];
    const a = square(2, 2, 4, 4);
    // The same square at 0.5 is empty (pred empty → +Infinity); at 0.51 it is the square (HD 0).
    expect(
      run(
        'hausdorff_distance',
        a,
        a.map((v) => v * 0.5),
        s,
      ).values,
    ).toEqual([Infinity]);
    expect(
      run(
        'hausdorff_distance',
        a,
        a.map((v) => v * 0.51),
        s,
      ).values,
    ).toEqual([0]);
    expect(
      run(
        'hausdorff_distance',
        a.map((v) => v * 0.7),
        a,
        s,
      ).values,
    ).toEqual([0]);
  });

  it('return NaN when both masks are empty and +Infinity (surface Dice 0) when one is, HD95 included', () => {
    const s = [1, 8, 8, 1];
    const a = square(2, 2, 4, 4);
    const z = new Array<number>(64).fill(0);
    for (const o of [{}, { percentile: 95 }, { directed: true }, { percentile: 95, convention: 'medpy' }]) {
      expect(run('hausdorff_distance', z, z, s, o).values[0]).toBeNaN();
      expect(run('hausdorff_distance', a, z, s, o).values).toEqual([Infinity]);
      expect(run('hausdorff_distance', z, a, s, o).values).toEqual([Infinity]);
    }
    for (const o of [{}, { symmetric: true }, { symmetric: true, convention: 'medpy_0.4' }]) {
      expect(run('average_surface_distance', z, z, s, o).values[0]).toBeNaN();
      expect(run('average_surface_distance', a, z, s, o).values).toEqual([Infinity]);
      expect(run('average_surface_distance', z, a, s, o).values).toEqual([Infinity]);
    }
    expect(run('surface_dice', z, z, s).values[0]).toBeNaN();
    expect(run('surface_dice', a, z, s).values).toEqual([0]);
    expect(run('surface_dice', z, a, s).values).toEqual([0]);
  });

  it('return [B, C] float32, dropping channel 0 only when C > 1 unless includeBackground', () => {
    const shape = [2, 6, 7, 3];
    const yt = randomMasks(1, shape);
    const yp = randomMasks(2, shape);
    for (const name of Object.keys(METRICS) as Name[]) {
      const drop = run(name, yt, yp, shape);
      expect(drop.shape).toEqual([2, 2]);
      expect(drop.dtype).toBe('float32');
      expect(run(name, yt, yp, shape, { includeBackground: true }).shape).toEqual([2, 3]);
      expect(run(name, yt.slice(0, 42), yp.slice(0, 42), [1, 6, 7, 1]).shape).toEqual([1, 1]);
    }
  });

  it('follow the float64 oracle on random masks in 1-D, 2-D and 3-D, with every option', () => {
    const cases: [Name, SurfaceOptions64][] = [
      ['hausdorff_distance', {}],
      ['hausdorff_distance', { percentile: 95 }],
      ['hausdorff_distance', { percentile: 50, convention: 'medpy' }],
      ['hausdorff_distance', { directed: true, percentile: 90 }],
      ['average_surface_distance', {}],
      ['average_surface_distance', { symmetric: true }],
      ['average_surface_distance', { symmetric: true, convention: 'medpy_0.4' }],
      ['surface_dice', { tolerance: 1 }],
      ['surface_dice', { tolerance: 2.2 }],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom([2, 9, 2], [2, 6, 7, 2], [1, 4, 5, 3, 2]),
        fc.boolean(),
        (seed, shape, aniso) => {
          const yt = randomMasks(seed, shape);
          const yp = randomMasks(seed + 7, shape);
          const sh = [...shape];
          const spacing = aniso ? shape.slice(1, -1).map((_, i) => 0.5 + i) : null;
          for (const [name, o] of cases) {
            const opts = { ...o, includeBackground: true, ...(spacing ? { spacing } : {}) };
            const got = run(name, yt, yp, sh, opts).values;
            expectAllClose(got, surfaceMetric64(METRICS[name][0], yt, yp, sh, opts), {
              rtol: 1e-6,
              atol: 1e-6,
            });
          }
        },
      ),
      { numRuns: 10, seed: 42 },
    );
  });

  it('take a tolerance per kept class in surface Dice', () => {
    const shape = [2, 6, 7, 3];
    const yt = randomMasks(3, shape);
    const yp = randomMasks(4, shape);
    const o = { tolerance: [0.5, 2] };
    expectAllClose(run('surface_dice', yt, yp, shape, o).values, surfaceMetric64('nsd', yt, yp, shape, o), {
      rtol: 1e-6,
    });
    expectThrows(
      () => run('surface_dice', yt, yp, shape, { tolerance: [1, 2, 3] }),
      /surfaceDice/,
      /tolerance/,
      /2/,
    );
  });

  it('leave only their result behind', () => {
    const shape = [2, 5, 5, 2];
    const yt = tf.tensor(randomMasks(5, shape), shape);
    const yp = tf.tensor(randomMasks(6, shape), shape);
    for (const m of surfaceMetrics) expectTidy(() => m(yt, yp));
    tf.dispose([yt, yp]);
  });

  it('reject bad inputs and options, naming the metric and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 2]);
    const b = tf.zeros([1, 4, 4, 1]);
    const c = tf.zeros([4, 4]);
    expectThrows(() => hausdorffDistance(a, b), /hausdorffDistance/, /\[1,4,4,2\]/, /\[1,4,4,1\]/);
    expectThrows(() => averageSurfaceDistance(c, c), /averageSurfaceDistance/, /channels-last/, /\[4,4\]/);
    expectThrows(() => surfaceDice(a, a, { spacing: [1] }), /surfaceDice/, /spacing/);
    expectThrows(() => hausdorffDistance(a, a, { percentile: 101 }), /hausdorffDistance/, /percentile/);
    expectThrows(
      () => hausdorffDistance(a, a, { convention: 'scipy' as never }),
      /hausdorffDistance/,
      /convention/,
      /'medpy'/,
    );
    expectThrows(
      () => averageSurfaceDistance(a, a, { convention: 'medpy04x' as never }),
      /convention/,
      /'medpy_0.4'/,
    );
    expectThrows(() => surfaceDice(a, a, { tolerance: -1 }), /surfaceDice/, /tolerance/);
    expectThrows(() => surfaceDice(a, a, { tau: 1 } as never), /unknown option 'tau'/);
    tf.dispose([a, b, c]);
  });
});
