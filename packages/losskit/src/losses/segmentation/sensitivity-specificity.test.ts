import { beforeAll, describe, expect, it } from 'vitest';
import { total } from '../../../test/reference/region-common.ts';
import { randomRegionCase } from '../../../test/reference/region-cases.ts';
import { refSensitivitySpecificity, type RefSsOptions } from '../../../test/reference/region-losses.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { tf, type Tensor } from '../../tf.ts';
import { sensitivitySpecificity } from './sensitivity-specificity.ts';

const t = (v: readonly number[], s: readonly number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor([...v], [...s], dtype);

describe.each(BACKENDS)('sensitivitySpecificity on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = { rtol: backendTol(backend, 1e-5), atol: 1e-7 };

  it('matches a hand-derived value', () => {
    // g = [1, 0], p = [0.9, 0.2]: foreground Σ(g−p)²g = 0.01 over Σg = 1; background 0.04 over Σ(1−g) = 1.
    const v = take(sensitivitySpecificity(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1])));
    expectAllClose(v, (0.05 * 0.01) / (1 + 1e-5) + (0.95 * 0.04) / (1 + 1e-5), tol);
    // SegLoss: r = 0.1, smooth = 1.
    const seg = take(
      sensitivitySpecificity(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1]), { r: 0.1, smooth: 1 }),
    );
    expectAllClose(seg, (0.1 * 0.01) / 2 + (0.9 * 0.04) / 2, tol);
  });

  it('keeps ignored elements out of both terms', () => {
    const a = take(
      sensitivitySpecificity(t([1, 0, 9], [1, 1, 3, 1]), t([0.9, 0.2, 0.7], [1, 1, 3, 1]), {
        ignoreIndex: 9,
      }),
    );
    const b = take(sensitivitySpecificity(t([1, 0], [1, 1, 2, 1]), t([0.9, 0.2], [1, 1, 2, 1])));
    expectAllClose(a, b, tol);
  });

  it('gives 0 (not NaN) for an empty denominator at smooth = 0', () => {
    // Empty ground truth: the foreground term is 0/0 → 0; background 0.25 per pixel.
    const v = take(
      sensitivitySpecificity(t([0, 0], [1, 1, 2, 1]), t([0.5, 0.5], [1, 1, 2, 1]), { smooth: 0 }),
    );
    expectAllClose(v, 0.95 * 0.25, tol);
  });

  it('agrees with the float64 oracle (NiftyNet: batch, sum; sparse softmax)', () => {
    const shape = [2, 2, 3, 3];
    const c = randomRegionCase(51, shape, true);
    const yt = t(c.yTrue, [2, 2, 3], 'int32');
    const yp = t(c.yPred, shape);
    for (const o of [
      { sparseLabels: true, reduceBatch: true, reduction: 'sum' },
      { sparseLabels: true, activation: 'softmax', includeBackground: false },
      { sparseLabels: true, reduceChannels: true, r: 0.3, smooth: 1 },
    ] as RefSsOptions[]) {
      const want = refSensitivitySpecificity(c.yTrue, c.yPred, shape, o);
      expectAllClose(take(sensitivitySpecificity(yt, yp, o)), want, {
        rtol: 1e-4,
      });
    }
    tf.dispose([yt, yp]);
  });

  it.each([
    ['defaults', {}],
    ['SegLoss r = 0.1, smooth = 1, sigmoid', { r: 0.1, smooth: 1, activation: 'sigmoid' }],
    ['NiftyNet: batch, sum', { reduceBatch: true, reduction: 'sum' }],
  ] as [string, RefSsOptions][])('gradient vs the float64 oracle: %s', (_n, o) => {
    const shape = [2, 3, 2, 2];
    const c = randomRegionCase(52, shape);
    const yt = t(c.yTrue, shape);
    checkGradient({
      loss: (p: Tensor) => sensitivitySpecificity(yt, p, o),
      oracle: (x) => total(refSensitivitySpecificity(c.yTrue, x, shape, o)),
      yPred: c.yPred,
      shape,
    });
    yt.dispose();
  });

  it("'none' is [B', C'], errors name the loss, and a call leaves only its result", () => {
    const x = tf.zeros([2, 2, 3]);
    const none = sensitivitySpecificity(x, x, { reduction: 'none' });
    expect(none.shape).toEqual([2, 3]);
    none.dispose();
    expectThrows(() => sensitivitySpecificity(x, x, { r: 2 }), /sensitivitySpecificity/, /'r'/, /\[0, 1\]/);
    expectThrows(
      () => sensitivitySpecificity(x, x, { smoothNr: 1 } as never),
      /sensitivitySpecificity/,
      /unknown option/,
    );
    expectTidy(() => sensitivitySpecificity(x, x, { ignoreIndex: 0 }));
    x.dispose();
  });
});
