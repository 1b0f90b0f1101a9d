import { beforeAll, describe, expect, it } from 'vitest';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refMcc, type RefMccOptions } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { mcc } from './mcc.ts';

const t = (v: readonly number[], s: readonly number[]) => tf.tensor([...v], [...s], 'float32');

describe.each(BACKENDS)('mcc on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches hand-derived values, including the degenerate ones of smp’s tests', () => {
    // g = [1, 0], p = [0.9, 0.2]: TP .9, TN .8, FP .2, FN .1 (+ε each).
    const e = 1e-5;
    const [tp, tn, fp, fn] = [0.9 + e, 0.8 + e, 0.2 + e, 0.1 + e];
    const want = 1 - (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    expectAllClose(take(mcc(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]))), want, tol);
    // All-positive target predicted perfectly: TP = n + ε, others ε → MCC = nε/((n + 2ε)·2ε) ≈ 1/2.
    const ones = t([1, 1, 1, 1], [1, 2, 2, 1]);
    const n = 4;
    expectAllClose(take(mcc(ones, ones)), 1 - (n * e) / ((n + 2 * e) * 2 * e), tol);
    // All-negative prediction of an all-positive target: MCC ≈ −1/2, loss ≈ 1.5.
    const zeros = t([0, 0, 0, 0], [1, 2, 2, 1]);
    expectAllClose(take(mcc(ones, zeros)), 1 + (n * e) / ((n + 2 * e) * 2 * e), tol);
    tf.dispose([ones, zeros]);
  });

  it('with reduceBatch false is the mean of the per-sample losses', () => {
    const shape = [2, 3, 3, 1];
    const c = randomRegionCase(61, shape);
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    const a = take(mcc(t(c.yTrue.slice(0, 9), [1, 3, 3, 1]), t(c.yPred.slice(0, 9), [1, 3, 3, 1])))[0];
    const b = take(mcc(t(c.yTrue.slice(9), [1, 3, 3, 1]), t(c.yPred.slice(9), [1, 3, 3, 1])))[0];
    expectAllClose(take(mcc(yt, yp, { reduceBatch: false })), (a + b) / 2, tol);
    tf.dispose([yt, yp]);
  });

  it.each([
    ['batch (smp)', {}],
    ['per sample', { reduceBatch: false }],
    ['sigmoid logits, eps 1e-3', { activation: 'sigmoid', eps: 1e-3 }],
  ] as [string, RefMccOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(62, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => mcc(yt, p, o),
      oracle: (x) => refMcc(c.yTrue, x, shape, o),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(() => mcc(x, x, { eps: 0 }), /mcc/, /eps/);
    expectThrows(() => mcc(x, x, { reduction: 'sum' } as never), /mcc/, /unknown option 'reduction'/);
    expectThrows(() => mcc(x, tf.zeros([1, 3, 1])), /mcc/, /\[1,2,1\]/, /\[1,3,1\]/);
    expectTidy(() => mcc(x, x, { reduceBatch: false }));
    expect(mcc.name).toBe('mcc');
    x.dispose();
  });
});
