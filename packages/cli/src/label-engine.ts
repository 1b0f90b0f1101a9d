/**
 * `evaluateLabels` of `losskit/distance` on two threads: when surface metrics are asked for, one worker thread
 * takes every other label (AAL-style atlases number left and right structures alternately, so the halves weigh
 * about the same) and this thread the rest. The per-label values do not depend on the split. Runs in one thread
 * when the compiled worker is absent (under vitest, from the sources) or when there is one label.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { evaluateLabels, type EvaluateLabelsOptions } from 'losskit/distance';
import { compiledWorker } from './worker-script.ts';

const SURFACE = new Set(['hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice']);

/**
 * Per metric key, one value per label of `options.labels` (required here), as `evaluateLabels` gives them.
 * Metrics are named by their catalog ids (the two-thread split is for the surface metrics only).
 */
export async function evaluateLabelsThreaded(
  t: Float32Array,
  p: Float32Array,
  shape: readonly number[],
  options: EvaluateLabelsOptions & { readonly labels: readonly number[] },
): Promise<Record<string, Float64Array>> {
  const labels = options.labels;
  const surface = options.metrics.some((m) => SURFACE.has(typeof m === 'string' ? m : m.metric));
  const script = compiledWorker(import.meta.url, './label-worker.js');
  if (!surface || !script || labels.length < 2 || availableParallelism() < 2)
    return evaluateLabels(t, p, shape, options).values;
  const theirs = labels.filter((_, k) => k % 2 === 1);
  const mine = labels.filter((_, k) => k % 2 === 0);
  const worker = new Worker(script, { workerData: { t, p, shape, options: { ...options, labels: theirs } } });
  const done = new Promise<Record<string, Float64Array>>((resolve, reject) => {
    worker.once('message', (m: { values?: Record<string, Float64Array>; error?: string }) => {
      if (m.values) resolve(m.values);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
  done.catch(() => undefined); // awaited below; handled here in case this thread throws first
  try {
    const a = evaluateLabels(t, p, shape, { ...options, labels: mine }).values;
    const b = await done;
    const out: Record<string, Float64Array> = {};
    for (const key of Object.keys(a)) {
      out[key] = new Float64Array(labels.length);
      labels.forEach((_, k) => {
        out[key][k] = k % 2 === 0 ? a[key][k / 2] : b[key][(k - 1) / 2];
      });
    }
    return out;
  } finally {
    await worker.terminate();
  }
}
