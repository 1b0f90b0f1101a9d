/**
 * What the fused kernels touch of the tfjs backends, as a kernel author must (test/tfjs-assumptions.test.ts checks
 * each item against the installed tfjs, so that an upgrade that changes one fails a test):
 *
 * - `cpu`: `backend.data.get(dataId).values`, the typed array behind a tensor, and `backend.makeTensorInfo`;
 * - `wasm`: `backend.dataIdMap.get(dataId).memoryOffset`, the byte offset of a tensor in the module's memory,
 *   `backend.makeOutput` (a block of that memory that becomes a tensor, freed when the tensor is disposed), and
 *   the module's `WebAssembly.Memory` (`wasm.asm.memory` in tfjs 4.22's Emscripten, `wasm.wasmExports.memory` in
 *   newer ones, checked to be the memory behind `wasm.HEAPU8`), on which the SIMD module is instantiated.
 *
 * Nothing here touches the engine: tensors are made, kept and freed by tfjs through registered kernels
 * (registry.ts). Where one of these fields is missing, `fusedBackend()` says so and the losses take their composed
 * path.
 */
import { tf } from '../tf.ts';
import { attachHeap, wasmKernels, type Wasm, type WasmMemory } from './wasm.ts';

/** A tensor as a backend sees it (tfjs `TensorInfo`). */
export interface TensorInfoLike {
  readonly dataId: object;
  readonly shape: number[];
  readonly dtype: string;
}

export interface CpuBackendLike {
  readonly data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfoLike;
}

export interface WasmModuleLike {
  readonly HEAPU8: Uint8Array;
  readonly asm?: { readonly memory?: WasmMemory };
  readonly wasmExports?: { readonly memory?: WasmMemory };
}

export interface WasmBackendLike {
  readonly wasm: WasmModuleLike;
  readonly dataIdMap: { get(dataId: object): { readonly memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfoLike;
}

/** The WebAssembly.Memory of a tfjs-wasm module: under either Emscripten name, and only if HEAPU8 views it. */
export function moduleMemory(module: WasmModuleLike): WasmMemory | null {
  const memory = module.asm?.memory ?? module.wasmExports?.memory;
  return memory && module.HEAPU8 instanceof Uint8Array && memory.buffer === module.HEAPU8.buffer
    ? memory
    : null;
}

function isCpu(b: unknown): b is CpuBackendLike {
  const c = b as Partial<CpuBackendLike>;
  return typeof c.data?.get === 'function' && typeof c.makeTensorInfo === 'function';
}

function isWasm(b: unknown): b is WasmBackendLike {
  const w = b as Partial<WasmBackendLike>;
  return (
    typeof w.makeOutput === 'function' &&
    typeof w.dataIdMap?.get === 'function' &&
    w.wasm !== undefined &&
    moduleMemory(w.wasm) !== null
  );
}

/**
 * The active backend when the fused kernels can run on it: `cpu` or `wasm` with the fields above. On `wasm`, the
 * first call also instantiates the SIMD kernels on the backend's memory (see `heapInstance`).
 */
export function fusedBackend(): 'cpu' | 'wasm' | null {
  const name = tf.getBackend();
  if (name === 'cpu') return isCpu(tf.backend()) ? 'cpu' : null;
  if (name === 'wasm') {
    const b = tf.backend();
    if (!isWasm(b)) return null;
    heapInstance(b);
    return 'wasm';
  }
  return null;
}

/**
 * The SIMD kernels on the wasm backend's memory, made once per backend. Their scratch block (the last, partial
 * block of a range and a few float64 sums: src/fused/wasm.ts) is one `makeOutput` buffer that is never disposed:
 * it lives as long as the backend. Made outside any kernel, so that a kernel's output count stays exact.
 */
function heapInstance(b: WasmBackendLike): Wasm | null {
  const memory = moduleMemory(b.wasm);
  if (!memory || !wasmKernels()) return null;
  const allocate = (bytes: number): number => {
    const info = b.makeOutput([Math.ceil(bytes / 4)], 'float32');
    return b.dataIdMap.get(info.dataId)!.memoryOffset;
  };
  return attachHeap(memory, allocate, b);
}

/** A typed view of a tensor's elements in the wasm backend's memory (made anew: growth detaches old views). */
export function heapArray(b: WasmBackendLike, info: TensorInfoLike): Float32Array | Int32Array {
  const memory = moduleMemory(b.wasm)!;
  const offset = b.dataIdMap.get(info.dataId)!.memoryOffset;
  const size = tf.util.sizeFromShape(info.shape);
  return info.dtype === 'int32'
    ? new Int32Array(memory.buffer, offset, size)
    : new Float32Array(memory.buffer, offset, size);
}

/** The typed array behind a tensor on the cpu backend (the backend's own storage, not a copy). */
export function cpuArray(b: CpuBackendLike, info: TensorInfoLike): Float32Array | Int32Array {
  const values = b.data.get(info.dataId)?.values;
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  throw new Error(`losskit: the cpu backend holds no typed array for a ${info.dtype} tensor`);
}
