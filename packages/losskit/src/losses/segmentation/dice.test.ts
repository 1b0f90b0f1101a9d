import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RefOptions } from '../../../test/reference/region-common.ts';
import { total } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refDice } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { flat, goldenCase } from '../../../test/helpers/golden.ts';
import { tf, type Tensor } from '../../tf.ts';
import { dice, type DiceOptions } from './dice.ts';

/** The binary 2×4×4×1 input of the golden case `dice_default_2x4x4x1` (segmentation-region.md §1.3). */
function specInput(): { yTrue: number[]; yPred: number[] } {
  const c = goldenCase('region', 'dice_default_2x4x4x1');
  return { yTrue: flat(c.y_true), yPred: flat(c.y_pred) };
}

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

const randomCase = randomRegionCase;

describe.each(BACKENDS)('dice on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value', () => {
    // g = [1, 0], p = [0.9, 0.2]: 2·TP = 1.8, Σp + Σg = 1.1 + 1 = 2.1, smoothing 1e-5 on both sides.
    const v = take(dice(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1])));
    expectAllClose(v, 1 - (1.8 + 1e-5) / (2.1 + 1e-5), tol);
  });

  it('matches a hand-derived multi-class value with sparse labels, ignoreIndex and no background', () => {
    // One sample, 3 pixels, C = 3; labels [1, 2, 9 (ignored)]. Class 1: p = [0.7, 0.1, ·] g = [1, 0]:
    // D1 = (1.4 + s)/(0.8 + 1 + s). Class 2: p = [0.1, 0.6] g = [0, 1]: D2 = (1.2 + s)/(0.7 + 1 + s).
    const s = 1e-5;
    const yp = t([0.2, 0.7, 0.1, 0.3, 0.1, 0.6, 0.1, 0.1, 0.8], [1, 3, 3]);
    const yt = t([1, 2, 9], [1, 3], 'int32');
    const v = take(
      dice(yt, yp, { sparseLabels: true, ignoreIndex: 9, includeBackground: false, reduction: 'none' }),
    );
    expectAllClose(v, [1 - (1.4 + s) / (1.8 + s), 1 - (1.2 + s) / (1.7 + s)], tol);
  });

  it('reproduces the spec’s numbers for each preset (§1.3)', () => {
    const { yTrue, yPred } = specInput();
    const yt = t(yTrue, [2, 4, 4, 1]);
    const yp = t(yPred, [2, 4, 4, 1]);
    const near = (x: number, want: number) => {
      expect(Math.abs(x - want)).toBeLessThan(5e-5);
    };
    near(take(dice(yt, yp))[0], 0.5893);
    near(take(dice(yt, yp, { preset: 'smp' }))[0], 0.5888);
    near(take(dice(yt, yp, { preset: 'jadon' }))[0], 0.5657);
    near(take(dice(yt, yp, { preset: 'monai' }))[0], 0.5893);
    // With the second sample's ground truth emptied: 0.7901, 0.7492, 0.7158.
    const empty = t(
      yTrue.map((v, i) => (i >= 16 ? 0 : v)),
      [2, 4, 4, 1],
    );
    near(take(dice(empty, yp))[0], 0.7901);
    near(take(dice(empty, yp, { preset: 'smp' }))[0], 0.7492);
    near(take(dice(empty, yp, { preset: 'jadon' }))[0], 0.7158);
    tf.dispose([yt, yp, empty]);
  });

  it('lets explicit options override a preset', () => {
    const { yTrue, yPred } = specInput();
    const yt = t(yTrue, [2, 4, 4, 1]);
    const yp = t(yPred, [2, 4, 4, 1]);
    const a = take(dice(yt, yp, { preset: 'jadon', smoothNr: 1e-5, smoothDr: 1e-5 }))[0];
    const b = take(dice(yt, yp, { reduceBatch: true, reduceChannels: true }))[0];
    expectAllClose(a, b, { rtol: 1e-6 });
    tf.dispose([yt, yp]);
  });

  it('agrees with the float64 oracle across options (fast-check)', () => {
    const opts = fc.record({
      activation: fc.constantFrom('none', 'sigmoid', 'softmax'),
      sparseLabels: fc.boolean(),
      ignore: fc.boolean(),
      includeBackground: fc.boolean(),
      reduceBatch: fc.boolean(),
      reduceChannels: fc.boolean(),
      smooth: fc.constantFrom(0.0, 1e-5, 1),
      epsClamp: fc.constantFrom(0, 1e-7),
      maskEmptyClasses: fc.boolean(),
      squaredPred: fc.boolean(),
      logLoss: fc.boolean(),
      reduction: fc.constantFrom('mean', 'sum', 'none'),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(
      fc.property(opts, (x) => {
        const shape = [2, 3, 2, 3];
        const c = randomCase(x.seed, shape, x.sparseLabels);
        // Mark one pixel (or element) as ignored.
        const yTrue = x.ignore ? c.yTrue.map((v, i) => (i === 1 ? 7 : v)) : c.yTrue;
        const o: RefOptions = {
          activation: x.activation,
          sparseLabels: x.sparseLabels,
          ignoreIndex: x.ignore ? 7 : null,
          includeBackground: x.includeBackground,
          reduceBatch: x.reduceBatch,
          reduceChannels: x.reduceChannels,
          smoothNr: x.smooth,
          smoothDr: x.smooth === 0 ? 1e-7 : x.smooth,
          epsClamp: x.epsClamp,
          maskEmptyClasses: x.maskEmptyClasses,
          squaredPred: x.squaredPred,
          logLoss: x.logLoss,
          reduction: x.reduction,
        };
        const yt = t(
          yTrue,
          x.sparseLabels ? shape.slice(0, -1) : shape,
          x.sparseLabels ? 'int32' : 'float32',
        );
        const yp = t(c.yPred, shape);
        const got = take(dice(yt, yp, o));
        const want = refDice(yTrue, c.yPred, shape, o);
        expectAllClose(got, typeof want === 'number' ? [want] : want, { rtol: 2e-4, atol: 1e-5 });
        tf.dispose([yt, yp]);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  describe('gradient vs central differences of the float64 oracle', () => {
    const configs: [string, number[], RefOptions][] = [
      ['defaults', [2, 3, 3, 1], {}],
      [
        'softmax, sparse, ignoreIndex, no background',
        [2, 3, 2, 3],
        { activation: 'softmax', sparseLabels: true, ignoreIndex: 7, includeBackground: false },
      ],
      [
        'smp: batch, no smoothing, clamp, masked empty classes',
        [2, 3, 2, 3],
        { reduceBatch: true, smoothNr: 0, smoothDr: 0, epsClamp: 1e-7, maskEmptyClasses: true },
      ],
      ['squaredPred, sigmoid', [2, 2, 2, 2], { squaredPred: true, activation: 'sigmoid' }],
      [
        'logLoss, class weights, sum',
        [2, 2, 3, 2],
        { logLoss: true, classWeights: [0.3, 1.7], reduction: 'sum' },
      ],
      ['global (Jadon)', [2, 3, 3, 2], { reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 }],
    ];
    it.each(configs)('%s', (_name, shape, o) => {
      const sparse = o.sparseLabels === true;
      const c = randomCase(11, shape, sparse);
      const yTrue = o.ignoreIndex === 7 ? c.yTrue.map((v, i) => (i === 2 ? 7 : v)) : c.yTrue;
      const yPred = o.activation && o.activation !== 'none' ? c.yPred.map((p) => 4 * p - 2) : c.yPred;
      const yt = t(yTrue, sparse ? shape.slice(0, -1) : shape, sparse ? 'int32' : 'float32');
      checkGradient({
        loss: (p: Tensor) => dice(yt, p, o),
        oracle: (x) => total(refDice(yTrue, x, shape, o)),
        yPred,
        shape,
      });
      yt.dispose();
    });
  });

  it("reduces: 'sum' = 'mean' × groups; 'none' is [B', C']", () => {
    const shape = [2, 3, 2, 3];
    const c = randomCase(5, shape);
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    const none = dice(yt, yp, { reduction: 'none' });
    expect(none.shape).toEqual([2, 3]);
    const mean = take(dice(yt, yp))[0];
    expectAllClose(take(dice(yt, yp, { reduction: 'sum' }))[0], mean * 6, tol);
    expectAllClose(take(none), take(dice(yt, yp, { reduction: 'none', reduceBatch: false })));
    const shapeOf = (o: DiceOptions) => {
      const out = dice(yt, yp, { ...o, reduction: 'none' });
      const s = out.shape;
      out.dispose();
      return s;
    };
    expect(shapeOf({ reduceBatch: true })).toEqual([1, 3]);
    expect(shapeOf({ reduceChannels: true })).toEqual([2, 1]);
    expect(shapeOf({ reduceBatch: true, reduceChannels: true })).toEqual([1, 1]);
    tf.dispose([yt, yp]);
  });

  it('weights samples: ones change nothing, [B] weights multiply each sample’s groups', () => {
    const shape = [2, 3, 2, 2];
    const c = randomCase(9, shape);
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    const w1 = tf.ones([2]);
    const w = tf.tensor1d([0.5, 2]);
    expectAllClose(take(dice(yt, yp, { sampleWeight: w1 })), take(dice(yt, yp)), tol);
    const want = refDice(c.yTrue, c.yPred, shape, {}, [0.5, 2]) as number;
    expectAllClose(take(dice(yt, yp, { sampleWeight: w })), want, { rtol: 1e-4 });
    tf.dispose([yt, yp, w1, w]);
  });

  it('is 0 for a perfect prediction and for an empty prediction of an empty mask; ≈ 1 for FP on an empty mask', () => {
    const m = [0, 1, 1, 0, 1, 0];
    const yt = t(m, [1, 2, 3, 1]);
    expectAllClose(take(dice(yt, t(m, [1, 2, 3, 1]))), 0);
    const z = t([0, 0, 0, 0, 0, 0], [1, 2, 3, 1]);
    expectAllClose(take(dice(z, z)), 0);
    // (0 + 1e-5)/(Σp + 1e-5) with Σp = 3: 1 − 1e-5/3.00001.
    expectAllClose(
      take(dice(z, t([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [1, 2, 3, 1]))),
      1 - 1e-5 / (3 + 1e-5),
      tol,
    );
    // Keras: no numerator smoothing, so an empty prediction of an empty mask costs 1.
    expectAllClose(take(dice(z, z, { preset: 'keras' })), 1);
    tf.dispose([yt, z]);
  });

  it('errors name the loss: unknown option, bad types', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(() => dice(x, x, { smoothing: 1 } as never), /dice/, /unknown option 'smoothing'/);
    expectThrows(() => dice(x, x, { smoothNr: -1 }), /dice/, /smoothNr/);
    expectThrows(() => dice(x, x, { reduction: 'avg' as never }), /dice/, /reduction/, /'mean'/);
    x.dispose();
  });

  it('leaves only its result behind', () => {
    const shape = [2, 3, 2, 3];
    const c = randomCase(3, shape, true);
    const yt = t(c.yTrue, [2, 3, 2], 'int32');
    const yp = t(c.yPred, shape);
    expectTidy(() =>
      dice(yt, yp, { sparseLabels: true, activation: 'softmax', ignoreIndex: 0, maskEmptyClasses: true }),
    );
    expectTidy(() => dice(yt, yp, { sparseLabels: true, logLoss: true, preset: 'smp' }));
    tf.dispose([yt, yp]);
  });

  it('has a readable name for Keras logs', () => {
    expect(dice.name).toBe('dice');
    expect(dice.bind({ preset: 'smp' }).name).toBe('dice');
  });
});
