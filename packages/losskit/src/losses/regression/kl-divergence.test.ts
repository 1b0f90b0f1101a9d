import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { klDivergence, type KlDivergenceOptions } from './kl-divergence.ts';
import { klDivergence64 } from '../../../test/reference/kl-divergence.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<KlDivergenceOptions>;
const loss = klDivergence;
const EPS = Math.fround(1e-7);

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

/** Rows of probability distributions with every entry in [0.05, 1), away from the clip bounds. */
function distributions(seed: number, rows: number, c: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: c }, () => 0.2 + r());
    const s = row.reduce((a, x) => a + x, 0);
    out.push(...row.map((x) => x / s));
  }
  return out;
}

describe.each(BACKENDS)('klDivergence on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras docstring: y = [[0, 1], [0, 0]], ŷ = [[0.6, 0.4], [0.4, 0.6]]; zeros are clipped to ε and still count:
    // row 1 = ε·log(ε/0.6) + log(1/0.4); row 2 = ε·log(ε/0.4) + ε·log(ε/0.6).
    const row1 = EPS * Math.log(EPS / 0.6) + Math.log(1 / 0.4);
    const row2 = EPS * Math.log(EPS / 0.4) + EPS * Math.log(EPS / 0.6);
    const yt = [0, 1, 0, 0];
    const yp = [0.6, 0.4, 0.4, 0.6];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [row1, row2]);
    expectAllClose(run(yt, yp, [2, 2]), (row1 + row2) / 2);
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'sum' }), row1 + row2);
    // KL([½, ½] ‖ [¼, ¾]) = ½·log 2 + ½·log(2/3).
    expectAllClose(run([0.5, 0.5], [0.25, 0.75], [2]), 0.5 * Math.log(2) + 0.5 * Math.log(2 / 3));
  });

  it('caps values above 1, and is 0 at a perfect prediction, zeros included', () => {
    // y = [2, 0.5] → [1, 0.5]; ŷ = [3, 0.25] → [1, 0.25]: 1·log 1 + 0.5·log 2.
    expectAllClose(run([2, 0.5], [3, 0.25], [1, 2]), 0.5 * Math.log(2));
    expectAllClose(
      run([0, 0.3, 0.7, 0, 1, 0], [0, 0.3, 0.7, 0, 1, 0], [2, 3], { reduction: 'none' }),
      [0, 0],
    );
  });

  it('can be negative for vectors that are not distributions (Keras does not renormalise)', () => {
    // 0.8·log(0.8/0.9) < 0.
    const v = run([0.8], [0.9], [1, 1]);
    expectAllClose(v, 0.8 * Math.log(0.8 / 0.9));
    expect(v[0]).toBeLessThan(0);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = distributions(1, 3, 4);
    const yp = distributions(2, 3, 4);
    const per = klDivergence64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    // [N, T, C] inputs with [N, T] weights (Keras test_timestep_weighted layout).
    const shape3 = [2, 3, 4];
    const yt3 = distributions(3, 6, 4);
    const yp3 = distributions(4, 6, 4);
    const w3 = [3, 6, 5, 0, 4, 2];
    const sw = tf.tensor2d(w3, [2, 3]);
    const per3 = klDivergence64(yt3, yp3, shape3);
    for (const reduction of ['sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      expectAllClose(
        run(yt3, yp3, shape3, { reduction, sampleWeight: sw }),
        kerasReduce64(per3, reduction, w3),
      );
    }
    sw.dispose();
  });

  it('has the gradient of its float64 oracle inside the clip bounds', () => {
    for (const [rows, c] of [
      [2, 4],
      [3, 3],
    ]) {
      const shape = [rows, c];
      const yt = distributions(11, rows, c);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(klDivergence64(yt, x, shape)),
        yPred: distributions(12, rows, c),
        shape,
      });
      ytT.dispose();
    }
  });

  it('passes no gradient to predictions clipped to ε or 1; −t′/p′ inside', () => {
    const yt = tf.tensor2d([[0.5, 0.2, 0.3]]);
    const yp = tf.tensor2d([[0, 2, 0.5]]);
    // Entries 0 and 1 are outside [ε, 1]; entry 2: d/dŷ (t·log(t/ŷ)) = −t/ŷ = −0.6.
    const g = take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp));
    expectAllClose(g, [0, 0, -0.6]);
    tf.dispose([yt, yp]);
  });

  it('stays finite with zeros in either tensor, gradients included', () => {
    const yt = tf.tensor2d([
      [0, 1, 0],
      [0.5, 0.5, 0],
    ]);
    const yp = tf.tensor2d([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    // Row 1: ε·log(ε/1) + 1·log(1/ε) + ε·log(1) ; row 2: 2·0.5·log(0.5/ε) + ε·log(ε/1).
    const want = [EPS * Math.log(EPS) - Math.log(EPS), Math.log(0.5 / EPS) + EPS * Math.log(EPS)];
    expectAllClose(take(loss(yt, yp, { reduction: 'none' })), want, { rtol: 1e-5 });
    for (const x of take(tf.grad((p: Tensor) => loss(yt, p))(yp))) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0.5, 0.5]]);
    const yp = tf.tensor2d([[0.2, 0.8]]);
    expectThrows(() => loss(yt, yp, { axis: 0 } as never), /klDivergence/, /unknown option 'axis'/);
    expectThrows(() => loss(yt, yp, { reduction: 'batch' as never }), /klDivergence/, /reduction/);
    const other = tf.tensor2d([[0.2, 0.3, 0.5]]);
    expectThrows(
      () => loss(yt, other),
      /klDivergence: yTrue shape \[1,2\] does not match yPred shape \[1,3\]/,
    );
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0.2, 0.3, 0.5]]);
    const yp = tf.tensor2d([[0.1, 0.1, 0.8]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
