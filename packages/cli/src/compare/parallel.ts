/**
 * Runs of `losskit compare` in worker threads. The wasm backend runs single-threaded in Node (no
 * SharedArrayBuffer threads), so on a 2-core machine two workers, each with its own TensorFlow.js and
 * wasm module, train two models at once and halve the wall time. Each run is seeded and self-contained,
 * so the numbers are the same as with one thread.
 */
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../worker-script.ts';
import type { BackendName } from '../backend.ts';
import type { CompareHooks, Executor, RunOutput, RunTask } from './run.ts';
import type { ToWorker } from './worker.ts';

type FromWorker =
  | { readonly type: 'ready'; readonly backend: BackendName }
  | { readonly type: 'warn'; readonly message: string }
  | { readonly type: 'epoch'; readonly epoch: Parameters<NonNullable<CompareHooks['onEpoch']>>[0] }
  | { readonly type: 'done'; readonly run: number; readonly out: RunOutput }
  | { readonly type: 'error'; readonly message: string };

/** The compiled training worker, or `undefined` from sources (the caller then trains in this thread). */
export function workerScript(): URL | undefined {
  return compiledWorker(import.meta.url, './worker.js');
}

/**
 * An executor with `jobs` worker threads running `backend`, with the fused kernels on or off; `onBackend` hears
 * which backend they got.
 */
export function workerPool(
  script: URL,
  jobs: number,
  backend: BackendName,
  fused: boolean,
  onBackend: (b: BackendName) => void,
): Executor {
  return async (tasks, cfg, hooks, done) => {
    const queue = [...tasks];
    const workers: Worker[] = [];
    const results: Promise<void>[] = [];
    try {
      for (let w = 0; w < Math.min(jobs, tasks.length); w++) {
        const worker = new Worker(script);
        workers.push(worker);
        results.push(
          new Promise<void>((resolve, reject) => {
            let current: RunTask | undefined;
            const send = (m: ToWorker) => {
              worker.postMessage(m);
            };
            const next = () => {
              current = queue.shift();
              if (!current) {
                resolve();
                return;
              }
              const { run, choice, level, exampleIdx } = current;
              send({
                type: 'run',
                run,
                choice,
                level: { label: level.label, train: level.train, test: level.test },
                cfg,
                exampleIdx,
              });
            };
            worker.on('message', (m: FromWorker) => {
              switch (m.type) {
                case 'ready':
                  onBackend(m.backend);
                  next();
                  break;
                case 'warn':
                  hooks.warn?.(m.message);
                  break;
                case 'epoch':
                  hooks.onEpoch?.(m.epoch);
                  break;
                case 'done':
                  done(current!, m.out);
                  next();
                  break;
                case 'error':
                  reject(
                    new Error(
                      `${current ? `${current.choice.label} on ${current.level.label}: ` : ''}${m.message}`,
                    ),
                  );
                  break;
              }
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (current || queue.length) reject(new Error(`a training worker stopped (exit code ${code})`));
            });
            send({ type: 'init', backend, fused });
          }),
        );
      }
      await Promise.all(results);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}
