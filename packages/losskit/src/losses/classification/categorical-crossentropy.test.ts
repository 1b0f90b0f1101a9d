import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { categoricalCrossentropy, type CategoricalCrossentropyOptions } from './categorical-crossentropy.ts';
import { categoricalCrossentropy64 } from '../../../test/reference/categorical-crossentropy.ts';
import { CLIP_HI, CLIP_LO, reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<CategoricalCrossentropyOptions>;

/** Runs the loss on plain arrays and returns its values. */
function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(categoricalCrossentropy, yt, yp, shape, o);
}

/** Random rows of `c` probabilities in [0.05, 1.05) that do not sum to 1 (the loss renormalises them). */
function probs(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 0.05 + r());
}
function logits(seed: number, n: number, scale = 4): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}
const ONE_HOT_2x3 = [0, 1, 0, 0, 0, 1];

describe.each(BACKENDS)('categoricalCrossentropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('matches hand-derived values on probabilities', () => {
    // Rows sum to 1, so q = yPred on the target: −log 0.95 and −log 0.1 (Keras docstring example).
    const yp = [0.05, 0.95, 0, 0.1, 0.8, 0.1];
    expectAllClose(run(ONE_HOT_2x3, yp, [2, 3], { reduction: 'none' }), [-Math.log(0.95), -Math.log(0.1)]);
    expectAllClose(run(ONE_HOT_2x3, yp, [2, 3]), (-Math.log(0.95) - Math.log(0.1)) / 2);
  });

  it('renormalises probabilities before clipping', () => {
    // [1, 2, 1] / 4: the target gets 0.5, so −log 0.5 = ln 2, not −log 2 (which clipping alone would give).
    expectAllClose(run([0, 1, 0], [1, 2, 1], [1, 3], { reduction: 'none' }), [Math.LN2]);
  });

  it('clips probabilities to [ε, 1 − ε] in float32', () => {
    // A zero target probability becomes ε = 1e-7: −log(fround(1e-7)) = 16.118…
    expectAllClose(run([0, 1, 0], [1, 0, 0], [1, 3], { reduction: 'none' }), [-Math.log(CLIP_LO)]);
    // A perfect one-hot prediction is clipped to 0.99999988: 1.19e-7, not 0.
    expectAllClose(run([0, 1, 0], [0, 1, 0], [1, 3], { reduction: 'none' }), [-Math.log(CLIP_HI)], {
      rtol: 1e-3,
      atol: 1e-12,
    });
  });

  it('uses the exact log-softmax from logits', () => {
    // log Σ e^x = 3 + log(1 + e^−1 + e^−2), so −log_softmax(x)[2] = log(1 + e^−1 + e^−2).
    const want = Math.log(1 + Math.exp(-1) + Math.exp(-2));
    expectAllClose(run([0, 0, 1], [1, 2, 3], [1, 3], { fromLogits: true, reduction: 'none' }), [want]);
    // Far beyond the 1e-7 clip: −log_softmax = 100 − (−100) = 200 (tfjs-layers would cap at 16.1).
    expectAllClose(run([0, 1], [100, -100], [1, 2], { fromLogits: true, reduction: 'none' }), [200]);
  });

  it('smooths labels as y(1 − ls) + ls/C before the loss', () => {
    // ls = 0.3, C = 3: [0, 1, 0] → [0.1, 0.8, 0.1].
    const p = [0.2, 0.5, 0.3];
    const want = -(0.1 * Math.log(0.2) + 0.8 * Math.log(0.5) + 0.1 * Math.log(0.3));
    expectAllClose(run([0, 1, 0], p, [1, 3], { labelSmoothing: 0.3, reduction: 'none' }), [want]);
    // From logits too: the smoothed y meets log_softmax.
    const x = [0.5, -1, 2];
    const lse = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2));
    const wantLogits = -(0.1 * (0.5 - lse) + 0.8 * (-1 - lse) + 0.1 * (2 - lse));
    expectAllClose(run([0, 1, 0], x, [1, 3], { labelSmoothing: 0.3, fromLogits: true, reduction: 'none' }), [
      wantLogits,
    ]);
  });

  it('takes classes on another axis, with C = yPred.shape[axis] for smoothing', () => {
    const shape = [2, 3, 2];
    const yt = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
    const yp = [0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.8, 0.1, 0.1, 0.1];
    const got = run(yt, yp, shape, { axis: 1, labelSmoothing: 0.1, reduction: 'none' });
    expect(got.length).toBe(4);
    expectAllClose(got, categoricalCrossentropy64(yt, yp, shape, { axis: 1, labelSmoothing: 0.1 }));
    // Keras test_label_smoothing_with_axis: the mean is 0.36177298742619873.
    expectAllClose(run(yt, yp, shape, { axis: 1, labelSmoothing: 0.1 }), 0.36177298742619873, { rtol: 2e-5 });
    // Moving the class axis to the end gives the same values (axis −3 is axis 0 of a rank-3 tensor).
    const x = logits(3, 12);
    const a = tf.tensor(x, shape);
    const moved = take(tf.transpose(a, [0, 2, 1]));
    const ytMoved = take(tf.transpose(tf.tensor(yt, shape), [0, 2, 1]));
    a.dispose();
    expectAllClose(
      run(yt, x, shape, { axis: 1, fromLogits: true, reduction: 'none' }),
      run(Array.from(ytMoved), Array.from(moved), [2, 2, 3], { fromLogits: true, reduction: 'none' }),
    );
    expectAllClose(
      run(yt, yp, shape, { axis: -3, reduction: 'none' }),
      categoricalCrossentropy64(yt, yp, shape, { axis: 0 }),
    );
  });

  it("reduces with 'sum', 'none' and 'mean_with_sample_weight', weighting per sample", () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 1];
    const yp = probs(7, 12);
    const per = categoricalCrossentropy64(yt, yp, shape);
    const w = [0.5, 2, 0];
    for (const reduction of ['sum', 'none', 'mean_with_sample_weight', 'sum_over_batch_size'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
    // A [N, 1] weight is matched to the [N] per-sample values.
    const sw = tf.tensor2d(w, [3, 1]);
    expectAllClose(run(yt, yp, shape, { reduction: 'sum', sampleWeight: sw }), reduce64(per, 'sum', w));
    sw.dispose();
  });

  it('has the gradient of its float64 oracle (probabilities, logits, smoothing, axis)', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0.3, 0.7, 0, 0, 0, 0, 1];
    const ytT = tf.tensor(yt, shape);
    const cases: CategoricalCrossentropyOptions[] = [
      {},
      { labelSmoothing: 0.2 },
      { fromLogits: true },
      { fromLogits: true, labelSmoothing: 0.1 },
    ];
    for (const o of cases) {
      checkGradient({
        loss: (p: Tensor) => categoricalCrossentropy(ytT, p, { ...o, reduction: 'sum' }),
        oracle: (x) => sum64(categoricalCrossentropy64(yt, x, shape, o)),
        yPred: o.fromLogits ? logits(11, 12) : probs(11, 12),
        shape,
      });
    }
    ytT.dispose();
    const shape3 = [2, 3, 2];
    const yt3 = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
    const yt3T = tf.tensor(yt3, shape3);
    for (const fromLogits of [false, true]) {
      const o = { axis: 1, labelSmoothing: 0.1, fromLogits };
      checkGradient({
        loss: (p: Tensor) => categoricalCrossentropy(yt3T, p, { ...o, reduction: 'sum' }),
        oracle: (x) => sum64(categoricalCrossentropy64(yt3, x, shape3, o)),
        yPred: fromLogits ? logits(5, 12) : probs(5, 12),
        shape: shape3,
      });
    }
    yt3T.dispose();
  });

  it('agrees from logits and from softmax probabilities away from the clip', () => {
    const shape = [4, 5];
    const yt = [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0, 1];
    const x = logits(21, 20, 3);
    const xs = tf.tensor(x, shape);
    const sm = Array.from(take(tf.softmax(xs)));
    xs.dispose();
    for (const labelSmoothing of [0, 0.15]) {
      expectAllClose(
        run(yt, x, shape, { fromLogits: true, labelSmoothing, reduction: 'none' }),
        run(yt, sm, shape, { labelSmoothing, reduction: 'none' }),
        { rtol: 1e-5, atol: 1e-5 },
      );
    }
  });

  it('stays finite at logits of ±100 and probabilities of exactly 0 and 1, gradients included', () => {
    const yt = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const inputs: [number[][], Opts][] = [
      [
        [
          [100, -100, 0],
          [-100, 100, -100],
        ],
        { fromLogits: true },
      ],
      [
        [
          [-100, 100, 0],
          [100, -100, 100],
        ],
        { fromLogits: true, labelSmoothing: 0.1 },
      ],
      [
        [
          [1, 0, 0],
          [1, 0, 0],
        ],
        {},
      ],
      [
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        { labelSmoothing: 0.2 },
      ],
    ];
    for (const [v, o] of inputs) {
      const yp = tf.tensor2d(v);
      const value = take(categoricalCrossentropy(yt, yp, o));
      const g = take(tf.grad((p: Tensor) => categoricalCrossentropy(yt, p, o))(yp));
      for (const x of [...value, ...g]) expect(Number.isFinite(x), `${JSON.stringify(o)} ${x}`).toBe(true);
      yp.dispose();
    }
    // From logits the gradient of the summed loss is softmax − y: [1, −1] for a confident wrong answer.
    const yp = tf.tensor2d([[100, -100]]);
    const y1 = tf.tensor2d([[0, 1]]);
    expectAllClose(
      take(
        tf.grad((p: Tensor) => categoricalCrossentropy(y1, p, { fromLogits: true, reduction: 'sum' }))(yp),
      ),
      [1, -1],
    );
    tf.dispose([yt, yp, y1]);
  });

  it('accepts a single-class axis as Keras does: a one-time warning and a constant loss', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const yt = [1, 0, 1];
    // Probabilities: q = yPred / yPred = 1, clipped to 0.99999988, so ℓ = −y·log(0.99999988).
    expectAllClose(
      run(yt, [0.3, 0.9, 2], [3, 1], { reduction: 'none' }),
      [-Math.log(CLIP_HI), 0, -Math.log(CLIP_HI)],
      {
        rtol: 1e-3,
        atol: 1e-12,
      },
    );
    // Logits: log_softmax of one entry is 0.
    expectAllClose(run(yt, [5, -3, 0], [3, 1], { fromLogits: true, reduction: 'none' }), [0, 0, 0]);
    const a = tf.tensor2d(yt, [3, 1]);
    const b = tf.tensor2d([0.3, 0.9, 2], [3, 1]);
    expectAllClose(take(tf.grad((p: Tensor) => categoricalCrossentropy(a, p))(b)), [0, 0, 0], { atol: 1e-6 });
    tf.dispose([a, b]);
    // Warned at most once per process (an earlier test file run may already have warned).
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
    for (const [msg] of warn.mock.calls)
      expect(String(msg)).toMatch(/categoricalCrossentropy: .*single class/);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1, 0]]);
    const yp = tf.tensor2d([[0.2, 0.5, 0.3]]);
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { labelSmothing: 0.1 } as never),
      /categoricalCrossentropy/,
      /unknown option 'labelSmothing'/,
      /labelSmoothing/,
    );
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { fromLogits: 'yes' } as never),
      /categoricalCrossentropy/,
      /fromLogits/,
      /boolean/,
    );
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { labelSmoothing: 1.5 }),
      /categoricalCrossentropy/,
      /labelSmoothing/,
      /\[0, 1\]/,
      /1\.5/,
    );
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { axis: 0.5 }),
      /categoricalCrossentropy/,
      /axis/,
      /integer/,
    );
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { axis: 2 }),
      /categoricalCrossentropy/,
      /axis/,
      /rank 2/,
    );
    expectThrows(
      () => categoricalCrossentropy(yt, yp, { reduction: 'avg' as never }),
      /categoricalCrossentropy/,
      /reduction/,
      /sum_over_batch_size/,
    );
    const other = tf.tensor2d([[0.2, 0.5, 0.2, 0.1]]);
    expectThrows(() => categoricalCrossentropy(yt, other), /categoricalCrossentropy/, /\[1,3\]/, /\[1,4\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const yp = tf.tensor2d([
      [0.2, 0.5, 0.3],
      [0.6, 0.3, 0.1],
    ]);
    const sw = tf.tensor1d([1, 2]);
    expectTidy(() => categoricalCrossentropy(yt, yp));
    expectTidy(() =>
      categoricalCrossentropy(yt, yp, { fromLogits: true, labelSmoothing: 0.1, sampleWeight: sw }),
    );
    expectTidy(() => categoricalCrossentropy(yt, yp, { reduction: 'none' }));
    tf.dispose([yt, yp, sw]);
  });
});
