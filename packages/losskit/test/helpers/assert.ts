import { expect } from 'vitest';
import { tf, type Tensor } from '../../src/tf.ts';

export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/**
 * Element-wise `|a − e| ≤ atol + rtol·|e|`, with NaN matching NaN and infinities matching exactly.
 * The failure message prints the index, both values, Δ and the bound.
 */
export function expectAllClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol: Tolerance = {},
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  const { rtol = 1e-5, atol = 1e-6 } = tol;
  expect(a.length, 'length').toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)), `[${i}] got ${x}, want ${y}`).toBe(
        true,
      );
      continue;
    }
    const bound = atol + rtol * Math.abs(y);
    if (!(Math.abs(x - y) <= bound)) {
      expect.fail(
        `[${i}] got ${x}, want ${y}: Δ ${Math.abs(x - y).toExponential(3)} > ${bound.toExponential(3)}`,
      );
    }
  }
}

/** Reads a tensor's values and disposes it. */
export function take(t: Tensor): Float32Array | Int32Array | Uint8Array {
  const v = t.dataSync();
  t.dispose();
  return v;
}

/** A loss as its tests call it: `(yTrue, yPred, options)`. */
export type LossUnderTest<O> = (yTrue: Tensor, yPred: Tensor, options?: O) => Tensor;

/** The loss's values on plain arrays of one shape. */
export function runLoss<O>(
  loss: LossUnderTest<O>,
  yt: readonly number[],
  yp: readonly number[],
  shape: number[],
  o?: O,
): number[] {
  const a = tf.tensor(yt, shape);
  const b = tf.tensor(yp, shape);
  const v = Array.from(take(loss(a, b, o)));
  tf.dispose([a, b]);
  return v;
}

/** `runLoss` bound to one loss: its values on plain arrays of one shape (options default to `{}`). */
export function lossRunner<O>(
  loss: LossUnderTest<O>,
): (yt: readonly number[], yp: readonly number[], shape: number[], o?: O) => number[] {
  return (yt, yp, shape, o) => runLoss(loss, yt, yp, shape, o ?? ({} as O));
}

/** Runs `fn` and checks that it leaves exactly one new tensor (its result), which is then disposed. */
export function expectTidy(fn: () => Tensor): void {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors, 'tensors left behind by one call').toBe(before + 1);
  out.dispose();
}

/** Expects `fn` to throw an `Error` whose message matches every pattern. */
export function expectThrows(fn: () => unknown, ...patterns: (string | RegExp)[]): void {
  let message: string | undefined;
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    message = (e as Error).message;
  }
  expect(message, 'expected an Error').toBeDefined();
  for (const p of patterns) expect(message).toMatch(p);
}
