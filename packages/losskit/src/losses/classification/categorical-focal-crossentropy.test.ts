import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import {
  categoricalFocalCrossentropy,
  type CategoricalFocalCrossentropyOptions,
} from './categorical-focal-crossentropy.ts';
import { categoricalCrossentropy } from './categorical-crossentropy.ts';
import { categoricalFocalCrossentropy64 } from '../../../test/reference/categorical-focal-crossentropy.ts';
import { reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<CategoricalFocalCrossentropyOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(categoricalFocalCrossentropy, yt, yp, shape, o);
}
function cce(yt: number[], yp: number[], shape: number[], o: Record<string, unknown> = {}): number[] {
  const a = tf.tensor(yt, shape);
  const b = tf.tensor(yp, shape);
  const v = Array.from(take(categoricalCrossentropy(a, b, { ...o, reduction: 'none' })));
  tf.dispose([a, b]);
  return v;
}
function probs(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 0.05 + r());
}
function logits(seed: number, n: number, scale = 3): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}
const Y = [0, 1, 0, 0, 0, 1];
const P = [0.05, 0.95, 0, 0.1, 0.8, 0.1];

describe.each(BACKENDS)('categoricalFocalCrossentropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values', () => {
    // Keras docstring: only target classes count (y = 0 elsewhere); α = 0.25, γ = 2.
    // Row 1: 0.25·(1 − 0.95)²·(−ln 0.95); row 2: 0.25·(1 − 0.1)²·(−ln 0.1).
    const rows = [0.25 * 0.05 ** 2 * -Math.log(0.95), 0.25 * 0.9 ** 2 * -Math.log(0.1)];
    expectAllClose(run(Y, P, [2, 3], { reduction: 'none' }), rows);
    expectAllClose(run(Y, P, [2, 3]), (rows[0] + rows[1]) / 2);
    expectAllClose(run(Y, P, [2, 3], { reduction: 'sum' }), rows[0] + rows[1]);
    // γ = 1, α = 1 and a row summing to 2 (renormalised first): [0.5, 1, 0.5] / 2 → q = 0.5 → 0.5·ln 2.
    expectAllClose(run([0, 1, 0], [0.5, 1, 0.5], [1, 3], { gamma: 1, alpha: 1, reduction: 'none' }), [
      0.5 * Math.LN2,
    ]);
  });

  it('takes a per-class alpha on the last axis', () => {
    const rows = [2 * 0.05 ** 2 * -Math.log(0.95), 3 * 0.9 ** 2 * -Math.log(0.1)];
    expectAllClose(run(Y, P, [2, 3], { alpha: [1, 2, 3], reduction: 'none' }), rows);
    // A one-element array is a scalar.
    expectAllClose(
      run(Y, P, [2, 3], { alpha: [0.5], reduction: 'none' }),
      run(Y, P, [2, 3], { alpha: 0.5, reduction: 'none' }),
    );
    // With axis = 1 the array still broadcasts against the last axis, as Keras's broadcasting does.
    const shape = [2, 3, 3];
    const yt = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0];
    const yp = probs(6, 18);
    const o = { axis: 1, alpha: [0.5, 1, 4] };
    expectAllClose(
      run(yt, yp, shape, { ...o, reduction: 'none' }),
      categoricalFocalCrossentropy64(yt, yp, shape, o),
    );
  });

  it('smooths labels as y(1 − ls) + ls/C, with C = yPred.shape[axis]', () => {
    // Keras test_label_smoothing: y = [1,0,0] → [0.9 + 0.1/3, 0.1/3, 0.1/3], softmax of [4.9, −0.5, 2.05].
    const x = [4.9, -0.5, 2.05];
    const e = x.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    const y = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3];
    const want = e.reduce((a, v, k) => a + 0.25 * (1 - v / s) ** 2 * -y[k] * Math.log(v / s), 0);
    expectAllClose(run([1, 0, 0], x, [1, 3], { fromLogits: true, labelSmoothing: 0.1, reduction: 'none' }), [
      want,
    ]);
    expectAllClose(want, 0.06685, { rtol: 1e-3 }); // the Keras literal, as a check of the hand sum
    const shape = [2, 3, 4];
    const yt = [0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
    const yp = probs(9, 24);
    const o = { axis: 1, labelSmoothing: 0.2, gamma: 1.5 };
    expectAllClose(
      run(yt, yp, shape, { ...o, reduction: 'none' }),
      categoricalFocalCrossentropy64(yt, yp, shape, o),
    );
  });

  it('equals categoricalCrossentropy with γ = 0 and α = 1', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0.3, 0.7, 0, 0, 0, 0, 1];
    const yp = probs(10, 12);
    for (const o of [{}, { labelSmoothing: 0.1 }]) {
      expectAllClose(
        run(yt, yp, shape, { ...o, gamma: 0, alpha: 1, reduction: 'none' }),
        cce(yt, yp, shape, o),
      );
    }
    // From logits Keras's focal loss goes through softmax + clip, CCE through log_softmax: equal away from
    // the clip (softmax entries well above 1e-7).
    const x = logits(10, 12);
    expectAllClose(
      run(yt, x, shape, { fromLogits: true, gamma: 0, alpha: 1, reduction: 'none' }),
      cce(yt, x, shape, { fromLogits: true }),
      { rtol: 1e-5, atol: 1e-6 },
    );
    const shape3 = [2, 3, 2];
    const yt3 = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
    const yp3 = probs(12, 12);
    expectAllClose(
      run(yt3, yp3, shape3, { axis: 1, gamma: 0, alpha: 1, reduction: 'none' }),
      cce(yt3, yp3, shape3, { axis: 1 }),
    );
  });

  it('agrees from logits and from softmax probabilities', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const x = logits(33, 12, 5);
    const xs = tf.tensor(x, shape);
    const sm = Array.from(take(tf.softmax(xs)));
    xs.dispose();
    const o = { gamma: 2.5, alpha: [0.2, 0.4, 0.6, 0.8], labelSmoothing: 0.05, reduction: 'none' } as const;
    expectAllClose(run(yt, x, shape, { ...o, fromLogits: true }), run(yt, sm, shape, o), {
      rtol: 1e-5,
      atol: 1e-7,
    });
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0];
    const yp = probs(15, 12);
    const per = categoricalFocalCrossentropy64(yt, yp, shape);
    const w = [0.3, 0.7, 2];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle for every option', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 0, 0, 0.4, 0.6, 0, 0, 0, 0, 1];
    const ytT = tf.tensor(yt, shape);
    const cases: CategoricalFocalCrossentropyOptions[] = [
      {},
      { gamma: 0.5, alpha: [0.2, 0.5, 1, 2] },
      { gamma: 0, alpha: 1, labelSmoothing: 0.1 },
      { fromLogits: true },
      { fromLogits: true, labelSmoothing: 0.1, gamma: 1.5, alpha: 0.5 },
    ];
    for (const o of cases) {
      checkGradient({
        loss: (p: Tensor) => categoricalFocalCrossentropy(ytT, p, { ...o, reduction: 'sum' }),
        oracle: (x) => sum64(categoricalFocalCrossentropy64(yt, x, shape, o)),
        yPred: o.fromLogits ? logits(43, 12) : probs(43, 12),
        shape,
      });
    }
    ytT.dispose();
    const shape3 = [2, 3, 2];
    const yt3 = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
    const yt3T = tf.tensor(yt3, shape3);
    for (const fromLogits of [false, true]) {
      const o = { axis: 1, labelSmoothing: 0.1, fromLogits, alpha: [1, 3] };
      checkGradient({
        loss: (p: Tensor) => categoricalFocalCrossentropy(yt3T, p, { ...o, reduction: 'sum' }),
        oracle: (x) => sum64(categoricalFocalCrossentropy64(yt3, x, shape3, o)),
        yPred: fromLogits ? logits(7, 12) : probs(7, 12),
        shape: shape3,
      });
    }
    yt3T.dispose();
  });

  it('stays finite at logits of ±100 and probabilities of exactly 0 and 1, gradients included', () => {
    const yt = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const big = tf.tensor2d([
      [100, -100, 0],
      [100, -100, -100],
    ]);
    const edge = tf.tensor2d([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    for (const gamma of [0, 0.5, 2]) {
      for (const [yp, fromLogits] of [
        [big, true],
        [edge, false],
      ] as const) {
        for (const labelSmoothing of [0, 0.1]) {
          const o = { gamma, fromLogits, labelSmoothing };
          const v = take(categoricalFocalCrossentropy(yt, yp, o));
          const g = take(tf.grad((p: Tensor) => categoricalFocalCrossentropy(yt, p, o))(yp));
          for (const x of [...v, ...g]) expect(Number.isFinite(x), `${JSON.stringify(o)}: ${x}`).toBe(true);
        }
      }
    }
    // A confidently wrong logit is capped by the clip (Keras goes through softmax + clip): α·(1 − ε)^γ·16.118.
    const y1 = tf.tensor2d([[0, 1]]);
    const x1 = tf.tensor2d([[100, -100]]);
    expectAllClose(
      take(categoricalFocalCrossentropy(y1, x1, { fromLogits: true, gamma: 0, alpha: 1 })),
      -Math.log(Math.fround(1e-7)),
    );
    tf.dispose([yt, big, edge, y1, x1]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1, 0]]);
    const yp = tf.tensor2d([[0.2, 0.5, 0.3]]);
    const f =
      (o: unknown, a: Tensor = yt, b: Tensor = yp) =>
      () =>
        categoricalFocalCrossentropy(a, b, o as Opts);
    expectThrows(f({ alpah: 0.5 }), /categoricalFocalCrossentropy/, /unknown option 'alpah'/, /'alpha'/);
    expectThrows(f({ alpha: -0.5 }), /categoricalFocalCrossentropy/, /alpha/);
    expectThrows(f({ alpha: [0.5, -1, 1] }), /categoricalFocalCrossentropy/, /alpha/);
    expectThrows(f({ alpha: 'high' }), /categoricalFocalCrossentropy/, /alpha/, /array of numbers/);
    expectThrows(f({ alpha: [1, 2] }), /categoricalFocalCrossentropy/, /alpha/, /2 per-class/, /\[1,3\]/);
    expectThrows(f({ gamma: -2 }), /categoricalFocalCrossentropy/, /gamma/);
    expectThrows(f({ labelSmoothing: 1.5 }), /categoricalFocalCrossentropy/, /labelSmoothing/, /\[0, 1\]/);
    expectThrows(f({ fromLogits: 'true' }), /categoricalFocalCrossentropy/, /fromLogits/, /boolean/);
    // Per-class alpha against a non-last class axis must still match the last axis (Keras broadcasting).
    const a3 = tf.zeros([2, 3, 4]);
    const b3 = tf.ones([2, 3, 4]);
    expectThrows(
      f({ axis: 1, alpha: [1, 2, 3] }, a3, b3),
      /categoricalFocalCrossentropy/,
      /3 per-class/,
      /\[2,3,4\]/,
    );
    const other = tf.tensor2d([[0.2, 0.5, 0.2, 0.1]]);
    expectThrows(f({}, yt, other), /categoricalFocalCrossentropy/, /\[1,3\]/, /\[1,4\]/);
    tf.dispose([yt, yp, other, a3, b3]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 0]]);
    const yp = tf.tensor2d([[0.2, 0.5, 0.3]]);
    const sw = tf.tensor1d([2]);
    expectTidy(() => categoricalFocalCrossentropy(yt, yp));
    expectTidy(() =>
      categoricalFocalCrossentropy(yt, yp, { alpha: [1, 2, 3], fromLogits: true, sampleWeight: sw }),
    );
    expectTidy(() => categoricalFocalCrossentropy(yt, yp, { labelSmoothing: 0.2, reduction: 'none' }));
    tf.dispose([yt, yp, sw]);
  });
});
