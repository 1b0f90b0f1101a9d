import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { cosineSimilarity, type CosineSimilarityOptions } from './cosine-similarity.ts';
import { cosineSimilarity64 } from '../../../test/reference/cosine-similarity.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<CosineSimilarityOptions>;
const loss = cosineSimilarity;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

function reals(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * 3);
}

describe.each(BACKENDS)('cosineSimilarity on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values: −1 for the same direction, +1 opposite, 0 orthogonal', () => {
    // Keras docstring: y = [[0, 1], [1, 1]], ŷ = [[1, 0], [1, 1]]: orthogonal → 0, identical → −1; mean −0.5.
    expectAllClose(run([0, 1, 1, 1], [1, 0, 1, 1], [2, 2], { reduction: 'none' }), [0, -1]);
    expectAllClose(run([0, 1, 1, 1], [1, 0, 1, 1], [2, 2]), -0.5);
    expectAllClose(run([0, 1, 1, 1], [1, 0, 1, 1], [2, 2], { reduction: 'sum' }), -1);
    // Length does not matter: [3, 4] vs [6, 8] → −1; [1, 2] vs [−2, −4] → +1; [1, 0] vs [1, 1] → −1/√2.
    expectAllClose(run([3, 4, 1, 2, 1, 0], [6, 8, -2, -4, 1, 1], [3, 2], { reduction: 'none' }), [
      -1,
      1,
      -Math.SQRT1_2,
    ]);
  });

  it('normalises along `axis`', () => {
    // axis 0 compares columns: (1, 0)·(1, 0) → −1; (0, 1) vs (1, 1) → −1/√2.
    const yt = [1, 0, 0, 1];
    const yp = [1, 1, 0, 1];
    expectAllClose(run(yt, yp, [2, 2], { axis: 0, reduction: 'none' }), [-1, -Math.SQRT1_2]);
    expectAllClose(run(yt, yp, [2, 2], { axis: -2, reduction: 'none' }), [-1, -Math.SQRT1_2]);
    // The default axis −1 compares rows: (1, 0) vs (1, 1) → −1/√2; (0, 1) vs (0, 1) → −1.
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [-Math.SQRT1_2, -1]);
    // A middle axis of a 3-D input: per-sample shape drops it.
    const shape = [2, 3, 4];
    const a = reals(1, 24);
    const b = reals(2, 24);
    const out = tf.tidy(() => loss(tf.tensor(a, shape), tf.tensor(b, shape), { axis: 1, reduction: 'none' }));
    expect(out.shape).toEqual([2, 4]);
    expectAllClose(take(out), cosineSimilarity64(a, b, shape, 1));
  });

  it('floors the L2 norm at ε = 1e-7: zero vectors give 0, tiny ones are divided by ε', () => {
    // ‖[5e-9, 0]‖ = 5e-9 < ε, so n(ŷ) = [5e-9/1e-7, 0] = [0.05, 0]: the loss is −0.05, not −1.
    // ‖[2e-5, 0]‖ > ε is normalised exactly (tfjs-layers' floor of 3.2e-4 would give −0.0632).
    expectAllClose(
      run([1, 0, 1, 0, 0, 0, 1, 2], [5e-9, 0, 2e-5, 0, 3, 4, 0, 0], [4, 2], { reduction: 'none' }),
      [-0.05, -1, 0, 0],
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  it('has a finite gradient at a zero prediction: −n(yTrue)/ε', () => {
    const yt = tf.tensor2d([[3, 4]]);
    const yp = tf.tensor2d([[0, 0]]);
    const g = take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp));
    expectAllClose(g, [-0.6 / Math.fround(1e-7), -0.8 / Math.fround(1e-7)], { rtol: 1e-4 });
    tf.dispose([yt, yp]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = reals(3, 12);
    const yp = reals(4, 12);
    const per = cosineSimilarity64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle', () => {
    for (const [shape, axis] of [
      [[3, 4], -1],
      [[2, 3, 2], 1],
      [[4], 0],
    ] as const) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = reals(51, n);
      const ytT = tf.tensor(yt, [...shape]);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { axis, reduction: 'sum' }),
        oracle: (x) => sum64(cosineSimilarity64(yt, x, shape, axis)),
        yPred: reals(52, n),
        shape,
      });
      ytT.dispose();
    }
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => loss(yt, yp, { axes: 0 } as never),
      /cosineSimilarity/,
      /unknown option 'axes'/,
      /'axis'/,
    );
    expectThrows(
      () => loss(yt, yp, { axis: 0.5 }),
      /cosineSimilarity: option 'axis' must be an integer, got 0.5/,
    );
    expectThrows(
      () => loss(yt, yp, { axis: '1' as never }),
      /cosineSimilarity: option 'axis' must be an integer/,
    );
    expectThrows(
      () => loss(yt, yp, { axis: 2 }),
      /cosineSimilarity: option 'axis' is 2, out of range for a tensor of rank 2/,
    );
    expectThrows(() => loss(yt, yp, { axis: -3 }), /cosineSimilarity/, /'axis' is -3/);
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => loss(yt, other), /cosineSimilarity/, /\[1,2\]/, /\[2,1\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[3, 1, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { axis: 0, reduction: 'none' }));
    expectTidy(() => loss(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
