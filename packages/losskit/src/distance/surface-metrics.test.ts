import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectGolden, flat, goldenCases, shapeOf } from '../../test/helpers/golden.ts';
import {
  averageSurfaceDistanceArrays,
  averageSurfaceDistancePair,
  hausdorffDistanceArrays,
  hausdorffDistancePair,
  surfaceDiceArrays,
  surfaceDicePair,
  surfaceMetricChannels,
} from './surface-metrics.ts';

const ARRAY_METRICS = {
  hausdorff_distance: hausdorffDistanceArrays,
  average_surface_distance: averageSurfaceDistanceArrays,
  surface_dice: surfaceDiceArrays,
} as const;

describe('surface metrics: golden cases (test/golden/segmentation-distance.json)', () => {
  const cases = goldenCases('distance').filter((c) => c.kind === 'metric');
  it('has the metric cases', () => {
    expect(cases.length).toBe(21);
  });
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const fn = ARRAY_METRICS[c.name as keyof typeof ARRAY_METRICS];
    const options = { ...c.options, ...(c.spacing ? { spacing: c.spacing } : {}) };
    const got = fn(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), options);
    expect(got).toBeInstanceOf(Float64Array);
    expectGolden(got, flat(c.expected), c.tol, c.id);
  });
});

/** MONAI's `create_spherical_seg_3d`: 1 where Σ (index·spacing − centre)² ≤ r², in a 99³ image. */
function sphere(
  radius: number,
  centre: readonly number[],
  spacing: readonly number[] = [1, 1, 1],
): Uint8Array {
  const n = 99;
  const m = new Uint8Array(n * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const y = i * spacing[0] - centre[0];
        const x = j * spacing[1] - centre[1];
        const z = k * spacing[2] - centre[2];
        if (x * x + y * y + z * z <= radius * radius) m[(i * n + j) * n + k] = 1;
      }
    }
  }
  return m;
}

describe('MONAI unit-test values (99³ spheres; seg_1 is the prediction, seg_2 the ground truth)', () => {
  // Project-MONAI/MONAI tests/metrics/test_hausdorff_distance.py @ 09a467ca (euclidean; [directed, undirected]).
  const shape = [99, 99, 99];
  const s = [0.85, 1.2, 0.9];
  const hdCases: [
    string,
    () => [Uint8Array, Uint8Array],
    number[] | undefined,
    number | undefined,
    number,
    number,
  ][] = [
    [
      'r20 shifted by (1,1,1)',
      () => [sphere(20, [20, 20, 20]), sphere(20, [19, 19, 19])],
      undefined,
      undefined,
      1.7320508075688772,
      1.7320508075688772,
    ],
    [
      'r33 shifted by 1 on axis 0',
      () => [sphere(33, [19, 33, 22]), sphere(33, [20, 33, 22])],
      undefined,
      undefined,
      1,
      1,
    ],
    [
      'r20 inside r40 (clipped at the border)',
      () => [sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22])],
      undefined,
      undefined,
      20.09975124224178,
      20.223748416156685,
    ],
    [
      'r20 inside r40, HD95',
      () => [sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22])],
      undefined,
      95,
      19.924858845171276,
      20.09975124224178,
    ],
    [
      'anisotropic r20 shifted',
      () => [sphere(20, [20, 20, 20], s), sphere(20, [19, 19, 19], s)],
      s,
      undefined,
      2.0808651447296143,
      2.2671568,
    ],
    [
      'anisotropic r15 inside r30',
      () => [sphere(15, [20, 33, 22], s), sphere(30, [20, 33, 22], s)],
      s,
      undefined,
      15.439640998840332,
      15.62594,
    ],
  ];
  it.each(hdCases)('hausdorff: %s', (_name, make, spacing, percentile, directed, undirected) => {
    const [pred, gt] = make();
    const o = { ...(spacing ? { spacing } : {}), ...(percentile ? { percentile } : {}) };
    expectGolden([hausdorffDistancePair(gt, pred, shape, { ...o, directed: true })], [directed], 1e-6);
    expectGolden([hausdorffDistancePair(gt, pred, shape, o)], [undirected], 1e-6);
  });

  // tests/metrics/test_surface_distance.py @ a34ca8ae (euclidean; [symmetric, directed], rtol 1e-5).
  const asdCases: [string, () => [Uint8Array, Uint8Array], number[] | undefined, number, number][] = [
    [
      'r33 shifted by 1 on axis 0',
      () => [sphere(33, [19, 33, 22]), sphere(33, [20, 33, 22])],
      undefined,
      0.350217,
      0.3483278807706289,
    ],
    [
      'r20 inside r40',
      () => [sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22])],
      undefined,
      15.117741,
      12.040033513150455,
    ],
    [
      'anisotropic r33 shifted',
      () => [sphere(33, [42, 45, 52], s), sphere(33, [43, 45, 52], s)],
      s,
      0.4951,
      0.4951,
    ],
  ];
  it.each(asdCases)('average surface distance: %s', (_name, make, spacing, symmetric, directed) => {
    const [pred, gt] = make();
    const o = spacing ? { spacing } : {};
    const sym = averageSurfaceDistancePair(gt, pred, shape, { ...o, symmetric: true });
    const dir = averageSurfaceDistancePair(gt, pred, shape, o);
    expect(Math.abs(sym - symmetric) / symmetric).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(dir - directed) / directed).toBeLessThanOrEqual(1e-5);
  });

  it('identical spheres give 0; an empty prediction gives +Infinity (MONAI: inf)', () => {
    const a = sphere(20, [49, 49, 49]);
    expect(hausdorffDistancePair(a, a, shape)).toBe(0);
    expect(averageSurfaceDistancePair(a, a, shape, { symmetric: true })).toBe(0);
    expect(hausdorffDistancePair(a, new Uint8Array(a.length), shape)).toBe(Infinity);
  });
});

/** One-hot channels-last `[B, H, W, 2]` from per-batch label maps. */
function oneHot2(labels: readonly Uint8Array[], H: number, W: number): Uint8Array {
  const out = new Uint8Array(labels.length * H * W * 2);
  labels.forEach((l, b) => {
    for (let x = 0; x < H * W; x++) out[(b * H * W + x) * 2 + l[x]] = 1;
  });
  return out;
}

describe('surface Dice: MONAI unit-test values (tests/metrics/test_surface_dice.py @ 2e4424e4)', () => {
  it('test_tolerance_all_distances: per-class thresholds, hand-derived distances', () => {
    const pred = new Uint8Array(100);
    const gt = new Uint8Array(100);
    for (let r = 1; r < 4; r++) pred[r * 10 + 1] = 1;
    for (let r = 5; r < 8; r++) gt[r * 10 + 6] = 1;
    const yTrue = oneHot2([gt], 10, 10);
    const yPred = oneHot2([pred], 10, 10);
    const shape = [1, 10, 10, 2];
    const run = (tolerance: number[]) =>
      surfaceDiceArrays(yTrue, yPred, shape, { tolerance, includeBackground: true });
    expectGolden(run([0, 0]), [1 - (8 + 4) / (36 * 2 + 8 + 4), 0], 1e-12);
    expectGolden(run([2.8, 5.5]), [1 - 3 / (36 * 2 + 8 + 4), 1 - (2 + 2) / (3 + 3)], 1e-12);
    expectGolden(run([3, 6]), [1 - 1 / (36 * 2 + 8 + 4), 1 - 2 / (3 + 3)], 1e-12);
  });

  it('test_tolerance_euclidean_distance_with_spacing: 10-column shift in 480×640, spacing (0.85, 1.2)', () => {
    const H = 480;
    const W = 640;
    const pred0 = new Uint8Array(H * W);
    const gt0 = new Uint8Array(H * W);
    for (let r = 0; r < H; r++) {
      for (let c = 50; c < W; c++) pred0[r * W + c] = 1;
      for (let c = 60; c < W; c++) gt0[r * W + c] = 1;
    }
    const empty = new Uint8Array(H * W);
    const yPred = oneHot2([pred0, empty], H, W);
    const yTrue = oneHot2([gt0, empty], H, W);
    const shape = [2, H, W, 2];
    const spacing = [0.85, 1.2];
    const nsd = (t: number) =>
      surfaceDiceArrays(yTrue, yPred, shape, { tolerance: t, includeBackground: true, spacing });
    const res0 = nsd(0);
    expectGolden(
      res0,
      [
        1 - (478 + 480 + 9 * 2) / (480 * 4 + 48 * 2 + 58 * 2),
        1 - (478 + 480 + 9 * 2) / (480 * 4 + 588 * 2 + 578 * 2),
        1,
        NaN,
      ],
      1e-12,
    );
    const [r1, r9, r10, r11, r13] = [1, 9, 10, 11, 13].map(nsd);
    for (const c of [0, 1]) {
      expect(res0[c]).toBeLessThan(r1[c]);
      expect(r1[c]).toBeLessThan(r9[c]);
      expect(r9[c]).toBeLessThan(r10[c]);
      expect(r10[c]).toBeLessThan(r11[c]);
      // 10 columns × 1.2 = 12 is the largest edge distance, so τ = 13 accepts every edge element.
      expect(r13[c]).toBe(1);
    }
  });
});

// ---- an independent float64 oracle: edges by definition and all-pairs distances ----------------------------------

function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    c[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return c;
}

function edgePoints(mask: readonly number[], shape: readonly number[]): number[][] {
  const at = (c: number[]) => mask[c.reduce((acc, v, a) => acc * shape[a] + v, 0)];
  const pts: number[][] = [];
  mask.forEach((m, i) => {
    if (!m) return;
    const c = coordsOf(i, shape);
    const edge = shape.some((_, a) =>
      [-1, 1].some((step) => {
        const n = [...c];
        n[a] += step;
        return n[a] < 0 || n[a] >= shape[a] || !at(n);
      }),
    );
    if (edge) pts.push(c);
  });
  return pts;
}

function directedOracle(from: number[][], to: number[][], spacing: readonly number[]): number[] {
  return from.map((x) => Math.min(...to.map((y) => Math.hypot(...x.map((v, k) => spacing[k] * (v - y[k]))))));
}

function linearPercentile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  const h = ((v.length - 1) * q) / 100;
  const lo = Math.floor(h);
  return lo + 1 < v.length ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const arbBatch = fc
  .tuple(
    fc.integer({ min: 1, max: 2 }),
    fc.constantFrom<number[]>([6, 7], [5, 5], [1, 8], [4, 3, 4], [3, 5, 2]),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 100, max: 900 }),
  )
  .chain(([B, spatial, C, density]) => {
    const n = B * spatial.reduce((a, b) => a * b, 1) * C;
    // Values 0, 0.5, 1 and in between: 0.5 must count as background (strict threshold).
    const vals = fc
      .array(fc.integer({ min: 0, max: 999 }), { minLength: n, maxLength: n })
      .map((u) => u.map((x) => (x < density ? (x % 7 === 0 ? 0.75 : 1) : x % 5 === 0 ? 0.5 : 0)));
    return fc
      .tuple(
        vals,
        vals,
        fc.array(fc.double({ min: 0.3, max: 2.5, noNaN: true }), {
          minLength: spatial.length,
          maxLength: spatial.length,
        }),
      )
      .map(([yTrue, yPred, spacing]) => ({
        shape: [B, ...spatial, C],
        B,
        spatial,
        C,
        yTrue,
        yPred,
        spacing,
      }));
  });

function planeOf(data: readonly number[], shape: readonly number[], b: number, c: number): number[] {
  const C = shape[shape.length - 1];
  const N = shape.slice(1, -1).reduce((a, d) => a * d, 1);
  return Array.from({ length: N }, (_, x) => (data[(b * N + x) * C + c] > 0.5 ? 1 : 0));
}

describe('surface metrics equal an independent all-pairs oracle on random batches (fast-check)', () => {
  it('HD, HD95 (MONAI and medpy), directed, ASD (directed, pooled, medpy 0.4), NSD, with empty rules', () => {
    fc.assert(
      fc.property(
        arbBatch,
        fc.boolean(),
        ({ shape, B, spatial, C, yTrue, yPred, spacing }, includeBackground) => {
          const kept = surfaceMetricChannels(C, includeBackground);
          const results = {
            hd: hausdorffDistanceArrays(yTrue, yPred, shape, { spacing, includeBackground }),
            hdDir: hausdorffDistanceArrays(yTrue, yPred, shape, {
              spacing,
              includeBackground,
              directed: true,
            }),
            hd95: hausdorffDistanceArrays(yTrue, yPred, shape, {
              spacing,
              includeBackground,
              percentile: 95,
            }),
            hd95medpy: hausdorffDistanceArrays(yTrue, yPred, shape, {
              spacing,
              includeBackground,
              percentile: 95,
              convention: 'medpy',
            }),
            asd: averageSurfaceDistanceArrays(yTrue, yPred, shape, { spacing, includeBackground }),
            assd: averageSurfaceDistanceArrays(yTrue, yPred, shape, {
              spacing,
              includeBackground,
              symmetric: true,
            }),
            assd04: averageSurfaceDistanceArrays(yTrue, yPred, shape, {
              spacing,
              includeBackground,
              symmetric: true,
              convention: 'medpy_0.4',
            }),
            nsd: surfaceDiceArrays(yTrue, yPred, shape, { spacing, includeBackground, tolerance: 1.5 }),
          };
          for (const r of Object.values(results)) if (r.length !== B * kept.length) return false;
          for (let b = 0; b < B; b++) {
            for (let k = 0; k < kept.length; k++) {
              const g = planeOf(yTrue, shape, b, kept[k]);
              const p = planeOf(yPred, shape, b, kept[k]);
              const gEmpty = !g.includes(1);
              const pEmpty = !p.includes(1);
              const i = b * kept.length + k;
              let want: Record<keyof typeof results, number>;
              if (gEmpty && pEmpty) {
                want = {
                  hd: NaN,
                  hdDir: NaN,
                  hd95: NaN,
                  hd95medpy: NaN,
                  asd: NaN,
                  assd: NaN,
                  assd04: NaN,
                  nsd: NaN,
                };
              } else if (gEmpty || pEmpty) {
                want = {
                  hd: Infinity,
                  hdDir: Infinity,
                  hd95: Infinity,
                  hd95medpy: Infinity,
                  asd: Infinity,
                  assd: Infinity,
                  assd04: Infinity,
                  nsd: 0,
                };
              } else {
                const eg = edgePoints(g, spatial);
                const ep = edgePoints(p, spatial);
                const A = directedOracle(ep, eg, spacing);
                const G = directedOracle(eg, ep, spacing);
                want = {
                  hd: Math.max(...A, ...G),
                  hdDir: Math.max(...A),
                  hd95: Math.max(linearPercentile(A, 95), linearPercentile(G, 95)),
                  hd95medpy: linearPercentile([...A, ...G], 95),
                  asd: mean(A),
                  assd: mean([...A, ...G]),
                  assd04: (mean(A) + mean(G)) / 2,
                  nsd:
                    (A.filter((d) => d <= 1.5).length + G.filter((d) => d <= 1.5).length) /
                    (A.length + G.length),
                };
              }
              for (const key of Object.keys(results) as (keyof typeof results)[]) {
                const got = results[key][i];
                const w = want[key];
                const ok = Number.isFinite(w)
                  ? Math.abs(got - w) <= 1e-9 * Math.max(1, Math.abs(w))
                  : Object.is(got, w);
                if (!ok) throw new Error(`${key} (b ${b}, c ${kept[k]}): got ${got}, want ${w}`);
              }
            }
          }
          return true;
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('surface metric properties (fast-check)', () => {
  it('HD of a mask with itself is 0, NSD 1; HD and ASSD are symmetric; HD95 ≤ HD; directed ≤ HD; ASD ≤ HD', () => {
    fc.assert(
      fc.property(arbBatch, ({ shape, yTrue, yPred, spacing }) => {
        const o = { spacing, includeBackground: true };
        const self = hausdorffDistanceArrays(yTrue, yTrue, shape, o);
        const selfNsd = surfaceDiceArrays(yTrue, yTrue, shape, { ...o, tolerance: 0 });
        const hd = hausdorffDistanceArrays(yTrue, yPred, shape, o);
        const hdSwap = hausdorffDistanceArrays(yPred, yTrue, shape, o);
        const hd95 = hausdorffDistanceArrays(yTrue, yPred, shape, { ...o, percentile: 95 });
        const hd95medpy = hausdorffDistanceArrays(yTrue, yPred, shape, {
          ...o,
          percentile: 95,
          convention: 'medpy',
        });
        const dir = hausdorffDistanceArrays(yTrue, yPred, shape, { ...o, directed: true });
        const assd = averageSurfaceDistanceArrays(yTrue, yPred, shape, { ...o, symmetric: true });
        const assdSwap = averageSurfaceDistanceArrays(yPred, yTrue, shape, { ...o, symmetric: true });
        const asd = averageSurfaceDistanceArrays(yTrue, yPred, shape, o);
        const nsd = surfaceDiceArrays(yTrue, yPred, shape, { ...o, tolerance: 1 });
        const nsdAll = surfaceDiceArrays(yTrue, yPred, shape, { ...o, tolerance: 1e6 });
        for (let i = 0; i < hd.length; i++) {
          if (!(Number.isNaN(self[i]) || self[i] === 0)) return false;
          if (!(Number.isNaN(selfNsd[i]) || selfNsd[i] === 1)) return false;
          if (!Object.is(hd[i], hdSwap[i])) return false;
          if (Number.isNaN(hd[i])) continue;
          if (Math.abs(assd[i] - assdSwap[i]) > 1e-12 * Math.max(1, assd[i])) return false;
          // A mean of n copies of the maximum can round one ulp above it, so the averages get that slack.
          const atMostHd = (x: number): boolean => x <= hd[i] * (1 + 4 * Number.EPSILON);
          if (!(
            hd95[i] <= hd[i] &&
            hd95medpy[i] <= hd[i] &&
            dir[i] <= hd[i] &&
            atMostHd(asd[i]) &&
            atMostHd(assd[i])
          ))
            return false;
          if (!(nsd[i] >= 0 && nsd[i] <= 1)) return false;
          if (Number.isFinite(hd[i]) && nsdAll[i] !== 1) return false;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });
});

describe('surface metrics: empty masks, channels, binarisation, options', () => {
  const shape = [1, 4, 4, 1];
  const empty = new Array<number>(16).fill(0);
  const box = empty.map((_, i) => (i === 5 || i === 6 || i === 9 || i === 10 ? 1 : 0));

  it('never throws on empty masks: NaN when both are empty, +Infinity (NSD 0) when one is', () => {
    for (const fn of [hausdorffDistanceArrays, averageSurfaceDistanceArrays]) {
      expect(Number.isNaN(fn(empty, empty, shape)[0])).toBe(true);
      expect(fn(box, empty, shape)[0]).toBe(Infinity);
      expect(fn(empty, box, shape)[0]).toBe(Infinity);
    }
    // HD95 with an empty prediction: +Infinity (MONAI returns NaN here; the one intended deviation).
    expect(hausdorffDistanceArrays(box, empty, shape, { percentile: 95 })[0]).toBe(Infinity);
    expect(hausdorffDistanceArrays(box, empty, shape, { directed: true })[0]).toBe(Infinity);
    expect(Number.isNaN(surfaceDiceArrays(empty, empty, shape)[0])).toBe(true);
    expect(surfaceDiceArrays(box, empty, shape)[0]).toBe(0);
    expect(surfaceDiceArrays(empty, box, shape)[0]).toBe(0);
  });

  it('drops channel 0 only when C > 1 and includeBackground is false', () => {
    expect(surfaceMetricChannels(3)).toEqual([1, 2]);
    expect(surfaceMetricChannels(3, true)).toEqual([0, 1, 2]);
    expect(surfaceMetricChannels(1)).toEqual([0]);
    // [2, 1, 4, 3]: batch 0 channel 2 is shifted by one element, everything else identical.
    const yTrue = [1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0];
    const yPred = [1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0];
    expect(Array.from(hausdorffDistanceArrays(yTrue, yPred, [2, 1, 4, 3]))).toEqual([0, 1, 0, 0]);
    expect(
      Array.from(hausdorffDistanceArrays(yTrue, yPred, [2, 1, 4, 3], { includeBackground: true })),
    ).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('binarises both inputs at > 0.5 (0.5 itself is background)', () => {
    // Spatial [1, 4]: truth {0, 1}; prediction 0.9, 0.6, 0.5, 0.2 → {0, 1}.
    expect(hausdorffDistanceArrays([1, 1, 0, 0], [0.9, 0.6, 0.5, 0.2], [1, 1, 4, 1])[0]).toBe(0);
    expect(hausdorffDistanceArrays([1, 1, 0.5, 0], [0.9, 0.6, 0.51, 0.2], [1, 1, 4, 1])[0]).toBe(1);
  });

  it('TSDoc examples', () => {
    expect(Array.from(hausdorffDistanceArrays([1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 4, 1]))).toEqual([1]);
    expect(
      averageSurfaceDistanceArrays([1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 4, 1], { symmetric: true })[0],
    ).toBeCloseTo(0.2, 15);
    expect(
      surfaceDiceArrays([1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0], [1, 1, 6, 1], { tolerance: 1 })[0],
    ).toBeCloseTo(5 / 6, 15);
    expect(hausdorffDistancePair([0, 1, 1, 0], [0, 0, 1, 1], [4])).toBe(1);
    expect(averageSurfaceDistancePair([0, 1, 1, 0], [0, 0, 1, 1], [4], { symmetric: true })).toBe(0.5);
    expect(surfaceDicePair([0, 1, 1, 0], [0, 0, 1, 1], [4], { tolerance: 0.5 })).toBe(0.5);
  });

  it('the pair forms equal the [1, ...spatial, 1] array forms', () => {
    const g = [0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1];
    const p = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0];
    const o = { spacing: [1.5, 0.7] };
    expect(hausdorffDistancePair(g, p, [3, 4], { ...o, percentile: 90 })).toBe(
      hausdorffDistanceArrays(g, p, [1, 3, 4, 1], { ...o, percentile: 90 })[0],
    );
    expect(averageSurfaceDistancePair(g, p, [3, 4], { ...o, symmetric: true })).toBe(
      averageSurfaceDistanceArrays(g, p, [1, 3, 4, 1], { ...o, symmetric: true })[0],
    );
    expect(surfaceDicePair(g, p, [3, 4], { ...o, tolerance: 1 })).toBe(
      surfaceDiceArrays(g, p, [1, 3, 4, 1], { ...o, tolerance: 1 })[0],
    );
  });

  it('accepts null spacing and percentile, and any spelling of the conventions', () => {
    const a = hausdorffDistanceArrays(
      box,
      empty.map((_, i) => (i === 5 ? 1 : 0)),
      shape,
      { spacing: null, percentile: null },
    );
    expect(a[0]).toBe(Math.SQRT2);
    const pooled = hausdorffDistanceArrays(box, box, shape, { percentile: 95, convention: 'MedPy' });
    expect(pooled[0]).toBe(0);
    expect(
      averageSurfaceDistanceArrays(box, box, shape, { symmetric: true, convention: 'medpy-0.4' })[0],
    ).toBe(0);
  });

  it('rejects bad options with errors that name them', () => {
    expect(() => hausdorffDistanceArrays(box, box, shape, { percentile: 101 })).toThrow(
      /hausdorffDistance: option 'percentile' must be a number in \[0, 100\]/,
    );
    expect(() => hausdorffDistanceArrays(box, box, shape, { convention: 'medpy_0.4' })).toThrow(
      /unknown convention "medpy_0.4"; expected one of 'monai', 'medpy'/,
    );
    expect(() => hausdorffDistanceArrays(box, box, shape, { tolerance: 1 } as never)).toThrow(
      /hausdorffDistance: unknown option 'tolerance'; allowed: spacing, includeBackground, percentile, directed, convention/,
    );
    expect(() => surfaceDiceArrays(box, box, shape, { tolerance: -1 })).toThrow(
      /tolerance must be a finite number ≥ 0/,
    );
    expect(() => surfaceDiceArrays(box, box, [1, 4, 4, 1], { tolerance: [1, 2] })).toThrow(
      /tolerance has 2 entries but 1 channels are evaluated/,
    );
    expect(() => averageSurfaceDistanceArrays(box, box, shape, { symmetric: 'yes' } as never)).toThrow(
      /option 'symmetric' must be a boolean/,
    );
    expect(() => hausdorffDistanceArrays(box, box, shape, { spacing: [1] })).toThrow(
      /hausdorffDistance: spacing has 1 entries but shape \[4,4\] has 2 axes/,
    );
    expect(() => hausdorffDistanceArrays(box, box.slice(1), shape)).toThrow(
      /yTrue has 16 elements but yPred has 15/,
    );
    expect(() => hausdorffDistanceArrays(box, box, [16, 1])).toThrow(/must be channels-last/);
    expect(() => surfaceDicePair(box, box, [4, 4], { tolerance: [1] } as never)).toThrow(
      /tolerance must be a finite number/,
    );
  });
});
