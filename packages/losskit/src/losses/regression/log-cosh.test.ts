import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { logCosh, type LogCoshOptions } from './log-cosh.ts';
import { logCoshLoss64 } from '../../../test/reference/log-cosh.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<LogCoshOptions>;
const loss = logCosh;
const lc = (x: number): number => Math.log(Math.cosh(x));

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

function reals(seed: number, n: number, scale = 4): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

describe.each(BACKENDS)('logCosh on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras docstring: y = [[0, 1], [0, 0]], ŷ = [[1, 1], [0, 0]]: row 1 = log cosh(1)/2, row 2 = 0.
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2], { reduction: 'none' }), [lc(1) / 2, 0]);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2]), lc(1) / 4);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 0, 0], [2, 2], { reduction: 'sum' }), lc(1) / 2);
    // Even in the error: ŷ − y = ±2 and ±3 give the same values (tfjs-layers '2D' has [1, 2] and [3, 4] vs 0).
    expectAllClose(run([0, 0, 5, 5], [2, -3, 3, 8], [2, 2], { reduction: 'none' }), [
      (lc(2) + lc(3)) / 2,
      (lc(2) + lc(3)) / 2,
    ]);
  });

  it('is |e| − log 2 for errors of ±1e4 without overflow, gradients ±1/D', () => {
    // log cosh x = |x| − log 2 + log1p(e^(−2|x|)), and the last term underflows to 0 at |x| = 1e4.
    const yt = tf.tensor2d([[0, 0]]);
    const yp = tf.tensor2d([[1e4, -1e4]]);
    expectAllClose(take(loss(yt, yp)), 1e4 - Math.LN2, { rtol: 1e-6 });
    // d/dŷ = tanh(ŷ − y)/D = ±1/2.
    expectAllClose(take(tf.grad((p: Tensor) => loss(yt, p))(yp)), [0.5, -0.5]);
    tf.dispose([yt, yp]);
  });

  it('has gradient tanh(e)/D, 0 at a perfect prediction (smooth, no kink)', () => {
    const yt = tf.tensor2d([[1, 2, 3]]);
    const yp = tf.tensor2d([[1, 2.5, 1]]);
    expectAllClose(take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp)), [
      0,
      Math.tanh(0.5) / 3,
      Math.tanh(-2) / 3,
    ]);
    tf.dispose([yt, yp]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = reals(1, 12);
    const yp = reals(2, 12);
    const per = logCoshLoss64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle', () => {
    for (const shape of [[2, 4], [2, 3, 2], [6]]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = reals(31, n);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(logCoshLoss64(yt, x, shape)),
        yPred: reals(32, n, 6),
        shape,
      });
      ytT.dispose();
    }
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(() => loss(yt, yp, { delta: 1 } as never), /logCosh/, /unknown option 'delta'/);
    expectThrows(() => loss(yt, yp, { reduction: 'meen' as never }), /logCosh/, /reduction/);
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => loss(yt, other), /logCosh/, /\[1,2\]/, /\[2,1\]/);
    const s = tf.scalar(1);
    expectThrows(() => loss(s, s), /logCosh: yPred must have rank ≥ 1/);
    tf.dispose([yt, yp, other, s]);
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

describe('logCosh on every backend', () => {
  it('gives the same values on cpu and wasm', async () => {
    const yt = reals(41, 8);
    const yp = reals(42, 8, 50);
    const out: number[][] = [];
    for (const b of BACKENDS) {
      await useBackend(b);
      out.push(run(yt, yp, [2, 4], { reduction: 'none' }));
    }
    expectAllClose(out[1], out[0]);
    expect(out[0].every(Number.isFinite)).toBe(true);
  });
});
