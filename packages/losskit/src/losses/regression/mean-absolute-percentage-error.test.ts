import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import {
  meanAbsolutePercentageError,
  type MeanAbsolutePercentageErrorOptions,
} from './mean-absolute-percentage-error.ts';
import { meanAbsolutePercentageError64 } from '../../../test/reference/mean-absolute-percentage-error.ts';
import { kerasReduce64, sum64 } from '../../../test/reference/keras-reduce.ts';

type Opts = CallOptions<MeanAbsolutePercentageErrorOptions>;
const loss = meanAbsolutePercentageError;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(loss, yt, yp, shape, o);
}

/** Targets with |y| in [0.5, 4] and either sign. */
function targets(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.5 + r() * 3.5));
}

/** Predictions at least 0.05 from their targets (away from the kink). */
function awayFrom(seed: number, yt: readonly number[]): number[] {
  const r = rng(seed);
  return yt.map((t) => t + (r() < 0.5 ? -1 : 1) * (0.05 + r() * 2));
}

describe.each(BACKENDS)('meanAbsolutePercentageError on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras docstring: y = [100, 200, 300], ŷ = [90, 210, 310]: 100·(10/100 + 10/200 + 10/300)/3 = 6.1111.
    expectAllClose(run([100, 200, 300], [90, 210, 310], [3]), (100 * (0.1 + 0.05 + 1 / 30)) / 3);
    // The denominator is |y|: y = −4, ŷ = −3 → 100·1/4 = 25; y = 2, ŷ = 5 → 150. Per-sample [25, 150].
    expectAllClose(run([-4, 2], [-3, 5], [2, 1], { reduction: 'none' }), [25, 150]);
    expectAllClose(run([-4, 2], [-3, 5], [2, 1], { reduction: 'sum' }), 175);
    // Predicting 0 is always 100 % (tfjs-layers '2D').
    expectAllClose(run([-1, -2, -3, -4], [0, 0, 0, 0], [2, 2], { reduction: 'none' }), [100, 100]);
    expectAllClose(run([1, 2, 3, 4], [1, 2, 3, 4], [2, 2], { reduction: 'none' }), [0, 0]);
  });

  it('divides by max(|y|, ε) at a zero target: large but finite, gradients included', () => {
    // y = [0, 2], ŷ = [1e-3, 1]: 1e-3/ε = 1e4 and 1/2 → 100·(1e4 + 0.5)/2. ε is the float32 1e-7.
    const eps = Math.fround(1e-7);
    expectAllClose(run([0, 2], [1e-3, 1], [1, 2]), (100 * (1e-3 / eps + 0.5)) / 2, { rtol: 1e-5 });
    const yt = tf.tensor2d([[0, 0]]);
    const yp = tf.tensor2d([[0, 3]]);
    expectAllClose(take(loss(yt, yp)), (100 * (3 / eps)) / 2, { rtol: 1e-5 });
    const g = take(tf.grad((p: Tensor) => loss(yt, p))(yp));
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
    tf.dispose([yt, yp]);
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = targets(1, 12);
    const yp = awayFrom(2, yt);
    const per = meanAbsolutePercentageError64(yt, yp, shape);
    const w = [2, 0.5, 1.5];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), kerasReduce64(per, reduction, w), {
        rtol: 1e-5,
        atol: 1e-4,
      });
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle away from the kink', () => {
    for (const shape of [
      [2, 4],
      [2, 3, 2],
    ]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = targets(9, n);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, { reduction: 'sum' }),
        oracle: (x) => sum64(meanAbsolutePercentageError64(yt, x, shape)),
        yPred: awayFrom(10, yt),
        shape,
        atol: 1e-4,
      });
      ytT.dispose();
    }
  });

  it('pins the subgradient at yPred = yTrue to +100/(D·|y|) (tfjs: d|x|/dx at 0 is −1, x = yTrue − yPred)', () => {
    // Entry 0 on the kink with y = 4: +100/(2·4) = 12.5; entry 1 with y − ŷ = 1 > 0 and y = −2: −100/(2·2) = −25.
    const yt = tf.tensor2d([[4, -2]]);
    const yp = tf.tensor2d([[4, -3]]);
    expectAllClose(take(tf.grad((p: Tensor) => loss(yt, p, { reduction: 'sum' }))(yp)), [12.5, -25]);
    tf.dispose([yt, yp]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[1, 2]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    expectThrows(
      () => loss(yt, yp, { epsilon: 1 } as never),
      /meanAbsolutePercentageError/,
      /unknown option 'epsilon'/,
      /Known options: reduction/,
    );
    expectThrows(
      () => loss(yt, yp, { reduction: null as never }),
      /meanAbsolutePercentageError/,
      /reduction/,
    );
    const other = tf.tensor2d([[0.2], [0.5]]);
    expectThrows(() => loss(yt, other), /meanAbsolutePercentageError/, /\[1,2\]/, /\[2,1\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[3, 1, 1]]);
    const yp = tf.tensor2d([[0.2, -0.5, 2]]);
    const sw = tf.tensor1d([3]);
    expectTidy(() => loss(yt, yp));
    expectTidy(() => loss(yt, yp, { reduction: 'none', sampleWeight: sw }));
    tf.dispose([yt, yp, sw]);
  });
});
