/**
 * The physical memory of a call: the bytes of the data buffers the active backend holds, followed through its
 * `write` and `disposeData` (internal; tests and the benchmark). tf.memory().numBytes counts bytes per tensor, so
 * a clone, which shares its buffer, counts twice there; here a buffer counts once, from the moment the backend
 * allocates it until it frees it.
 */
import { tf } from '../tf.ts';

interface MeteredBackend {
  write: (this: MeteredBackend, values: unknown, shape: number[], dtype: string) => object;
  disposeData: (this: MeteredBackend, dataId: object, force?: boolean) => boolean;
}

export interface BufferMeter<T> {
  readonly result: T;
  /** The highest total of live buffer bytes while `fn` ran, above what was live before (allocated in the call). */
  readonly peak: number;
  /** Bytes the call allocated that are still live after it. */
  readonly held: number;
}

/** Runs `fn` with the active backend's buffer allocations metered. */
export function meterBuffers<T>(fn: () => T): BufferMeter<T> {
  const backend = tf.backend() as unknown as MeteredBackend;
  const hadWrite = Object.hasOwn(backend, 'write');
  const hadDispose = Object.hasOwn(backend, 'disposeData');
  const { write, disposeData } = backend;
  const live = new Map<object, number>();
  let bytes = 0;
  let peak = 0;
  backend.write = function (values, shape, dtype) {
    const id = write.call(this, values, shape, dtype);
    if (dtype !== 'string') {
      const n = tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype as tf.DataType);
      live.set(id, n);
      bytes += n;
      peak = Math.max(peak, bytes);
    }
    return id;
  };
  backend.disposeData = function (dataId, force) {
    const freed = disposeData.call(this, dataId, force);
    const n = live.get(dataId);
    if (freed && n !== undefined) {
      live.delete(dataId);
      bytes -= n;
    }
    return freed;
  };
  try {
    const result = fn();
    return { result, peak, held: bytes };
  } finally {
    if (hadWrite) backend.write = write;
    else delete (backend as Partial<MeteredBackend>).write;
    if (hadDispose) backend.disposeData = disposeData;
    else delete (backend as Partial<MeteredBackend>).disposeData;
  }
}
