import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, hingeScores } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { hinge, type HingeOptions } from './hinge.ts';
import { hinge64 } from '../../../test/reference/hinge.ts';
import { reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<HingeOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(hinge, yt, yp, shape, o);
}

describe.each(BACKENDS)('hinge on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values, converting {0,1} labels to {−1,1}', () => {
    // y = [[0,1],[0,0]] → [[−1,1],[−1,−1]]; ŷ = [[0.6,0.4],[0.4,0.6]]:
    // row 1: max(1 + 0.6, 0) = 1.6, max(1 − 0.4, 0) = 0.6 → 1.1; row 2: 1.4, 1.6 → 1.5 (Keras test_unweighted).
    const yt = [0, 1, 0, 0];
    const yp = [0.6, 0.4, 0.4, 0.6];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), [1.1, 1.5]);
    expectAllClose(run(yt, yp, [2, 2]), 1.3);
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'sum' }), 2.6);
    // Rank 1: one sample, y → [−1, 1, −1, 1], margins [1, 1, 2, 0] → 1 (tfjs-core hinge_loss_test '1D').
    const one = run([0, 1, 0, 1], [0, 0, 1, 1], [4]);
    expect(one.length).toBe(1);
    expectAllClose(one, 1);
  });

  it('decides the {0,1} conversion once for the whole tensor', () => {
    // Alone, the row [0, 1] is binary and converts: [−1, 1] against [0.5, 0.5] → (1.5 + 0.5)/2 = 1.
    expectAllClose(run([0, 1], [0.5, 0.5], [1, 2], { reduction: 'none' }), [1]);
    // Next to a row holding −1 nothing converts: the 0 label gives max(1 − 0·0.5, 0) = 1, the 1 label 0.5.
    expectAllClose(run([0, 1, -1, 1], [0.5, 0.5, 0.5, 0.5], [2, 2], { reduction: 'none' }), [0.75, 1]);
    // {−1, 1} labels are used as given: [[−1, 2], [−3, 2]] vs [[−3, 5], [3, −2]] → [0, 7.5] (tfjs-layers).
    expectAllClose(run([-1, 2, -3, 2], [-3, 5, 3, -2], [2, 2], { reduction: 'none' }), [0, 7.5]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1];
    const yp = hingeScores(3, 12);
    const per = hinge64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    // A zero scalar weight gives 0 under the default reduction (Keras test_zero_weighted).
    const zero = tf.scalar(0);
    expectAllClose(run(yt, yp, shape, { sampleWeight: zero }), 0);
    zero.dispose();
  });

  it('has the gradient of its float64 oracle away from the kink', () => {
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
        loss: (p: Tensor) => hinge(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(hinge64(yt, x, shape)),
        yPred: hingeScores(17, 8),
        shape,
      });
      ytT.dispose();
    }
  });

  it('pins the subgradient at the kink 1 − y·ŷ = 0 to the linear piece, −y/D', () => {
    // y = [1, 0] → [1, −1]; ŷ = [1, 0.5]: entry 0 sits on the kink (1 − 1·1 = 0), entry 1 is active.
    // Keras's max(·, 0) under TensorFlow gives ties to the first argument: d/dŷ₀ = −y₀/D = −0.5; d/dŷ₁ = 0.5.
    const yt = tf.tensor2d([[1, 0]]);
    const yp = tf.tensor2d([[1, 0.5]]);
    expectAllClose(take(tf.grad((p: Tensor) => hinge(yt, p, { reduction: 'sum' }))(yp)), [-0.5, 0.5]);
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
    // Row 1 is wrong by 100 on both: (101 + 101)/2; row 2 right beyond the margin: 0.
    expectAllClose(take(hinge(yt, yp, { reduction: 'none' })), [101, 0]);
    const g = take(tf.grad((p: Tensor) => hinge(yt, p))(yp));
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(() => hinge(yt, yp, { delta: 1 } as never), /hinge/, /unknown option 'delta'/, /reduction/);
    expectThrows(() => hinge(yt, yp, { reduction: 'avg' as never }), /hinge/, /reduction/, /'sum'/);
    expectThrows(() => hinge(yt, yp, { reduction: 1 as never }), /hinge/, /reduction/);
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => hinge(yt, other), /hinge/, /\[1,2\]/, /\[2,1\]/);
    const s = tf.scalar(1);
    expectThrows(() => hinge(s, s), /hinge/, /yPred must have rank ≥ 1/, /\[\]/);
    s.dispose();
    const w = tf.tensor1d([1, 2, 3]);
    expectThrows(() => hinge(yt, yp, { sampleWeight: w }), /hinge/, /sampleWeight/);
    tf.dispose([yt, yp, other, w]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 1]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => hinge(yt, yp));
    expectTidy(() => hinge(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
