import { tf } from '../tf.ts';

let enabled = true;
let taken = 0;

/**
 * Turns the fused value-and-gradient kernels on (the default) or off. Off, every loss runs its composed tfjs
 * version, which is the reference and what GPU backends always use.
 */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** Whether fused kernels are switched on (they are still taken only on the `cpu` and `wasm` backends). */
export function fusedKernelsEnabled(): boolean {
  return enabled;
}

/** True when a fused kernel may run now: switched on, and the active backend keeps tensors in CPU memory. */
export function fusedActive(): boolean {
  if (!enabled) return false;
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm';
}

/** Counts the calls that took a fused path (internal: tests read it to see the fast path was taken). */
export function countFused(): void {
  taken++;
}

/**
 * How many loss calls took a fused kernel so far in this process: a diagnostic that shows whether the fast path
 * runs (it is taken only on the `cpu` and `wasm` backends, for the options the kernels cover).
 */
export function fusedCallCount(): number {
  return taken;
}
