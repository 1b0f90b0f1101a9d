import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, hingeScores } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { squaredHinge, type SquaredHingeOptions } from './squared-hinge.ts';
import { hinge } from './hinge.ts';
import { squaredHinge64 } from '../../../test/reference/squared-hinge.ts';
import { reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<SquaredHingeOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(squaredHinge, yt, yp, shape, o);
}

describe.each(BACKENDS)('squaredHinge on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values, converting {0,1} labels to {−1,1}', () => {
    // y → [[−1,1],[−1,−1]]; margins [[1.6,0.6],[1.4,1.6]]; squares [[2.56,0.36],[1.96,2.56]] → [1.46, 2.26].
    const yt = [0, 1, 0, 0];
    const yp = [0.6, 0.4, 0.4, 0.6];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [1.46, 2.26]);
    expectAllClose(run(yt, yp, [2, 2]), 1.86);
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'sum' }), 3.72);
  });

  it('decides the {0,1} conversion once for the whole tensor', () => {
    // With a −1 present the 0 label stays 0: max(1 − 0, 0)² = 1; the 1 label: (1 − 0.5)² = 0.25.
    expectAllClose(run([0, 1, -1, 1], [0.5, 0.5, 0.5, 0.5], [2, 2], { reduction: 'none' }), [0.625, 1.25]);
    // Alone, [0, 1] converts: [(1.5)², (0.5)²] → 1.25.
    expectAllClose(run([0, 1], [0.5, 0.5], [1, 2], { reduction: 'none' }), [1.25]);
  });

  it('equals hinge squared element-wise (a [..., 1] layout keeps elements apart)', () => {
    const yt = [0, 1, 1, 0, 1, 0];
    const yp = hingeScores(9, 6);
    const a = tf.tensor(yt, [6, 1]);
    const b = tf.tensor(yp, [6, 1]);
    const h = Array.from(take(hinge(a, b, { reduction: 'none' })));
    tf.dispose([a, b]);
    expectAllClose(
      run(yt, yp, [6, 1], { reduction: 'none' }),
      h.map((x) => x * x),
    );
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1];
    const yp = hingeScores(3, 12);
    const per = squaredHinge64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle', () => {
    for (const [yt, shape] of [
      [
        [0, 1, 1, 0, 1, 0, 0, 1],
        [2, 4],
      ],
      [
        [-1, 1, 1, -1, 1, -1, 2, 0.5],
        [2, 2, 2],
      ],
    ] as const) {
      const ytT = tf.tensor([...yt], [...shape]);
      checkGradient({
        loss: (p: Tensor) => squaredHinge(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(squaredHinge64(yt, x, shape)),
        yPred: hingeScores(23, 8),
        shape,
      });
      ytT.dispose();
    }
  });

  it('has gradient 0 at the margin 1 − y·ŷ = 0, where it is differentiable', () => {
    // y = [1, 0] → [1, −1]; ŷ = [1, 0.5]: entry 0 on the margin: 2·0·(−y)/D = 0; entry 1: 2·1.5·1/2 = 1.5.
    const yt = tf.tensor2d([[1, 0]]);
    const yp = tf.tensor2d([[1, 0.5]]);
    expectAllClose(take(tf.grad((p: Tensor) => squaredHinge(yt, p, { reduction: 'sum' }))(yp)), [0, 1.5]);
    tf.dispose([yt, yp]);
  });

  it('stays finite at scores of ±100, gradients included', () => {
    const yt = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const yp = tf.tensor2d([
      [100, -100],
      [100, -100],
    ]);
    expectAllClose(take(squaredHinge(yt, yp, { reduction: 'none' })), [101 * 101, 0]);
    const g = take(tf.grad((p: Tensor) => squaredHinge(yt, p))(yp));
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => squaredHinge(yt, yp, { margin: 1 } as never),
      /squaredHinge/,
      /unknown option 'margin'/,
    );
    expectThrows(() => squaredHinge(yt, yp, { reduction: 'avg' as never }), /squaredHinge/, /reduction/);
    const other = tf.tensor2d([[0.2, 0.5, 0.1]]);
    expectThrows(() => squaredHinge(yt, other), /squaredHinge/, /\[1,2\]/, /\[1,3\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 1]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    expectTidy(() => squaredHinge(yt, yp));
    expectTidy(() => squaredHinge(yt, yp, { reduction: 'none' }));
    tf.dispose([yt, yp]);
  });
});
