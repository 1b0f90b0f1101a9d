/**
 * A worker thread of `losskit compare --jobs N`: it sets up its own TensorFlow.js backend, then trains the
 * runs it is sent, one at a time, posting progress and results back. See parallel.ts.
 */
import { parentPort } from 'node:worker_threads';
import { useBackend, type BackendName } from '../backend.ts';
import { setFusedKernels } from 'losskit';
import * as tf from '@tensorflow/tfjs';
import { trainOne, type LossChoice, type TrainConfig } from './run.ts';
import type { Level } from './datasets.ts';

export type ToWorker =
  | { readonly type: 'init'; readonly backend: BackendName; readonly fused: boolean }
  | {
      readonly type: 'run';
      readonly run: number;
      readonly choice: LossChoice;
      readonly level: Pick<Level, 'label' | 'train' | 'test'>;
      readonly cfg: TrainConfig;
      readonly exampleIdx: readonly number[];
    };

const port = parentPort;
if (port) {
  port.on('message', (msg: ToWorker) => {
    void (async () => {
      try {
        if (msg.type === 'init') {
          const backend = await useBackend(msg.backend, (message) => {
            port.postMessage({ type: 'warn', message });
          });
          tf.enableProdMode();
          setFusedKernels(msg.fused);
          port.postMessage({ type: 'ready', backend });
          return;
        }
        const out = await trainOne(msg.choice, msg.level, msg.cfg, msg.run, msg.exampleIdx, {
          onEpoch: (e) => {
            port.postMessage({ type: 'epoch', epoch: e });
          },
          warn: (message) => {
            port.postMessage({ type: 'warn', message });
          },
        });
        port.postMessage({ type: 'done', run: msg.run, out });
      } catch (e) {
        port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
