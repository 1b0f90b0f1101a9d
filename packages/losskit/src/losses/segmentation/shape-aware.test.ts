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
import { shapeAware64, type WeightedBceOptions64 } from '../../../test/reference/distance-losses.ts';
import { shapeAwareLoss, type ShapeAwareLossOptions } from './shape-aware.ts';
import { packDistanceMaps } from './distance-maps.ts';

type Opts = ShapeAwareLossOptions & { sampleWeight?: Tensor };

function run(yt: readonly number[], yp: readonly number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(shapeAwareLoss, yt, yp, shape, o);
}

describeGoldens('shape_aware_loss', 'shapeAwareLoss', shapeAwareLoss, (c) => {
  const o = caseOptions(c) as WeightedBceOptions64;
  return shapeAware64(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), o);
});

describe.each(BACKENDS)('shapeAwareLoss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // 1-D row y = [0,1,1,1,0,0]: GT edges at 1 and 3 (on a [1, 6] image every pixel would be an edge). p = [.1,.3,.8,.7,.6,.2] → P = [0,0,1,1,1,0], edges 2 and 4,
    // each 1 from a GT edge: E = 1. BCE = −ln .9, −ln .3, −ln .8, −ln .7, −ln .4, −ln .8; loss = (1 + 1)·mean.
    const y = [0, 1, 1, 1, 0, 0];
    const p = [0.1, 0.3, 0.8, 0.7, 0.6, 0.2];
    const meanBce = -[0.9, 0.3, 0.8, 0.7, 0.4, 0.8].reduce((s, q) => s + Math.log(q), 0) / 6;
    expectAllClose(run(y, p, [1, 6, 1]), 2 * meanBce, { rtol: 1e-6 });
    // spacing [2]: the edge distances double, E = 2.
    expectAllClose(run(y, p, [1, 6, 1], { spacing: [2] }), 3 * meanBce, { rtol: 1e-6 });
    // A perfect contour (P = Y, soft values) gives E = 0: the plain BCE.
    expectAllClose(
      run(y, [0.1, 0.8, 0.6, 0.9, 0.2, 0.3], [1, 6, 1]),
      -[0.9, 0.8, 0.6, 0.9, 0.8, 0.7].reduce((s, q) => s + Math.log(q), 0) / 6,
      {
        rtol: 1e-6,
      },
    );
    // Empty prediction (no predicted edge): E = 0.
    expectAllClose(
      run(y, [0.1, 0.3, 0.2, 0.3, 0.4, 0.2], [1, 6, 1]),
      -[0.9, 0.3, 0.2, 0.3, 0.6, 0.8].reduce((s, q) => s + Math.log(q), 0) / 6,
      {
        rtol: 1e-6,
      },
    );
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
      let yp = randomProbs(22, yt, 0.7);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      const got = run(yt, yp, shape, o);
      expect(got.length).toBe(o.reduction === 'none' ? shape[0] * shape[shape.length - 1] : 1);
      expectAllClose(got, shapeAware64(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it('weights per sample or per group with sampleWeight', () => {
    const shape = [2, 5, 5, 2];
    const yt = randomMasks(31, shape);
    const yp = randomProbs(32, yt);
    for (const w of [[0.5], [2, 0.25], [1, 2, 3, 4]]) {
      const sw = w.length === 4 ? tf.tensor2d(w, [2, 2]) : w.length === 2 ? tf.tensor1d(w) : tf.scalar(w[0]);
      expectAllClose(run(yt, yp, shape, { sampleWeight: sw }), shapeAware64(yt, yp, shape, { weights: w }), {
        rtol: 1e-5,
      });
      sw.dispose();
    }
  });

  it('has the gradient of its float64 oracle, (1 + E)·∂BCE/∂p/N', () => {
    for (const [shape, o] of [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { spacing: [1, 1.5], reduction: 'sum' }],
      [[2, 5, 4, 1], { activation: 'sigmoid' }],
    ] as [number[], WeightedBceOptions64][]) {
      const yt = randomMasks(41 + shape.length, shape);
      const ytT = tf.tensor(yt, shape);
      let yp = randomProbs(42, yt, 0.7);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      checkGradient({
        loss: (p: Tensor) => shapeAwareLoss(ytT, p, o),
        oracle: (x) => shapeAware64(yt, x, shape, o).reduce((s, v) => s + v, 0),
        yPred: yp,
        shape,
        rtol: backendTol(backend, 1e-3),
      });
      ytT.dispose();
    }
  });

  it('gives identical values and gradients from precomputed maps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const shape = [2, 6, 5, 2];
        const yt = randomMasks(seed, shape);
        const o: Opts = { spacing: [2, 1], reduction: 'none' };
        const ytT = tf.tensor(yt, shape);
        const yp = tf.tensor(randomProbs(seed + 1, yt, 0.7), shape);
        const packed = packDistanceMaps('shape_aware', ytT, o);
        const pre = { ...o, precomputedMaps: true };
        expect(Array.from(take(shapeAwareLoss(packed, yp, pre)))).toEqual(
          Array.from(take(shapeAwareLoss(ytT, yp, o))),
        );
        const g1 = take(tf.grad((p: Tensor) => shapeAwareLoss(ytT, p, o))(yp));
        const g2 = take(tf.grad((p: Tensor) => shapeAwareLoss(packed, p, pre))(yp));
        expect(Array.from(g2)).toEqual(Array.from(g1));
        tf.dispose([ytT, yp, packed]);
      }),
      { numRuns: 8, seed: 9 },
    );
  });

  it('is finite with empty and full masks (E = 0 without edges), gradients included', () => {
    const shape = [3, 4, 4, 1];
    const yt = [
      ...new Array<number>(16).fill(0),
      ...new Array<number>(16).fill(1),
      ...randomMasks(2, [1, 4, 4, 1]),
    ];
    const yp = [
      ...randomProbs(3, new Array<number>(16).fill(1)),
      ...new Array<number>(16).fill(0),
      ...new Array<number>(16).fill(1),
    ];
    const v = run(yt, yp, shape, { reduction: 'none' });
    for (const x of v) expect(Number.isFinite(x)).toBe(true);
    expectAllClose(v, shapeAware64(yt, yp, shape, { reduction: 'none' }), { rtol: 1e-5 });
    const a = tf.tensor(yt, shape);
    const b = tf.tensor(yp, shape);
    for (const g of take(tf.grad((p: Tensor) => shapeAwareLoss(a, p))(b)))
      expect(Number.isFinite(g)).toBe(true);
    tf.dispose([a, b]);
  });

  it('drives free logits to the target mask (convergence, catches sign bugs)', () => {
    const shape = [2, 8, 8, 1];
    const yt = randomMasks(77, shape);
    const { first, last, probs } = fitLogits(
      (a, b) => shapeAwareLoss(a, b, { activation: 'sigmoid' }),
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
    expectTidy(() => shapeAwareLoss(yt, yp));
    expectTidy(() => shapeAwareLoss(yt, yp, { reduction: 'none', activation: 'softmax' }));
    tf.dispose([yt, yp]);
  });

  it('rejects bad inputs and options, naming the loss and the shapes', () => {
    const a = tf.zeros([1, 4, 4, 2]);
    const b = tf.zeros([1, 4, 5, 2]);
    expectThrows(() => shapeAwareLoss(a, b), /shapeAwareLoss/, /\[1,4,4,2\]/, /\[1,4,5,2\]/);
    expectThrows(() => shapeAwareLoss(a, a, { spacing: [1] }), /shapeAwareLoss/, /spacing/);
    expectThrows(() => shapeAwareLoss(a, a, { reduction: 'avg' as never }), /shapeAwareLoss/, /reduction/);
    expectThrows(() => shapeAwareLoss(a, a, { precomputedMaps: true }), /shapeAwareLoss/, /precomputedMaps/);
    tf.dispose([a, b]);
  });
});
