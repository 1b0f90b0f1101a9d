import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { total, type RefOptions } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refJaccard } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { dice } from './dice.ts';
import { jaccard } from './jaccard.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

describe.each(BACKENDS)('jaccard on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value', () => {
    // g = [1, 0], p = [0.9, 0.2]: TP = 0.9, Σp + Σg − TP = 1.2.
    expectAllClose(
      take(jaccard(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]))),
      1 - (0.9 + 1e-5) / (1.2 + 1e-5),
      tol,
    );
  });

  it("reproduces MONAI's jaccard=True, (2TP + s)/(2(TP+FP+FN) + s), with preset 'monai' (halved smoothing)", () => {
    const v = take(jaccard(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]), { preset: 'monai' }));
    expectAllClose(v, 1 - (1.8 + 1e-5) / (2.4 + 1e-5), tol);
  });

  it('J = D/(2 − D) per group, with the Jaccard smoothing half the Dice smoothing (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom(0, 1e-5, 1),
        fc.boolean(),
        (seed, s, sq) => {
          const shape = [2, 3, 3, 2];
          const c = randomRegionCase(seed, shape);
          const yt = t(c.yTrue, shape);
          const yp = t(c.yPred, shape);
          const d = take(dice(yt, yp, { smoothNr: s, smoothDr: s, squaredPred: sq, reduction: 'none' }));
          const j = take(
            jaccard(yt, yp, { smoothNr: s / 2, smoothDr: s / 2, squaredPred: sq, reduction: 'none' }),
          );
          // loss = 1 − score; J = D/(2 − D)
          expectAllClose(
            j.map((x) => 1 - x),
            d.map((x) => (1 - x) / (1 + x)),
            { rtol: 2e-5, atol: 2e-6 },
          );
          tf.dispose([yt, yp]);
        },
      ),
      { numRuns: 20, seed: 3 },
    );
  });

  it('agrees with the float64 oracle (sparse, softmax, ignoreIndex, smp flags, log loss)', () => {
    const shape = [2, 3, 2, 3];
    const c = randomRegionCase(21, shape, true);
    const yTrue = c.yTrue.map((v, i) => (i === 4 ? 255 : v));
    const yt = t(yTrue, [2, 3, 2], 'int32');
    const yp = t(
      c.yPred.map((p) => 3 * p),
      shape,
    );
    for (const o of [
      { sparseLabels: true, activation: 'softmax', ignoreIndex: 255 },
      {
        sparseLabels: true,
        ignoreIndex: 255,
        reduceBatch: true,
        smoothNr: 0,
        smoothDr: 0,
        epsClamp: 1e-7,
        maskEmptyClasses: true,
      },
      { sparseLabels: true, ignoreIndex: 255, logLoss: true, includeBackground: false, reduction: 'none' },
    ] as RefOptions[]) {
      const want = refJaccard(
        yTrue,
        c.yPred.map((p) => 3 * p),
        shape,
        o,
      );
      expectAllClose(take(jaccard(yt, yp, o)), typeof want === 'number' ? want : want, { rtol: 1e-4 });
    }
    tf.dispose([yt, yp]);
  });

  it.each([
    ['defaults', {}],
    ['squaredPred, sigmoid, batch', { squaredPred: true, activation: 'sigmoid', reduceBatch: true }],
    ['logLoss, global', { logLoss: true, reduceBatch: true, reduceChannels: true }],
  ] as [string, RefOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(8, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => jaccard(yt, p, o),
      oracle: (x) => total(refJaccard(c.yTrue, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it("pins Jadon's convention: no smoothing, empty mask and empty prediction give NaN (0/0)", () => {
    const z = t([0, 0, 0, 0], [1, 2, 2, 1]);
    const v = take(jaccard(z, z, { smoothNr: 0, smoothDr: 0, reduceBatch: true, reduceChannels: true }));
    expect(Number.isNaN(v[0])).toBe(true);
    // The default smoothing gives 0 there.
    expectAllClose(take(jaccard(z, z)), 0);
    z.dispose();
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 2]);
    expectThrows(() => jaccard(x, x, { alpha: 1 } as never), /jaccard/, /unknown option 'alpha'/);
    expectThrows(() => jaccard(x, tf.zeros([1, 2, 3])), /jaccard/, /\[1,2,2\]/, /\[1,2,3\]/);
    expectTidy(() => jaccard(x, x, { preset: 'smp', logLoss: true }));
    x.dispose();
  });
});
