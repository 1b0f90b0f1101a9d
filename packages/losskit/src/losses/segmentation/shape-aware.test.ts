import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, lossRunner } from '../../../test/helpers/assert.ts';
import { describeGoldens, randomMasks, randomProbs } from '../../../test/helpers/distance-golden.ts';
import * as distanceLoss from '../../../test/helpers/distance-loss.ts';
import { shapeAware64 } from '../../../test/reference/distance-losses.ts';
import { shapeAwareLoss, type ShapeAwareLossOptions } from './shape-aware.ts';

type Opts = ShapeAwareLossOptions & { sampleWeight?: Tensor };

const run = lossRunner(shapeAwareLoss);

describeGoldens('shape_aware_loss', 'shapeAwareLoss', shapeAwareLoss, shapeAware64);

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

  distanceLoss.itFollowsOracle(
    'follows the oracle per channel, with spacing, epsilon, activations, reductions, 1-D and 3-D',
    shapeAwareLoss,
    shapeAware64,
    distanceLoss.WEIGHTED_BCE_ORACLE_CASES,
    { agree: 0.7, checkLength: true },
  );

  distanceLoss.itWeightsBySampleWeight(
    'weights per sample or per group with sampleWeight',
    shapeAwareLoss,
    shapeAware64,
    { shape: [2, 5, 5, 2] },
  );

  distanceLoss.itHasOracleGradient(
    'has the gradient of its float64 oracle, (1 + E)·∂BCE/∂p/N',
    backend,
    shapeAwareLoss,
    shapeAware64,
    [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { spacing: [1, 1.5], reduction: 'sum' }],
      [[2, 5, 4, 1], { activation: 'sigmoid' }],
    ],
    { agree: 0.7 },
  );

  it('finds the predicted contour in 2-D and 3-D: border elements of P, not its interior', () => {
    // y: the centre of a 3×3 image (one GT edge element); P = p > 0.5 everywhere: its contour is the 8 border
    // elements (the centre's 4 neighbours are all in P), at 1 (4 of them) and √2 (4 corners) from the GT edge:
    // E = (4 + 4√2)/8. BCE: −ln 0.8 at the centre, −ln 0.2 elsewhere.
    const y = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const bce = -(Math.log(0.8) + 8 * Math.log(0.2)) / 9;
    const want = (1 + (4 + 4 * Math.SQRT2) / 8) * bce;
    expectAllClose(run(y, new Array<number>(9).fill(0.8), [1, 3, 3, 1]), want, { rtol: 1e-6 });
    // 3×3×3, P everywhere and y the centre voxel: 26 contour voxels at 1 (6), √2 (12) and √3 (8).
    const y3 = new Array<number>(27).fill(0);
    y3[13] = 1;
    const E3 = (6 + 12 * Math.SQRT2 + 8 * Math.sqrt(3)) / 26;
    const bce3 = -(Math.log(0.8) + 26 * Math.log(0.2)) / 27;
    expectAllClose(run(y3, new Array<number>(27).fill(0.8), [1, 3, 3, 3, 1]), (1 + E3) * bce3, {
      rtol: 1e-6,
    });
  });

  it('never reads the prediction back to the host (on webgpu that readback loses the device)', () => {
    const shape = [2, 5, 6, 1];
    const masks = randomMasks(4, shape);
    const yt = tf.tensor(masks, shape);
    const yp = tf.tensor(randomProbs(5, masks), shape);
    const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    try {
      tf.dispose(tf.grad((p: Tensor) => shapeAwareLoss(yt, p))(yp));
      tf.dispose(shapeAwareLoss(yt, yp, { activation: 'sigmoid' }));
      // What is read is the labels (and the host copy of them): every value 0 or 1; yPred holds 0.05…0.95.
      const read = reads.mock.results.flatMap((r) => Array.from(r.value as ArrayLike<number>));
      expect(read.length).toBeGreaterThan(0);
      expect(read.every((v) => v === 0 || v === 1)).toBe(true);
    } finally {
      reads.mockRestore();
    }
    tf.dispose([yt, yp]);
  });

  it('gives identical values and gradients from precomputed maps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const shape = [2, 6, 5, 2];
        const yt = randomMasks(seed, shape);
        const o: Opts = { spacing: [2, 1], reduction: 'none' };
        const ytT = tf.tensor(yt, shape);
        const yp = tf.tensor(randomProbs(seed + 1, yt, 0.7), shape);
        distanceLoss.expectPrecomputedMapsAgree(shapeAwareLoss, 'shape_aware', ytT, yp, o, {
          gradients: true,
        });
        tf.dispose([ytT, yp]);
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
    distanceLoss.expectFiniteGradient(shapeAwareLoss, yt, yp, shape);
  });

  distanceLoss.itDrivesLogitsToMask((a, b) => shapeAwareLoss(a, b, { activation: 'sigmoid' }));

  distanceLoss.itLeavesOnlyItsResult((yt, yp) => {
    expectTidy(() => shapeAwareLoss(yt, yp));
    expectTidy(() => shapeAwareLoss(yt, yp, { reduction: 'none', activation: 'softmax' }));
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
