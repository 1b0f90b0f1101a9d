import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { huber, type HuberOptions } from './huber.ts';
import { huber64 } from '../../../test/reference/huber.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<HuberOptions>;
const loss = huber;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

function reals(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * 3);
}

/** Predictions whose errors stay at least 0.05 away from ±δ (the joins of the two pieces). */
function awayFromJoins(seed: number, yt: readonly number[], delta: number): number[] {
  const r = rng(seed);
  return yt.map((t) => {
    for (;;) {
      const e = (r() * 2 - 1) * 3 * delta;
      if (Math.abs(Math.abs(e) - delta) >= 0.05) return t + e;
    }
  });
}

describe.each(BACKENDS)('huber on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras docstring: errors [0.6, −0.6, 0.4, 0.6], all ≤ δ = 1: ½e² = [0.18, 0.18, 0.08, 0.18];
    // rows 0.18 and 0.13, mean 0.155.
    const yt = [0, 1, 0, 0];
    const yp = [0.6, 0.4, 0.4, 0.6];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [0.18, 0.13]);
    expectAllClose(run(yt, yp, [2, 2]), 0.155);
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'sum' }), 0.31);
    // Beyond δ it is linear: e = 3, δ = 1 → 3 − ½ = 2.5; e = −2 → 1.5. Per-sample mean 2.
    expectAllClose(run([0, 0], [3, -2], [1, 2]), 2);
  });

  it('honours delta', () => {
    // tfjs-core '1D - delta': errors [−0.7, −1.4, −2.9], δ = 0.4, all beyond δ:
    // 0.4·|e| − 0.08 = [0.2, 0.48, 1.08] → mean 1.76/3.
    expectAllClose(run([1, 2, 3], [0.3, 0.6, 0.1], [3], { delta: 0.4 }), 1.76 / 3);
    // At |e| = δ both pieces agree: ½δ² = δ·δ − ½δ². δ = 2, e = 2 → 2.
    expectAllClose(run([0], [2], [1, 1], { delta: 2 }), 2);
    // A δ larger than every error gives ½·MSE: errors [1, −3, 2] → ½·(1 + 9 + 4)/3.
    expectAllClose(run([0, 0, 0], [1, -3, 2], [1, 3], { delta: 100 }), 14 / 6);
  });

  it('stays finite for errors of ±1e4, gradients ±δ/D', () => {
    const yt = tf.tensor2d([[1e4, -1e4]]);
    const yp = tf.tensor2d([[-1e4, 1e4]]);
    // |e| = 2e4: δ|e| − ½δ² = 2e4 − 0.5 with δ = 1.
    expectAllClose(take(loss(yt, yp)), 2e4 - 0.5);
    expectAllClose(take(tf.grad((p: Tensor) => loss(yt, p, { delta: 1.5 }))(yp)), [-0.75, 0.75]);
    tf.dispose([yt, yp]);
  });

  it('pins the gradient at e = 0 to 0 and at |e| = δ to ±δ/D (the two pieces meet with equal slopes)', () => {
    // tfjs's d|e|/de at 0 is −1, but it enters as q·dq/de with q = 0 and as δ(d|e| − dq) = 0, so the gradient is 0.
    // At e = ±δ, min(|e|, δ) gives the tie to |e|; either way the slope is ±δ. D = 3.
    for (const delta of [1, 0.5]) {
      const yt = tf.tensor2d([[0, 0, 0]]);
      const yp = tf.tensor2d([[0, delta, -delta]]);
      const g = take(tf.grad((p: Tensor) => loss(yt, p, { delta, reduction: 'sum' }))(yp));
      expectAllClose(g, [0, delta / 3, -delta / 3]);
      expect(Math.abs(g[0])).toBe(0);
      tf.dispose([yt, yp]);
    }
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = reals(1, 12);
    const yp = reals(2, 12);
    const per = huber64(yt, yp, shape, 0.7);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(
        run(yt, yp, shape, { delta: 0.7, reduction, sampleWeight }),
        kerasReduce64(per, reduction, w),
      );
      sampleWeight.dispose();
    }
    // Zero weights still count in the default divisor (Keras sum_over_batch_size): 4 samples, 2 weighted.
    const sw = tf.tensor1d([1, 0, 2, 0]);
    const yt4 = reals(3, 20);
    const yp4 = reals(4, 20);
    expectAllClose(
      run(yt4, yp4, [4, 5], { sampleWeight: sw }),
      kerasReduce64(huber64(yt4, yp4, [4, 5]), 'sum_over_batch_size', [1, 0, 2, 0]),
    );
    sw.dispose();
  });

  it('has the gradient of its float64 oracle away from |e| = δ', () => {
    for (const [shape, delta] of [
      [[2, 4], 1],
      [[2, 3, 2], 0.3],
      [[6], 2.5],
    ] as const) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = reals(61, n);
      const ytT = tf.tensor(yt, [...shape]);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { delta, reduction: 'sum' }),
        oracle: (x) => sum64(huber64(yt, x, shape, delta)),
        yPred: awayFromJoins(62, yt, delta),
        shape,
      });
      ytT.dispose();
    }
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => loss(yt, yp, { delt: 1 } as never),
      /huber/,
      /unknown option 'delt'/,
      /Did you mean 'delta'/,
    );
    expectThrows(
      () => loss(yt, yp, { delta: 0 }),
      /huber: option 'delta' must be a finite number in \(0, ∞\], got 0/,
    );
    expectThrows(() => loss(yt, yp, { delta: -1 }), /huber/, /'delta'/, /got -1/);
    expectThrows(() => loss(yt, yp, { delta: Infinity }), /huber/, /'delta'/, /got Infinity/);
    expectThrows(() => loss(yt, yp, { delta: NaN }), /huber/, /'delta'/, /got NaN/);
    expectThrows(() => loss(yt, yp, { delta: '1' as never }), /huber/, /'delta'/, /got '1'/);
    expectThrows(() => huber.bind({ delta: -0.5 }), /huber/, /'delta'/);
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => loss(yt, other), /huber/, /\[1,2\]/, /\[2,1\]/);
    const s = tf.scalar(1);
    expectThrows(() => loss(s, s), /huber: yPred must have rank ≥ 1/);
    tf.dispose([yt, yp, other, s]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[3, 1, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { delta: 0.25, reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
