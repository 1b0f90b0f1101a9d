/**
 * Test blocks shared by the distance-based segmentation losses (boundary, distance-map penalty, shape-aware,
 * Hausdorff DT, CMSS): each `it…` function registers one test inside the caller's `describe` (one backend), with
 * the same inputs, tolerances and assertions for every loss; the `expect…` functions are the shared checks inside
 * a loss's own tests. Inputs come from the seeded generators of ./distance-golden.ts.
 */
import { expect, it } from 'vitest';
import { tf, type Tensor } from '../../src/tf.ts';
import { packDistanceMaps } from '../../src/losses/segmentation/distance-maps.ts';
import { expectAllClose, runLoss, take, type LossUnderTest, type Tolerance } from './assert.ts';
import { backendTol, type BackendName } from './backends.ts';
import { agreement, fitLogits, randomMasks, randomProbs } from './distance-golden.ts';
import { checkGradient } from './gradcheck.ts';
import type { WeightedBceOptions64 } from '../reference/distance-losses.ts';

/** A float64 oracle of a distance loss: its per-group values (or its one value) on plain arrays. */
export type DistanceOracle<O> = (
  yTrue: readonly number[],
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o?: O,
) => number | number[];

/** Options as the loss and its oracle both read them (the activation decides whether inputs are logits). */
interface CaseOptions {
  readonly activation?: string;
  readonly reduction?: string;
}

/** A loss's per-shape option cases: `[shape, options]`. */
export type OptionCases<O> = readonly (readonly [number[], O])[];

/**
 * The oracle cases of the distance-weighted BCE losses (distance-map penalty, shape-aware): per channel, with
 * spacing, epsilon, activations, reductions, 1-D and 3-D.
 */
export const WEIGHTED_BCE_ORACLE_CASES: OptionCases<WeightedBceOptions64> = [
  [[2, 6, 7, 2], { reduction: 'none' }],
  [[2, 6, 7, 2], { spacing: [0.5, 2], reduction: 'sum' }],
  [[2, 6, 7, 1], { epsilon: 0.05 }],
  [[2, 6, 7, 1], { activation: 'sigmoid', reduction: 'none' }],
  [[1, 5, 6, 3], { activation: 'softmax' }],
  [[3, 11, 1], { reduction: 'none' }],
  [[1, 4, 5, 3, 2], { spacing: [2.5, 1, 0.8], reduction: 'none' }],
];

/** Probabilities as logits, for `activation: 'sigmoid' | 'softmax'`. */
export function toLogits(p: readonly number[]): number[] {
  return p.map((x) => Math.log(x / (1 - x)));
}

/**
 * `[w]` a scalar, `[w0, w1]` one weight per sample (a vector, or a tensor of `perSample` shape such as [2, 1]),
 * four values a `[2, 2]` per-group weight.
 */
export function sampleWeightTensor(w: readonly number[], perSample?: [number, number]): Tensor {
  if (w.length === 4) return tf.tensor2d([...w], [2, 2]);
  if (w.length === 2) return perSample ? tf.tensor2d([...w], perSample) : tf.tensor1d([...w]);
  return tf.scalar(w[0]);
}

/**
 * For each `[shape, o]`: random masks (seed 21 + rank) and probabilities near them (seed 22; logits where `o`
 * sets an activation) give the oracle's values to rtol 1e-5, atol 1e-7; with `checkLength`, the result has one
 * value per (sample, channel) for `reduction: 'none'`, else one.
 */
export function itFollowsOracle<O extends CaseOptions>(
  title: string,
  loss: LossUnderTest<NoInfer<O>>,
  oracle: DistanceOracle<O>,
  cases: OptionCases<NoInfer<O>>,
  { agree, checkLength = false }: { agree?: number; checkLength?: boolean } = {},
): void {
  it(title, () => {
    for (const [shape, o] of cases) {
      const yt = randomMasks(21 + shape.length, shape);
      let yp = randomProbs(22, yt, agree);
      if (o.activation) yp = toLogits(yp);
      const got = runLoss(loss, yt, yp, shape, o);
      if (checkLength)
        expect(got.length).toBe(o.reduction === 'none' ? shape[0] * shape[shape.length - 1] : 1);
      expectAllClose(got, oracle(yt, yp, shape, o), { rtol: 1e-5, atol: 1e-7 });
    }
  });
}

/**
 * The loss with `sampleWeight` (as `toTensor(w)`) equals the oracle with `weights: w`, for each weight vector,
 * on random masks of `shape` (seeds `seeds`).
 */
export function itWeightsBySampleWeight<O>(
  title: string,
  loss: LossUnderTest<NoInfer<O>>,
  oracle: DistanceOracle<O>,
  {
    shape,
    seeds = [31, 32],
    weights = [[0.5], [2, 0.25], [1, 2, 3, 4]],
    toTensor = (w) => sampleWeightTensor(w),
    tol = { rtol: 1e-5 },
  }: {
    shape: number[];
    seeds?: readonly [number, number];
    weights?: readonly (readonly number[])[];
    toTensor?: (w: readonly number[]) => Tensor;
    tol?: Tolerance;
  },
): void {
  it(title, () => {
    const yt = randomMasks(seeds[0], shape);
    const yp = randomProbs(seeds[1], yt);
    for (const w of weights) {
      const sw = toTensor(w);
      expectAllClose(
        runLoss(loss, yt, yp, shape, { sampleWeight: sw } as O),
        oracle(yt, yp, shape, { weights: w } as O),
        tol,
      );
      sw.dispose();
    }
  });
}

/**
 * For each `[shape, o]`: `tf.grad` of the loss against central differences of the summed float64 oracle
 * (checkGradient, rtol 1e-3 on the backend), on masks of seed `seeds[0]` + rank and probabilities of seed
 * `seeds[1]` (logits where `o` sets an activation).
 */
export function itHasOracleGradient<O extends CaseOptions>(
  title: string,
  backend: BackendName,
  loss: LossUnderTest<NoInfer<O>>,
  oracle: DistanceOracle<O>,
  cases: OptionCases<NoInfer<O>>,
  { seeds = [41, 42], agree }: { seeds?: readonly [number, number]; agree?: number } = {},
): void {
  it(title, () => {
    for (const [shape, o] of cases) {
      const yt = randomMasks(seeds[0] + shape.length, shape);
      const ytT = tf.tensor(yt, shape);
      let yp = randomProbs(seeds[1], yt, agree);
      if (o.activation) yp = toLogits(yp);
      checkGradient({
        loss: (p: Tensor) => loss(ytT, p, o),
        oracle: (x) => [oracle(yt, x, shape, o)].flat().reduce((s, v) => s + v, 0),
        yPred: yp,
        shape,
        rtol: backendTol(backend, 1e-3),
      });
      ytT.dispose();
    }
  });
}

/**
 * Maps packed into yTrue (`packDistanceMaps(key, …)`, optionally of shape `packedShape`) give exactly the values
 * (and, with `gradients`, exactly the gradients) of the loss computing them itself.
 */
export function expectPrecomputedMapsAgree<O extends object>(
  loss: LossUnderTest<O>,
  key: Parameters<typeof packDistanceMaps>[0],
  yTrue: Tensor,
  yPred: Tensor,
  o: O,
  { gradients = false, packedShape }: { gradients?: boolean; packedShape?: number[] } = {},
): void {
  const packed = packDistanceMaps(key, yTrue, o);
  if (packedShape) expect(packed.shape).toEqual(packedShape);
  const pre = { ...o, precomputedMaps: true };
  expect(Array.from(take(loss(packed, yPred, pre)))).toEqual(Array.from(take(loss(yTrue, yPred, o))));
  if (gradients) {
    const g1 = take(tf.grad((p: Tensor) => loss(yTrue, p, o))(yPred));
    const g2 = take(tf.grad((p: Tensor) => loss(packed, p, pre))(yPred));
    expect(Array.from(g2)).toEqual(Array.from(g1));
  }
  packed.dispose();
}

/** Every element of d loss / d yPred (default options) is finite at these inputs. */
export function expectFiniteGradient(
  loss: (yTrue: Tensor, yPred: Tensor) => Tensor,
  yt: readonly number[],
  yp: readonly number[],
  shape: number[],
): void {
  const a = tf.tensor(yt, shape);
  const b = tf.tensor(yp, shape);
  for (const g of take(tf.grad((p: Tensor) => loss(a, p))(b))) expect(Number.isFinite(g)).toBe(true);
  tf.dispose([a, b]);
}

/**
 * Adam on free logits (fitLogits) against a random [2, 8, 8, 1] mask (seed 77): the loss falls below
 * `bound(first)` (default a fifth of the first value) and ≥ 95 % of the pixels agree with the mask.
 */
export function itDrivesLogitsToMask(
  loss: (yTrue: Tensor, yPred: Tensor) => Tensor,
  bound: (first: number) => number = (first) => 0.2 * first,
): void {
  it('drives free logits to the target mask (convergence, catches sign bugs)', () => {
    const shape = [2, 8, 8, 1];
    const yt = randomMasks(77, shape);
    const { first, last, probs } = fitLogits(loss, yt, shape);
    expect(last).toBeLessThan(bound(first));
    expect(agreement(probs, yt)).toBeGreaterThanOrEqual(0.95);
  });
}

/**
 * Runs `check` (expectTidy calls) on a random [2, 4, 4, 2] mask (seed 5) and probabilities (seed 6), then
 * disposes both.
 */
export function itLeavesOnlyItsResult(check: (yTrue: Tensor, yPred: Tensor) => void): void {
  it('leaves only its result behind', () => {
    const shape = [2, 4, 4, 2];
    const yt = tf.tensor(randomMasks(5, shape), shape);
    const yp = tf.tensor(randomProbs(6, randomMasks(5, shape)), shape);
    check(yt, yp);
    tf.dispose([yt, yp]);
  });
}
