/**
 * The physical memory of a call (internal; tests and the benchmark). tf.memory().numBytes counts bytes per tensor,
 * so a clone, which shares its buffer, counts twice there, and memory a backend holds outside any tensor is not
 * counted at all. Here each buffer counts once, from allocation to release: on the `wasm` backend every block its
 * module's `_malloc` hands out (tensors, and the fused kernels' gradient blocks), elsewhere every buffer the
 * backend's `write` creates, until `disposeData` frees it.
 */
import { tf } from '../tf.ts';

export interface BufferMeter<T> {
  readonly result: T;
  /** The highest total of live bytes while `fn` ran, above what was live before (allocated in the call). */
  readonly peak: number;
  /** Bytes the call allocated that are still live after it. */
  readonly held: number;
}

/** Replaces `obj[key]` by `wrap(original)` and returns the function that puts the original back. */
function patch<O extends object, K extends keyof O & string>(
  obj: O,
  key: K,
  wrap: (original: O[K]) => O[K],
): () => void {
  const had = Object.hasOwn(obj, key);
  const original = obj[key];
  obj[key] = wrap(original);
  return () => {
    if (had) obj[key] = original;
    else Reflect.deleteProperty(obj, key);
  };
}

interface WasmModule {
  _malloc: (bytes: number) => number;
  _free: (ptr: number) => void;
}
interface WritingBackend {
  write: (this: WritingBackend, values: unknown, shape: number[], dtype: string) => object;
  disposeData: (this: WritingBackend, dataId: object, force?: boolean) => boolean;
}

/** Runs `fn` with the active backend's buffer allocations metered. */
export function meterBuffers<T>(fn: () => T): BufferMeter<T> {
  const backend = tf.backend() as unknown as Partial<WritingBackend> & { wasm?: Partial<WasmModule> };
  const live = new Map<unknown, number>();
  let bytes = 0;
  let peak = 0;
  const add = (key: unknown, n: number): void => {
    live.set(key, n);
    bytes += n;
    peak = Math.max(peak, bytes);
  };
  const drop = (key: unknown): void => {
    const n = live.get(key);
    if (n === undefined) return;
    live.delete(key);
    bytes -= n;
  };
  const restore: (() => void)[] = [];
  const module = backend.wasm;
  if (module && typeof module._malloc === 'function' && typeof module._free === 'function') {
    const m = module as WasmModule;
    restore.push(
      patch(m, '_malloc', (malloc) => (n) => {
        const ptr = malloc(n);
        add(ptr, n);
        return ptr;
      }),
      patch(m, '_free', (free) => (ptr) => {
        drop(ptr);
        free(ptr);
      }),
    );
  } else {
    const b = backend as WritingBackend;
    restore.push(
      patch(
        b,
        'write',
        (write) =>
          function (this: WritingBackend, values, shape, dtype) {
            const id = write.call(this, values, shape, dtype);
            if (dtype !== 'string')
              add(id, tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype as tf.DataType));
            return id;
          },
      ),
      patch(
        b,
        'disposeData',
        (dispose) =>
          function (this: WritingBackend, dataId, force) {
            const freed = dispose.call(this, dataId, force);
            if (freed) drop(dataId);
            return freed;
          },
      ),
    );
  }
  try {
    const result = fn();
    return { result, peak, held: bytes };
  } finally {
    for (const r of restore.reverse()) r();
  }
}
