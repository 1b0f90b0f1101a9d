import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { poisson, type PoissonOptions } from './poisson.ts';
import { poisson64 } from '../../../test/reference/poisson.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<PoissonOptions>;
const loss = poisson;
const EPS = Math.fround(1e-7);

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

/** Counts 0…7. */
function counts(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 8));
}

/** Rates in [0.2, 6]. */
function rates(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 0.2 + r() * 5.8);
}

describe.each(BACKENDS)('poisson on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // y = [[0, 1], [0, 0]], ŷ = [[1, 1], [0, 0]]: row 1 = (1 − 0 + 1 − log(1 + ε))/2; row 2 = (0 + 0)/2.
    const row1 = (1 + 1 - Math.log(1 + EPS)) / 2;
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2], { reduction: 'none' }), [row1, 0]);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2]), row1 / 2);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2], { reduction: 'sum' }), row1);
    // Not 0 at a perfect prediction: y = ŷ = 2 gives 2 − 2·log 2; y = ŷ = e² gives e² − 2e² < 0.
    const e2 = Math.E ** 2;
    const v = run([2, e2], [2, e2], [2, 1], { reduction: 'none' });
    expectAllClose(v, [2 - 2 * Math.log(2), e2 - e2 * Math.log(e2)], { rtol: 1e-5 });
    expect(v[1]).toBeLessThan(0);
  });

  it('is minimised at yPred = yTrue: gradient 1 − y/(ŷ + ε)', () => {
    const yt = tf.tensor2d([[3, 0, 2]]);
    const yp = tf.tensor2d([[3, 1, 4]]);
    // Mean over D = 3: [(1 − 3/3)/3, (1 − 0)/3, (1 − 2/4)/3] (ε is negligible here).
    const g = take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp));
    expectAllClose(g, [0, 1 / 3, 0.5 / 3]);
    tf.dispose([yt, yp]);
  });

  it('adds ε inside the log: a zero rate is finite, gradients included', () => {
    // y = 3, ŷ = 0: −3·log(ε); the gradient 1 − 3/ε is large but finite.
    const yt = tf.tensor2d([[3]]);
    const yp = tf.tensor2d([[0]]);
    expectAllClose(take(loss(yt, yp)), -3 * Math.log(EPS), { rtol: 1e-5 });
    expectAllClose(take(tf.grad((p: Tensor) => loss(yt, p))(yp)), 1 - 3 / EPS, { rtol: 1e-4 });
    tf.dispose([yt, yp]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = counts(1, 12);
    const yp = rates(2, 12);
    const per = poisson64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    const zero = tf.zeros([3]);
    expect(run(yt, yp, shape, { reduction: 'mean_with_sample_weight', sampleWeight: zero })[0]).toBe(0);
    zero.dispose();
  });

  it('has the gradient of its float64 oracle', () => {
    for (const shape of [
      [2, 4],
      [2, 2, 3],
    ]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = counts(21, n);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(poisson64(yt, x, shape)),
        yPred: rates(22, n),
        shape,
      });
      ytT.dispose();
    }
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(() => loss(yt, yp, { logInput: true } as never), /poisson/, /unknown option 'logInput'/);
    expectThrows(
      () => loss(yt, yp, { reduction: true as never }),
      /poisson: option 'reduction' must be one of/,
    );
    const other = tf.tensor1d([1, 2, 3]);
    expectThrows(() => loss(yt, other), /poisson/, /does not match/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[3, 1, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
