/**
 * `evaluateLabels` of `losskit/distance` on two threads. The surface metrics cost what each label's bounding box
 * costs, and atlas labels differ in size by two orders of magnitude, so the labels are split by box volume: the
 * boxes are estimated on every fourth plane of the maps (a quarter of a counting pass), then the labels, largest
 * first, go to whichever thread has the least work so far, and each thread computes every metric of its labels
 * (one counting pass each). The worker thread is started first, so that its start-up overlaps the estimate. The
 * per-label values do not depend on the split. Runs in one thread when the compiled worker is absent (under
 * vitest, from the sources), when there is one label or no surface metric, or on a single core.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { evaluateLabels, type EvaluateLabelsOptions, type LabelMetricSpec } from 'losskit/distance';
import { compiledWorker } from './worker-script.ts';

const SURFACE = new Set(['hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice']);

const isSurface = (m: string | LabelMetricSpec) => SURFACE.has(typeof m === 'string' ? m : m.metric);

type Writable = ArrayLike<number> & { [i: number]: number };

/** The message a label worker answers with. */
export interface LabelWorkerReply {
  readonly values?: Record<string, Float64Array>;
  readonly error?: string;
}

/**
 * Splits `labels` (indices into `sizes`) into two lists of about equal total size: largest first, each to the
 * lighter list. `head` is work the first list has already (the counting pass, in the same units).
 */
export function balance(sizes: ArrayLike<number>, head = 0): [number[], number[]] {
  const order = Array.from({ length: sizes.length }, (_, k) => k).sort((a, b) => sizes[b] - sizes[a]);
  const parts: [number[], number[]] = [[], []];
  const load = [head, 0];
  for (const k of order) {
    const to = load[0] <= load[1] ? 0 : 1;
    parts[to].push(k);
    load[to] += sizes[k];
  }
  return parts;
}

/**
 * Each label's box volume (0 when absent), estimated from every fourth plane along the first axis: enough to
 * balance the threads, at a quarter of the cost of counting every voxel. Throws on a bad value it meets.
 */
function boxVolumes(
  t: ArrayLike<number>,
  p: ArrayLike<number>,
  shape: readonly number[],
  labels: readonly number[],
): number[] {
  const step = 4;
  const plane = t.length / shape[0];
  const planes = Math.ceil(shape[0] / step);
  const sample = (a: ArrayLike<number>) => {
    // The input's own array type: a second element type in `evaluateLabels` would slow its loops on this thread.
    const make = ArrayBuffer.isView(a) ? (a.constructor as new (n: number) => Writable) : Float64Array;
    const out = new make(planes * plane);
    for (let k = 0; k < planes; k++) {
      const from = k * step * plane;
      for (let j = 0; j < plane; j++) out[k * plane + j] = a[from + j];
    }
    return out;
  };
  const { boxes } = evaluateLabels(sample(t), sample(p), [planes, ...shape.slice(1)], {
    metrics: [],
    labels,
    boxes: true,
  });
  return boxes!.map((b) => (b ? b.lo.reduce((v, l, a) => v * (b.hi[a] - l + 1), 1) : 0));
}

/**
 * Per metric key, one value per label of `options.labels` (required here), as `evaluateLabels` gives them.
 * Metrics are named by their catalog ids (the two-thread split is for the surface metrics only).
 */
export async function evaluateLabelsThreaded(
  t: ArrayLike<number>,
  p: ArrayLike<number>,
  shape: readonly number[],
  options: EvaluateLabelsOptions & { readonly labels: readonly number[] },
): Promise<Record<string, Float64Array>> {
  const labels = options.labels;
  const surface = options.metrics.filter(isSurface);
  const script = compiledWorker(import.meta.url, './label-worker.js');
  if (surface.length === 0 || !script || labels.length < 2 || availableParallelism() < 2)
    return evaluateLabels(t, p, shape, options).values;
  const worker = new Worker(script, { workerData: { t, p, shape } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  failed.catch(() => undefined); // raced below; handled here in case this thread throws first
  try {
    let sizes: number[];
    try {
      sizes = boxVolumes(t, p, shape, labels);
    } catch {
      // A bad value (NaN, a fraction): one thread, so that the error names the element where it is.
      return evaluateLabels(t, p, shape, options).values;
    }
    // Equal box volumes are not equal times: this thread, whose heap also holds the catalog and TensorFlow.js,
    // computed the same labels more slowly than the worker (AAL, measured). Crediting it with a twentieth of the
    // volume's voxels of box work left the two finishing within ~0.3 s of each other there.
    const [theirs, mine] = balance(sizes, -t.length / 20);
    const reply = new Promise<LabelWorkerReply>((resolve) => worker.once('message', resolve));
    worker.postMessage({ ...options, labels: theirs.map((k) => labels[k]) });
    const a = evaluateLabels(t, p, shape, { ...options, labels: mine.map((k) => labels[k]) }).values;
    const b = await Promise.race([reply, failed]);
    if (b.values === undefined) throw new Error(b.error);
    const out: Record<string, Float64Array> = {};
    for (const key of Object.keys(a)) {
      const v = new Float64Array(labels.length);
      mine.forEach((k, i) => (v[k] = a[key][i]));
      theirs.forEach((k, i) => (v[k] = b.values![key][i]));
      out[key] = v;
    }
    return out;
  } finally {
    await worker.terminate();
  }
}
