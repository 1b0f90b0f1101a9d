/**
 * Backend selection for the CLI. The pure-JS `cpu` backend prints a "Hi, looks like you are running
 * TensorFlow.js in Node.js" banner through `console.warn` on first use; it would go to stderr, never stdout,
 * but the CLI swallows that one message so that its stderr carries only what it means to say.
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'wasm' | 'cpu';

const BANNER = 'looks like you are running TensorFlow.js in Node.js';

/** Runs `fn` with the tfjs Node banner filtered out of `console.warn`. */
async function withoutBanner<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (args.some((a) => typeof a === 'string' && a.includes(BANNER))) return;
    warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/**
 * Switches to `name` and waits until it is ready. `wasm` needs the optional peer
 * `@tensorflow/tfjs-backend-wasm`; without it (or if its module fails to start) this falls back to `cpu` and
 * says so through `warn`. Returns the backend in use.
 */
export async function useBackend(name: BackendName, warn: (message: string) => void): Promise<BackendName> {
  return withoutBanner(async () => {
    if (name === 'wasm') {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return 'wasm';
        }
        warn('the wasm backend failed to start; using cpu (10–20× slower)');
      } catch {
        warn('@tensorflow/tfjs-backend-wasm is not installed; using cpu (10–20× slower)');
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    // The banner is printed on the first tensor the cpu backend stores.
    tf.tensor1d([0]).dispose();
    return 'cpu';
  });
}
