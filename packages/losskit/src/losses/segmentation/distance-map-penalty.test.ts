import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, backendTol, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient } from '../../../test/helpers/gradcheck.ts';
import {
  agreement,
  caseOptions,
  describeGoldens,
  fitLogits,
  flat,
  randomMasks,
  randomProbs,
  shapeOf,
} from '../../../test/helpers/distance-golden.ts';
import {
  distanceMapPenalty64,
  dmpPhi64,
  type WeightedBceOptions64,
} from '../../../test/reference/distance-losses.ts';
import { distanceMapPenaltyBce, type DistanceMapPenaltyBceOptions } from './distance-map-penalty.ts';
import { distanceMaps, packDistanceMaps } from './distance-maps.ts';

type Opts = DistanceMapPenaltyBceOptions & { sampleWeight?: Tensor };

function run(yt: readonly number[], yp: readonly number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(distanceMapPenaltyBce, yt, yp, shape, o);
}

describeGoldens('distance_map_penalty_bce', 'distanceMapPenaltyBce', distanceMapPenaltyBce, (c) => {
  const o = caseOptions(c) as WeightedBceOptions64;
  return distanceMapPenalty64(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), o);
});

describe.each(BACKENDS)('distanceMapPenaltyBce on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Row y = [0,0,1,1,1,1,1,0]. Inside, d = edt(Y) = [1,2,3,2,1] → Φ = (3 − d)/2 = [1,.5,0,.5,1];
    // outside, d = [2,1,·,·,·,·,·,1] → Φ = (2 − d)/1 = [0,1,1]. Σ(1 + Φ) = 8 + 5 = 13; at p = 0.5, BCE = ln 2.
    const y = [0, 0, 1, 1, 1, 1, 1, 0];
    expectAllClose(run(y, new Array<number>(8).fill(0.5), [1, 1, 8, 1]), (13 / 8) * Math.LN2, { rtol: 1e-6 });
    // 1-pixel-thin regions: all equidistant → Φ = 1 (JunMa11 divides 0/0 here): 2·ln 2.
    expectAllClose(run([0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5], [1, 1, 4, 1]), 2 * Math.LN2, { rtol: 1e-6 });
    // Empty ground truth: Φ = 0, plain BCE: −ln(1 − 0.2) = 0.2231436.
    expectAllClose(run([0, 0, 0], [0.2, 0.2, 0.2], [1, 1, 3, 1]), -Math.log(0.8), { rtol: 1e-6 });
    // Clipping: p = 0 against y = 1 costs −ln ε (ε = 1e-7 in float32), with zero gradient.
    const yt = tf.tensor4d([1, 0, 0], [1, 1, 3, 1]);
    const yp = tf.tensor4d([0, 0.5, 0.5], [1, 1, 3, 1]);
    // Y = {0}: Φ = 1 (flat). ¬Y = {1, 2}: d = [1, 2] → Φ = [1, 0]. (2·(−ln ε) + 2·ln 2 + 1·ln 2)/3.
    const eps = Math.fround(1e-7);
    expectAllClose(take(distanceMapPenaltyBce(yt, yp)), (-2 * Math.log(eps) + 3 * Math.LN2) / 3, {
      rtol: 1e-6,
    });
    const g = take(tf.grad((p: Tensor) => distanceMapPenaltyBce(yt, p))(yp));
    // ∂/∂p of (1 + Φ)·BCE/N at p = 0.5, y = 0: (1 + Φ)/(0.5·3).
    expectAllClose(g, [0, 2 / 1.5, 1 / 1.5], { rtol: 1e-5 });
    tf.dispose([yt, yp]);
  });

  it('follows the oracle per channel, with spacing, epsilon, activations, reductions, 1-D and 3-D', () => {
    for (const [shape, o] of [
      [[2, 6, 7, 2], { reduction: 'none' }],
      [[2, 6, 7, 2], { spacing: [0.5, 2], reduction: 'sum' }],
      [[2, 6, 7, 1], { epsilon: 0.05 }],
      [[2, 6, 7, 1], { activation: 'sigmoid', reduction: 'none' }],
      [[1, 5, 6, 3], { activation: 'softmax' }],
      [[3, 11, 1], { reduction: 'none' }],
      [[1, 4, 5, 3, 2], { spacing: [2.5, 1, 0.8], reduction: 'none' }],
    ] as [number[], WeightedBceOptions64][]) {
      const yt = randomMasks(21 + shape.length, shape);
      let yp = randomProbs(22, yt);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      const got = run(yt, yp, shape, o);
      expect(got.length).toBe(o.reduction === 'none' ? shape[0] * shape[shape.length - 1] : 1);
      expectAllClose(got, distanceMapPenalty64(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it('weights per sample or per group with sampleWeight', () => {
    const shape = [2, 5, 5, 2];
    const yt = randomMasks(31, shape);
    const yp = randomProbs(32, yt);
    for (const w of [[0.5], [2, 0.25], [1, 2, 3, 4]]) {
      const sw = w.length === 4 ? tf.tensor2d(w, [2, 2]) : w.length === 2 ? tf.tensor1d(w) : tf.scalar(w[0]);
      expectAllClose(
        run(yt, yp, shape, { sampleWeight: sw }),
        distanceMapPenalty64(yt, yp, shape, { weights: w }),
        { rtol: 1e-5 },
      );
      sw.dispose();
    }
  });

  it('has the gradient of its float64 oracle, (1 + Φ)·∂BCE/∂p/N', () => {
    for (const [shape, o] of [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { spacing: [1, 1.5], reduction: 'sum' }],
      [[2, 5, 4, 1], { activation: 'sigmoid' }],
      [[1, 4, 5, 2], { activation: 'softmax' }],
    ] as [number[], WeightedBceOptions64][]) {
      const yt = randomMasks(41 + shape.length, shape);
      const ytT = tf.tensor(yt, shape);
      let yp = randomProbs(42, yt);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      checkGradient({
        loss: (p: Tensor) => distanceMapPenaltyBce(ytT, p, o),
        oracle: (x) => distanceMapPenalty64(yt, x, shape, o).reduce((s, v) => s + v, 0),
        yPred: yp,
        shape,
        rtol: backendTol(backend, 1e-3),
      });
      ytT.dispose();
    }
  });

  it('gives identical values from precomputed maps, and the maps are Φ of each channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const shape = [2, 5, 6, 2];
        const yt = randomMasks(seed, shape);
        const o: Opts = { spacing: [1, 0.6], reduction: 'none' };
        const maps = distanceMaps('distance_map_penalty_bce', yt, shape, o);
        const plane = Array.from({ length: 30 }, (_, x) => yt[(30 + x) * 2 + 1]);
        const phi = Array.from({ length: 30 }, (_, x) => maps[(30 + x) * 2 + 1]);
        expectAllClose(phi, dmpPhi64(plane, [5, 6], [1, 0.6]), { rtol: 1e-5, atol: 1e-6 });
        const ytT = tf.tensor(yt, shape);
        const yp = tf.tensor(randomProbs(seed + 1, yt), shape);
        const packed = packDistanceMaps(distanceMapPenaltyBce, ytT, o);
        const pre = { ...o, precomputedMaps: true };
        expect(Array.from(take(distanceMapPenaltyBce(packed, yp, pre)))).toEqual(
          Array.from(take(distanceMapPenaltyBce(ytT, yp, o))),
        );
        tf.dispose([ytT, yp, packed]);
      }),
      { numRuns: 8, seed: 5 },
    );
  });

  it('is finite with empty and full masks and predictions at 0 and 1, gradients included', () => {
    const shape = [2, 4, 4, 1];
    const yt = [...new Array<number>(16).fill(0), ...new Array<number>(16).fill(1)];
    const yp = [...new Array<number>(16).fill(1), ...new Array<number>(16).fill(0)];
    const v = run(yt, yp, shape);
    expect(Number.isFinite(v[0])).toBe(true);
    expectAllClose(v, distanceMapPenalty64(yt, yp, shape), { rtol: 1e-5 });
    const a = tf.tensor(yt, shape);
    const b = tf.tensor(yp, shape);
    for (const g of take(tf.grad((p: Tensor) => distanceMapPenaltyBce(a, p))(b)))
      expect(Number.isFinite(g)).toBe(true);
    tf.dispose([a, b]);
  });

  it('drives free logits to the target mask (convergence, catches sign bugs)', () => {
    const shape = [2, 8, 8, 1];
    const yt = randomMasks(77, shape);
    const { first, last, probs } = fitLogits(
      (a, b) => distanceMapPenaltyBce(a, b, { activation: 'sigmoid' }),
      yt,
      shape,
    );
    expect(last).toBeLessThan(0.2 * first);
    expect(agreement(probs, yt)).toBeGreaterThanOrEqual(0.95);
  });

  it('leaves only its result behind', () => {
    const shape = [2, 4, 4, 2];
    const yt = tf.tensor(randomMasks(5, shape), shape);
    const yp = tf.tensor(randomProbs(6, randomMasks(5, shape)), shape);
    expectTidy(() => distanceMapPenaltyBce(yt, yp));
    expectTidy(() => distanceMapPenaltyBce(yt, yp, { reduction: 'none', activation: 'sigmoid' }));
    tf.dispose([yt, yp]);
  });

  it('rejects bad inputs and options, naming the loss and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 2]);
    const b = tf.zeros([1, 4, 2]);
    expectThrows(() => distanceMapPenaltyBce(a, b), /distanceMapPenaltyBce/, /\[1,4,4,2\]/, /\[1,4,2\]/);
    expectThrows(() => distanceMapPenaltyBce(a, a, { epsilon: 0.5 }), /distanceMapPenaltyBce/, /epsilon/);
    expectThrows(
      () => distanceMapPenaltyBce(a, a, { spacing: [1, 1, 1] }),
      /distanceMapPenaltyBce/,
      /spacing/,
    );
    expectThrows(
      () => distanceMapPenaltyBce(a, a, { eps: 1e-7 } as never),
      /unknown option 'eps'/,
      /epsilon/,
    );
    expectThrows(
      () => distanceMapPenaltyBce(a, a, { precomputedMaps: true }),
      /distanceMapPenaltyBce/,
      /precomputedMaps/,
      /\[1,4,4,4\]/,
    );
    tf.dispose([a, b]);
  });
});
