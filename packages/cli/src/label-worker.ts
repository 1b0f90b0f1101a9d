/**
 * A worker thread of `losskit eval` in label mode: `evaluateLabels` on the share of the labels that
 * label-engine.ts posts to it, on the label maps it was started with. It loads `losskit/distance` only, not
 * TensorFlow.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateLabels, type EvaluateLabelsOptions } from 'losskit/distance';
import type { LabelWorkerReply } from './label-engine.ts';

const maps = workerData as { t: ArrayLike<number>; p: ArrayLike<number>; shape: number[] };
parentPort!.once('message', (options: EvaluateLabelsOptions) => {
  let reply: LabelWorkerReply;
  try {
    reply = { values: evaluateLabels(maps.t, maps.p, maps.shape, options).values };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
