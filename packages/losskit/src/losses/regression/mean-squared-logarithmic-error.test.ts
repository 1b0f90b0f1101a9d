import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import {
  meanSquaredLogarithmicError,
  type MeanSquaredLogarithmicErrorOptions,
} from './mean-squared-logarithmic-error.ts';
import { meanSquaredLogarithmicError64 } from '../../../test/reference/mean-squared-logarithmic-error.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<MeanSquaredLogarithmicErrorOptions>;
const loss = meanSquaredLogarithmicError;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

/** Non-negative values in [0.1, 5]. */
function positives(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 0.1 + r() * 4.9);
}

describe.each(BACKENDS)('meanSquaredLogarithmicError on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // y = [0, e − 1], ŷ = [e − 1, e² − 1]: log(ŷ + 1) = [1, 2], log(max(y, ε) + 1) = [≈1e-7, 1];
    // squared differences [(1 − 1e-7)², 1] → mean ≈ 1 − 1e-7.
    const e = Math.E;
    expectAllClose(run([0, e - 1], [e - 1, e * e - 1], [1, 2], { reduction: 'none' }), [1 - 1e-7]);
    // Keras docstring inputs: y = [[0, 1], [0, 0]], ŷ = [[1, 1], [1, 0]]: each row has one (log 2)² and one 0.
    const ln2sq = Math.LN2 ** 2;
    expectAllClose(run([0, 1, 0, 0], [1, 1, 1, 0], [2, 2], { reduction: 'none' }), [ln2sq / 2, ln2sq / 2]);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 1, 0], [2, 2]), ln2sq / 2);
    expectAllClose(run([0, 1, 0, 0], [1, 1, 1, 0], [2, 2], { reduction: 'sum' }), ln2sq);
    // It compares ratios: (1, 3) and (3, 7) are both a factor 2 apart in 1 + y, so each gives (log 2)².
    expectAllClose(run([1, 3], [3, 7], [2, 1], { reduction: 'none' }), [ln2sq, ln2sq]);
  });

  it('clamps negative targets and predictions below at ε (Keras 3)', () => {
    // Both clamp to ε: loss 0. A negative prediction against 0 is also 0; against e − 1 it is (1 − ~1e-7)².
    expectAllClose(run([-3, 0, Math.E - 1], [-1, -5, -2], [3, 1], { reduction: 'none' }), [0, 0, 1], {
      atol: 1e-6,
    });
    // Below ε the prediction has no gradient (max passes it to the constant).
    const yt = tf.tensor2d([[1, 1]]);
    const yp = tf.tensor2d([[-2, 0.5]]);
    const g = take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp));
    expect(Math.abs(g[0])).toBe(0);
    // Entry 1: d/dŷ mean((log(ŷ+1) − log 2)²) = (log 1.5 − log 2)·2/(1.5·2).
    expectAllClose(g[1], ((Math.log(1.5) - Math.log(2)) * 2) / (1.5 * 2));
    tf.dispose([yt, yp]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = positives(1, 12);
    const yp = positives(2, 12);
    const per = meanSquaredLogarithmicError64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    const scalar = tf.scalar(2.3);
    expectAllClose(
      run(yt, yp, shape, { sampleWeight: scalar }),
      kerasReduce64(per, 'sum_over_batch_size', 2.3),
    );
    scalar.dispose();
  });

  it('has the gradient of its float64 oracle', () => {
    for (const shape of [
      [2, 4],
      [3, 2, 2],
    ]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = positives(5, n);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(meanSquaredLogarithmicError64(yt, x, shape)),
        yPred: positives(6, n),
        shape,
      });
      ytT.dispose();
    }
  });

  it('stays finite with zeros and with large values, gradients included', () => {
    const yt = tf.tensor2d([
      [0, 0, 1e4],
      [1e4, 0, 3],
    ]);
    const yp = tf.tensor2d([
      [0, 1e4, 0],
      [1e4, 0, 0],
    ]);
    const v = take(loss(yt, yp, { reduction: 'none' }));
    // Row 1: two entries of (log(1e4 + 1))² over 3; row 2: (log 4)² over 3.
    const l = Math.log(1e4 + 1);
    expectAllClose(v, [(2 * l * l) / 3, Math.log(4) ** 2 / 3], { rtol: 1e-5, atol: 1e-5 });
    for (const x of take(tf.grad((p: Tensor) => loss(yt, p))(yp))) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => loss(yt, yp, { eps: 1e-3 } as never),
      /meanSquaredLogarithmicError/,
      /unknown option 'eps'/,
    );
    expectThrows(
      () => loss(yt, yp, { reduction: 'SUMS' as never }),
      /meanSquaredLogarithmicError/,
      /reduction/,
    );
    // [2,3,1] is squeezed to [2,3] by Keras rank matching, which still does not match [2,4].
    const t3 = tf.zeros([2, 3, 1]);
    const p2 = tf.zeros([2, 4]);
    expectThrows(
      () => loss(t3, p2),
      /meanSquaredLogarithmicError: yTrue shape \[2,3\] does not match yPred shape \[2,4\]/,
      /after Keras rank matching of \[2,3,1\] and \[2,4\]/,
    );
    const wide = tf.tensor2d([[1, 2, 3]]);
    expectThrows(
      () => loss(yt, wide),
      /meanSquaredLogarithmicError: yTrue shape \[1,2\] does not match yPred shape \[1,3\]/,
    );
    tf.dispose([yt, yp, t3, p2, wide]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 1]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
