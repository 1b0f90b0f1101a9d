import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { categoricalHinge, type CategoricalHingeOptions } from './categorical-hinge.ts';
import { categoricalHinge64 } from '../../../test/reference/categorical-hinge.ts';
import { reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<CategoricalHingeOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(categoricalHinge, yt, yp, shape, o);
}

function scores(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * 2);
}

describe.each(BACKENDS)('categoricalHinge on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Row 1: y = [0,1], ŷ = [0.6,0.4]: pos = 0.4, neg = max(0.6, 0) = 0.6 → 0.6 − 0.4 + 1 = 1.2.
    // Row 2: y = [0,0]: pos = 0, neg = max(0.4, 0.6) = 0.6 → 1.6 (Keras test_unweighted: mean 1.4).
    const yt = [0, 1, 0, 0];
    const yp = [0.6, 0.4, 0.4, 0.6];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [1.2, 1.6]);
    expectAllClose(run(yt, yp, [2, 2]), 1.4);
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'sum' }), 2.8);
  });

  it('never converts labels and uses (1 − y)·ŷ for the wrong classes', () => {
    // Keras 2 test: y = [[1,9,2],[−5,−2,6]], ŷ = [[4,8,12],[8,1,3]].
    // Row 1: pos = 4 + 72 + 24 = 100, neg = max(0, −64, −12) = 0 → max(−99, 0) = 0.
    // Row 2: pos = −40 − 2 + 18 = −24, neg = max(48, 3, −15) = 48 → 48 + 24 + 1 = 73.
    expectAllClose(run([1, 9, 2, -5, -2, 6], [4, 8, 12, 8, 1, 3], [2, 3], { reduction: 'none' }), [0, 73]);
    // One-hot {0,1} targets stay as they are (no 2y − 1): y = [1,0], ŷ = [−0.5, −2]: the target's own
    // (1 − 1)·ŷ = 0 is the max, so ℓ = 0 + 0.5 + 1 = 1.5.
    expectAllClose(run([1, 0], [-0.5, -2], [1, 2], { reduction: 'none' }), [1.5]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0];
    const yp = scores(4, 12);
    const per = categoricalHinge64(yt, yp, shape);
    const w = [1.2, 3.4, 0];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor2d(w, [3, 1]);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle away from kinks and ties', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0.5, 0, 0.5];
    const ytT = tf.tensor(yt, shape);
    checkGradient({
      loss: (p: Tensor) => categoricalHinge(ytT, p, { reduction: 'sum' }),
      oracle: (x) => sum64(categoricalHinge64(yt, x, shape)),
      yPred: [0.3, 1.2, -0.4, 0.8, -0.6, 0.9, 0.1, -1.3, 1.1, -0.2, 0.7, 0.25],
      shape,
    });
    ytT.dispose();
  });

  it('splits the gradient evenly between tied maxima, as TensorFlow does', () => {
    // y = [0,0,1], ŷ = [0.5,0.5,0]: (1 − y)·ŷ = [0.5, 0.5, 0] ties for the max; pos = 0; ℓ = 1.5 > 0.
    // d/dŷ = [½, ½, −1] (tfjs's own max would give [1, 1, −1], which is not a subgradient).
    const yt = tf.tensor2d([[0, 0, 1]]);
    const yp = tf.tensor2d([[0.5, 0.5, 0]]);
    expectAllClose(take(categoricalHinge(yt, yp, { reduction: 'none' })), [1.5]);
    expectAllClose(
      take(tf.grad((p: Tensor) => categoricalHinge(yt, p, { reduction: 'sum' }))(yp)),
      [0.5, 0.5, -1],
    );
    tf.dispose([yt, yp]);
  });

  it('pins the subgradient at the outer kink (bracket = 0) to the bracket’s gradient', () => {
    // y = [1,0], ŷ = [1.5, 0.5]: neg = 0.5, pos = 1.5 → 0.5 − 1.5 + 1 = 0 exactly; gradient [−1, 1].
    const yt = tf.tensor2d([[1, 0]]);
    const yp = tf.tensor2d([[1.5, 0.5]]);
    expectAllClose(take(categoricalHinge(yt, yp, { reduction: 'none' })), [0]);
    expectAllClose(take(tf.grad((p: Tensor) => categoricalHinge(yt, p, { reduction: 'sum' }))(yp)), [-1, 1]);
    tf.dispose([yt, yp]);
  });

  it('stays finite at scores of ±100, gradients included', () => {
    const yt = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const yp = tf.tensor2d([
      [-100, 100, -100],
      [-100, 100, -100],
    ]);
    // Row 1: neg = 100, pos = −100 → 201; row 2: neg = max(−100, 0, −100) = 0, pos = 100 → 0.
    expectAllClose(take(categoricalHinge(yt, yp, { reduction: 'none' })), [201, 0]);
    const g = take(tf.grad((p: Tensor) => categoricalHinge(yt, p))(yp));
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => categoricalHinge(yt, yp, { axis: 0 } as never),
      /categoricalHinge/,
      /unknown option 'axis'/,
    );
    expectThrows(
      () => categoricalHinge(yt, yp, { reduction: 'average' as never }),
      /categoricalHinge/,
      /reduction/,
    );
    const other = tf.tensor2d([[0.2, 0.5, 0.3]]);
    expectThrows(() => categoricalHinge(yt, other), /categoricalHinge/, /\[1,2\]/, /\[1,3\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 0]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    expectTidy(() => categoricalHinge(yt, yp));
    expectTidy(() => categoricalHinge(yt, yp, { reduction: 'none' }));
    tf.dispose([yt, yp]);
  });
});
