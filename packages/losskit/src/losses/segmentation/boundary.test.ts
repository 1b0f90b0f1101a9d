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
import { boundary64, boundaryPhi64, type BoundaryOptions64 } from '../../../test/reference/distance-losses.ts';
import { boundaryLoss, type BoundaryLossOptions } from './boundary.ts';
import { distanceMaps, packDistanceMaps } from './distance-maps.ts';

type Opts = BoundaryLossOptions & { sampleWeight?: Tensor };

function run(yt: readonly number[], yp: readonly number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(boundaryLoss, yt, yp, shape, o);
}

describeGoldens('boundary_loss', 'boundaryLoss', boundaryLoss, (c) => {
  return boundary64(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), caseOptions(c));
});

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

  it('follows the oracle with spacing, offsets, activations, 1-D and 3-D', () => {
    for (const [shape, o] of [
      [[2, 6, 7, 2], { spacing: [0.5, 2], insideOffset: 0 }],
      [[2, 6, 7, 2], { insideOffset: 2.5, activation: 'softmax' }],
      [[2, 6, 7, 1], { activation: 'sigmoid' }],
      [[3, 11, 1], {}],
      [[1, 4, 5, 3, 2], { spacing: [2.5, 1, 0.8], classIndices: [0, 1] }],
    ] as [number[], BoundaryOptions64][]) {
      const yt = randomMasks(21 + shape.length, shape);
      let yp = randomProbs(22, yt);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      expectAllClose(run(yt, yp, shape, o), boundary64(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it('weights per sample or per group with sampleWeight', () => {
    const shape = [2, 5, 5, 3];
    const yt = randomMasks(31, shape);
    const yp = randomProbs(32, yt);
    for (const w of [[0.5], [2, 0.25], [1, 2, 3, 4]]) {
      const sw =
        w.length === 4 ? tf.tensor2d(w, [2, 2]) : w.length === 2 ? tf.tensor2d(w, [2, 1]) : tf.scalar(w[0]);
      expectAllClose(run(yt, yp, shape, { sampleWeight: sw }), boundary64(yt, yp, shape, { weights: w }), {
        rtol: 1e-5,
        atol: 1e-7,
      });
      sw.dispose();
    }
  });

  it('has the gradient of its float64 oracle, φ/N', () => {
    for (const [shape, o] of [
      [[2, 5, 6, 1], {}],
      [[1, 4, 5, 3], { classIndices: [0, 2], spacing: [1, 1.5] }],
      [[2, 5, 4, 2], { activation: 'softmax', reduction: 'sum' }],
    ] as [number[], BoundaryOptions64][]) {
      const yt = randomMasks(41 + shape.length, shape);
      const ytT = tf.tensor(yt, shape);
      let yp = randomProbs(42, yt);
      if (o.activation) yp = yp.map((p) => Math.log(p / (1 - p)));
      checkGradient({
        loss: (p: Tensor) => boundaryLoss(ytT, p, o),
        oracle: (x) => boundary64(yt, x, shape, o).reduce((s, v) => s + v, 0),
        yPred: yp,
        shape,
        rtol: backendTol(backend, 1e-3),
      });
      ytT.dispose();
    }
  });

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
        const packed = packDistanceMaps(boundaryLoss, ytT, o);
        const pre = { ...o, precomputedMaps: true };
        expect(Array.from(take(boundaryLoss(packed, yp, pre)))).toEqual(
          Array.from(take(boundaryLoss(ytT, yp, o))),
        );
        tf.dispose([ytT, yp, packed]);
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

  it('drives free logits to the target mask (convergence, catches sign bugs)', () => {
    const shape = [2, 8, 8, 1];
    const yt = randomMasks(77, shape);
    const { first, last, probs } = fitLogits(
      (a, b) => boundaryLoss(a, b, { activation: 'sigmoid', insideOffset: 0 }),
      yt,
      shape,
    );
    expect(last).toBeLessThan(first - 0.1);
    expect(agreement(probs, yt)).toBeGreaterThanOrEqual(0.95);
  });

  it('leaves only its result behind', () => {
    const shape = [2, 4, 4, 2];
    const yt = tf.tensor(randomMasks(5, shape), shape);
    const yp = tf.tensor(randomProbs(6, randomMasks(5, shape)), shape);
    expectTidy(() => boundaryLoss(yt, yp));
    expectTidy(() =>
      boundaryLoss(yt, yp, { classIndices: [1, 0], reduction: 'none', activation: 'softmax' }),
    );
    const packed = packDistanceMaps('boundary', yt);
    expectTidy(() => boundaryLoss(packed, yp, { precomputedMaps: true }));
    tf.dispose([yt, yp, packed]);
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
