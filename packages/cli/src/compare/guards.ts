/**
 * Checks `losskit compare` makes before any training: option ranges, a memory estimate against the machine's
 * memory, and the report folder (created up front, removed again if the command fails, so that a failed run
 * never leaves a partial folder behind).
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError, firstLine } from '../errors.ts';

/** The allowed range of each numeric `compare` option, `[min, max]` (integers unless noted). */
export const LIMITS = {
  epochs: [1, 10_000],
  size: [8, 1024],
  train: [1, 100_000],
  test: [1, 100_000],
  batchSize: [1, 4096],
  filters: [1, 256],
  jobs: [1, 64],
  seed: [0, 2 ** 32 - 1],
  /** Not an integer: the learning rate's range is (0, max]. */
  lr: [0, 10],
} as const;

/** What training one run holds in memory at once, in bytes, and what the data sets hold. */
export interface MemoryEstimate {
  readonly perRun: number;
  readonly data: number;
  readonly total: number;
}

/**
 * A deliberately generous estimate of the memory `compare` needs, from the U-Net's shape (buildUnet: three
 * levels, filters F, 2F, 4F, two 3×3 convolutions per block): weights with their gradients and Adam's two moments
 * (4 × 9·(51F² + F) floats), and about 40 activations-and-gradients per pixel and base filter per image of a batch
 * (forward values, pre-activations, the backward pass and tfjs temporaries), per run trained at the same time;
 * plus the images and masks of every level (lesions: known before loading; other sets: not counted).
 */
export function estimateMemory(o: {
  size: number;
  filters: number;
  batchSize: number;
  jobs: number;
  images: number;
}): MemoryEstimate {
  const weights = 4 * 9 * (51 * o.filters ** 2 + o.filters) * 4;
  const activations = 40 * o.size ** 2 * o.filters * o.batchSize * 4;
  const perRun = weights + activations;
  const data = o.images * o.size ** 2 * 2 * 4;
  return { perRun, data, total: perRun * o.jobs + data };
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GB`;

/** The machine's memory, as `os` reports it; a parameter so tests can pretend. */
export interface MachineMemory {
  readonly total: number;
  readonly free: number;
}

export const machineMemory = (): MachineMemory => ({ total: totalmem(), free: freemem() });

/**
 * Refuses a run whose estimate exceeds three quarters of the machine's memory (a UsageError naming the options
 * to lower); returns a note when it exceeds the memory free now (the run may still fit after the OS frees caches).
 */
export function checkMemory(
  estimate: MemoryEstimate,
  machine: MachineMemory,
  what: string,
): string | undefined {
  if (estimate.total > 0.75 * machine.total)
    throw new UsageError(
      `${what} needs about ${gb(estimate.total)} of memory (estimated), more than 3/4 of this machine's ` +
        `${gb(machine.total)}; lower --size, --filters, --batch-size or --jobs`,
    );
  if (estimate.total > machine.free)
    return `the run needs about ${gb(estimate.total)} of memory (estimated); ${gb(machine.free)} is free now`;
  return undefined;
}

/** A report folder made ready before training; `discard` removes what `prepareOutDir` created. */
export interface OutDir {
  readonly dir: string;
  discard(): void;
}

/**
 * Makes `out` (and its missing parents) and checks that a file can be written in it, before any training.
 * Creates one level at a time: Node's recursive mkdir spins forever under `/proc` (`--out /proc/x`).
 */
export function prepareOutDir(out: string): OutDir {
  const dir = resolve(out);
  const missing: string[] = [];
  let at = dir;
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const fail = (why: string): never => {
    throw new UsageError(`${out}: cannot write the report (${why}); choose another --out or use --no-report`);
  };
  if (existsSync(at) && !statSync(at).isDirectory()) fail(`${at} is a file, not a folder`);
  const created: string[] = [];
  const discard = () => {
    for (const d of [...created].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // not empty (another process wrote there) or already gone: leave it
      }
    }
  };
  try {
    accessSync(at, constants.W_OK);
    for (const d of missing) {
      mkdirSync(d);
      created.push(d);
    }
    const probe = join(dir, `.losskit-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    discard();
    fail(firstLine(e));
  }
  return { dir, discard };
}
