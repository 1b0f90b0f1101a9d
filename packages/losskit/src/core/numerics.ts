import { tf, type Tensor } from '../tf.ts';

/** Keras's fuzz factor (`keras.config.epsilon()`): the default clip and guard of every loss, on every backend. */
export const KERAS_EPSILON = 1e-7;

/**
 * The clip on float16 storage: 2⁻¹¹, the gap between 1 and the largest float16 below it (1 − 2⁻¹¹ = 0.99951171875).
 * Keras's 1e-7 cannot bound anything there: 1 − 1e-7 is stored as 1, so log(1 − clip(p)) would be log(0).
 */
export const FLOAT16_EPSILON = 2 ** -11;

/**
 * Whether the active backend stores tensors as float16: WebGL with half-float textures (no float32 render
 * targets, or `WEBGL_FORCE_F16_TEXTURES`). cpu, wasm, webgpu and WebGL with float32 textures store float32.
 * Read from the texture flags, not from `backend.floatPrecision()`: tfjs-webgl 4.22 reports 16 (epsilon 1e-4)
 * there even when it renders to float32 textures.
 */
export function storesFloat16(): boolean {
  if (tf.getBackend() !== 'webgl') return false;
  const env = tf.env();
  return env.getBool('WEBGL_FORCE_F16_TEXTURES') || !env.getBool('WEBGL_RENDER_FLOAT32_ENABLED');
}

/**
 * The default fuzz factor, read at call time so a backend switch is honoured: Keras's constant 1e-7 on every
 * float32 backend (cpu, wasm, webgpu, WebGL with float32 textures), whatever `tf.backend().epsilon()` says; on
 * float16 storage it widens to `FLOAT16_EPSILON` (2⁻¹¹), the smallest clip that keeps 1 − eps below 1 there.
 * An `epsilon` the user passes is used as given on every backend.
 */
export function epsilon(): number {
  return storesFloat16() ? FLOAT16_EPSILON : KERAS_EPSILON;
}

/**
 * `t` as float32, for masks and labels (bool, int32). On webgpu a plain `tf.cast` up to float32 only relabels the
 * int32 buffer (tfjs-backend-webgpu 4.22 `Cast` returns an identity), and a copy program that then reads it
 * (Transpose, under `sum` over leading axes) fails WGSL validation, which voids its whole command batch: values
 * of unrelated ops come back 0. An elementwise op after the cast writes a true float32 buffer; elsewhere it is
 * the plain cast.
 */
export function toFloat32(t: Tensor): Tensor {
  if (t.dtype === 'float32') return t;
  const f = tf.cast(t, 'float32');
  return tf.getBackend() === 'webgpu' ? tf.add(f, 0) : f;
}

/**
 * `a / b` with the quotient's gradient taken without `b²`: ∂/∂a = dy / b, ∂/∂b = −(dy · (a/b)) / b. tfjs's `Div`
 * gradient squares the denominator, and a smoothed denominator of 1e-5 squares to 1e-10, which float16 storage
 * flushes to 0 (0/0 = NaN for the Dice, Jaccard and generalized Dice of empty masks); this order stays within
 * range whenever the gradient itself is. Same value as `tf.div`; for same-shape operands (else `tf.div`).
 */
export function ratio(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return tf.div(a, b);
  const f = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    const q = tf.div(x, y);
    save([y, q]);
    return {
      value: q,
      gradFunc: (dy, saved) => {
        const [den, quot] = saved as [Tensor, Tensor];
        return [tf.div(dy, den), tf.neg(tf.div(tf.mul(dy, quot), den))];
      },
    };
  });
  return f(a, b);
}

/** Clips probabilities to `[eps, 1 − eps]`; in float32 the upper bound is 0.99999988 for eps = 1e-7. */
export function clipProbs(p: Tensor, eps: number): Tensor {
  // Its gradient is a `where`, which WebGL implements up to rank 4: 3-D volumes ([B, D, H, W, C]) clip flat.
  if (p.rank > 4) return tf.reshape(tf.clipByValue(tf.reshape(p, [-1]), eps, 1 - eps), p.shape);
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
  const nonZero = toFloat32(tf.notEqual(den, 0));
  return tf.mul(tf.div(a, tf.add(den, tf.sub(1, nonZero))), nonZero);
}
