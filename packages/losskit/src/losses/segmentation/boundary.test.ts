import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, lossRunner, take } from '../../../test/helpers/assert.ts';
import { describeGoldens, randomMasks, randomProbs } from '../../../test/helpers/distance-golden.ts';
import * as distanceLoss from '../../../test/helpers/distance-loss.ts';
import { boundary64, boundaryPhi64 } from '../../../test/reference/distance-losses.ts';
import { boundaryLoss, type BoundaryLossOptions } from './boundary.ts';
import { distanceMaps, packDistanceMaps } from './distance-maps.ts';

type Opts = BoundaryLossOptions & { sampleWeight?: Tensor };

const run = lossRunner(boundaryLoss);

describeGoldens('boundary_loss', 'boundaryLoss', boundaryLoss, boundary64);

describe.each(BACKENDS)('boundaryLoss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values, offset and spacing included', () => {
    // Row y = [0,1,1,1,0]: outside φ = edt(¬G) = 1; inside edt(G) = [1,2,1] → φ = −(d − 1) = [0,−1,0].
    // p = [0.1,0.8,0.9,0.7,0.2]: Σ pφ = 0.1 + 0 − 0.9 + 0 + 0.2 = −0.6 → /5 = −0.12 (negative: mass inside earns).
    const y = [0, 1, 1, 1, 0];
    const p = [0.1, 0.8, 0.9, 0.7, 0.2];
    const shape = [1, 1, 5, 1];
    expectAllClose(run(y, p, shape), -0.12, { rtol: 1e-6 });
    // insideOffset 0: φ inside = [−1,−2,−1] → 0.1 − 0.8 − 1.8 − 0.7 + 0.2 = −3 → −0.6.
    expectAllClose(run(y, p, shape, { insideOffset: 0 }), -0.6, { rtol: 1e-6 });
    // spacing [1, 0.5]: outside 0.5, inside edt [0.5,1,0.5] → φ = −(d − 1) = [0.5,0,0.5]: the unscaled offset
    // makes the inner boundary positive (LIVIAETS quirk, §1). Σ = 0.05 + 0.4 + 0 + 0.35 + 0.1 = 0.9 → 0.18.
    expectAllClose(run(y, p, shape, { spacing: [1, 0.5] }), 0.18, { rtol: 1e-6 });
  });

  it('defaults classIndices to the foreground channels, and follows the oracle for any choice', () => {
    const shape = [2, 6, 5, 3];
    const yt = randomMasks(11, shape);
    const yp = randomProbs(12, yt);
    // null → [1, 2] when C > 1.
    expectAllClose(
      run(yt, yp, shape, { reduction: 'none' }),
      boundary64(yt, yp, shape, { classIndices: [1, 2], reduction: 'none' }),
      {
        rtol: 1e-5,
        atol: 1e-7,
      },
    );
    for (const classIndices of [[0], [2, 0], [0, 1, 2]]) {
      const o = { classIndices, reduction: 'none' as const };
      const got = run(yt, yp, shape, o);
      expect(got.length).toBe(2 * classIndices.length);
      expectAllClose(got, boundary64(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
      const ref = boundary64(yt, yp, shape, { classIndices });
      expectAllClose(run(yt, yp, shape, { classIndices }), ref, { rtol: 1e-5, atol: 1e-7 });
      expectAllClose(
        run(yt, yp, shape, { classIndices, reduction: 'sum' }),
        ref[0] * 2 * classIndices.length,
        {
          rtol: 1e-5,
          atol: 1e-6,
        },
      );
    }
    // One channel: [0].
    const one = [2, 5, 5, 1];
    const y1 = randomMasks(13, one);
    const p1 = randomProbs(14, y1);
    expectAllClose(run(y1, p1, one), boundary64(y1, p1, one, { classIndices: [0] }), {
      rtol: 1e-5,
      atol: 1e-7,
    });
  });

  distanceLoss.itFollowsOracle(
    'follows the oracle with spacing, offsets, activations, 1-D and 3-D',
    boundaryLoss,
    boundary64,
    [
      [[2, 6, 7, 2], { spacing: [0.5, 2], insideOffset: 0 }],
      [[2, 6, 7, 2], { insideOffset: 2.5, activation: 'softmax' }],
      [[2, 6, 7, 1], { activation: 'sigmoid' }],
      [[3, 11, 1], {}],
      [[1, 4, 5, 3, 2], { spacing: [2.5, 1, 0.8], classIndices: [0, 1] }],
    ],
  );

  // Two weights are one per sample, as a [2, 1] tensor here.
  distanceLoss.itWeightsBySampleWeight(
    'weights per sample or per group with sampleWeight',
    boundaryLoss,
    boundary64,
    {
      shape: [2, 5, 5, 3],
      toTensor: (w) => distanceLoss.sampleWeightTensor(w, [2, 1]),
      tol: { rtol: 1e-5, atol: 1e-7 },
    },
  );

  distanceLoss.itHasOracleGradient(
    'has the gradient of its float64 oracle, φ/N',
    backend,
    boundaryLoss,
    boundary64,
    [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { classIndices: [0, 2], spacing: [1, 1.5] }],
      [[2, 5, 4, 2], { activation: 'softmax', reduction: 'sum' }],
    ],
  );

  it('gives identical values from precomputed maps, and the maps are φ of each channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 1, 2), (seed, insideOffset) => {
        const shape = [2, 5, 6, 2];
        const yt = randomMasks(seed, shape);
        const o: Opts = { classIndices: [0, 1], insideOffset, spacing: [1.5, 1], reduction: 'none' };
        const maps = distanceMaps('boundaryLoss', yt, shape, o);
        for (const [b, c] of [
          [0, 0],
          [1, 1],
        ]) {
          const plane = Array.from({ length: 30 }, (_, x) => yt[(b * 30 + x) * 2 + c]);
          const phi = Array.from({ length: 30 }, (_, x) => maps[(b * 30 + x) * 2 + c]);
          expectAllClose(phi, boundaryPhi64(plane, [5, 6], insideOffset, [1.5, 1]), {
            rtol: 1e-6,
            atol: 1e-6,
          });
        }
        const ytT = tf.tensor(yt, shape);
        const yp = tf.tensor(randomProbs(seed + 1, yt), shape);
        distanceLoss.expectPrecomputedMapsAgree(boundaryLoss, boundaryLoss, ytT, yp, o);
        tf.dispose([ytT, yp]);
      }),
      { numRuns: 8, seed: 3 },
    );
  });

  it('is finite with absent and full classes (φ = 0 there), gradients included', () => {
    const shape = [2, 4, 4, 1];
    const yt = [...new Array<number>(16).fill(0), ...new Array<number>(16).fill(1)];
    const yp = randomProbs(5, yt);
    expectAllClose(run(yt, yp, shape, { reduction: 'none' }), [0, 0]);
    const a = tf.tensor(yt, shape);
    const b = tf.tensor(yp, shape);
    for (const v of take(tf.grad((p: Tensor) => boundaryLoss(a, p))(b))) expect(v).toBe(0);
    tf.dispose([a, b]);
  });

  // The loss can be negative, so the drop is absolute.
  distanceLoss.itDrivesLogitsToMask(
    (a, b) => boundaryLoss(a, b, { activation: 'sigmoid', insideOffset: 0 }),
    (first) => first - 0.1,
  );

  distanceLoss.itLeavesOnlyItsResult((yt, yp) => {
    expectTidy(() => boundaryLoss(yt, yp));
    expectTidy(() =>
      boundaryLoss(yt, yp, { classIndices: [1, 0], reduction: 'none', activation: 'softmax' }),
    );
    const packed = packDistanceMaps('boundary', yt);
    expectTidy(() => boundaryLoss(packed, yp, { precomputedMaps: true }));
    packed.dispose();
  });

  it('rejects bad inputs and options, naming the loss and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 2]);
    const b = tf.zeros([1, 4, 4, 3]);
    expectThrows(() => boundaryLoss(a, b), /boundaryLoss/, /\[1,4,4,2\]/, /\[1,4,4,3\]/);
    expectThrows(
      () => boundaryLoss(a, a, { classIndices: [2] }),
      /boundaryLoss/,
      /classIndices/,
      /\[0, 1\]/,
      /\[1,4,4,2\]/,
    );
    expectThrows(() => boundaryLoss(a, a, { classIndices: [0.5] }), /boundaryLoss/, /classIndices/);
    expectThrows(() => boundaryLoss(a, a, { classIndices: [1, 1] }), /boundaryLoss/, /distinct/);
    expectThrows(() => boundaryLoss(a, a, { classIndices: [-1] }), /boundaryLoss/, /classIndices/);
    expectThrows(() => boundaryLoss(a, a, { insideOffset: -1 }), /boundaryLoss/, /insideOffset/);
    expectThrows(() => boundaryLoss(a, a, { spacing: [1] }), /boundaryLoss/, /spacing/, /2 spatial/);
    expectThrows(() => boundaryLoss(a, a, { idc: [1] } as never), /unknown option 'idc'/);
    expectThrows(
      () => boundaryLoss(b, a, { precomputedMaps: true }),
      /boundaryLoss/,
      /precomputedMaps/,
      /\[1,4,4,4\]/,
    );
    expectThrows(() => packDistanceMaps('cmss', a), /packDistanceMaps/, /cmss/);
    expectThrows(() => packDistanceMaps('boundry', a), /packDistanceMaps/, /boundaryLoss/);
    expectThrows(() => distanceMaps('boundary', [0, 1], [2, 1]), /distanceMaps/, /\[2,1\]/);
    expectThrows(() => distanceMaps('boundary', [0, 1], [1, 3, 1]), /distanceMaps/, /2 values/, /\[1,3,1\]/);
    tf.dispose([a, b]);
  });
});
