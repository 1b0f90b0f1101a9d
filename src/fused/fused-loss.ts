import { tf, type Tensor } from '../tf.ts';
import { countFused } from './switch.ts';
import { attachHeap, wasmKernels, type Wasm, type WasmMemory } from './wasm.ts';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` the in-place path uses (internals, not its public API: each is
 * checked before use, and anything missing leaves the copying path).
 */
interface WasmBackendInternals {
  readonly wasm: {
    readonly asm?: { readonly memory?: WasmMemory };
    _malloc(bytes: number): number;
  };
  readonly dataIdMap: { get(dataId: object): { readonly memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
}

/** The active backend when it is tfjs-backend-wasm with the internals above, with the kernels on its memory. */
function wasmHeap(): { backend: WasmBackendInternals; kernels: Wasm } | null {
  if (tf.getBackend() !== 'wasm' || !wasmKernels()) return null;
  const b = tf.backend() as unknown as Partial<WasmBackendInternals>;
  const module = b.wasm;
  const memory = module?.asm?.memory;
  if (!module || !memory || typeof module._malloc !== 'function') return null;
  if (!b.dataIdMap || typeof b.makeOutput !== 'function') return null;
  const backend = b as WasmBackendInternals;
  const kernels = attachHeap(memory, (bytes) => backend.wasm._malloc(bytes));
  return kernels ? { backend, kernels } : null;
}

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
  const heap = t.dtype === 'float32' ? wasmHeap() : null;
  const info = heap?.backend.dataIdMap.get(t.dataId);
  if (heap && info) {
    const { memory } = heap.kernels;
    const { size } = t;
    return () => new Float32Array(memory.buffer, info.memoryOffset, size);
  }
  const d = floatData(t);
  return () => d;
}

/**
 * A new float32 tensor of `shape` and a writable view of its elements. On the `wasm` backend the tensor is
 * allocated in the backend's memory and the view is that memory (so the kernel writes the gradient in place);
 * elsewhere the view is a fresh array that becomes the tensor. Unless `zeroed`, the caller writes every element.
 */
function gradientStorage(shape: number[], zeroed: boolean): { view: Float32Array; tensor: () => Tensor } {
  const heap = wasmHeap();
  if (heap) {
    const info = heap.backend.makeOutput(shape, 'float32');
    const offset = heap.backend.dataIdMap.get(info.dataId)!.memoryOffset;
    const view = new Float32Array(heap.kernels.memory.buffer, offset, tf.util.sizeFromShape(shape));
    if (zeroed) view.fill(0);
    const tensor = tf.engine().makeTensorFromTensorInfo(info, tf.backend());
    return { view, tensor: () => tensor };
  }
  const view = new Float32Array(tf.util.sizeFromShape(shape));
  return { view, tensor: () => tf.tensor(view, shape, 'float32') };
}

/**
 * Runs a fused kernel as one differentiable op of yPred. `kernel(grad)` computes the loss value (a float64 sum
 * turned into the final, reduced value) and writes d(value)/d(yPred) into `grad` (yPred's size, row-major; zeros
 * first when `zeroed`). The value is returned through `tf.customGrad`, so `tf.grad`, `tf.variableGrads`,
 * `optimizer.minimize` and `model.fit` see an ordinary op whose gradient is `dy · grad`.
 *
 * The gradient is a tensor made in the forward pass and saved for the backward one: the engine keeps it only
 * while a gradient is being recorded and frees it with the tape, so a forward pass that is never differentiated
 * (a metric under `model.fit`'s tape, say) leaks nothing. For dy = 1, the usual case, the backward pass hands it
 * out as a reshape, which shares the buffer. The engine saves a clone: on `cpu` that shares the buffer too (one
 * gradient-sized buffer per call), on `wasm` its Identity kernel copies, so two exist until the forward pass ends.
 */
export function fusedLoss(yPred: Tensor, kernel: (grad: Float32Array) => number, zeroed = false): Tensor {
  countFused();
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const out = gradientStorage(x.shape, zeroed);
    const value = kernel(out.view);
    save([out.tensor()]);
    return {
      value: tf.scalar(value),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const d = dy as Tensor;
        return [d.dataSync()[0] === 1 ? tf.reshape(saved[0], x.shape) : tf.mul(saved[0], d)];
      },
    };
  });
  return op(yPred);
}
