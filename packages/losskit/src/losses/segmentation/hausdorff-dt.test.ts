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
import { hausdorffDt64, type HdOptions64 } from '../../../test/reference/distance-losses.ts';
import { hausdorffDtLoss, type HausdorffDtLossOptions } from './hausdorff-dt.ts';
import { packDistanceMaps } from './distance-maps.ts';

type Opts = HausdorffDtLossOptions & { sampleWeight?: Tensor };

function run(yt: readonly number[], yp: readonly number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(hausdorffDtLoss, yt, yp, shape, o);
}

describeGoldens('hausdorff_dt_loss', 'hausdorffDtLoss', hausdorffDtLoss, (c) => {
  const o = caseOptions(c) as HdOptions64;
  return hausdorffDt64(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), o);
});

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

  it('weights per sample or per group with sampleWeight; mean stays a plain mean', () => {
    const shape = [2, 5, 5, 3];
    const yt = randomMasks(51, shape);
    const yp = randomProbs(52, yt);
    for (const w of [[0.5], [2, 0.25], [1, 2, 3, 4]]) {
      const sw = w.length === 4 ? tf.tensor2d(w, [2, 2]) : w.length === 2 ? tf.tensor1d(w) : tf.scalar(w[0]);
      expectAllClose(run(yt, yp, shape, { sampleWeight: sw }), hausdorffDt64(yt, yp, shape, { weights: w }), {
        rtol: 1e-5,
      });
      sw.dispose();
    }
  });

  it('has the gradient of its float64 oracle (fields held constant)', () => {
    for (const [shape, o] of [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { includeBackground: true, alpha: 1.5 }],
      [[2, 6, 4, 2], { spacing: [1, 2.5], log: true }],
      [[1, 3, 4, 4, 1], { reduction: 'sum' }],
    ] as [number[], HdOptions64][]) {
      const yt = randomMasks(61 + shape.length, shape);
      const ytT = tf.tensor(yt, shape);
      checkGradient({
        loss: (p: Tensor) => hausdorffDtLoss(ytT, p, o),
        oracle: (x) => hausdorffDt64(yt, x, shape, o).reduce((s, v) => s + v, 0),
        yPred: randomProbs(62, yt),
        shape,
        rtol: backendTol(backend, 1e-3),
      });
      ytT.dispose();
    }
  });

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
        const packed = packDistanceMaps('hausdorff_dt', ytT, o);
        expect(packed.shape).toEqual([2, 5, 6, 4]);
        const pre = { ...o, precomputedMaps: true };
        expect(Array.from(take(hausdorffDtLoss(packed, yp, pre)))).toEqual(
          Array.from(take(hausdorffDtLoss(ytT, yp, o))),
        );
        const g1 = take(tf.grad((p: Tensor) => hausdorffDtLoss(ytT, p, o))(yp));
        const g2 = take(tf.grad((p: Tensor) => hausdorffDtLoss(packed, p, pre))(yp));
        expect(Array.from(g2)).toEqual(Array.from(g1));
        tf.dispose([ytT, yp, packed]);
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
    const a = tf.tensor(yt, shape);
    const b = tf.tensor(yp, shape);
    for (const v of take(tf.grad((p: Tensor) => hausdorffDtLoss(a, p))(b)))
      expect(Number.isFinite(v)).toBe(true);
    tf.dispose([a, b]);
  });

  it('drives free logits to the target mask (convergence, catches sign bugs)', () => {
    const shape = [2, 8, 8, 1];
    const yt = randomMasks(77, shape);
    const { first, last, probs } = fitLogits(
      (a, b) => hausdorffDtLoss(a, b, { activation: 'sigmoid' }),
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
    expectTidy(() => hausdorffDtLoss(yt, yp));
    expectTidy(() => hausdorffDtLoss(yt, yp, { reduction: 'none', log: true, activation: 'softmax' }));
    tf.dispose([yt, yp]);
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
