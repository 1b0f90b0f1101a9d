import { tf, type Tensor } from '../tf.ts';
import { countFused } from '../core/fused-switch.ts';
import { heapGradient, heapView, tapeRecording, wasmHeap } from './wasm-heap.ts';

/** The elements of a tensor as a Float32Array (read once; a copy only when the dtype is not float32). */
export function floatData(t: Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** Reads a tensor's elements as float32, when called: see `floatSource`. */
export type FloatSource = () => Float32Array;

/**
 * A float32 tensor's elements as a function: on the tfjs `wasm` backend a view of the tensor's own memory, made
 * anew on each call because any allocation there may grow the memory and detach older views (so call it after the
 * last allocation, right before the kernel runs); elsewhere the array `floatData` reads, read once.
 */
export function floatSource(t: Tensor): FloatSource {
  const heap = wasmHeap();
  const view = heap ? heapView(heap, t) : null;
  if (view) return view;
  const d = floatData(t);
  return () => d;
}

/** A fresh array for a gradient of `shape`, and the tensor it becomes (zero-filled, as new arrays are). */
function gradientStorage(shape: number[]): { view: Float32Array; tensor: () => Tensor } {
  const view = new Float32Array(tf.util.sizeFromShape(shape));
  return { view, tensor: () => tf.tensor(view, shape, 'float32') };
}

/** dy · g as the backward pass returns it (g itself for dy = 1, the usual case). */
function scaled(g: Tensor, dy: Tensor): Tensor {
  if (dy.dataSync()[0] === 1) return g;
  const out = tf.mul(g, dy);
  g.dispose();
  return out;
}

/**
 * Runs a fused kernel as one differentiable op of yPred. `kernel(grad)` computes the loss value (a float64 sum
 * turned into the final, reduced value) and writes d(value)/d(yPred) into `grad` (yPred's size, row-major; zeros
 * first when `zeroed`). The value is returned through `tf.customGrad`, so `tf.grad`, `tf.variableGrads`,
 * `optimizer.minimize` and `model.fit` see an ordinary op whose gradient is `dy · grad`.
 *
 * The gradient is computed in the forward pass, into one gradient-sized buffer that the backward pass hands out:
 * - on the `wasm` backend, a block of the backend's memory that becomes the gradient tensor without a copy
 *   (`heapGradient`: freed at once when no gradient is being recorded);
 * - elsewhere (or where tfjs internals it needs are missing), a fresh array that becomes a tensor saved for the
 *   backward pass: the engine keeps it only while a gradient is being recorded
 *   and frees it with the tape, so a forward pass that is never differentiated (a metric under `model.fit`'s
 *   tape, say) leaks nothing. The engine saves a clone, which on `cpu` shares the buffer.
 */
export function fusedLoss(yPred: Tensor, kernel: (grad: Float32Array) => number, zeroed = false): Tensor {
  countFused();
  // Read before the op: inside it the engine counts as running a kernel, with the tape off.
  const heap = wasmHeap();
  const recording = heap ? tapeRecording() : null;
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const block = heap && recording !== null ? heapGradient(heap, x.shape, recording) : null;
    if (block) {
      if (zeroed) block.view.fill(0);
      const value = kernel(block.view);
      const gradFunc = (dy: Tensor | Tensor[]) => [scaled(block.adopt(), dy as Tensor)];
      block.done(gradFunc);
      return { value: tf.scalar(value), gradFunc };
    }
    const out = gradientStorage(x.shape);
    const value = kernel(out.view);
    save([out.tensor()]);
    return {
      value: tf.scalar(value),
      // A reshape shares the saved buffer; the engine frees its own reference with the tape.
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => [
        scaled(tf.reshape(saved[0], x.shape), dy as Tensor),
      ],
    };
  });
  return op(yPred);
}
