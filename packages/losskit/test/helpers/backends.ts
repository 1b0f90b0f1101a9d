import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src/tf.ts';

/** The Node backends every numeric test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Switches backend and waits until it is ready (wasm compiles its module on first use). */
export async function useBackend(name: BackendName): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** Tolerance that reflects the backend: wasm accumulates sums in float32, cpu in float64-friendly order. */
export function backendTol(name: BackendName, base: number): number {
  return name === 'wasm' ? Math.max(base, 2e-5) : base;
}
