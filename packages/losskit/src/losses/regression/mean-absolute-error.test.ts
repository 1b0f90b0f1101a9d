import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { meanAbsoluteError, type MeanAbsoluteErrorOptions } from './mean-absolute-error.ts';
import { meanAbsoluteError64 } from '../../../test/reference/mean-absolute-error.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<MeanAbsoluteErrorOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(meanAbsoluteError, yt, yp, shape, o);
}

/** Values in [−3, 3]. */
function reals(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * 3);
}

/** Predictions at least 0.05 from their targets (away from the kink of |·|). */
function awayFrom(seed: number, yt: readonly number[]): number[] {
  const r = rng(seed);
  return yt.map((t) => t + (r() < 0.5 ? -1 : 1) * (0.05 + r() * 2));
}

describe.each(BACKENDS)('meanAbsoluteError on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras test_unweighted: |[1,9,2] − [4,8,12]| = [3,1,10] → 14/3; |[−5,−2,6] − [8,1,3]| = [13,3,3] → 19/3;
    // mean of the two = 33/6 = 5.5, sum = 11.
    const yt = [1, 9, 2, -5, -2, 6];
    const yp = [4, 8, 12, 8, 1, 3];
    expectAllClose(run(yt, yp, [2, 3], { reduction: 'none' }), [14 / 3, 19 / 3]);
    expectAllClose(run(yt, yp, [2, 3]), 5.5);
    expectAllClose(run(yt, yp, [2, 3], { reduction: 'mean' }), 5.5);
    expectAllClose(run(yt, yp, [2, 3], { reduction: 'sum' }), 11);
    // Rank 1 is one sample: (|0.3 − 1| + |−0.6 − 2| + |−0.1 − 3|)/3 = (0.7 + 2.6 + 3.1)/3 = 6.4/3.
    const one = run([0.3, -0.6, -0.1], [1, 2, 3], [3]);
    expect(one.length).toBe(1);
    expectAllClose(one, 6.4 / 3);
    // A perfect prediction gives 0.
    expectAllClose(run(yt, yt, [2, 3], { reduction: 'none' }), [0, 0]);
  });

  it('applies Keras rank matching: [N] against [N, 1] compares element-wise', () => {
    // [3] is expanded to [3, 1]: per-sample |t − p| = [0.7, 2.6, 3.1], not a broadcast [3, 3].
    const a = tf.tensor1d([0.3, -0.6, -0.1]);
    const b = tf.tensor2d([[1], [2], [3]]);
    expectAllClose(take(meanAbsoluteError(a, b, { reduction: 'none' })), [0.7, 2.6, 3.1]);
    tf.dispose([a, b]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = reals(1, 12);
    const yp = reals(2, 12);
    const per = meanAbsoluteError64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    // [N, 1] weights on [N, T] per-sample values: 'mean_with_sample_weight' divides by the N weights given.
    const shape3 = [2, 3, 4];
    const yt3 = reals(3, 24);
    const yp3 = reals(4, 24);
    const per3 = meanAbsoluteError64(yt3, yp3, shape3);
    const sw = tf.tensor2d([[1.7], [0.5]]);
    expectAllClose(
      run(yt3, yp3, shape3, { reduction: 'mean_with_sample_weight', sampleWeight: sw }),
      kerasReduce64(per3, 'mean_with_sample_weight', [1.7, 0.5]),
    );
    // A scalar weight of 0 gives 0 (Keras test_zero_weighted).
    const zero = tf.scalar(0);
    expectAllClose(run(yt, yp, shape, { sampleWeight: zero }), 0);
    tf.dispose([sw, zero]);
  });

  it('has the gradient of its float64 oracle away from the kink', () => {
    for (const shape of [[2, 4], [2, 2, 3], [5]]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = reals(7, n);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => meanAbsoluteError(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(meanAbsoluteError64(yt, x, shape)),
        yPred: awayFrom(8, yt),
        shape,
      });
      ytT.dispose();
    }
  });

  it('pins the subgradient at yPred = yTrue to +1/D (tfjs: d|x|/dx at 0 is −1, x = yTrue − yPred)', () => {
    // Entry 0 sits on the kink; entry 1 has yTrue − yPred = 1 > 0, so ∂/∂ŷ = −1/D. D = 2.
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[1, 1]]);
    expectAllClose(
      take(tf.grad((p: Tensor) => meanAbsoluteError(yt, p, { reduction: 'sum' }))(yp)),
      [0.5, -0.5],
    );
    tf.dispose([yt, yp]);
  });

  it('stays finite for errors of ±1e4, gradients included', () => {
    const yt = tf.tensor2d([[1e4, -1e4]]);
    const yp = tf.tensor2d([[-1e4, 1e4]]);
    expectAllClose(take(meanAbsoluteError(yt, yp)), 2e4);
    expectAllClose(take(tf.grad((p: Tensor) => meanAbsoluteError(yt, p))(yp)), [-0.5, 0.5]);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => meanAbsoluteError(yt, yp, { delta: 1 } as never),
      /meanAbsoluteError/,
      /unknown option 'delta'/,
      /reduction/,
    );
    expectThrows(
      () => meanAbsoluteError(yt, yp, { reduction: 'avg' as never }),
      /meanAbsoluteError/,
      /'sum'/,
    );
    expectThrows(
      () => meanAbsoluteError(yt, yp, { reduction: 3 as never }),
      /meanAbsoluteError/,
      /reduction/,
    );
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => meanAbsoluteError(yt, other), /meanAbsoluteError/, /\[1,2\]/, /\[2,1\]/);
    const three = tf.tensor2d([[0.2, 0.5, 1]]);
    expectThrows(() => meanAbsoluteError(yt, three), /meanAbsoluteError/, /does not match/);
    const s = tf.scalar(1);
    expectThrows(() => meanAbsoluteError(s, s), /meanAbsoluteError/, /yPred must have rank ≥ 1/);
    const w = tf.tensor1d([1, 2, 3]);
    expectThrows(() => meanAbsoluteError(yt, yp, { sampleWeight: w }), /meanAbsoluteError/, /sampleWeight/);
    tf.dispose([yt, yp, other, three, s, w]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 1]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => meanAbsoluteError(yt, yp));
    expectTidy(() => meanAbsoluteError(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
