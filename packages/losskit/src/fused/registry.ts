/**
 * The fused value-and-gradient kernels as tfjs kernels: registered with `tf.registerKernel` on `cpu` and `wasm`
 * and with `tf.registerGradient`, run through `tf.engine().runKernel`, so that tfjs owns the tape and every
 * buffer. What a kernel touches of a backend is in wasm-heap.ts.
 *
 * One call is two kernels:
 *
 * 1. `LosskitGradientBuffer` (no inputs, attr `shape`) makes an uninitialised float32 tensor with the backend's
 *    own allocation (`cpu`: a Float32Array; `wasm`: `makeOutput`, a block of the module's memory).
 * 2. The loss kernel, inputs `{x: yPred, t: yTrue, g: that buffer}`, runs `run(x, t, attrs, g)`: it writes
 *    dValue/dx into `g` and returns the value, its one output, a scalar. Its gradient saves input `g`
 *    (`inputsToSave: ['g']`: the engine keeps a clone until the tape is done) and
 *    returns `dy · g` for x; the op disposes its own reference to `g` at once, so a forward pass that no gradient
 *    reads leaves nothing behind.
 *
 * Why the gradient is an input and not a second output: tfjs's tape (engine.js `addTapeNode`) makes a dy of
 * zeros, as a new tensor of the output's size, for every output of a node that is not on the backprop path. A
 * gradient output never is, so each backward pass would allocate and copy a yPred-sized zero tensor. Measured at
 * 2^20 elements (Node 20, 2 shared cores, medians of 40): 2.0 ms on `wasm` (malloc and a 4 MiB copy into the heap)
 * against 14.3 ms for a whole fused BCE `valueAndGrad` call there (14 %), and 0.12 ms on `cpu`. A buffer made by a
 * kernel with no inputs is not a function of yPred, so the tape never asks for its gradient and makes no zeros;
 * the loss kernel has one output, which is on the path. Writing into an input is sound here because the buffer is fresh and only the op
 * and the engine's saved clone ever see it.
 *
 * The saved clone shares the buffer on `cpu`; on `wasm` the engine's clone (its Identity kernel) copies it: 0.2–0.4
 * ms at 2^20 elements, and a second gradient-sized buffer until the op frees the first, only while a gradient is
 * recorded (tfjs does the same for every tensor any op saves on `wasm`).
 */
import { countFused } from '../core/fused-switch.ts';
import { tf, type Tensor } from '../tf.ts';
import {
  cpuArray,
  fusedBackend,
  heapArray,
  type CpuBackendLike,
  type TensorInfoLike,
  type WasmBackendLike,
} from './wasm-heap.ts';

/** A typed-array kernel: reads x (yPred, float32) and t (targets: Float32Array, or Int32Array for int32 tensors), writes dValue/dx into g (x's size; g is NOT pre-zeroed: the kernel writes every element), returns the loss value. */
export type FusedRun<A> = (
  x: Float32Array,
  t: Float32Array | Int32Array,
  attrs: A,
  g: Float32Array,
) => number;

const BACKENDS = ['cpu', 'wasm'] as const;
const BUFFER = 'LosskitGradientBuffer';

/** Registers (or replaces: another copy of this module may have registered the name) a kernel on one backend. */
function putKernel(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  // tfjs types getKernel as always found; it returns undefined for an unknown name.
  const known = tf.getKernel(kernelName, backendName) as tf.KernelConfig | undefined;
  if (known) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}

function putGradient(config: tf.GradConfig): void {
  const known = tf.getGradient(config.kernelName) as tf.GradConfig | undefined;
  if (known) tf.unregisterGradient(config.kernelName);
  tf.registerGradient(config);
}

function info(t: tf.TensorInfo | undefined): TensorInfoLike {
  if (!t) throw new Error('losskit: a fused kernel was called without one of its inputs x, t, g');
  return t;
}

/** The inputs of a loss kernel as typed arrays on the backend's own storage, made after every allocation. */
function arrays(
  backendName: 'cpu' | 'wasm',
  backend: object,
  inputs: tf.NamedTensorInfoMap,
): { x: Float32Array; t: Float32Array | Int32Array; g: Float32Array } {
  const read =
    backendName === 'cpu'
      ? (i: TensorInfoLike) => cpuArray(backend as CpuBackendLike, i)
      : (i: TensorInfoLike) => heapArray(backend as WasmBackendLike, i);
  return {
    x: read(info(inputs.x)) as Float32Array,
    t: read(info(inputs.t)),
    g: read(info(inputs.g)) as Float32Array,
  };
}

/** A scalar output made by the backend, holding `v`. */
function scalarOutput(backendName: 'cpu' | 'wasm', backend: object, v: number): tf.TensorInfo {
  const values = Float32Array.of(v);
  const out =
    backendName === 'cpu'
      ? (backend as CpuBackendLike).makeTensorInfo([], 'float32', values)
      : (backend as WasmBackendLike).makeOutput([], 'float32', undefined, values);
  return out as unknown as tf.TensorInfo;
}

let bufferRegistered = false;

function registerBuffer(): void {
  if (bufferRegistered) return;
  bufferRegistered = true;
  putKernel(BUFFER, 'cpu', ({ attrs, backend }) => {
    const shape = (attrs as { shape: number[] }).shape;
    const values = new Float32Array(tf.util.sizeFromShape(shape));
    return (backend as CpuBackendLike).makeTensorInfo(shape, 'float32', values) as unknown as tf.TensorInfo;
  });
  putKernel(BUFFER, 'wasm', ({ attrs, backend }) => {
    const shape = (attrs as { shape: number[] }).shape;
    return (backend as WasmBackendLike).makeOutput(shape, 'float32') as unknown as tf.TensorInfo;
  });
}

/**
 * dy · g, or g itself when dy is exactly 1, as it is for a loss under `tf.grad`: as a reshape to its own shape, a
 * new tensor (the engine disposes the saved one after the backward pass) that shares the buffer on both backends,
 * where `tf.clone` copies it on `wasm`.
 */
function scaled(dy: Tensor, g: Tensor): Tensor {
  return dy.size === 1 && dy.dataSync()[0] === 1 ? tf.reshape(g, g.shape) : tf.mul(dy, g);
}

const defined = new Map<string, FusedRun<never>>();

/** Registers `run` as tfjs kernel `name` on 'cpu' and 'wasm' (and its gradient) once; returns the op. The op returns the scalar loss, or null when the value is not finite (the caller then runs its composed path, which is the reference for NaN/Infinity semantics). attrs must be plain data (numbers, booleans, strings, arrays of them, nested plain objects; null allowed). */
export function defineFusedKernel<A extends object>(
  name: string,
  run: FusedRun<A>,
): (yPred: Tensor, yTrue: Tensor, attrs: A) => Tensor | null {
  const known = defined.get(name);
  if (known && known !== run)
    throw new Error(`losskit: fused kernel ${name} is already defined with another function`);
  defined.set(name, run);
  registerBuffer();
  for (const backendName of BACKENDS) {
    putKernel(name, backendName, ({ inputs, attrs, backend }) => {
      const a = arrays(backendName, backend, inputs);
      const value = run(a.x, a.t, attrs as unknown as A, a.g);
      return scalarOutput(backendName, backend, value);
    });
  }
  putGradient({
    kernelName: name,
    inputsToSave: ['g'],
    gradFunc: (dy, saved) => ({
      x: () => scaled(dy as Tensor, saved[0]),
      t: () => {
        throw new Error(
          `losskit: the fused loss kernel ${name} has no gradient with respect to yTrue; call ` +
            'setFusedKernels(false) to differentiate with respect to yTrue through the composed loss',
        );
      },
    }),
  });
  // Also null off `cpu`/`wasm` and for dtypes the kernels do not read: the composed path runs there too.
  return (yPred, yTrue, attrs) => {
    if (yPred.dtype !== 'float32' || (yTrue.dtype !== 'float32' && yTrue.dtype !== 'int32')) return null;
    if (!fusedBackend()) return null;
    const engine = tf.engine();
    const g = engine.runKernel<Tensor>(BUFFER, {}, { shape: yPred.shape });
    let v: Tensor;
    try {
      v = engine.runKernel<Tensor>(name, { x: yPred, t: yTrue, g }, attrs as unknown as tf.NamedAttrMap);
    } finally {
      g.dispose();
    }
    if (Number.isFinite(v.dataSync()[0])) {
      countFused();
      return v;
    }
    v.dispose();
    return null;
  };
}
