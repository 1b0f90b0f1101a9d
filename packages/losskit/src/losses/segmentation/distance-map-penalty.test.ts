import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, lossRunner, take } from '../../../test/helpers/assert.ts';
import { describeGoldens, randomMasks, randomProbs } from '../../../test/helpers/distance-golden.ts';
import * as distanceLoss from '../../../test/helpers/distance-loss.ts';
import { distanceMapPenalty64, dmpPhi64 } from '../../../test/reference/distance-losses.ts';
import { distanceMapPenaltyBce, type DistanceMapPenaltyBceOptions } from './distance-map-penalty.ts';
import { distanceMaps } from './distance-maps.ts';

type Opts = DistanceMapPenaltyBceOptions & { sampleWeight?: Tensor };

const run = lossRunner(distanceMapPenaltyBce);

describeGoldens(
  'distance_map_penalty_bce',
  'distanceMapPenaltyBce',
  distanceMapPenaltyBce,
  distanceMapPenalty64,
);

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

  distanceLoss.itFollowsOracle(
    'follows the oracle per channel, with spacing, epsilon, activations, reductions, 1-D and 3-D',
    distanceMapPenaltyBce,
    distanceMapPenalty64,
    distanceLoss.WEIGHTED_BCE_ORACLE_CASES,
    { checkLength: true },
  );

  distanceLoss.itWeightsBySampleWeight(
    'weights per sample or per group with sampleWeight',
    distanceMapPenaltyBce,
    distanceMapPenalty64,
    { shape: [2, 5, 5, 2] },
  );

  distanceLoss.itHasOracleGradient(
    'has the gradient of its float64 oracle, (1 + Φ)·∂BCE/∂p/N',
    backend,
    distanceMapPenaltyBce,
    distanceMapPenalty64,
    [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { spacing: [1, 1.5], reduction: 'sum' }],
      [[2, 5, 4, 1], { activation: 'sigmoid' }],
      [[1, 4, 5, 2], { activation: 'softmax' }],
    ],
  );

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
        distanceLoss.expectPrecomputedMapsAgree(distanceMapPenaltyBce, distanceMapPenaltyBce, ytT, yp, o);
        tf.dispose([ytT, yp]);
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
    distanceLoss.expectFiniteGradient(distanceMapPenaltyBce, yt, yp, shape);
  });

  distanceLoss.itDrivesLogitsToMask((a, b) => distanceMapPenaltyBce(a, b, { activation: 'sigmoid' }));

  distanceLoss.itLeavesOnlyItsResult((yt, yp) => {
    expectTidy(() => distanceMapPenaltyBce(yt, yp));
    expectTidy(() => distanceMapPenaltyBce(yt, yp, { reduction: 'none', activation: 'sigmoid' }));
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
