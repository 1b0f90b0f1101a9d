import { tf, type Tensor } from '../tf.ts';
import { countFused } from './switch.ts';

/**
 * Runs a fused kernel as one differentiable op of yPred. `kernel(grad)` computes the loss value (a float64 sum
 * turned into the final, reduced value) and writes d(value)/d(yPred) into `grad` (yPred's size, row-major). The
 * value is returned through `tf.customGrad`, so `tf.grad`, `tf.variableGrads`, `optimizer.minimize` and
 * `model.fit` see an ordinary op whose gradient is `dy · grad`: the stashed array is scaled in place and wrapped as
 * a tensor, the only full-size allocation of the call. A second backward pass over the same forward (rare) runs the
 * kernel again rather than reuse the array it handed out.
 */
export function fusedLoss(yPred: Tensor, kernel: (grad: Float32Array) => number): Tensor {
  countFused();
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as Tensor;
    let grad: Float32Array | null = new Float32Array(x.size);
    const value = kernel(grad);
    return {
      value: tf.scalar(value),
      gradFunc: (dy: Tensor | Tensor[]) => {
        const g = grad ?? new Float32Array(x.size);
        if (!grad) kernel(g);
        grad = null;
        const s = (dy as Tensor).dataSync()[0];
        if (s !== 1) for (let i = 0; i < g.length; i++) g[i] *= s;
        return [tf.tensor(g, x.shape, 'float32')];
      },
    };
  });
  return op(yPred);
}

/** The elements of a tensor as a Float32Array (read once; a copy only when the dtype is not float32). */
export function floatData(t: Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}
