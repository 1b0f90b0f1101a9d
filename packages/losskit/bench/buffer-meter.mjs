/**
 * The physical memory of a call (tests and the benchmark; plain JavaScript so that the benchmark runs it
 * without a build, typed by buffer-meter.d.mts). tf.memory().numBytes counts bytes per tensor,
 * so a clone, which shares its buffer, counts twice there, and memory a backend holds outside any tensor is not
 * counted at all. Here each buffer counts once, from allocation to release: on the `wasm` backend every block its
 * module's `_malloc` hands out (tensors, and the fused kernels' gradient blocks), elsewhere every buffer the
 * backend's `write` creates, until `disposeData` frees it.
 */
import * as tf from '@tensorflow/tfjs';

/** Replaces `obj[key]` by `wrap(original)` and returns the function that puts the original back. */
function patch(obj, key, wrap) {
  const had = Object.hasOwn(obj, key);
  const original = obj[key];
  obj[key] = wrap(original);
  return () => {
    if (had) obj[key] = original;
    else Reflect.deleteProperty(obj, key);
  };
}

/** Runs `fn` with the active backend's buffer allocations metered (see buffer-meter.d.mts). */
export function meterBuffers(fn) {
  const backend = tf.backend();
  const live = new Map();
  let bytes = 0;
  let peak = 0;
  const add = (key, n) => {
    live.set(key, n);
    bytes += n;
    peak = Math.max(peak, bytes);
  };
  const drop = (key) => {
    const n = live.get(key);
    if (n === undefined) return;
    live.delete(key);
    bytes -= n;
  };
  const restore = [];
  const module = backend.wasm;
  if (module && typeof module._malloc === 'function' && typeof module._free === 'function') {
    restore.push(
      patch(module, '_malloc', (malloc) => (n) => {
        const ptr = malloc(n);
        add(ptr, n);
        return ptr;
      }),
      patch(module, '_free', (free) => (ptr) => {
        drop(ptr);
        free(ptr);
      }),
    );
  } else {
    restore.push(
      patch(
        backend,
        'write',
        (write) =>
          function (values, shape, dtype) {
            const id = write.call(this, values, shape, dtype);
            if (dtype !== 'string') add(id, tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype));
            return id;
          },
      ),
      patch(
        backend,
        'disposeData',
        (dispose) =>
          function (dataId, force) {
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
