import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { total, type RefOptions } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refLogCoshDice } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { dice } from './dice.ts';
import { logCoshDice } from './log-cosh-dice.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

describe.each(BACKENDS)('logCoshDice on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value: log cosh of the Dice loss', () => {
    const d = 1 - (1.8 + 1e-5) / (2.1 + 1e-5);
    expectAllClose(
      take(logCoshDice(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]))),
      Math.log(Math.cosh(d)),
      tol,
    );
  });

  it('= log(cosh(Dice loss)) after the reduction, and per group with reduction none (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom('mean', 'sum', 'none'),
        fc.boolean(),
        (seed, reduction, batch) => {
          const shape = [2, 3, 3, 2];
          const c = randomRegionCase(seed, shape);
          const yt = t(c.yTrue, shape);
          const yp = t(c.yPred, shape);
          const o = { reduction, reduceBatch: batch } as const;
          const d = take(dice(yt, yp, o));
          expectAllClose(
            take(logCoshDice(yt, yp, o)),
            d.map((x) => Math.log(Math.cosh(x))),
            { rtol: 1e-4, atol: 1e-7 },
          );
          tf.dispose([yt, yp]);
        },
      ),
      { numRuns: 15, seed: 6 },
    );
  });

  it.each([
    ['defaults', {}],
    ['Jadon (global, smoothing 1)', { reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 }],
    ['sum, squaredPred, sigmoid', { reduction: 'sum', squaredPred: true, activation: 'sigmoid' }],
  ] as [string, RefOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(15, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => logCoshDice(yt, p, o),
      oracle: (x) => total(refLogCoshDice(c.yTrue, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 1]);
    expectThrows(
      () => logCoshDice(x, x, { logLoss: true } as never),
      /logCoshDice/,
      /unknown option 'logLoss'/,
    );
    expectTidy(() => logCoshDice(x, x, { preset: 'jadon' }));
    x.dispose();
  });
});
