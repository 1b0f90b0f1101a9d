import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { total } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refFocalTversky, type RefFocalTverskyOptions } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { focalTversky } from './focal-tversky.ts';
import { tversky } from './tversky.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

describe.each(BACKENDS)('focalTversky on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value: (1 − TI)^0.75', () => {
    // TI = (0.9 + s)/(0.9 + 0.3·0.2 + 0.7·0.1 + s), see tversky.test.ts.
    const ti = (0.9 + 1e-5) / (1.03 + 1e-5);
    expectAllClose(
      take(focalTversky(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]))),
      (1 - ti) ** 0.75,
      tol,
    );
  });

  it('γ = 1 is Tversky; invertGamma with γ = 4/3 is γ = 0.75; powerAfterMean is (mean)^γ (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.boolean(), fc.boolean(), (seed, batch, channels) => {
        const shape = [2, 3, 3, 2];
        const c = randomRegionCase(seed, shape);
        const yt = t(c.yTrue, shape);
        const yp = t(c.yPred, shape);
        const o = { reduceBatch: batch, reduceChannels: channels };
        const tv = take(tversky(yt, yp, { ...o, reduction: 'none' }));
        expectAllClose(take(focalTversky(yt, yp, { ...o, gamma: 1, reduction: 'none' })), tv, {
          rtol: 1e-5,
          atol: 1e-6,
        });
        expectAllClose(
          take(focalTversky(yt, yp, { ...o, gamma: 4 / 3, invertGamma: true })),
          take(focalTversky(yt, yp, o)),
          { rtol: 1e-5, atol: 1e-6 },
        );
        const mean = Array.from(tv).reduce((a, x) => a + x, 0) / tv.length;
        expectAllClose(take(focalTversky(yt, yp, { ...o, gamma: 2, powerAfterMean: true })), mean ** 2, {
          rtol: 1e-4,
          atol: 1e-6,
        });
        tf.dispose([yt, yp]);
      }),
      { numRuns: 15, seed: 5 },
    );
  });

  it.each([
    ['defaults (γ = 0.75, per group)', {}],
    [
      'paper form γ = 4/3 inverted, global, smoothing 1',
      { gamma: 4 / 3, invertGamma: true, reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 },
    ],
    [
      'smp: γ = 2 after the mean, batch, clamp, masked empty classes',
      {
        gamma: 2,
        powerAfterMean: true,
        reduceBatch: true,
        smoothNr: 0,
        smoothDr: 0,
        epsClamp: 1e-7,
        maskEmptyClasses: true,
      },
    ],
    ['sigmoid, γ = 1.5', { activation: 'sigmoid', gamma: 1.5 }],
  ] as [string, RefFocalTverskyOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(14, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => focalTversky(yt, p, o),
      oracle: (x) => total(refFocalTversky(c.yTrue, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it('is exactly 0 at a perfect prediction, with a finite (zero) gradient: the pinned subgradient of x^0.75 at 0', () => {
    const m = [1, 0, 0, 1, 1, 0];
    const yt = t(m, [1, 2, 3, 1]);
    const yp = t(m, [1, 2, 3, 1]);
    for (const o of [{}, { powerAfterMean: true }, { reduction: 'none' as const }]) {
      for (const x of take(focalTversky(yt, yp, o))) expect(x).toBe(0);
      const g = take(tf.grad((p: Tensor) => focalTversky(yt, p, o))(yp));
      expect(Array.from(g)).toEqual([0, 0, 0, 0, 0, 0]);
    }
    tf.dispose([yt, yp]);
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(() => focalTversky(x, x, { gamma: 0 }), /focalTversky/, /gamma/, /\(0, ∞/);
    expectThrows(
      () => focalTversky(x, x, { logLoss: true } as never),
      /focalTversky/,
      /unknown option 'logLoss'/,
    );
    expectTidy(() => focalTversky(x, x, { powerAfterMean: true, preset: 'smp' }));
    x.dispose();
  });
});
