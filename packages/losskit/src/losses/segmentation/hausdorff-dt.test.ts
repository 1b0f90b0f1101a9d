import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, lossRunner, take } from '../../../test/helpers/assert.ts';
import { describeGoldens, randomMasks, randomProbs } from '../../../test/helpers/distance-golden.ts';
import * as distanceLoss from '../../../test/helpers/distance-loss.ts';
import { hausdorffDt64 } from '../../../test/reference/distance-losses.ts';
import { hausdorffDtLoss, type HausdorffDtLossOptions } from './hausdorff-dt.ts';

type Opts = HausdorffDtLossOptions & { sampleWeight?: Tensor };

const run = lossRunner(hausdorffDtLoss);

describeGoldens('hausdorff_dt_loss', 'hausdorffDtLoss', hausdorffDtLoss, hausdorffDt64);

describe.each(BACKENDS)('hausdorffDtLoss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values (MONAI 2×2 case and a 1×4 row)', () => {
    // MONAI test_hausdorff_loss: y = [[1,0],[1,1]], p = σ([[1,−1],[−1,1]]) = [[a,b],[b,a]], a = 0.7311, b = 0.2689.
    // d_Y: fg (0,0),(1,1) are 1 from the bg pixel, (1,0) is √2; the bg pixel is 1 from fg → [[1,1],[√2,1]].
    // d_P (P = [[1,0],[0,1]]): every pixel is 1 from the other class. Field d_P² + d_Y² = [[2,2],[3,2]].
    // (p − y)² = [[b²,b²],[a²,b²]] → (3·2·b² + 3·a²)/4 = 0.5093292.
    const a = 1 / (1 + Math.exp(-1));
    const b = 1 - a;
    expectAllClose(run([1, 0, 1, 1], [a, b, b, a], [1, 2, 2, 1]), (6 * b * b + 3 * a * a) / 4, {
      rtol: 1e-6,
    });
    // 1×4 row y = [0,1,1,0]: d_Y = 1 everywhere. p = [0.2,0.9,0.3,0.1] → P = [0,1,0,0]: d_P = [1,1,1,2].
    // α = 1: Σ (p−y)²(d_P + d_Y) = 0.04·2 + 0.01·2 + 0.49·2 + 0.01·3 = 1.11 → /4 = 0.2775.
    expectAllClose(run([0, 1, 1, 0], [0.2, 0.9, 0.3, 0.1], [1, 1, 4, 1], { alpha: 1 }), 0.2775, {
      rtol: 1e-6,
    });
    // α = 2: 0.04·2 + 0.01·2 + 0.49·2 + 0.01·5 = 1.13 → 0.2825.
    expectAllClose(run([0, 1, 1, 0], [0.2, 0.9, 0.3, 0.1], [1, 1, 4, 1]), 0.2825, { rtol: 1e-6 });
  });

  it('drops channel 0 only when C > 1, and reduces with mean, sum and none', () => {
    const shape = [2, 5, 6, 3];
    const yt = randomMasks(11, shape);
    const yp = randomProbs(12, yt);
    for (const includeBackground of [false, true]) {
      const none = run(yt, yp, shape, { includeBackground, reduction: 'none' });
      const ref = hausdorffDt64(yt, yp, shape, { includeBackground, reduction: 'none' });
      expect(none.length).toBe(includeBackground ? 6 : 4);
      expectAllClose(none, ref, { rtol: 1e-5, atol: 1e-6 });
      const sum = ref.reduce((s, v) => s + v, 0);
      expectAllClose(run(yt, yp, shape, { includeBackground, reduction: 'sum' }), sum, { rtol: 1e-5 });
      expectAllClose(run(yt, yp, shape, { includeBackground }), sum / ref.length, { rtol: 1e-5 });
    }
    // A single channel is kept even with includeBackground: false (MONAI warns and ignores it).
    const one = [2, 5, 6, 1];
    const y1 = randomMasks(13, one);
    const p1 = randomProbs(14, y1);
    expect(run(y1, p1, one, { reduction: 'none' }).length).toBe(2);
  });

  it('log = ln(1 + L) after the reduction; alpha and spacing as the oracle', () => {
    const shape = [2, 6, 5, 1];
    const yt = randomMasks(21, shape);
    const yp = randomProbs(22, yt);
    const base = hausdorffDt64(yt, yp, shape)[0];
    expectAllClose(run(yt, yp, shape, { log: true }), Math.log1p(base), { rtol: 1e-5 });
    const none = hausdorffDt64(yt, yp, shape, { reduction: 'none' });
    expectAllClose(run(yt, yp, shape, { log: true, reduction: 'none' }), none.map(Math.log1p), {
      rtol: 1e-5,
    });
    for (const o of [{ alpha: 1 }, { alpha: 0.5 }, { alpha: 3, spacing: [2, 0.5] }, { spacing: [1.5, 1] }]) {
      expectAllClose(run(yt, yp, shape, o), hausdorffDt64(yt, yp, shape, o), { rtol: 1e-5 });
    }
  });

  it('works on 1-D and 3-D images, as the oracle', () => {
    for (const shape of [
      [2, 9, 1],
      [1, 3, 4, 5, 2],
    ]) {
      const yt = randomMasks(31, shape);
      const yp = randomProbs(32, yt);
      const o = { includeBackground: true, reduction: 'none' as const };
      expectAllClose(run(yt, yp, shape, o), hausdorffDt64(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it("applies activation 'sigmoid' and 'softmax' before the maps", () => {
    const shape = [2, 5, 5, 2];
    const yt = randomMasks(41, shape);
    const logits = randomProbs(42, yt).map((p) => Math.log(p / (1 - p)) * 1.7);
    for (const activation of ['sigmoid', 'softmax'] as const) {
      const o = { activation, includeBackground: true };
      expectAllClose(run(yt, logits, shape, o), hausdorffDt64(yt, logits, shape, o), { rtol: 1e-5 });
    }
  });

  distanceLoss.itWeightsBySampleWeight(
    'weights per sample or per group with sampleWeight; mean stays a plain mean',
    hausdorffDtLoss,
    hausdorffDt64,
    { shape: [2, 5, 5, 3], seeds: [51, 52] },
  );

  // No case sets an activation, so yPred stays probabilities.
  distanceLoss.itHasOracleGradient(
    'has the gradient of its float64 oracle (fields held constant)',
    backend,
    hausdorffDtLoss,
    hausdorffDt64,
    [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { includeBackground: true, alpha: 1.5 }],
      [[2, 6, 4, 2], { spacing: [1, 2.5], log: true }],
      [[1, 3, 4, 4, 1], { reduction: 'sum' }],
    ],
    { seeds: [61, 62] },
  );

  it('pins the threshold: p = 0.5 is background (strict >), and the fields carry no gradient', () => {
    // y = [0,1,1,0] (d_Y ≡ 1), p = [0.5,0.9,0.5,0.1] → P = [0,1,0,0], d_P = [1,1,1,2]; α = 2 → field [2,2,2,5].
    // ∂L/∂p = 2(p − y)·field/4 = [0.5, −0.1, −0.5, 0.25].
    const yt = tf.tensor4d([0, 1, 1, 0], [1, 1, 4, 1]);
    const yp = tf.tensor4d([0.5, 0.9, 0.5, 0.1], [1, 1, 4, 1]);
    expectAllClose(take(tf.grad((p: Tensor) => hausdorffDtLoss(yt, p))(yp)), [0.5, -0.1, -0.5, 0.25], {
      rtol: 1e-5,
    });
    tf.dispose([yt, yp]);
  });

  it('gives the same values and gradients from precomputed ground-truth maps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.boolean(), (seed, withSpacing) => {
        const shape = [2, 5, 6, 2];
        const yt = randomMasks(seed, shape);
        const o: Opts = {
          includeBackground: true,
          reduction: 'none',
          ...(withSpacing ? { spacing: [2, 0.7] } : {}),
        };
        const ytT = tf.tensor(yt, shape);
        const yp = tf.tensor(randomProbs(seed + 1, yt), shape);
        distanceLoss.expectPrecomputedMapsAgree(hausdorffDtLoss, 'hausdorff_dt', ytT, yp, o, {
          gradients: true,
          packedShape: [2, 5, 6, 4],
        });
        tf.dispose([ytT, yp]);
      }),
      { numRuns: 8, seed: 7 },
    );
  });

  it('is finite with empty and full masks (fields are 0 there), gradients included', () => {
    const shape = [4, 4, 4, 1];
    const N = 16;
    const yt = [
      ...new Array<number>(N).fill(0),
      ...new Array<number>(N).fill(1),
      ...randomMasks(3, [2, 4, 4, 1]),
    ];
    const yp = [
      ...new Array<number>(N).fill(0.2),
      ...new Array<number>(N).fill(0.9),
      ...new Array<number>(N).fill(0),
      ...new Array<number>(N).fill(1),
    ];
    const none = run(yt, yp, shape, { reduction: 'none' });
    // Sample 0: y ≡ 0 and P ≡ 0 → both fields 0 → 0. Sample 1: y ≡ 1, P ≡ 1 → 0.
    expectAllClose(none.slice(0, 2), [0, 0]);
    expectAllClose(none, hausdorffDt64(yt, yp, shape, { reduction: 'none' }), { rtol: 1e-5 });
    distanceLoss.expectFiniteGradient(hausdorffDtLoss, yt, yp, shape);
  });

  distanceLoss.itDrivesLogitsToMask((a, b) => hausdorffDtLoss(a, b, { activation: 'sigmoid' }));

  distanceLoss.itLeavesOnlyItsResult((yt, yp) => {
    expectTidy(() => hausdorffDtLoss(yt, yp));
    expectTidy(() => hausdorffDtLoss(yt, yp, { reduction: 'none', log: true, activation: 'softmax' }));
  });

  it('rejects bad inputs and options, naming the loss and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 2]);
    const b = tf.zeros([1, 4, 4, 1]);
    const c = tf.zeros([4, 2]);
    expectThrows(() => hausdorffDtLoss(a, b), /hausdorffDtLoss/, /\[1,4,4,2\]/, /\[1,4,4,1\]/);
    expectThrows(() => hausdorffDtLoss(c, c), /hausdorffDtLoss/, /channels-last/, /\[4,2\]/);
    expectThrows(
      () => hausdorffDtLoss(a, a, { spacing: [1, 1, 1] }),
      /hausdorffDtLoss/,
      /spacing/,
      /3 value/,
    );
    expectThrows(() => hausdorffDtLoss(a, a, { spacing: [1, 0] }), /hausdorffDtLoss/, /spacing/);
    expectThrows(() => hausdorffDtLoss(a, a, { alpha: 0 }), /hausdorffDtLoss/, /alpha/);
    expectThrows(
      () => hausdorffDtLoss(a, a, { reduction: 'sum_over_batch_size' as never }),
      /reduction/,
      /'mean'/,
    );
    expectThrows(() => hausdorffDtLoss(a, a, { alpah: 2 } as never), /unknown option 'alpah'/, /alpha/);
    expectThrows(
      () => hausdorffDtLoss(a, a, { precomputedMaps: true }),
      /hausdorffDtLoss/,
      /precomputedMaps/,
      /\[1,4,4,4\]/,
    );
    expectThrows(() => hausdorffDtLoss(b, b, { activation: 'softmax' }), /hausdorffDtLoss/, /softmax/);
    expectThrows(
      () => hausdorffDtLoss(a, a, { sampleWeight: tf.ones([3]) }),
      /hausdorffDtLoss/,
      /sampleWeight/,
    );
    tf.dispose([a, b, c]);
  });
});
