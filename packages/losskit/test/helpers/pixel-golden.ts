/**
 * Test helpers for the pixel-wise segmentation losses: their golden cases of segmentation-region.json
 * (test/golden/ copy, else the shared conformance file), run through a loss as a user calls it, and a loss's value
 * and gradient on the active backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tf, type Tensor } from '../../src/tf.ts';
import type { Loss } from '../../src/core/define-loss.ts';

export type Nested = number | string | null | Nested[];

export interface RegionCase {
  readonly id: string;
  readonly loss: string;
  readonly convention: string;
  readonly options: Record<string, unknown>;
  readonly y_true: Nested;
  readonly y_pred: Nested;
  readonly expected: Nested;
  readonly grad: Nested | null;
  readonly tol: number;
}

export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as number];
}

export function shapeOf(x: Nested): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

/** The golden cases of one loss name (snake_case, as in the file). */
export function regionCases(loss: string): RegionCase[] {
  const local = new URL('../../test/golden/segmentation-region.json', import.meta.url);
  const shared = new URL('../../../shared/conformance/segmentation-region.json', import.meta.url);
  const path = existsSync(local) ? local : shared;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RegionCase[];
  return raw.filter((c) => c.loss === loss);
}

/** The pass rule of the conformance files: `|a − e| ≤ tol·max(1, |e|)` element-wise. */
export function expectGolden(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const bound = tol * Math.max(1, Math.abs(want[i]));
    if (!(Math.abs(got[i] - want[i]) <= bound)) {
      expect.fail(`[${i}] got ${got[i]}, want ${want[i]} (tol ${bound.toExponential(2)})`);
    }
  }
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
