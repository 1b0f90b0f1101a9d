import { tf, type Tensor } from '../tf.ts';

/**
 * The fuzz factor of the active backend: 1e-7 on float32 backends (cpu, wasm), 1e-4 on float16 WebGL.
 * Read at call time, as tfjs-layers does, so a backend switch is honoured.
 */
export function epsilon(): number {
  return tf.backend().epsilon();
}

/** Clips probabilities to `[eps, 1 − eps]`; in float32 the upper bound is 0.99999988 for eps = 1e-7. */
export function clipProbs(p: Tensor, eps: number): Tensor {
  return tf.clipByValue(p, eps, 1 - eps);
}

/**
 * Binary cross-entropy on logits, `max(x,0) − x·y + log1p(exp(−|x|))`: exact for any logit,
 * no clipping, finite gradients at ±100.
 */
export function bceFromLogits(y: Tensor, x: Tensor): Tensor {
  return tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.softplus(tf.neg(tf.abs(x))));
}

/** Binary cross-entropy on clipped probabilities, `−[y·log p + (1−y)·log(1−p)]` (Keras 3: no eps inside the log). */
export function bceFromProbs(y: Tensor, p: Tensor, eps: number): Tensor {
  const q = clipProbs(p, eps);
  const pos = tf.mul(y, tf.log(q));
  const neg = tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q)));
  return tf.neg(tf.add(pos, neg));
}

/** `log cosh x` without overflow, as Keras writes it: `x + softplus(−2x) − log 2`. */
export function logCosh(x: Tensor): Tensor {
  return tf.sub(tf.add(x, tf.softplus(tf.mul(-2, x))), Math.LN2);
}

/**
 * `a / b`, and 0 where `b` is 0 (Keras's `divide_no_nan`). tfjs's own `divNoNan` builds its zero test from
 * the quotient, which puts a non-differentiable `Equal` on the gradient path; here the test reads `b` only,
 * so `b` must not depend on the input being differentiated (weights, counts and sizes do not).
 */
export function divideNoNan(a: Tensor, b: Tensor | number): Tensor {
  const den = typeof b === 'number' ? tf.scalar(b) : b;
  const nonZero = tf.cast(tf.notEqual(den, 0), 'float32');
  return tf.mul(tf.div(a, tf.add(den, tf.sub(1, nonZero))), nonZero);
}
