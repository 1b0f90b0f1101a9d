import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  describeRegionOracle,
  expectFinite,
  itRunsGoldens,
  labels,
  oneHot,
  probRows,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { dice } from './dice.ts';
import { lovaszSoftmax64, type LovaszSoftmax64 } from '../../../test/reference/pixel-lovasz.ts';
import { lovaszSoftmax, type LovaszSoftmaxOptions } from './lovasz-softmax.ts';

const golden = regionCases('lovasz_softmax');

function tensors(yt: number[], yp: number[], shape: number[]): [Tensor, Tensor] {
  return [tf.tensor(yt, shape.slice(0, -1), 'int32'), tf.tensor(yp, shape)];
}

function run(yt: number[], yp: number[], shape: number[], o: LovaszSoftmaxOptions = {}): number {
  const [a, b] = tensors(yt, yp, shape);
  const v = take(lovaszSoftmax(a, b, o))[0];
  tf.dispose([a, b]);
  return v;
}

function grad(yt: number[], yp: number[], shape: number[], o: LovaszSoftmaxOptions = {}): number[] {
  const [a, b] = tensors(yt, yp, shape);
  const g = Array.from(take(tf.grad((p: Tensor) => lovaszSoftmax(a, p, o))(b)));
  tf.dispose([a, b]);
  return g;
}

describeRegionOracle('lovaszSoftmax', golden, lovaszSoftmax64);

describe.each(BACKENDS)('lovaszSoftmax on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(lovaszSoftmax, golden);

  it('matches hand-derived values', () => {
    // Labels [0, 1], p = [[0.8, 0.2], [0.4, 0.6]]. Class 0: errors [0.2, 0.4], sorted labels [0, 1], G = 1:
    // J = [1 − 1/2, 1] → Δ = [½, ½] → 0.3. Class 1: errors [0.2, 0.4], sorted labels [1, 0]: J = [1, 1] → Δ = [1, 0]
    // → 0.4. Mean 0.35.
    const p = [0.8, 0.2, 0.4, 0.6];
    expectAllClose(run([0, 1], p, [1, 2, 2]), 0.35, { rtol: 1e-6 });
    // Gradient: class 0, e = [1 − p₀₀, p₁₀] → d/dp₀₀ = −½, d/dp₁₀ = +½; class 1, e = [p₀₁, 1 − p₁₁] → d/dp₁₁ = −1,
    // d/dp₀₁ = 0; halved by the mean over the two classes.
    expectAllClose(grad([0, 1], p, [1, 2, 2]), [-0.25, 0, 0.25, -0.5], { atol: 1e-7 });
    // A class absent from the labels: skipped by 'present', its largest error under 'all'.
    // Labels [0, 0], p = [[0.9, 0.1], [0.7, 0.3]]: class 0 errors [0.1, 0.3], G = 2 → Δ = [½, ½] → 0.2;
    // class 1 absent: max(0.1, 0.3) = 0.3.
    const q = [0.9, 0.1, 0.7, 0.3];
    expectAllClose(run([0, 0], q, [1, 2, 2]), 0.2, { rtol: 1e-6 });
    expectAllClose(run([0, 0], q, [1, 2, 2], { classes: 'all' }), (0.2 + 0.3) / 2, { rtol: 1e-6 });
  });

  it('pins the subgradient at p exactly 0 or 1 to the one from inside [0, 1]', () => {
    // Label 0, p = [1, 0]: the error of the true class is 1 − p₀ (slope −1), of the absent class p₁ (slope +1).
    expectAllClose(grad([0], [1, 0], [1, 1, 2]), [-1, 0], { atol: 1e-7 });
    expectAllClose(grad([0], [1, 0], [1, 1, 2], { classes: 'all' }), [-0.5, 0.5], { atol: 1e-7 });
  });

  it('is zero at a perfect prediction and at most 1 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        fc.constantFrom('present', 'all'),
        (b, C, seed, perImage, classes) => {
          const r = rng(seed);
          const shape = [b, 3, 2, C];
          const lab = labels(r, b * 6, C);
          const o = { perImage, classes } as const;
          expect(Math.abs(run(lab, oneHot(lab, C), shape, o))).toBeLessThan(1e-6);
          const v = run(lab, probRows(r, b * 6, C), shape, o);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-6);
        },
      ),
      { numRuns: 20, seed: 11 },
    );
  });

  it('follows the oracle for perImage, classes, ignoreIndex and activation', () => {
    const r = rng(83);
    const shape = [3, 3, 3, 4];
    const lab = labels(r, 27, 4);
    lab[2] = 255;
    lab[9] = 255;
    lab[10] = 255;
    const probs = probRows(r, 27, 4);
    const logits = uniform(r, 108, -3, 3);
    for (const o of [
      { perImage: true, ignoreIndex: 255 },
      { perImage: true, classes: 'all', ignoreIndex: 255 },
      { classes: 'all', ignoreIndex: 255 },
      { activation: 'softmax', ignoreIndex: 255, perImage: true },
    ] as LovaszSoftmax64[]) {
      const yp = o.activation ? logits : probs;
      expectAllClose(run(lab, yp, shape, o), lovaszSoftmax64(lab, yp, shape, o), {
        rtol: 1e-5,
        atol: 1e-7,
      });
    }
  });

  it('gradients match central differences of the oracle (inputs without ties)', () => {
    const r = rng(89);
    const shape = [2, 3, 2, 3];
    const lab = labels(r, 12, 3);
    const t = tf.tensor(lab, shape.slice(0, -1), 'int32');
    for (const [o, yp] of [
      [{}, probRows(r, 12, 3)],
      [{ perImage: true, classes: 'all' }, probRows(r, 12, 3)],
      [{ activation: 'softmax', perImage: true }, uniform(r, 36, -2, 2)],
    ] as [LovaszSoftmax64, number[]][]) {
      checkGradient({
        loss: (p) => lovaszSoftmax(t, p, o),
        oracle: (p) => lovaszSoftmax64(lab, p, shape, o),
        yPred: yp,
        shape,
      });
    }
    t.dispose();
  });

  it('stays finite for a single class present, all pixels ignored, p exactly 0 and 1', () => {
    const shape = [1, 2, 2, 3];
    for (const [yt, yp, o] of [
      [[0, 0, 0, 0], oneHot([0, 1, 2, 0], 3), {}],
      [[255, 255, 255, 255], probRows(rng(1), 4, 3), { ignoreIndex: 255 }],
      [[1, 1, 1, 1], oneHot([1, 1, 1, 1], 3), { classes: 'all' }],
    ] as [number[], number[], LovaszSoftmaxOptions][]) {
      const [a, b] = tensors(yt, yp, shape);
      expectFinite(lovaszSoftmax.bind(o), a, b);
      expectFinite(lovaszSoftmax.bind({ ...o, perImage: true }), a, b);
      tf.dispose([a, b]);
    }
    expect(run([255, 255, 255, 255], probRows(rng(1), 4, 3), shape, { ignoreIndex: 255 })).toBe(0);
  });

  it('gives 0 for an empty batch, as dice does, with a gradient of the input shape', () => {
    for (const perImage of [true, false]) {
      const yt = tf.zeros([0, 4, 4]);
      const yp = tf.zeros([0, 4, 4, 3]);
      const value = lovaszSoftmax.bind({ perImage })(yt, yp);
      expect(value.shape).toEqual([]);
      // On cpu as dice; wasm's dice reads uninitialised memory for an empty sum (a tfjs-backend-wasm bug).
      if (backend === 'cpu')
        expect(value.dataSync()[0]).toBe(dice.bind({ sparseLabels: true })(yt, yp).dataSync()[0]);
      expect(value.dataSync()[0]).toBe(0);
      const grad = tf.grad((x: Tensor) => lovaszSoftmax.bind({ perImage })(yt, x))(yp);
      expect(grad.shape).toEqual([0, 4, 4, 3]);
      tf.dispose([yt, yp, value, grad]);
    }
  });

  it('accepts labels [B, ...spatial, 1]', () => {
    const r = rng(97);
    const lab = labels(r, 8, 3);
    const p = probRows(r, 8, 3);
    const a = tf.tensor(lab, [2, 4, 1], 'int32');
    const b = tf.tensor(p, [2, 4, 3]);
    expectAllClose(take(lovaszSoftmax(a, b)), lovaszSoftmax64(lab, p, [2, 4, 3]), { rtol: 1e-5 });
    tf.dispose([a, b]);
  });

  it('rejects bad inputs, options and sample weights with messages naming the loss', () => {
    const b = tf.zeros([1, 2, 3]);
    expectThrows(() => lovaszSoftmax(tf.tensor([0, 3], [1, 2], 'int32'), b), /lovaszSoftmax: sparse label 3/);
    expectThrows(() => lovaszSoftmax(tf.tensor([0, 1, 2], [1, 3], 'int32'), b), /lovaszSoftmax/, /shape/);
    expectThrows(
      () => lovaszSoftmax(tf.tensor([0, 1], [1, 2], 'int32'), b, { classes: 'some' as never }),
      /lovaszSoftmax/,
      /classes/,
    );
    expectThrows(
      () => lovaszSoftmax(tf.tensor([0, 1], [1, 2], 'int32'), b, { only: [1] } as never),
      /lovaszSoftmax/,
      /only/,
    );
    expectThrows(
      () => lovaszSoftmax(tf.tensor([0, 1], [1, 2], 'int32'), b, { sampleWeight: tf.ones([1]) }),
      /lovaszSoftmax: sampleWeight/,
    );
    b.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 255, 2], [1, 2, 2], 'int32');
    const b = tf.randomUniform([1, 2, 2, 3]);
    expectTidy(() => lovaszSoftmax(a, b, { ignoreIndex: 255 }));
    expectTidy(() => lovaszSoftmax(a, b, { ignoreIndex: 255, perImage: true, classes: 'all' }));
    tf.dispose([a, b]);
  });
});
