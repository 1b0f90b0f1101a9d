import { beforeAll, describe, expect, it } from 'vitest';
import { total } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refGeneralizedDice, type RefGdlOptions } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { dice } from './dice.ts';
import { generalizedDice } from './generalized-dice.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

// One sample, 3 pixels, 2 classes: p per pixel [0.8, 0.2], [0.3, 0.7], [0.4, 0.6].
const P = [0.8, 0.2, 0.3, 0.7, 0.4, 0.6];
const s = 1e-5;

describe.each(BACKENDS)('generalizedDice on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-6 };

  it('matches a hand-derived value with square weights', () => {
    // labels [0, 1, 1]: V = [1, 2], w = [1, 1/4]; TP = [0.8, 1.3]; Σp = [1.5, 1.5].
    // num = 2(0.8 + 1.3/4) = 2.25; den = (1.5 + 1) + (1.5 + 2)/4 = 3.375.
    const yt = t([0, 1, 1], [1, 1, 3], 'int32');
    const v = take(generalizedDice(yt, t(P, [1, 1, 3, 2]), { sparseLabels: true }));
    expectAllClose(v, 1 - (2.25 + s) / (3.375 + s), tol);
    // simple weights w = [1, 1/2]: num = 2(0.8 + 0.65) = 2.9; den = 2.5 + 1.75 = 4.25.
    const simple = take(
      generalizedDice(yt, t(P, [1, 1, 3, 2]), { sparseLabels: true, weightType: 'simple' }),
    );
    expectAllClose(simple, 1 - (2.9 + s) / (4.25 + s), tol);
    yt.dispose();
  });

  it("replaces an absent class's infinite weight by the sample's largest finite weight (MONAI)", () => {
    // labels [1, 1, 1]: class 0 absent, w1 = 1/9, so w0 := 1/9. TP = [0, 1.5], Σp = [1.5, 1.5], V = [0, 3].
    // num = 2·1.5/9 = 1/3; den = (1.5 + 0)/9 + (1.5 + 3)/9 = 2/3.
    const yt = t([1, 1, 1], [1, 1, 3], 'int32');
    const v = take(generalizedDice(yt, t(P, [1, 1, 3, 2]), { sparseLabels: true }));
    expectAllClose(v, 1 - (1 / 3 + s) / (2 / 3 + s), tol);
    yt.dispose();
  });

  it('scores an empty target with an empty prediction as (0 + s)/(0 + s): loss 0', () => {
    const z = t([0, 0, 0, 0, 0, 0], [1, 1, 3, 2]);
    expectAllClose(take(generalizedDice(z, z)), 0);
    z.dispose();
  });

  it("with uniform weights is the micro Dice (reduceChannels), and 'none' is [B', 1]", () => {
    const shape = [2, 3, 3, 3];
    const c = randomRegionCase(41, shape);
    const yt = t(c.yTrue, shape);
    const yp = t(c.yPred, shape);
    const none = generalizedDice(yt, yp, { weightType: 'uniform', reduction: 'none' });
    expect(none.shape).toEqual([2, 1]);
    expectAllClose(take(none), take(dice(yt, yp, { reduceChannels: true, reduction: 'none' })), tol);
    const b = generalizedDice(yt, yp, { reduceBatch: true, reduction: 'none' });
    expect(b.shape).toEqual([1, 1]);
    b.dispose();
    tf.dispose([yt, yp]);
  });

  it('agrees with the float64 oracle (missing classes, batch, ignoreIndex, no background)', () => {
    const shape = [2, 2, 3, 3];
    // Labels 0 and 2 only in sample 0 (class 1 missing), one ignored pixel in sample 1.
    const labels = [0, 2, 2, 0, 0, 2, 1, 1, 255, 0, 2, 1];
    const c = randomRegionCase(42, shape);
    const yt = t(labels, [2, 2, 3], 'int32');
    const yp = t(c.yPred, shape);
    for (const o of [
      { sparseLabels: true, activation: 'softmax', ignoreIndex: 255 },
      { sparseLabels: true, ignoreIndex: 255, reduceBatch: true, weightType: 'simple' },
      { sparseLabels: true, ignoreIndex: 255, includeBackground: false, reduction: 'sum' },
    ] as RefGdlOptions[]) {
      const want = refGeneralizedDice(labels, c.yPred, shape, o);
      expectAllClose(take(generalizedDice(yt, yp, o)), want, { rtol: 1e-4 });
    }
    tf.dispose([yt, yp]);
  });

  it.each([
    ['square, per sample, missing class', { sparseLabels: true }],
    ['softmax, batch', { sparseLabels: true, activation: 'softmax', reduceBatch: true }],
    ['simple, sum', { sparseLabels: true, weightType: 'simple', reduction: 'sum' }],
  ] as [string, RefGdlOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 2, 2, 3];
    const labels = [0, 2, 2, 0, 1, 1, 0, 2];
    const c = randomRegionCase(43, shape);
    const yt = t(labels, [2, 2, 2], 'int32');
    checkGradient({
      loss: (p: Tensor) => generalizedDice(yt, p, o),
      oracle: (x) => total(refGeneralizedDice(labels, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it('errors name the loss, and a call leaves only its result', () => {
    const x = tf.zeros([1, 2, 2]);
    expectThrows(
      () => generalizedDice(x, x, { weightType: 'cube' as never }),
      /generalizedDice/,
      /weightType/,
      /'square'/,
    );
    expectThrows(
      () => generalizedDice(x, x, { classWeights: [1, 1] } as never),
      /generalizedDice/,
      /unknown option/,
    );
    expectTidy(() => generalizedDice(x, x, { weightType: 'simple' }));
    x.dispose();
  });
});
