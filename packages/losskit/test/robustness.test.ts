/**
 * Robustness of every loss and metric in the catalog (issue #15, "bad input never crashes and never misleads"):
 * random legal inputs give a finite value (or the documented NaN: NaN in → NaN out; the surface metrics' NaN for
 * two empty masks and +Infinity for one), and random illegal ones (shapes, dtypes, ranks, out-of-range labels and
 * probabilities) either compute or throw an `Error` whose message starts with the loss's or metric's id — never a
 * raw TensorFlow.js message. Seeded by test/fast-check-seed.ts; ROBUSTNESS_RUNS=<n> runs more cases per entry.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLoss, getMetric, listLosses, listMetrics, type LossInfo, type MetricInfo } from '../src/index.ts';
import { tf, type Tensor } from '../src/tf.ts';
import { mulberry32 } from '../src/util/random.ts';
import { useBackend } from './helpers/backends.ts';

const RUNS = Number(process.env.ROBUSTNESS_RUNS ?? 12);

type Entry = { kind: 'loss'; info: LossInfo } | { kind: 'metric'; info: MetricInfo };
const entries: Entry[] = [
  ...listLosses().map((info) => ({ kind: 'loss' as const, info })),
  ...listMetrics().map((info) => ({ kind: 'metric' as const, info })),
];

/** How an entry's yTrue is laid out: one-hot rows, integer labels, or masks/targets of yPred's shape. */
function labelKind(id: string): 'onehot' | 'sparse' | 'sparseSeg' | 'dense' {
  if (['categoricalCrossentropy', 'categoricalFocalCrossentropy', 'categoricalHinge'].includes(id))
    return 'onehot';
  if (id === 'sparseCategoricalCrossentropy') return 'sparse';
  if (id === 'lovaszSoftmax') return 'sparseSeg';
  return 'dense';
}

const SURFACE = new Set(['hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice']);

interface Case {
  readonly yTrue: Tensor;
  readonly yPred: Tensor;
}

/** Legal inputs: `[B, H, W, C]` for segmentation (`[B, N]` rows otherwise), labels and probabilities in range. */
function legal(e: Entry, b: number, h: number, w: number, c: number, seed: number, strict: boolean): Case {
  const r = mulberry32(seed);
  const seg = e.info.task === 'segmentation';
  const kind = labelKind(e.info.id);
  const channels = kind === 'sparseSeg' ? Math.max(2, c) : seg ? 1 : Math.max(2, c);
  const predShape = seg ? [b, h, w, channels] : [b, channels];
  const n = predShape.reduce((x, y) => x * y, 1);
  const rows = n / channels;
  // Probabilities in (0, 1); rows normalised for the categorical entries.
  const p = Float32Array.from({ length: n }, () => 0.02 + 0.96 * r());
  if (kind !== 'dense' || e.info.id === 'lovaszSoftmax') {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let k = 0; k < channels; k++) s += p[i * channels + k];
      for (let k = 0; k < channels; k++) p[i * channels + k] /= s;
    }
  }
  const labels = Array.from({ length: rows }, () => Math.floor(r() * channels));
  let yTrue: Tensor;
  if (kind === 'sparse') yTrue = tf.tensor1d(labels);
  else if (kind === 'sparseSeg') yTrue = tf.tensor(labels, [b, h, w]);
  else if (kind === 'onehot') yTrue = tf.oneHot(tf.tensor1d(labels, 'int32'), channels).toFloat();
  else {
    const g = Float32Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
    if (strict) {
      // Every image has foreground in both masks (the surface metrics are then finite).
      for (let i = 0; i < b; i++) {
        g[i * h * w * channels] = 1;
        p[i * h * w * channels] = 0.9;
      }
    }
    yTrue = tf.tensor(g, predShape);
  }
  return { yTrue, yPred: tf.tensor(p, predShape) };
}

function compute(e: Entry, c: Case): ArrayLike<number> {
  const fn = e.kind === 'loss' ? getLoss(e.info.id) : getMetric(e.info.id);
  return tf.tidy(() => fn(c.yTrue, c.yPred)).dataSync();
}

/** Runs `fn`; a thrown error must be an Error whose message starts with the entry's id. */
function outcome(e: Entry, fn: () => ArrayLike<number>): ArrayLike<number> | Error {
  try {
    return fn();
  } catch (err) {
    expect(err, `${e.info.id}: threw a non-Error`).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message.startsWith(`${e.info.id}:`), `${e.info.id}: raw or unnamed error "${message}"`).toBe(true);
    return err as Error;
  }
}

const shapes = fc.record({
  b: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 5 }),
  w: fc.integer({ min: 1, max: 5 }),
  c: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(),
});

describe('robustness of every loss and metric (cpu)', () => {
  beforeAll(() => useBackend('cpu'));
  const counts = { legal: 0, illegal: 0, errors: 0 };

  it.each(entries.map((e) => [e.info.id, e] as const))('%s: legal inputs give a finite value', (_id, e) => {
    fc.assert(
      fc.property(shapes, fc.boolean(), ({ b, h, w, c, seed }, strict) => {
        const input = legal(e, b, h, w, c, seed, strict || !SURFACE.has(e.info.id));
        try {
          counts.legal++;
          const v = compute(e, input);
          for (const x of Array.from(v)) {
            if (SURFACE.has(e.info.id) && !strict) expect(Number.isNaN(x) || x >= 0, e.info.id).toBe(true);
            else expect(Number.isFinite(x), `${e.info.id} gave ${x}`).toBe(true);
          }
        } finally {
          tf.dispose([input.yTrue, input.yPred]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  /** Ways to break a legal case; each returns the broken pair (new tensors) and whether a value must be finite. */
  const breakers: Record<
    string,
    (c: Case, r: () => number) => { yTrue: Tensor; yPred: Tensor; finite: boolean }
  > = {
    'NaN in yPred': (c) => ({ yTrue: c.yTrue.clone(), yPred: poke(c.yPred, NaN), finite: false }),
    'NaN in yTrue': (c) => ({ yTrue: poke(c.yTrue, NaN), yPred: c.yPred.clone(), finite: false }),
    '+Infinity in yPred': (c) => ({ yTrue: c.yTrue.clone(), yPred: poke(c.yPred, Infinity), finite: false }),
    '-Infinity in yPred': (c) => ({ yTrue: c.yTrue.clone(), yPred: poke(c.yPred, -Infinity), finite: false }),
    'out-of-range label 7.5': (c) => ({ yTrue: poke(c.yTrue, 7.5), yPred: c.yPred.clone(), finite: false }),
    'negative label -1': (c) => ({ yTrue: poke(c.yTrue, -1), yPred: c.yPred.clone(), finite: false }),
    'probability -0.5': (c) => ({ yTrue: c.yTrue.clone(), yPred: poke(c.yPred, -0.5), finite: false }),
    'empty batch': (c) => ({
      yTrue: tf.zeros([0, ...c.yTrue.shape.slice(1)]),
      yPred: tf.zeros([0, ...c.yPred.shape.slice(1)]),
      finite: false,
    }),
    'yPred with an extra axis': (c) => ({
      yTrue: c.yTrue.clone(),
      yPred: tf.expandDims(c.yPred, 0),
      finite: false,
    }),
    'yTrue of another shape': (c) => ({
      yTrue: tf.zeros([c.yTrue.shape[0] + 1, ...c.yTrue.shape.slice(1)]),
      yPred: c.yPred.clone(),
      finite: false,
    }),
    'rank-1 inputs': (c) => ({
      yTrue: tf.reshape(c.yTrue, [-1]),
      yPred: tf.reshape(c.yPred, [-1]),
      finite: false,
    }),
    'scalar inputs': () => ({ yTrue: tf.scalar(1), yPred: tf.scalar(0.5), finite: false }),
    'int32 yPred': (c) => ({ yTrue: c.yTrue.clone(), yPred: tf.cast(c.yPred, 'int32'), finite: false }),
    'bool yTrue': (c) => ({ yTrue: tf.cast(c.yTrue, 'bool'), yPred: c.yPred.clone(), finite: false }),
    'string yPred': (c) => ({
      yTrue: c.yTrue.clone(),
      yPred: tf.fill(c.yPred.shape, 'a'),
      finite: false,
    }),
  };

  it.each(entries.map((e) => [e.info.id, e] as const))(
    '%s: illegal inputs compute or throw an Error named after it, never a raw tfjs error',
    (_id, e) => {
      fc.assert(
        fc.property(shapes, fc.constantFrom(...Object.keys(breakers)), ({ b, h, w, c, seed }, how) => {
          const base = legal(e, b, h, w, c, seed, true);
          const broken = breakers[how](base, mulberry32(seed));
          try {
            counts.illegal++;
            const v = outcome(e, () => compute(e, broken));
            if (v instanceof Error) {
              counts.errors++;
              return;
            }
            // A value: any number. NaN in gives NaN out; soft dense labels outside [0, 1] are not validated by the
            // losses (only the overlap metrics reject them), so their value may be NaN or ±Infinity.
            for (const x of Array.from(v)) expect(typeof x, `${e.info.id}, ${how}`).toBe('number');
            if (broken.finite)
              for (const x of Array.from(v))
                expect(Number.isFinite(x), `${e.info.id}, ${how}: ${x}`).toBe(true);
          } finally {
            tf.dispose([base.yTrue, base.yPred, broken.yTrue, broken.yPred]);
          }
        }),
        { numRuns: RUNS * 3 },
      );
    },
  );

  it('counts its cases', () => {
    console.log(
      `robustness: ${entries.length} entries, ${counts.legal} legal cases, ${counts.illegal} illegal cases ` +
        `(${counts.errors} named errors)`,
    );
  });
});

/** A copy of `t` with its first element set to `v` (a tensor of t's dtype and shape). */
function poke(t: Tensor, v: number): Tensor {
  const data = Float32Array.from(t.dataSync() as Float32Array);
  if (data.length > 0) data[0] = v;
  return tf.tensor(data, t.shape, 'float32');
}
