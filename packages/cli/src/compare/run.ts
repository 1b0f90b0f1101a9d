/**
 * The experiment behind `losskit compare`: one U-Net per (loss, level), trained from the same initial
 * weights on the same images in the same order with the same optimiser and budget, then evaluated on the
 * held-out images with losskit's own metrics.
 */
import { getLoss, getMetric, listMetrics } from 'losskit';
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import { foregroundFraction, type Level, type SegmentationSet } from './datasets.ts';
import { mulberry32 } from 'losskit/random';
import { buildUnet } from './unet.ts';

/** A loss to compare: a catalog name and its options. */
export interface LossChoice {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** What the tables show: the name as given, with its options if any. */
  readonly label: string;
}

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam's initial learning rate; it decays along a cosine to 5% of this over the run. */
  readonly learningRate: number;
  readonly filters: number;
  readonly seed: number;
}

/** Held-out metrics of one run; means over test images (HD95 over the images where it is finite). */
export interface RunMetrics {
  readonly dice: number;
  readonly iou: number;
  readonly sensitivity: number;
  readonly specificity: number;
  readonly precision: number;
  /** Mean HD95 in pixels over the test images where both masks are non-empty. */
  readonly hd95: number;
  /** Test images where HD95 is not finite (an empty prediction or an empty truth). */
  readonly hd95Undefined: number;
}

export interface RunResult {
  readonly loss: string;
  readonly label: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly level: string;
  readonly metrics: RunMetrics;
  /** Wall time of the run (training and the per-epoch evaluation), seconds. */
  readonly seconds: number;
  readonly curve: { readonly epoch: number[]; readonly trainLoss: number[]; readonly testDice: number[] };
  /** The training loss became NaN or infinite at some step. */
  readonly diverged: boolean;
}

export interface LevelSummary {
  readonly label: string;
  readonly description: string;
  readonly targetForeground?: number;
  readonly trainForeground: number;
  readonly testForeground: number;
  readonly train: number;
  readonly test: number;
}

/** Test images and each run's predictions on them, for the report. */
export interface Examples {
  readonly level: string;
  readonly size: number;
  readonly images: Float32Array[];
  readonly masks: Float32Array[];
  /** label → one probability map per example image. */
  readonly predictions: Record<string, Float32Array[]>;
}

export interface CompareHooks {
  /** Before anything trains: the number of runs and of epochs in total. */
  onStart?(runs: number, totalEpochs: number): void;
  onEpoch?(info: {
    run: number;
    label: string;
    level: string;
    epoch: number;
    trainLoss: number;
    testDice: number;
  }): void;
  onRun?(result: RunResult, run: number): void;
  warn?(message: string): void;
}

const METRICS = ['dice_coefficient', 'iou', 'sensitivity', 'specificity', 'precision'] as const;
const KEYS: Record<(typeof METRICS)[number], keyof RunMetrics> = {
  dice_coefficient: 'dice',
  iou: 'iou',
  sensitivity: 'sensitivity',
  specificity: 'specificity',
  precision: 'precision',
};

/** A metric bound with `threshold: 0.5` when it takes one; `undefined` when the catalog lacks it. */
function metricFn(name: string, extra: Record<string, unknown> = {}) {
  try {
    const probe = getMetric(name);
    const info = listMetrics().find((m) => m.id === probe.id);
    const takesThreshold = info?.params.some((p) => p.name === 'threshold') ?? false;
    return getMetric(name, { ...(takesThreshold ? { threshold: 0.5 } : {}), ...extra });
  } catch {
    return undefined;
  }
}

/** Binarises probabilities at 0.5 (p ≥ 0.5 is foreground), the threshold every reported metric uses. */
function binarise(p: Float32Array): Float32Array {
  return p.map((v) => (v >= 0.5 ? 1 : 0));
}

function meanOf(t: Tensor): number {
  const v = t.dataSync();
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/** Evaluates binarised predictions against a test set with losskit's metrics. */
export function evaluate(pred: Float32Array, set: SegmentationSet, warn?: (m: string) => void): RunMetrics {
  const shape: [number, number, number, number] = [set.n, set.height, set.width, 1];
  const out: Record<string, number> = {};
  const hard = binarise(pred);
  tf.tidy(() => {
    const yTrue = tf.tensor4d(set.masks, shape);
    const yPred = tf.tensor4d(hard, shape);
    for (const name of METRICS) {
      const fn = metricFn(name);
      if (!fn) {
        warn?.(`metric ${name} is not in the catalog yet; reported as NaN`);
        out[KEYS[name]] = NaN;
        continue;
      }
      out[KEYS[name]] = meanOf(fn(yTrue, yPred));
    }
    const hd = metricFn('hausdorff_distance', { percentile: 95 });
    if (!hd) {
      warn?.('metric hausdorff_distance is not in the catalog yet; HD95 reported as NaN');
      out.hd95 = NaN;
      out.hd95Undefined = set.n;
    } else {
      const values = hd(yTrue, yPred).dataSync();
      const finite = Array.from(values).filter((v) => Number.isFinite(v));
      out.hd95 = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
      out.hd95Undefined = values.length - finite.length;
    }
  });
  return out as unknown as RunMetrics;
}

/** Predicts probabilities for a whole set, in batches. */
function predict(model: tf.LayersModel, set: SegmentationSet, batchSize: number): Float32Array {
  const px = set.height * set.width;
  const out = new Float32Array(set.n * px);
  for (let i = 0; i < set.n; i += batchSize) {
    const n = Math.min(batchSize, set.n - i);
    const p = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(i * px, (i + n) * px), [n, set.height, set.width, 1]);
      return model.predict(x) as Tensor;
    });
    out.set(p.dataSync(), i * px);
    p.dispose();
  }
  return out;
}

/** Copies the images and masks at `idx` into fresh batch tensors. */
function batch(set: SegmentationSet, idx: readonly number[]): [Tensor, Tensor] {
  const px = set.height * set.width;
  const xs = new Float32Array(idx.length * px);
  const ys = new Float32Array(idx.length * px);
  idx.forEach((j, k) => {
    xs.set(set.images.subarray(j * px, (j + 1) * px), k * px);
    ys.set(set.masks.subarray(j * px, (j + 1) * px), k * px);
  });
  const shape: [number, number, number, number] = [idx.length, set.height, set.width, 1];
  return [tf.tensor4d(xs, shape), tf.tensor4d(ys, shape)];
}

function permutation(n: number, rand: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Picks up to `k` test images with foreground, spread over the set, for the report's example figures. */
function exampleIndices(set: SegmentationSet, k: number): number[] {
  const px = set.height * set.width;
  const withFg = Array.from({ length: set.n }, (_, i) => i).filter((i) =>
    set.masks.subarray(i * px, (i + 1) * px).some((v) => v > 0),
  );
  const pool = withFg.length ? withFg : Array.from({ length: set.n }, (_, i) => i);
  if (pool.length <= k) return pool;
  return Array.from({ length: k }, (_, j) => pool[Math.floor(((j + 0.5) * pool.length) / k)]);
}

/** What one run returns: its result and its predictions on the level's example images. */
export interface RunOutput {
  readonly result: RunResult;
  readonly examples: Float32Array[];
}

/**
 * Trains one model with one loss on one level and evaluates it. `exampleIdx` selects the test images whose
 * predictions are returned for the report.
 */
export async function trainOne(
  choice: LossChoice,
  level: Pick<Level, 'label' | 'train' | 'test'>,
  cfg: TrainConfig,
  run: number,
  exampleIdx: readonly number[],
  hooks: CompareHooks,
): Promise<RunOutput> {
  const loss = getLoss(choice.name, choice.options);
  const { train, test } = level;
  const model = buildUnet(train.height, cfg.filters, cfg.seed);
  const optimizer = tf.train.adam(cfg.learningRate);
  const dice = metricFn('dice_coefficient');
  const curve = { epoch: [] as number[], trainLoss: [] as number[], testDice: [] as number[] };
  let diverged = false;
  const t0 = performance.now();
  let pred: Float32Array = new Float32Array(0);
  const stepsPerEpoch = Math.ceil(train.n / cfg.batchSize);
  const totalSteps = cfg.epochs * stepsPerEpoch;
  // Cosine decay from the learning rate to 5% of it: the last epochs settle instead of jumping around,
  // so the final model (the one evaluated) is not a matter of where the last step happened to land.
  const setRate = (step: number) => {
    (optimizer as unknown as { learningRate: number }).learningRate =
      cfg.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
  };
  let step = 0;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const order = permutation(train.n, mulberry32(cfg.seed * 1009 + epoch));
    let sum = 0;
    let steps = 0;
    for (let i = 0; i < train.n; i += cfg.batchSize) {
      const [xb, yb] = batch(train, order.slice(i, i + cfg.batchSize));
      setRate(step++);
      const cost = optimizer.minimize(
        () => loss(yb, model.apply(xb, { training: true }) as Tensor) as tf.Scalar,
        true,
      );
      const value = cost ? cost.dataSync()[0] : NaN;
      tf.dispose([xb, yb, cost ?? []]);
      if (!Number.isFinite(value)) diverged = true;
      sum += value;
      steps++;
      // Let the event loop breathe (progress bars redraw on timers; workers answer messages).
      await new Promise((r) => setImmediate(r));
    }
    pred = predict(model, test, 32);
    const testDice = dice
      ? tf.tidy(() => {
          const shape: [number, number, number, number] = [test.n, test.height, test.width, 1];
          return meanOf(dice(tf.tensor4d(test.masks, shape), tf.tensor4d(binarise(pred), shape)));
        })
      : NaN;
    curve.epoch.push(epoch);
    curve.trainLoss.push(sum / steps);
    curve.testDice.push(testDice);
    hooks.onEpoch?.({
      run,
      label: choice.label,
      level: level.label,
      epoch,
      trainLoss: sum / steps,
      testDice,
    });
  }
  const metrics = evaluate(pred, test, (m) => hooks.warn?.(m));
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  optimizer.dispose();
  const px = test.height * test.width;
  return {
    result: {
      loss: loss.id,
      label: choice.label,
      options: loss.options,
      level: level.label,
      metrics,
      seconds,
      curve,
      diverged,
    },
    examples: exampleIdx.map((i) => pred.slice(i * px, (i + 1) * px)),
  };
}

export interface CompareOutcome {
  readonly levels: LevelSummary[];
  readonly runs: RunResult[];
  readonly examples: Examples[];
  readonly parameters: number;
}

/** One (loss, level) pair to train. */
export interface RunTask {
  /** 1-based, in level-then-loss order. */
  readonly run: number;
  readonly choice: LossChoice;
  readonly level: Level;
  readonly exampleIdx: readonly number[];
}

/** Runs tasks and reports each output; the sequential executor trains in this thread. */
export type Executor = (
  tasks: readonly RunTask[],
  cfg: TrainConfig,
  hooks: CompareHooks,
  done: (task: RunTask, out: RunOutput) => void,
) => Promise<void>;

export const sequential: Executor = async (tasks, cfg, hooks, done) => {
  for (const t of tasks) done(t, await trainOne(t.choice, t.level, cfg, t.run, t.exampleIdx, hooks));
};

/**
 * Runs every loss on every level. The executor decides where the runs happen (this thread, or worker
 * threads: see parallel.ts); the results come back in level-then-loss order either way, and each run is
 * deterministic, so the numbers do not depend on the executor.
 */
export async function compareLosses(
  levels: readonly Level[],
  losses: readonly LossChoice[],
  cfg: TrainConfig,
  hooks: CompareHooks = {},
  executor: Executor = sequential,
): Promise<CompareOutcome> {
  const total = levels.length * losses.length;
  hooks.onStart?.(total, total * cfg.epochs);
  const tasks: RunTask[] = [];
  const examples: Examples[] = levels.map((level) => {
    const idx = exampleIndices(level.test, 3);
    const px = level.test.height * level.test.width;
    for (const choice of losses) tasks.push({ run: tasks.length + 1, choice, level, exampleIdx: idx });
    return {
      level: level.label,
      size: level.test.height,
      images: idx.map((i) => level.test.images.slice(i * px, (i + 1) * px)),
      masks: idx.map((i) => level.test.masks.slice(i * px, (i + 1) * px)),
      predictions: {},
    };
  });
  const results = new Map<number, RunResult>();
  let finished = 0;
  await executor(tasks, cfg, hooks, (task, out) => {
    results.set(task.run, out.result);
    const ex = examples[levels.indexOf(task.level)];
    ex.predictions[task.choice.label] = out.examples;
    hooks.onRun?.(out.result, ++finished);
  });
  // Insertion order of the prediction columns follows the loss list, whatever order the runs finished in.
  for (const ex of examples) {
    const p = ex.predictions;
    (ex as { predictions: Record<string, Float32Array[]> }).predictions = Object.fromEntries(
      losses.filter((l) => l.label in p).map((l) => [l.label, p[l.label]]),
    );
  }
  const probe = buildUnet(levels[0]?.train.height ?? 32, cfg.filters, cfg.seed);
  const parameters = probe.countParams();
  probe.dispose();
  return {
    levels: levels.map((l) => ({
      label: l.label,
      description: l.description,
      ...(l.targetForeground !== undefined ? { targetForeground: l.targetForeground } : {}),
      trainForeground: foregroundFraction(l.train.masks),
      testForeground: foregroundFraction(l.test.masks),
      train: l.train.n,
      test: l.test.n,
    })),
    runs: tasks.map((t) => results.get(t.run)!).filter(Boolean),
    examples,
    parameters,
  };
}
