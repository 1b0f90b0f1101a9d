/**
 * Helpers shared by the categorical and focal losses of this folder. Internal: not exported from the
 * package (the folder's `index.ts` does not re-export this module).
 */
import { shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';

/**
 * Keras 3 categorical label smoothing, `y·(1 − ls) + ls / C` with `C = yPred.shape[axis]`
 * (keras-semantics.md §2; keras#23437). A zero `ls` returns `y` untouched.
 */
export function smoothCategorical(y: Tensor, ls: number, classes: number): Tensor {
  return ls ? tf.add(tf.mul(y, 1 - ls), ls / classes) : y;
}

/** Keras 3 binary label smoothing, `y·(1 − ls) + ls / 2`. A zero `ls` returns `y` untouched. */
export function smoothBinary(y: Tensor, ls: number): Tensor {
  return ls ? tf.add(tf.mul(y, 1 - ls), 0.5 * ls) : y;
}

/**
 * `log_softmax` along any axis, exact for any logits: tfjs's own `logSoftmax` only takes the last axis, so
 * another axis uses `x − logSumExp(x)`, which subtracts the maximum first.
 */
export function logSoftmaxAlong(x: Tensor, axis: number): Tensor {
  return axis === x.rank - 1 ? tf.logSoftmax(x) : tf.sub(x, tf.logSumExp(x, axis, true));
}

/** `softmax` along any axis (tfjs's own `softmax` only takes the last axis). */
export function softmaxAlong(x: Tensor, axis: number): Tensor {
  return axis === x.rank - 1 ? tf.softmax(x) : tf.exp(logSoftmaxAlong(x, axis));
}

const warned = new Set<string>();

/**
 * Keras warns (and computes) when the class axis has size 1; so does losskit, once per loss and process
 * (Python's default warning filter also shows a warning once per place). The message goes to stderr.
 */
export function warnOneClass(owner: string, shape: readonly number[], axis: number): void {
  if (shape[axis] !== 1 || warned.has(owner)) return;
  warned.add(owner);
  console.warn(
    `${owner}: yPred shape ${shapeText(shape)} has a single class on axis ${axis}, so the loss is ` +
      'constant (about 0) with zero gradient; for a single yes/no output use binaryCrossentropy.',
  );
}

/**
 * `max(x, 0)^γ` with a finite gradient everywhere: tfjs's `pow` has gradient `γ·x^(γ−1)`, which is ∞ (and
 * NaN after a zero factor) at x = 0 when γ < 1, and NaN at x = 0 for γ = 0. Here the gradient at x = 0 is
 * the exact derivative where it is finite (1 for γ = 1, 0 for γ > 1 and for γ = 0) and 0 for 0 < γ < 1,
 * whose one-sided derivative is +∞. Elsewhere it is `γ·x^(γ−1)`. Negative x (only reachable through
 * float rounding of a base that is mathematically ≥ 0) counts as 0 instead of giving NaN.
 */
export function powAtLeastZero(x: Tensor, gamma: number): Tensor {
  if (gamma === 0) return tf.onesLike(x);
  const op = tf.customGrad((input: Tensor | tf.GradSaveFunc, save: Tensor | tf.GradSaveFunc) => {
    const base = input as Tensor;
    (save as tf.GradSaveFunc)([base]);
    return {
      value: tf.pow(tf.relu(base), gamma),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [b] = saved;
        const positive = tf.greater(b, 0);
        // A floor keeps x^(γ−1) below 1e30 for denormal x; with 1 − p_t in float32 it never binds.
        const slope = tf.mul(gamma, tf.pow(tf.maximum(b, 1e-30), gamma - 1));
        const atZero = gamma === 1 ? tf.onesLike(b) : tf.zerosLike(b);
        return tf.mul(dy, tf.where(positive, slope, atZero));
      },
    };
  });
  return op(x);
}

/**
 * Keras 3's `convert_binary_labels_to_hinge`: if **every** label of the tensor is 0 or 1, all become
 * `2y − 1` (so {0,1} → {−1,1}); one label outside {0,1} anywhere leaves the whole tensor as given.
 * Built from yTrue alone, so nothing non-differentiable lies on yPred's gradient path.
 */
export function hingeLabels(yTrue: Tensor): Tensor {
  const binary = tf.cast(tf.all(tf.logicalOr(tf.equal(yTrue, 0), tf.equal(yTrue, 1))), 'float32');
  // y + b·(y − 1) is 2y − 1 when b = 1 and y when b = 0, exactly in float32.
  return tf.add(yTrue, tf.mul(binary, tf.sub(yTrue, 1)));
}
