import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss } from '../../../test/helpers/assert.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import { describeGoldens, randomMasks, randomProbs } from '../../../test/helpers/distance-golden.ts';
import * as distanceLoss from '../../../test/helpers/distance-loss.ts';
import { cmss64, type CmssOptions64 } from '../../../test/reference/distance-losses.ts';
import { cmssLoss, type CmssLossOptions } from './cmss.ts';

type Opts = CmssLossOptions & { sampleWeight?: Tensor };

function run(yt: readonly number[], yp: readonly number[], shape: number[], o: Opts = {}): number {
  return runLoss(cmssLoss, yt, yp, shape, o)[0];
}

describeGoldens('cmss_loss', 'cmssLoss', cmssLoss, cmss64);

describe.each(BACKENDS)('cmssLoss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // A 1×1 image, y = 1, window 3, σ = 1.5: zero padding leaves only the centre weight w = (1/(1 + 2e^(−1/4.5)))².
    // μ = w·x, E[x²] = w·x², σ = x·√(w(1−w)); s(x) = ((1−w)x + C4)/(x·√(w(1−w)) + C4).
    // One pixel: e_max = e, f = 1 (e > 0.1·e), M = 1, so L = e·BCE(1, p) = −e·ln p.
    const w = (1 / (1 + 2 * Math.exp(-1 / 4.5))) ** 2;
    const s = (x: number) => ((1 - w) * x + 0.01) / (x * Math.sqrt(w * (1 - w)) + 0.01);
    const p = 0.3;
    expectAllClose(run([1], [p], [1, 1, 1, 1]), -Math.abs(s(1) - s(p)) * Math.log(p), { rtol: 1e-5 });
    // window 1: μ = x and σ = 0, so every structure term is C4/C4 = 1, e ≡ 0, M = 0 and the loss is 0.
    const shape = [2, 4, 5, 1];
    const yt = randomMasks(3, shape);
    expect(run(yt, randomProbs(4, yt), shape, { window: 1 })).toBe(0);
    // A perfect prediction: e ≡ 0 → 0.
    expect(run(yt, yt, shape)).toBe(0);
  });

  it('follows the oracle for each option, several channels and activations', () => {
    const shape = [2, 6, 7, 2];
    const yt = randomMasks(11, shape);
    const yp = randomProbs(12, yt, 0.7);
    for (const o of [
      {},
      { C4: 0.1 },
      { beta: 0.5 },
      { window: 5, sigma: 1 },
      { window: 7, sigma: 3 },
      { epsilon: 0.01 },
    ] as CmssOptions64[]) {
      expectAllClose(run(yt, yp, shape, o), cmss64(yt, yp, shape, o), { rtol: 1e-5 });
    }
    const logits = yp.map((p) => Math.log(p / (1 - p)));
    for (const activation of ['sigmoid', 'softmax'] as const) {
      expectAllClose(run(yt, logits, shape, { activation }), cmss64(yt, logits, shape, { activation }), {
        rtol: 1e-5,
      });
    }
  });

  it('takes e_max and M over the whole batch, not per image', () => {
    // Concatenating two batches is not the mean of their losses: M and e_max are shared.
    const shape = [1, 5, 5, 1];
    const y1 = randomMasks(21, shape);
    const y2 = randomMasks(22, shape);
    const p1 = randomProbs(23, y1);
    const p2 = randomProbs(24, y2, 0.5);
    const both = run([...y1, ...y2], [...p1, ...p2], [2, 5, 5, 1]);
    expectAllClose(both, cmss64([...y1, ...y2], [...p1, ...p2], [2, 5, 5, 1]), { rtol: 1e-5 });
    expect(Math.abs(both - (run(y1, p1, shape) + run(y2, p2, shape)) / 2)).toBeGreaterThan(1e-3);
  });

  distanceLoss.itWeightsBySampleWeight('weights each sample by sampleWeight', cmssLoss, cmss64, {
    shape: [2, 5, 5, 1],
    weights: [[2], [0.5, 3]],
  });

  it('has the gradient of its float64 oracle with e·f held constant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const shape = [2, 5, 6, 1];
        const yt = randomMasks(seed, shape);
        const yp = randomProbs(seed + 1, yt, 0.7);
        const base = Float64Array.from(Float32Array.from(yp));
        const ytT = tf.tensor(yt, shape);
        checkGradient({
          loss: (p: Tensor) => cmssLoss(ytT, p),
          oracle: (x) => cmss64(yt, x, shape, {}, base),
          yPred: yp,
          shape,
          rtol: backendTol(backend, 1e-3),
        });
        ytT.dispose();
      }),
      { numRuns: 5, seed: 11 },
    );
  });

  it('is finite with empty and full masks, gradients included', () => {
    const shape = [2, 4, 4, 1];
    const yt = [...new Array<number>(16).fill(0), ...new Array<number>(16).fill(1)];
    for (const yp of [
      [...new Array<number>(16).fill(0), ...new Array<number>(16).fill(1)],
      [...new Array<number>(16).fill(1), ...new Array<number>(16).fill(0)],
      randomProbs(5, yt),
    ]) {
      expectAllClose(run(yt, yp, shape), cmss64(yt, yp, shape), { rtol: 1e-5 });
      distanceLoss.expectFiniteGradient(cmssLoss, yt, yp, shape);
    }
  });

  distanceLoss.itDrivesLogitsToMask((a, b) => cmssLoss(a, b, { activation: 'sigmoid' }));

  distanceLoss.itLeavesOnlyItsResult((yt, yp) => {
    expectTidy(() => cmssLoss(yt, yp));
    expectTidy(() => tf.grad((p: Tensor) => cmssLoss(yt, p))(yp));
  });

  it('rejects bad inputs and options, naming the loss and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 1]);
    const b = tf.zeros([1, 4, 4, 2]);
    const c = tf.zeros([1, 2, 3, 4, 1]);
    expectThrows(() => cmssLoss(a, b), /cmssLoss/, /\[1,4,4,1\]/, /\[1,4,4,2\]/);
    expectThrows(() => cmssLoss(c, c), /cmssLoss/, /\[B, H, W, C\]/, /\[1,2,3,4,1\]/);
    expectThrows(() => cmssLoss(a, a, { window: 4 }), /cmssLoss/, /window/, /odd/);
    expectThrows(() => cmssLoss(a, a, { beta: 1 }), /cmssLoss/, /beta/);
    expectThrows(() => cmssLoss(a, a, { c4: 1 } as never), /cmssLoss/, /unknown option 'c4'/, /C4/);
    expectThrows(() => cmssLoss(a, a, { sampleWeight: tf.ones([2]) }), /cmssLoss/, /sampleWeight/, /\[1\]/);
    tf.dispose([a, b, c]);
  });
});
