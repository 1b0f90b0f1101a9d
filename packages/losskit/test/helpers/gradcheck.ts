import { mulberry32 } from '../../src/util/random.ts';
import { tf, type Tensor } from '../../src/tf.ts';
import { expectAllClose } from './assert.ts';

export interface GradCheck {
  /** The loss under test as a function of yPred; reduced to a scalar by summing if it is not one. */
  readonly loss: (yPred: Tensor) => Tensor;
  /** A float64 reference of the same (summed) value, as plain loops over yPred's values. */
  readonly oracle: (yPred: Float64Array) => number;
  readonly yPred: readonly number[];
  readonly shape: readonly number[];
  /** Relative tolerance of the comparison; float32 autodiff against float64 differences. */
  readonly rtol?: number;
  readonly atol?: number;
}

/**
 * Compares `tf.grad` of the loss with central finite differences of the float64 oracle
 * (step 1e-6 relative, which keeps truncation and rounding error near 1e-9 in float64).
 * Also checks the oracle against the loss's value, so an oracle cannot drift from the thing it checks.
 */
export function checkGradient(c: GradCheck): void {
  const x = tf.tensor(c.yPred, c.shape as number[], 'float32');
  const f = (p: Tensor): Tensor => {
    const v = c.loss(p);
    return v.rank === 0 ? v : tf.sum(v);
  };
  const value = tf.tidy(() => f(x));
  const grad = tf.grad(f)(x);
  const got = grad.dataSync();
  // The oracle sees the float32-rounded inputs, exactly what the loss saw.
  const x64 = Float64Array.from(x.dataSync());
  expectAllClose(value.dataSync()[0], c.oracle(x64), { rtol: 1e-4, atol: 1e-5 });
  const fd = new Float64Array(x64.length);
  for (let i = 0; i < x64.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(x64[i]));
    const up = Float64Array.from(x64);
    const down = Float64Array.from(x64);
    up[i] += h;
    down[i] -= h;
    fd[i] = (c.oracle(up) - c.oracle(down)) / (2 * h);
  }
  tf.dispose([x, value, grad]);
  expectAllClose(got, fd, { rtol: c.rtol ?? 1e-3, atol: c.atol ?? 1e-5 });
}

/** A deterministic generator for test inputs, so every failure reproduces. */
export const rng = mulberry32;

/** Scores whose margins 1 − y·ŷ stay at least 0.05 away from the kink for labels y ∈ {−1, 1}. */
export function hingeScores(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    for (;;) {
      const x = (r() * 2 - 1) * 3;
      if (Math.abs(Math.abs(x) - 1) >= 0.05) return x;
    }
  });
}
