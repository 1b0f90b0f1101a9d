import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { total } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refTversky, type RefTverskyOptions } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { flat, goldenCase } from '../../../test/helpers/golden.ts';
import { tf, type Tensor } from '../../tf.ts';
import { dice } from './dice.ts';
import { jaccard } from './jaccard.ts';
import { tversky } from './tversky.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

function specInput(): { yTrue: number[]; yPred: number[] } {
  const c = goldenCase('region', 'dice_default_2x4x4x1');
  return { yTrue: flat(c.y_true), yPred: flat(c.y_pred) };
}

describe.each(BACKENDS)('tversky on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value: α = 0.3 on FP, β = 0.7 on FN', () => {
    // g = [1, 0], p = [0.9, 0.2]: TP 0.9, FP 0.2, FN 0.1 → 0.9 + 0.3·0.2 + 0.7·0.1 = 1.03.
    const v = take(tversky(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1])));
    expectAllClose(v, 1 - (0.9 + 1e-5) / (1.03 + 1e-5), tol);
  });

  it('weights FP with α and FN with β (spec §2.7: 0.5207 vs 0.6388 when swapped)', () => {
    const { yTrue, yPred } = specInput();
    const yt = t(yTrue, [2, 4, 4, 1]);
    const yp = t(yPred, [2, 4, 4, 1]);
    expect(Math.abs(take(tversky(yt, yp))[0] - 0.5207)).toBeLessThan(5e-5);
    expect(Math.abs(take(tversky(yt, yp, { alpha: 0.7, beta: 0.3 }))[0] - 0.6388)).toBeLessThan(5e-5);
    tf.dispose([yt, yp]);
  });

  it('α = β = 0.5 is Dice, and α = β = 1 is Jaccard (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom(1e-5, 1),
        fc.boolean(),
        (seed, s, batch) => {
          const shape = [2, 3, 3, 2];
          const c = randomRegionCase(seed, shape);
          const yt = t(c.yTrue, shape);
          const yp = t(c.yPred, shape);
          const common = { reduceBatch: batch, reduction: 'none' } as const;
          // TI(½, ½) = (2TP + 2s)/(2TP + FP + FN + 2s): Dice with smoothing 2s.
          const ti = take(tversky(yt, yp, { ...common, alpha: 0.5, beta: 0.5, smoothNr: s, smoothDr: s }));
          const d = take(dice(yt, yp, { ...common, smoothNr: 2 * s, smoothDr: 2 * s }));
          expectAllClose(ti, d, { rtol: 2e-5, atol: 2e-6 });
          // TI(1, 1) = (TP + s)/(TP + FP + FN + s) = J at the same smoothing.
          const t1 = take(tversky(yt, yp, { ...common, alpha: 1, beta: 1, smoothNr: s, smoothDr: s }));
          const j = take(jaccard(yt, yp, { ...common, smoothNr: s, smoothDr: s }));
          expectAllClose(t1, j, { rtol: 2e-5, atol: 2e-6 });
          tf.dispose([yt, yp]);
        },
      ),
      { numRuns: 15, seed: 4 },
    );
  });

  it('agrees with the float64 oracle across options', () => {
    const shape = [2, 2, 3, 3];
    const c = randomRegionCase(31, shape, true);
    const yt = t(c.yTrue, [2, 2, 3], 'int32');
    const yp = t(c.yPred, shape);
    for (const o of [
      { sparseLabels: true },
      {
        sparseLabels: true,
        alpha: 0.2,
        beta: 0.8,
        reduceBatch: true,
        reduceChannels: true,
        smoothNr: 0,
        smoothDr: 1e-7,
      },
      {
        sparseLabels: true,
        activation: 'softmax',
        includeBackground: false,
        classWeights: [2, 0.5],
        reduction: 'sum',
      },
      { sparseLabels: true, preset: 'smp', logLoss: true },
    ] as (RefTverskyOptions & { preset?: 'smp' })[]) {
      const ref: RefTverskyOptions =
        o.preset === 'smp'
          ? { ...o, reduceBatch: true, smoothNr: 0, smoothDr: 0, epsClamp: 1e-7, maskEmptyClasses: true }
          : o;
      const want = refTversky(c.yTrue, c.yPred, shape, ref);
      expectAllClose(take(tversky(yt, yp, o)), want, { rtol: 1e-4 });
    }
    tf.dispose([yt, yp]);
  });

  it.each([
    ['defaults', {}],
    [
      'α 0.2, β 0.8, Keras global',
      { alpha: 0.2, beta: 0.8, reduceBatch: true, reduceChannels: true, smoothNr: 0, smoothDr: 1e-7 },
    ],
    [
      'sigmoid, masked empty classes, batch',
      { activation: 'sigmoid', maskEmptyClasses: true, reduceBatch: true },
    ],
  ] as [string, RefTverskyOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(12, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => tversky(yt, p, o),
      oracle: (x) => total(refTversky(c.yTrue, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(() => tversky(x, x, { alpha: -0.1 }), /tversky/, /alpha/);
    expectThrows(
      () => tversky(x, x, { squaredPred: true } as never),
      /tversky/,
      /unknown option 'squaredPred'/,
    );
    expectTidy(() => tversky(x, x, { alpha: 0.5, beta: 0.5, preset: 'keras' }));
    x.dispose();
  });
});
