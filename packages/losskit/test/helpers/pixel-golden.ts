/**
 * Test helpers for the pixel-wise segmentation losses: their golden cases of segmentation-region.json
 * (read through ./golden.ts), run through a loss as a user calls it, and a loss's value
 * and gradient on the active backend.
 */
import { describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../src/tf.ts';
import type { Loss } from '../../src/core/define-loss.ts';
import { expectGolden, flat, goldenCases, shapeOf, type RegionCase } from './golden.ts';

export { expectGolden, flat, shapeOf, type Nested, type RegionCase } from './golden.ts';

/** The golden cases of one loss name (snake_case, as in the file). */
export function regionCases(loss: string): RegionCase[] {
  return goldenCases('region').filter((c) => c.loss === loss);
}

/**
 * Registers `${label} float64 oracle`: the oracle reproduces each golden case, to `tol` (default 1e-9) or, with
 * `tol: 'case'`, to the case's own tolerance.
 */
export function describeRegionOracle(
  label: string,
  golden: readonly RegionCase[],
  oracle: (yTrue: number[], yPred: number[], shape: number[], o: never) => number | ArrayLike<number>,
  tol: number | 'case' = 1e-9,
): void {
  describe(`${label} float64 oracle`, () => {
    it.each(golden.map((c) => [c.id, c] as const))('reproduces golden %s', (_id, c) => {
      const v = oracle(flat(c.y_true), flat(c.y_pred), shapeOf(c.y_pred), c.options as never);
      expectGolden(typeof v === 'number' ? [v] : v, flat(c.expected), tol === 'case' ? c.tol : tol);
    });
  });
}

/** Registers 'golden %s: value and gradient' for each case: `runGolden(loss, c)` on the active backend. */
export function itRunsGoldens(loss: Loss<never>, golden: readonly RegionCase[]): void {
  it.each(golden.map((c) => [c.id, c] as const))('golden %s: value and gradient', (_id, c) => {
    runGolden(loss, c);
  });
}

/** Integer labels become int32 tensors (as the conformance runner passes them). */
export function caseTensors(c: RegionCase): { yt: Tensor; yp: Tensor } {
  const t = flat(c.y_true);
  const sparse = c.options.sparseLabels === true || c.loss === 'lovasz_softmax';
  const asInt = sparse && t.every((v) => Number.isInteger(v));
  return {
    yt: tf.tensor(t, shapeOf(c.y_true), asInt ? 'int32' : 'float32'),
    yp: tf.tensor(flat(c.y_pred), shapeOf(c.y_pred), 'float32'),
  };
}

/** Runs a golden case through `loss` (value, and gradient where given) and checks both with the case's tolerance. */
export function runGolden(loss: Loss<never>, c: RegionCase): void {
  const { yt, yp } = caseTensors(c);
  const fn = loss.bind(c.options as never);
  const before = tf.memory().numTensors;
  const out = fn(yt, yp);
  expect(tf.memory().numTensors).toBe(before + 1);
  expectGolden(out.dataSync(), flat(c.expected), c.tol);
  out.dispose();
  if (c.grad !== null) {
    const g = tf.grad((p: Tensor) => fn(yt, p))(yp);
    expectGolden(g.dataSync(), flat(c.grad), Math.max(c.tol, 1e-4));
    g.dispose();
  }
  tf.dispose([yt, yp]);
}

/** Checks that a bound loss gives a finite value and a finite gradient (d loss / d yPred) at these inputs. */
export function expectFinite(fn: (yTrue: Tensor, yPred: Tensor) => Tensor, yt: Tensor, yp: Tensor): void {
  const v = fn(yt, yp);
  for (const x of v.dataSync()) expect(Number.isFinite(x), `value ${x}`).toBe(true);
  v.dispose();
  const g = tf.grad((p: Tensor) => {
    const r = fn(yt, p);
    return r.rank ? tf.sum(r) : r;
  })(yp);
  for (const x of g.dataSync()) expect(Number.isFinite(x), `gradient ${x}`).toBe(true);
  g.dispose();
}

/** Edge inputs `[yTrue, yPred]` of shape [2, 2, 1] for the finiteness checks. */
export const EDGE_INPUTS = {
  /** Empty mask, predictions exactly 0 and 1. */
  emptyMask: [
    [0, 0, 0, 0],
    [0, 1, 0, 1],
  ],
  /** Empty mask, predictions all exactly 0. */
  emptyAllZero: [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ],
  /** Full mask, predictions exactly 0 and 1. */
  fullMask: [
    [1, 1, 1, 1],
    [0, 1, 0, 1],
  ],
  /** A perfect 0/1 prediction. */
  perfect: [
    [1, 0, 0, 1],
    [1, 0, 0, 1],
  ],
} as const satisfies Record<string, readonly [readonly number[], readonly number[]]>;

/** The edge inputs of the compound losses: all four of EDGE_INPUTS. */
export const ALL_EDGE_INPUTS = [
  EDGE_INPUTS.emptyMask,
  EDGE_INPUTS.emptyAllZero,
  EDGE_INPUTS.fullMask,
  EDGE_INPUTS.perfect,
] as const;

/** `expectFinite` of every bound loss in `fns` (value and gradient) at each `[yTrue, yPred]` pair of `shape`. */
export function expectFiniteAt(
  inputs: readonly (readonly [readonly number[], readonly number[]])[],
  shape: number[],
  fns: readonly ((yTrue: Tensor, yPred: Tensor) => Tensor)[],
): void {
  for (const [yt, yp] of inputs) {
    const a = tf.tensor([...yt], shape);
    const b = tf.tensor([...yp], shape);
    for (const fn of fns) expectFinite(fn, a, b);
    tf.dispose([a, b]);
  }
}

/** Uniform numbers in [lo, hi) from a seeded generator. */
export function uniform(r: () => number, n: number, lo = 0, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Binary 0/1 values with P(1) = rate. */
export function bernoulli(r: () => number, n: number, rate = 0.3): number[] {
  return Array.from({ length: n }, () => (r() < rate ? 1 : 0));
}

/** Integer labels in [0, C). */
export function labels(r: () => number, n: number, C: number): number[] {
  return Array.from({ length: n }, () => Math.min(C - 1, Math.floor(r() * C)));
}

/** Rows of C probabilities in [0.05, 1) normalised to sum to 1, for `pixels` pixels. */
export function probRows(r: () => number, pixels: number, C: number): number[] {
  return Array.from({ length: pixels }, () => {
    const row = uniform(r, C, 0.05, 1);
    const s = row.reduce((a, v) => a + v, 0);
    return row.map((v) => v / s);
  }).flat();
}

/** One-hot rows of integer labels. */
export function oneHot(ls: readonly number[], C: number): number[] {
  return ls.flatMap((l) => Array.from({ length: C }, (_, c) => (c === l ? 1 : 0)));
}
