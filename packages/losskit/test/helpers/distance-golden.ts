/**
 * Test helpers for the distance-based losses and surface metrics: the golden cases of
 * segmentation-distance.json (read through ./golden.ts) and random channels-last
 * masks and predictions.
 */
import { beforeAll, describe, it } from 'vitest';
import { tf, type Tensor } from '../../src/tf.ts';
import { expectAllClose, take, type LossUnderTest } from './assert.ts';
import { BACKENDS, useBackend } from './backends.ts';
import { rng } from './gradcheck.ts';
import { caseOptions, flat, goldenCases, shapeOf, type DistanceCase } from './golden.ts';

export { caseOptions, flat, shapeOf, type DistanceCase, type Nested } from './golden.ts';

/** The golden cases of one loss or metric name (snake_case, as in the file). */
export function distanceCases(name: string): DistanceCase[] {
  return goldenCases('distance').filter((c) => c.name === name);
}

/**
 * Registers the golden cases of `name` twice: against the float64 oracle (to 1e-9; it gets the case's arrays,
 * shape and options with spacing), and through the loss on each
 * backend (value to the case's tolerance, and the gradient with respect to yPred where the case gives one).
 */
export function describeGoldens<O>(
  name: string,
  label: string,
  loss: LossUnderTest<O>,
  oracle: (yTrue: number[], yPred: number[], shape: number[], o: never) => number | number[],
): void {
  const golden = distanceCases(name).map((c) => [c.id, c] as const);
  describe(`${label} float64 oracle`, () => {
    it.each(golden)('reproduces golden %s', (_id, c) => {
      const want = oracle(flat(c.y_true!), flat(c.y_pred!), shapeOf(c.y_true!), caseOptions(c) as never);
      expectAllClose([want].flat(), flat(c.expected), { rtol: 1e-9, atol: 1e-12 });
    });
  });
  describe.each(BACKENDS)(`${label} goldens on %s`, (backend) => {
    beforeAll(() => useBackend(backend));

    it.each(golden)('golden %s: value and gradient', (_id, c) => {
      const yt = tf.tensor(flat(c.y_true!), shapeOf(c.y_true!));
      const yp = tf.tensor(flat(c.y_pred!), shapeOf(c.y_pred!));
      const o = caseOptions(c) as O;
      expectAllClose(take(loss(yt, yp, o)), flat(c.expected), { rtol: c.tol, atol: c.tol });
      if (c.expected_grad) {
        const g = take(tf.grad((p: Tensor) => loss(yt, p, o))(yp));
        expectAllClose(g, flat(c.expected_grad), { rtol: 1e-4, atol: 1e-4 });
      }
      tf.dispose([yt, yp]);
    });
  });
}

/**
 * Random binary masks `[B, ...spatial, C]`: per (b, c) plane, the union of a few axis-aligned boxes, so there are
 * objects, boundaries, some touching the border; `empty`/`full` planes can be forced by index.
 */
export function randomMasks(seed: number, shape: readonly number[], boxes = 2): number[] {
  const r = rng(seed);
  const spatial = shape.slice(1, -1);
  const B = shape[0];
  const C = shape[shape.length - 1];
  const N = spatial.reduce((a, d) => a * d, 1);
  const out = new Array<number>(B * N * C).fill(0);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const k = 1 + Math.floor(r() * boxes);
      const lo: number[][] = [];
      const hi: number[][] = [];
      for (let j = 0; j < k; j++) {
        lo.push(spatial.map((d) => Math.floor(r() * d)));
        hi.push(lo[j].map((l, a) => Math.min(spatial[a] - 1, l + 1 + Math.floor(r() * (spatial[a] / 2)))));
      }
      for (let x = 0; x < N; x++) {
        let rem = x;
        const xs = new Array<number>(spatial.length);
        for (let a = spatial.length - 1; a >= 0; a--) {
          xs[a] = rem % spatial[a];
          rem = Math.floor(rem / spatial[a]);
        }
        const inside = lo.some((l, j) => xs.every((v, a) => v >= l[a] && v <= hi[j][a]));
        if (inside) out[(b * N + x) * C + c] = 1;
      }
    }
  }
  return out;
}

/**
 * Probabilities near the masks (agreeing with probability `agree`), kept at least `margin` from 0.5 (the maps'
 * threshold) and inside [0.05, 0.95] (away from the clip bounds), so finite differences do not move a map.
 */
export function randomProbs(seed: number, masks: readonly number[], agree = 0.8, margin = 0.04): number[] {
  const r = rng(seed);
  return masks.map((m) => {
    const right = r() < agree;
    const fg = right ? m > 0.5 : m <= 0.5;
    const d = margin + r() * (0.45 - margin);
    return fg ? 0.5 + d : 0.5 - d;
  });
}

/**
 * Fits free logits `x` to `yTrue` by Adam on `loss(yTrue, x)` (the loss bound with `activation: 'sigmoid'`): a
 * MONAI-style convergence check that catches sign and scale bugs. Returns the first and last loss values and the
 * final probabilities.
 */
export function fitLogits(
  loss: (yTrue: Tensor, yPred: Tensor) => Tensor,
  yTrue: readonly number[],
  shape: readonly number[],
  steps = 40,
  learningRate = 0.1,
): { first: number; last: number; probs: Float32Array } {
  const yt = tf.tensor(yTrue, shape as number[]);
  const r = rng(99);
  const x = tf.variable(
    tf.tensor(
      Array.from({ length: yTrue.length }, () => (r() - 0.5) * 0.2),
      shape as number[],
    ),
  );
  const opt = tf.train.adam(learningRate);
  const value = () => tf.tidy(() => loss(yt, x).dataSync()[0]);
  const first = value();
  for (let i = 0; i < steps; i++) {
    const cost = opt.minimize(() => loss(yt, x) as tf.Scalar, true, [x]);
    cost?.dispose();
  }
  const last = value();
  const probs = tf.tidy(() => tf.sigmoid(x).dataSync() as Float32Array);
  tf.dispose([yt, x]);
  opt.dispose();
  return { first, last, probs };
}

/** Fraction of elements where `probs > 0.5` agrees with `mask > 0.5`. */
export function agreement(probs: ArrayLike<number>, mask: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (probs[i] > 0.5 === mask[i] > 0.5) n++;
  return n / mask.length;
}
