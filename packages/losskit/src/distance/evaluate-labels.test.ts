import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getMetric } from '../catalog/catalog.ts';
import { tf } from '../tf.ts';
import { directedDistances64, surfaceMetric64 } from '../../test/reference/distance-metrics.ts';
import { mulberry32 } from '../util/random.ts';
import { evaluateLabels, LabelMapError, type LabelMetricSpec } from './evaluate-labels.ts';

/**
 * A 3-D label volume: a few boxes and blobs of labels 1–5 (label 4 only in the truth, 6 only in the prediction), and
 * label 7 in opposite corners of the two maps, farther apart than the local nearest-edge search reaches.
 */
function volumes(shape: readonly [number, number, number]) {
  const [X, Y, Z] = shape;
  const rand = mulberry32(7);
  const t = new Int32Array(X * Y * Z);
  const p = new Int32Array(X * Y * Z);
  const at = (x: number, y: number, z: number) => (x * Y + y) * Z + z;
  for (let x = 0; x < X; x++)
    for (let y = 0; y < Y; y++)
      for (let z = 0; z < Z; z++) {
        const i = at(x, y, z);
        if (x < 4 && y < 5) t[i] = 1;
        if (x >= 1 && x < 5 && y < 5) p[i] = 1;
        if ((x - 6) ** 2 + (y - 6) ** 2 + (z - 3) ** 2 <= 6) t[i] = 2;
        if ((x - 6) ** 2 + (y - 5) ** 2 + (z - 3) ** 2 <= 7) p[i] = 2;
        if (z >= 5 && y >= 8 && rand() < 0.6) t[i] = 3;
        if (z >= 5 && y >= 8 && rand() < 0.6) p[i] = 3;
        if (x === X - 1 && y === 0) t[i] = 4;
        if (x === 0 && y === Y - 1 && z === 0) p[i] = 6;
        if (x < 2 && y >= 8 && z < 2) t[i] = 7;
        if (x >= 5 && x < 8 && y < 3 && z >= 5) p[i] = 7;
        if (x >= 8 && z < 2) t[i] = p[i] = 5;
      }
  return { t, p };
}

const SHAPE = [10, 11, 7] as const;
const { t: T, p: P } = volumes(SHAPE);

/** Brute-force per-label counts, independent of the code under test. */
function counts64(label: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < T.length; i++) {
    const a = T[i] === label;
    const b = P[i] === label;
    if (a && b) tp++;
    else if (b) fp++;
    else if (a) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

const SURFACE: [string, Record<string, unknown>, 'hd' | 'asd' | 'nsd'][] = [
  ['hausdorffDistance', {}, 'hd'],
  ['hausdorffDistance', { percentile: 95 }, 'hd'],
  ['hausdorffDistance', { percentile: 95, convention: 'medpy' }, 'hd'],
  ['averageSurfaceDistance', {}, 'asd'],
  ['averageSurfaceDistance', { symmetric: true }, 'asd'],
  ['surfaceDice', { tolerance: 1 }, 'nsd'],
  ['surfaceDice', { tolerance: 2.5 }, 'nsd'],
];
const specs: LabelMetricSpec[] = SURFACE.map(([metric, options], k) => ({ metric, options, key: `s${k}` }));

describe('evaluateLabels', () => {
  const labels = [1, 2, 3, 4, 5, 6, 9, 7];
  it.each([[[1, 1, 1]], [[2, 0.7, 1.3]]])(
    'matches the float64 oracles per label (surface metrics, spacing %j; absent and one-sided labels)',
    (spacing) => {
      const r = evaluateLabels(T, P, SHAPE, { metrics: specs, spacing, labels });
      expect(r.labels).toEqual(labels);
      labels.forEach((label, k) => {
        const g = Array.from(T, (v) => (v === label ? 1 : 0));
        const p = Array.from(P, (v) => (v === label ? 1 : 0));
        SURFACE.forEach(([, options, kind], m) => {
          const want = surfaceMetric64(kind, g, p, [1, ...SHAPE, 1], { ...options, spacing });
          const got = r.values[`s${m}`][k];
          if (Number.isFinite(want[0])) expect(got).toBeCloseTo(want[0], 10);
          else expect(got).toBe(want[0]);
        });
      });
      // Label 9 is in neither map: NaN; 4 only in the truth, 6 only in the prediction: Infinity, NSD 0.
      expect(r.values.s0[6]).toBeNaN();
      expect(r.values.s0[3]).toBe(Infinity);
      expect(r.values.s1[5]).toBe(Infinity);
      expect(r.values.s5[3]).toBe(0);
    },
  );

  it('gives every label the float64 oracle distances on random label maps (ranks 1–3, any spacing)', () => {
    // Random blobs of 4 labels, some far apart (beyond the local search), some touching the border.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((rank) =>
          fc.tuple(
            fc.array(fc.integer({ min: 1, max: rank === 1 ? 30 : rank === 2 ? 14 : 7 }), {
              minLength: rank,
              maxLength: rank,
            }),
            fc.array(fc.constantFrom(1, 0.6, 1.7), { minLength: rank, maxLength: rank }),
            fc.integer({ min: 1, max: 2 ** 30 }),
          ),
        ),
        ([shape, spacing, seed]) => {
          const rand = mulberry32(seed);
          const n = shape.reduce((a, b) => a * b, 1);
          const t = Int16Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1 + Math.floor(rand() * 4)));
          const p = Int16Array.from(t, (v) => (rand() < 0.3 ? Math.floor(rand() * 5) : v));
          const metrics: LabelMetricSpec[] = [
            { metric: 'hausdorffDistance', key: 'hd' },
            { metric: 'averageSurfaceDistance', options: { symmetric: true }, key: 'assd' },
          ];
          const r = evaluateLabels(t, p, shape, { metrics, spacing, labels: [1, 2, 3, 4] });
          [1, 2, 3, 4].forEach((label, k) => {
            const g = Array.from(t, (v) => (v === label ? 1 : 0));
            const q = Array.from(p, (v) => (v === label ? 1 : 0));
            const a = directedDistances64(q, g, shape, spacing);
            const b = directedDistances64(g, q, shape, spacing);
            const all = [...a, ...b];
            const hd = all.length === 0 ? NaN : a.length && b.length ? Math.max(...all) : Infinity;
            const assd =
              all.length === 0
                ? NaN
                : a.length && b.length
                  ? all.reduce((x, y) => x + y) / all.length
                  : Infinity;
            for (const [got, want] of [
              [r.values.hd[k], hd],
              [r.values.assd[k], assd],
            ])
              if (Number.isFinite(want)) expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * (1 + want));
              else expect(got).toBe(want);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("takes each label's box above rank 6 (no room for the search ball), with the oracle values", () => {
    const shape = [2, 2, 2, 2, 2, 3, 3];
    const spacing = [1, 2, 1, 1, 0.5, 1, 1.5];
    const rand = mulberry32(11);
    const n = shape.reduce((a, b) => a * b, 1);
    const t = Int32Array.from({ length: n }, () => Math.floor(rand() * 3));
    const p = Int32Array.from(t, (v) => (rand() < 0.3 ? Math.floor(rand() * 3) : v));
    const r = evaluateLabels(t, p, shape, { metrics: [{ metric: 'hausdorffDistance', key: 'hd' }], spacing });
    r.labels.forEach((label, k) => {
      const g = Array.from(t, (v) => (v === label ? 1 : 0));
      const q = Array.from(p, (v) => (v === label ? 1 : 0));
      const want = Math.max(
        ...directedDistances64(q, g, shape, spacing),
        ...directedDistances64(g, q, shape, spacing),
      );
      expect(r.values.hd[k]).toBeCloseTo(want, 12);
    });
  });

  it('counts TP/FP/FN/TN per label in one pass and scores overlap as the float64 formulas', () => {
    const metrics = ['diceCoefficient', 'iou', 'tversky_index', 'sensitivity', 'specificity', 'precision'];
    const r = evaluateLabels(T, P, SHAPE, { metrics, labels });
    const s = 1e-5;
    labels.forEach((label, k) => {
      const c = counts64(label);
      expect([r.counts.tp[k], r.counts.fp[k], r.counts.fn[k], r.counts.tn[k]]).toEqual([
        c.tp,
        c.fp,
        c.fn,
        c.tn,
      ]);
      const want = [
        (2 * c.tp + s) / (2 * c.tp + c.fp + c.fn + s),
        (c.tp + s) / (c.tp + c.fp + c.fn + s),
        (c.tp + s) / (c.tp + 0.3 * c.fp + 0.7 * c.fn + s),
        (c.tp + s) / (c.tp + c.fn + s),
        (c.tn + s) / (c.tn + c.fp + s),
        (c.tp + s) / (c.tp + c.fp + s),
      ];
      ['diceCoefficient', 'iou', 'tverskyIndex', 'sensitivity', 'specificity', 'precision'].forEach(
        (m, j) => {
          expect(r.values[m][k]).toBeCloseTo(want[j], 12);
        },
      );
    });
  });

  it("returns each label's bounding box on request (the union of both maps), null when absent", () => {
    const labels = [1, 2, 3, 4, 6, 9];
    const r = evaluateLabels(T, P, SHAPE, { metrics: ['iou'], labels, boxes: true });
    // The oracle: every element's coordinates, by a loop over the three axes.
    const [X, Y, Z] = SHAPE;
    labels.forEach((label, k) => {
      const lo: number[] = [X, Y, Z];
      const hi = [-1, -1, -1];
      for (let x = 0; x < X; x++)
        for (let y = 0; y < Y; y++)
          for (let z = 0; z < Z; z++) {
            const i = (x * Y + y) * Z + z;
            if (T[i] !== label && P[i] !== label) continue;
            [x, y, z].forEach((c, a) => {
              lo[a] = Math.min(lo[a], c);
              hi[a] = Math.max(hi[a], c);
            });
          }
      expect(r.boxes![k], `label ${label}`).toEqual(hi[0] < 0 ? null : { lo, hi });
    });
    expect(r.boxes![0]).toEqual({ lo: [0, 0, 0], hi: [4, 4, 6] });
    expect(evaluateLabels(T, P, SHAPE, { metrics: ['iou'], labels }).boxes).toBeUndefined();
  });

  it('defaults to every non-zero label of either map', () => {
    expect(evaluateLabels(T, P, SHAPE, { metrics: ['iou'] }).labels).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('with float32 equals the tensor metrics per label bit for bit (the old per-label path of the CLI)', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['diceCoefficient', {}],
      ['iou', {}],
      ['tverskyIndex', { alpha: 0.2, beta: 0.8 }],
      ['sensitivity', {}],
      ['specificity', {}],
      ['precision', { smoothNr: 0, smoothDr: 0 }],
      ['diceCoefficient', { maskEmptyClasses: true }],
      ['hausdorffDistance', { percentile: 95 }],
      ['averageSurfaceDistance', { symmetric: true }],
      ['surfaceDice', { tolerance: 1.5 }],
    ];
    const spacing = [2, 0.7, 1.3];
    const surface = new Set(['hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice']);
    const r = evaluateLabels(T, P, SHAPE, {
      metrics: cases.map(([metric, options], k) => ({ metric, options, key: String(k) })),
      spacing,
      labels,
      float32: true,
    });
    const shape = [1, ...SHAPE, 1];
    cases.forEach(([metric, options], m) => {
      const fn = getMetric(metric, surface.has(metric) ? { ...options, spacing } : options);
      labels.forEach((label, k) => {
        const want = tf.tidy(
          () =>
            fn(
              tf.tensor(
                Float32Array.from(T, (v) => (v === label ? 1 : 0)),
                shape,
              ),
              tf.tensor(
                Float32Array.from(P, (v) => (v === label ? 1 : 0)),
                shape,
              ),
            ).dataSync()[0],
        );
        expect(r.values[String(m)][k], `${metric} ${JSON.stringify(options)} label ${label}`).toBe(want);
      });
    });
  });

  it('throws a named error on NaN, ±Infinity and non-integers, naming the input', () => {
    for (const bad of [NaN, Infinity, -Infinity, 0.5]) {
      const p = Float32Array.from(P);
      p[17] = bad;
      let caught: unknown;
      try {
        evaluateLabels(T, p, SHAPE, { metrics: ['diceCoefficient'] });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LabelMapError);
      expect((caught as LabelMapError).name).toBe('LabelMapError');
      expect((caught as LabelMapError).input).toBe('pred');
      expect((caught as LabelMapError).index).toBe(17);
      expect((caught as Error).message).toMatch(/pred holds .* at element 17/);
    }
    const t = Float64Array.from(T);
    t[3] = NaN;
    expect(() => evaluateLabels(t, P, SHAPE, { metrics: ['hausdorffDistance'] })).toThrow(/truth holds NaN/);
  });

  it('rejects unknown metrics, options and duplicate keys, and mismatched shapes', () => {
    expect(() => evaluateLabels(T, P, SHAPE, { metrics: ['dcie'] })).toThrow(/unknown metric 'dcie'/);
    expect(() =>
      evaluateLabels(T, P, SHAPE, { metrics: [{ metric: 'dice_coefficient', options: { alpah: 1 } }] }),
    ).toThrow(/unknown option 'alpah'/);
    expect(() => evaluateLabels(T, P, SHAPE, { metrics: ['iou', 'IoU'] })).toThrow(
      /two metrics have the key/,
    );
    expect(() => evaluateLabels(T, P.subarray(1), SHAPE, { metrics: ['iou'] })).toThrow(/evaluateLabels/);
  });

  it('gives the documented example', () => {
    const r = evaluateLabels(Int32Array.from([1, 1, 1, 0, 2, 2]), Int32Array.from([0, 1, 1, 1, 2, 2]), [6], {
      metrics: ['diceCoefficient', { metric: 'hausdorffDistance', options: { percentile: 95 }, key: 'hd95' }],
    });
    expect(r.labels).toEqual([1, 2]);
    expect(r.values.diceCoefficient[0]).toBeCloseTo(2 / 3, 5);
    expect(Array.from(r.values.hd95)).toEqual([1, 0]);
  });
});
