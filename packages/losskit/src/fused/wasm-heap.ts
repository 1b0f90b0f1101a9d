/**
 * The fused kernels on the tfjs `wasm` backend's own memory: tensors are read in place, and the gradient is written
 * into a block allocated there that becomes a tensor only when the backward pass asks for it — no copy at any
 * step, and one gradient-sized buffer per call.
 *
 * This uses internals of tfjs-backend-wasm (its module's memory, `_malloc`/`_free`, `dataIdMap`, `makeOutput`)
 * and of the engine (`isTapeOn`, `state.activeTape`); each is checked before use, and where one is missing the
 * callers take the copying path, which needs none of them.
 */
import { tf, type Tensor } from '../tf.ts';
import { attachHeap, wasmKernels, type Wasm, type WasmMemory } from './wasm.ts';

interface WasmBackendInternals {
  readonly wasm: {
    readonly asm?: { readonly memory?: WasmMemory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  readonly dataIdMap: { get(dataId: object): { readonly memoryOffset: number } | undefined };
  makeOutput(
    shape: number[],
    dtype: 'float32',
    memoryOffset?: number,
  ): { dataId: object; shape: number[]; dtype: 'float32' };
}

interface EngineInternals {
  isTapeOn(): boolean;
  readonly state: { readonly activeTape?: unknown };
}

/** The tape being recorded (an array the engine replaces for each outermost gradient computation), or null. */
function tapeNow(engine: EngineInternals): unknown {
  return engine.state.activeTape ?? null;
}

export interface WasmHeap {
  readonly backend: WasmBackendInternals;
  readonly kernels: Wasm;
}

/** The active backend when it is tfjs-backend-wasm with the internals used here, with the kernels on its memory. */
export function wasmHeap(): WasmHeap | null {
  if (tf.getBackend() !== 'wasm' || !wasmKernels()) return null;
  const b = tf.backend() as unknown as Partial<WasmBackendInternals>;
  const module = b.wasm;
  const memory = module?.asm?.memory;
  if (!module || !memory || typeof module._malloc !== 'function' || typeof module._free !== 'function')
    return null;
  if (!b.dataIdMap || typeof b.makeOutput !== 'function') return null;
  const backend = b as WasmBackendInternals;
  const kernels = attachHeap(memory, (bytes) => backend.wasm._malloc(bytes));
  return kernels ? { backend, kernels } : null;
}

/** A float32 view of a tensor's elements in the backend memory, or null when its data lives elsewhere. */
export function heapView(heap: WasmHeap, t: Tensor): (() => Float32Array) | null {
  const info = t.dtype === 'float32' ? heap.backend.dataIdMap.get(t.dataId) : undefined;
  if (!info) return null;
  const { memory } = heap.kernels;
  const { size } = t;
  return () => new Float32Array(memory.buffer, info.memoryOffset, size);
}

function engineInternals(): EngineInternals | null {
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  // `state.activeTape` exists only once a gradient has been recorded: undefined reads as "no tape" (see `tapeNow`).
  return typeof e.isTapeOn === 'function' && typeof e.state === 'object' ? (e as EngineInternals) : null;
}

/** Whether the engine is recording a gradient now, or null where its internals are missing. */
export function tapeRecording(): boolean | null {
  return engineInternals()?.isTapeOn() ?? null;
}

/** A gradient written by a forward pass and not yet handed to a backward pass (or freed). */
interface Block {
  ptr: number;
  readonly free: (ptr: number) => void;
  /** The gradient tape that was recording when the block was made. */
  readonly tape: unknown;
}

const pending = new Set<Block>();

function release(b: Block): void {
  if (pending.delete(b)) b.free(b.ptr);
}

// Blocks whose forward pass is never differentiated (a loss used as a metric under model.fit's tape) are freed
// when their tape has ended, at the next fused call, or when the backward closure that could have adopted them
// is collected — whichever comes first.
const collected = new FinalizationRegistry<Block>(release);

/**
 * Gradient storage for one forward pass on the wasm backend: a block of the backend's memory and a view of it,
 * plus `adopt()`, which turns the block into the gradient tensor for the backward pass. `recording` (read before
 * the op started) says whether a gradient is being recorded: if not, `done()` frees the block once the kernel has
 * run; if so, the block waits for `adopt` (or for one of the releases above). Null where the engine's internals
 * are missing.
 */
export function heapGradient(
  heap: WasmHeap,
  shape: number[],
  recording: boolean,
): { view: Float32Array; done: (owner: object) => void; adopt: () => Tensor } | null {
  const engine = engineInternals();
  if (!engine) return null;
  for (const b of pending) if (b.tape !== tapeNow(engine)) release(b);
  const size = tf.util.sizeFromShape(shape);
  const wasm = heap.backend.wasm;
  const block: Block = {
    ptr: wasm._malloc(Math.max(4 * size, 4)),
    free: (ptr) => {
      wasm._free(ptr);
    },
    tape: tapeNow(engine),
  };
  pending.add(block);
  // Views are made after the allocation (which may grow the memory and detach older ones).
  const view = new Float32Array(heap.kernels.memory.buffer, block.ptr, size);
  return {
    view,
    done: (owner) => {
      if (!recording) release(block);
      else collected.register(owner, block, block);
    },
    adopt: () => {
      // The engine runs a tape's backward pass once, so a block is adopted at most once.
      if (!pending.delete(block)) throw new Error('losskit: a fused loss gradient was requested twice');
      collected.unregister(block);
      const info = heap.backend.makeOutput(shape, 'float32', block.ptr);
      return tf.engine().makeTensorFromTensorInfo(info, tf.backend());
    },
  };
}
