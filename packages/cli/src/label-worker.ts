/**
 * A worker thread of `losskit eval` in label mode: `evaluateLabels` on its share of the labels (see
 * label-engine.ts). It loads `losskit/distance` only, not TensorFlow.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateLabels, type EvaluateLabelsOptions } from 'losskit/distance';

const job = workerData as {
  t: Float32Array;
  p: Float32Array;
  shape: number[];
  options: EvaluateLabelsOptions;
};
try {
  const r = evaluateLabels(job.t, job.p, job.shape, job.options);
  parentPort!.postMessage({ values: r.values });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
