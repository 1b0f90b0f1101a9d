import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getMetric } from '../catalog/catalog.ts';
import { dice } from '../losses/segmentation/dice.ts';
import { randomRegionCase } from '../../test/reference/region-cases.ts';
import { refMetric, type RefTverskyOptions } from '../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../test/helpers/backends.ts';
import { flat, goldenCase } from '../../test/helpers/golden.ts';
import { tf } from '../tf.ts';
import {
  diceCoefficient,
  diceOfMasks,
  iou,
  iouOfMasks,
  precision,
  precisionOfMasks,
  sensitivity,
  sensitivityOfMasks,
  specificity,
  specificityOfMasks,
  tverskyIndex,
  tverskyOfMasks,
} from './overlap.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

const METRICS = [
  ['dice', diceCoefficient, diceOfMasks],
  ['iou', iou, iouOfMasks],
  ['tversky', tverskyIndex, tverskyOfMasks],
  ['sensitivity', sensitivity, sensitivityOfMasks],
  ['specificity', specificity, specificityOfMasks],
  ['precision', precision, precisionOfMasks],
] as const;

describe.each(BACKENDS)('overlap metrics on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };
  const s = 1e-5;

  it('match hand-derived soft values', () => {
    // g = [1, 0], p = [0.9, 0.2]: TP .9, FP .2, FN .1, TN .8.
    const yt = t([1, 0], [1, 1, 2, 1]);
    const yp = t([0.9, 0.2], [1, 1, 2, 1]);
    const want: Record<string, number> = {
      dice: (1.8 + s) / (2.1 + s),
      iou: (0.9 + s) / (1.2 + s),
      tversky: (0.9 + s) / (0.9 + 0.3 * 0.2 + 0.7 * 0.1 + s),
      sensitivity: (0.9 + s) / (1 + s),
      specificity: (0.8 + s) / (1 + s),
      precision: (0.9 + s) / (1.1 + s),
    };
    for (const [kind, metric] of METRICS) expectAllClose(take(metric(yt, yp)), want[kind], tol);
    // Thresholded at 0.5 the prediction is [1, 0]: every score is 1.
    for (const [, metric] of METRICS) expectAllClose(take(metric(yt, yp, { threshold: 0.5 })), 1, tol);
    tf.dispose([yt, yp]);
  });

  it('reproduce the golden thresholded Dice coefficient (dicecoef_threshold_0p5) through getMetric', () => {
    const c = goldenCase('region', 'dicecoef_threshold_0p5');
    const yt = t(flat(c.y_true), [2, 3, 3], 'int32');
    const yp = t(flat(c.y_pred), [2, 3, 3, 3]);
    const v = take(getMetric('dice_coefficient', c.options)(yt, yp))[0];
    expect(Math.abs(v - (c.expected as number))).toBeLessThanOrEqual(1e-4);
    tf.dispose([yt, yp]);
  });

  it('agree with the float64 oracle across options (fast-check)', () => {
    const arb = fc.record({
      m: fc.integer({ min: 0, max: 5 }),
      sparse: fc.boolean(),
      threshold: fc.constantFrom(null, 0.5),
      includeBackground: fc.boolean(),
      reduceBatch: fc.boolean(),
      reduceChannels: fc.boolean(),
      maskEmptyClasses: fc.boolean(),
      ignore: fc.boolean(),
      reduction: fc.constantFrom('mean', 'sum', 'none'),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(
      fc.property(arb, (x) => {
        const [kind, metric] = METRICS[x.m];
        const shape = [2, 2, 3, 3];
        const c = randomRegionCase(x.seed, shape, x.sparse);
        const yTrue = x.ignore ? c.yTrue.map((v, i) => (i === 3 ? 5 : v)) : c.yTrue;
        const o: RefTverskyOptions = {
          sparseLabels: x.sparse,
          ignoreIndex: x.ignore ? 5 : null,
          threshold: x.threshold,
          includeBackground: x.includeBackground,
          reduceBatch: x.reduceBatch,
          reduceChannels: x.reduceChannels,
          maskEmptyClasses: x.maskEmptyClasses,
          reduction: x.reduction,
        };
        const yt = t(yTrue, x.sparse ? [2, 2, 3] : shape, x.sparse ? 'int32' : 'float32');
        const yp = t(c.yPred, shape);
        const want = refMetric(kind, yTrue, c.yPred, shape, o);
        expectAllClose(take(metric(yt, yp, o)), typeof want === 'number' ? [want] : want, {
          rtol: 1e-4,
          atol: 1e-6,
        });
        tf.dispose([yt, yp]);
      }),
      { numRuns: 40, seed: 8 },
    );
  });

  it('Dice coefficient = 1 − Dice loss per group, under the same options', () => {
    const shape = [2, 3, 2, 3];
    const c = randomRegionCase(71, shape);
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    const o = { reduceBatch: true, squaredPred: true, reduction: 'none' } as const;
    expectAllClose(
      take(diceCoefficient(yt, yp, o)),
      take(dice(yt, yp, o)).map((x) => 1 - x),
      tol,
    );
    tf.dispose([yt, yp]);
  });

  it('score empty-truth groups 1 with maskEmptyClasses (their loss is 0)', () => {
    const yt = t([0, 0, 1, 0], [2, 2, 1]);
    const yp = t([0.7, 0.2, 0.6, 0.1], [2, 2, 1]);
    const v = take(diceCoefficient(yt, yp, { maskEmptyClasses: true, reduction: 'none' }));
    expectAllClose(v, [1, (1.2 + s) / (1.7 + s)], tol);
    tf.dispose([yt, yp]);
  });

  it('thresholded on binary masks equal the typed-array versions (smoothing 0 vs 0)', () => {
    const shape = [1, 4, 4, 1];
    const c = randomRegionCase(72, shape);
    const hard = c.yPred.map((p) => (p >= 0.5 ? 1 : 0));
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    for (const [, metric, arrays] of METRICS) {
      const v = take(metric(yt, yp, { threshold: 0.5 }))[0];
      expectAllClose(v, arrays(c.yTrue, hard), tol);
    }
    tf.dispose([yt, yp]);
  });

  it("apply presets: Jadon's dice_coef is global with 1e-7 smoothing", () => {
    expect(diceCoefficient.bind({ preset: 'jadon' }).options).toMatchObject({
      reduceBatch: true,
      reduceChannels: true,
      smoothNr: 1e-7,
      smoothDr: 1e-7,
    });
  });

  it('have readable names, work as model.compile metrics, and leave only their result', async () => {
    expect(getMetric('dice_coefficient').name).toBe('diceCoefficient');
    expect(getMetric('recall').name).toBe('sensitivity');
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 2, inputShape: [2], activation: 'sigmoid' }),
        tf.layers.reshape({ targetShape: [2, 1] }),
      ],
    });
    model.compile({
      optimizer: 'sgd',
      loss: 'meanSquaredError',
      metrics: [getMetric('dice_coefficient'), getMetric('iou')],
    });
    const x = tf.tensor2d([0, 1, 1, 0, 1, 1], [3, 2]);
    const y = tf.tensor3d([0, 1, 1, 0, 1, 1], [3, 2, 1]);
    const h = await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(Object.keys(h.history)).toEqual(expect.arrayContaining(['diceCoefficient', 'iou']));
    tf.dispose([x, y]);
    model.dispose();
    const yt = t([1, 0, 1, 1], [1, 2, 2], 'int32');
    const yp = t([0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.1, 0.9], [1, 2, 2, 2]);
    for (const [, metric] of METRICS) {
      expectTidy(() => metric(yt, yp, { sparseLabels: true, threshold: 0.5, ignoreIndex: 0 }));
    }
    tf.dispose([yt, yp]);
  });

  it('errors name the metric', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(() => diceCoefficient(x, x, { threshold: 2 }), /diceCoefficient/, /threshold/, /\[0, 1\]/);
    expectThrows(() => iou(x, x, { logLoss: true } as never), /iou/, /unknown option 'logLoss'/);
    expectThrows(() => precision(x, tf.zeros([1, 2, 2])), /precision/, /\[1,2,1\]/, /\[1,2,2\]/);
    x.dispose();
  });
});

describe('overlap metrics: values outside [0, 1]', () => {
  beforeAll(() => useBackend('cpu'));
  const all = [diceCoefficient, iou, tverskyIndex, sensitivity, specificity, precision];

  it('reject a probability outside [0, 1], with or without threshold, naming the metric, value and index', () => {
    const yTrue = t([1, 0, 1, 0], [1, 2, 2, 1]);
    for (const m of all) {
      for (const bad of [-0.5, 1.5]) {
        const yPred = t([0.5, 0.2, bad, 0], [1, 2, 2, 1]);
        for (const o of [{}, { threshold: 0.5 }]) {
          expectThrows(
            () => m.bind(o)(yTrue, yPred),
            new RegExp(`^${m.info.id}: yPred holds ${bad} at flat index 2 of shape \\[1,2,2,1\\]`),
            /probabilities must be in \[0, 1\]/,
          );
        }
        yPred.dispose();
      }
    }
    yTrue.dispose();
  });

  it('reject a dense mask value outside [0, 1] unless it is ignoreIndex; logits with an activation pass', () => {
    const yPred = t([0.5, 0.2, 1, 0], [1, 2, 2, 1]);
    const logits = t([-3, 2, 9, -9], [1, 2, 2, 1]);
    const yTrue = t([1, 0, 2, 0], [1, 2, 2, 1]);
    const ignored = t([1, 0, 255, 0], [1, 2, 2, 1]);
    for (const m of all) {
      expectThrows(
        () => m.bind({})(yTrue, yPred),
        new RegExp(`^${m.info.id}: yTrue holds 2 at flat index 2`),
      );
      expect(Number.isFinite(m.bind({ ignoreIndex: 255 })(ignored, yPred).dataSync()[0])).toBe(true);
      expect(
        Number.isFinite(m.bind({ activation: 'sigmoid' })(ignored.clipByValue(0, 1), logits).dataSync()[0]),
      ).toBe(true);
    }
    tf.dispose([yPred, logits, yTrue, ignored]);
  });

  it('give NaN for a NaN probability (NaN in, NaN out)', () => {
    const yTrue = t([1, 0, 1, 0], [1, 2, 2, 1]);
    const yPred = t([0.5, NaN, 1, 0], [1, 2, 2, 1]);
    for (const m of all) expect(m.bind({})(yTrue, yPred).dataSync()[0], m.info.id).toBeNaN();
    tf.dispose([yTrue, yPred]);
  });
});
