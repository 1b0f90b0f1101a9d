import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import type { CallOptions } from '../../core/define-loss.ts';
import { binaryFocalCrossentropy, type BinaryFocalCrossentropyOptions } from './binary-focal-crossentropy.ts';
import { binaryCrossentropy } from './binary-crossentropy.ts';
import { binaryFocalCrossentropy64 } from '../../../test/reference/binary-focal-crossentropy.ts';
import { CLIP_HI, CLIP_LO, reduce64, sum64 } from '../../../test/reference/classification-common.ts';

type Opts = CallOptions<BinaryFocalCrossentropyOptions>;

function run(yt: number[], yp: number[], shape: number[], o: Opts = {}): number[] {
  return runLoss(binaryFocalCrossentropy, yt, yp, shape, o);
}

/** Probabilities in [0.05, 0.95]: away from the clip and from p_t = 1. */
function probs(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 0.05 + 0.9 * r());
}
function logits(seed: number, n: number, scale = 4): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** (1 − p_t)^γ · bce for a hard label, by hand. */
const focal = (y: number, p: number, g: number) =>
  y === 1 ? (1 - p) ** g * -Math.log(p) : p ** g * -Math.log(1 - p);

describe.each(BACKENDS)('binaryFocalCrossentropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches hand-derived values on probabilities', () => {
    // Keras test_no_reduction, γ = 2: y = [[1,0],[1,0]], p = [[0.9,0.8],[0.7,0.2]];
    // element (1 − p_t)²·bce: 0.1²·(−ln 0.9), 0.8²·(−ln 0.2), 0.3²·(−ln 0.7), 0.2²·(−ln 0.8), then a row mean.
    const yt = [1, 0, 1, 0];
    const yp = [0.9, 0.8, 0.7, 0.2];
    const rows = [(focal(1, 0.9, 2) + focal(0, 0.8, 2)) / 2, (focal(1, 0.7, 2) + focal(0, 0.2, 2)) / 2];
    expectAllClose(run(yt, yp, [2, 2], { reduction: 'none' }), rows);
    expectAllClose(rows, [0.515547, 0.020513], { rtol: 1e-5 }); // the Keras literal, as a check of the hand sums
    expectAllClose(run(yt, yp, [2, 2], { gamma: 3, reduction: 'sum' }), [
      focal(1, 0.9, 3) / 2 + focal(0, 0.8, 3) / 2 + focal(1, 0.7, 3) / 2 + focal(0, 0.2, 3) / 2,
    ]);
  });

  it('balances classes with α for positives and 1 − α for negatives, only when asked', () => {
    const yt = [1, 0, 1, 0];
    const yp = [0.9, 0.8, 0.7, 0.2];
    const o = { applyClassBalancing: true, alpha: 0.6, gamma: 2, reduction: 'none' } as const;
    const want = [
      (0.6 * focal(1, 0.9, 2) + 0.4 * focal(0, 0.8, 2)) / 2,
      (0.6 * focal(1, 0.7, 2) + 0.4 * focal(0, 0.2, 2)) / 2,
    ];
    expectAllClose(run(yt, yp, [2, 2], o), want);
    // Without applyClassBalancing, alpha changes nothing.
    expectAllClose(
      run(yt, yp, [2, 2], { alpha: 0.9, reduction: 'none' }),
      run(yt, yp, [2, 2], { alpha: 0.1, reduction: 'none' }),
    );
  });

  it('smooths labels first, as y(1 − ls) + ls/2, for both bce and p_t', () => {
    // ls = 0.2: y = 1 → 0.9; p = 0.7: p_t = 0.9·0.7 + 0.1·0.3 = 0.66; bce = −(0.9 ln 0.7 + 0.1 ln 0.3).
    const bce = -(0.9 * Math.log(0.7) + 0.1 * Math.log(0.3));
    const w = 0.9 * 0.25 + 0.1 * 0.75; // class balancing with the smoothed y
    expectAllClose(run([1], [0.7], [1, 1], { labelSmoothing: 0.2, reduction: 'none' }), [0.34 ** 2 * bce]);
    expectAllClose(
      run([1], [0.7], [1, 1], { labelSmoothing: 0.2, applyClassBalancing: true, reduction: 'none' }),
      [w * 0.34 ** 2 * bce],
    );
  });

  it('from logits applies a sigmoid, then the clipped probability BCE (Keras 3)', () => {
    const x = [1.5, -2.7, 2.9, -3.8, 1.2, -4.5];
    const yt = [1, 1, 0, 0, 1, 0];
    const want = x.map((v, i) => focal(yt[i], sigmoid(v), 3));
    expectAllClose(run(yt, x, [6, 1], { fromLogits: true, gamma: 3, reduction: 'none' }), want, {
      rtol: 2e-5,
    });
    // A confidently wrong logit: sigmoid(−30) ≈ 9e-14 is clipped to ε, so bce = −ln ε = 16.118, not 30;
    // γ = 0 makes the focal factor 1. binaryCrossentropy's exact logit path gives 30.
    expectAllClose(run([1], [-30], [1, 1], { fromLogits: true, gamma: 0 }), -Math.log(CLIP_LO));
    const a = tf.tensor2d([[1]]);
    const b = tf.tensor2d([[-30]]);
    expectAllClose(take(binaryCrossentropy(a, b, { fromLogits: true })), 30);
    tf.dispose([a, b]);
  });

  it('averages over another axis when asked', () => {
    const shape = [2, 3, 2];
    const yt = [1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1];
    const yp = probs(8, 12);
    const got = run(yt, yp, shape, { axis: 1, reduction: 'none' });
    expect(got.length).toBe(4);
    expectAllClose(got, binaryFocalCrossentropy64(yt, yp, shape, { axis: 1 }));
  });

  it('equals binaryCrossentropy with γ = 0 and no class balancing', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0];
    const yp = probs(12, 12);
    const x = logits(13, 12);
    const a = tf.tensor(yt, shape);
    for (const labelSmoothing of [0, 0.1]) {
      for (const [v, fromLogits] of [
        [yp, false],
        [x, true],
      ] as const) {
        const b = tf.tensor(v, shape);
        const bce = Array.from(
          take(binaryCrossentropy(a, b, { labelSmoothing, fromLogits, reduction: 'none' })),
        );
        // From logits the two agree away from the clip (|x| ≤ 4 here), to float32 error.
        expectAllClose(run(yt, v, shape, { gamma: 0, labelSmoothing, fromLogits, reduction: 'none' }), bce, {
          rtol: 1e-5,
          atol: 1e-6,
        });
        b.dispose();
      }
    }
    a.dispose();
  });

  it('agrees from logits and from sigmoid probabilities', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0];
    const x = logits(31, 12, 6);
    const sig = x.map(sigmoid);
    const o = { gamma: 1.5, applyClassBalancing: true, alpha: 0.3, reduction: 'none' } as const;
    expectAllClose(run(yt, x, shape, { ...o, fromLogits: true }), run(yt, sig, shape, o), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  });

  it("reduces with 'sum', 'none', 'sum_over_batch_size' and 'mean_with_sample_weight'", () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0];
    const yp = probs(14, 12);
    const per = binaryFocalCrossentropy64(yt, yp, shape);
    const w = [0.8, 0.2, 2];
    for (const reduction of ['sum', 'none', 'sum_over_batch_size', 'mean_with_sample_weight'] as const) {
      const sampleWeight = tf.tensor1d(w);
      expectAllClose(run(yt, yp, shape, { reduction, sampleWeight }), reduce64(per, reduction, w));
      sampleWeight.dispose();
    }
  });

  it('has the gradient of its float64 oracle for every option', () => {
    const shape = [3, 4];
    const yt = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0];
    const ytT = tf.tensor(yt, shape);
    const cases: BinaryFocalCrossentropyOptions[] = [
      {},
      { gamma: 0 },
      { gamma: 0.5, labelSmoothing: 0.1 },
      { applyClassBalancing: true, alpha: 0.3, gamma: 3 },
      { fromLogits: true, gamma: 2 },
      { fromLogits: true, applyClassBalancing: true, labelSmoothing: 0.2, gamma: 1.5 },
      { axis: 0, gamma: 2.5 },
    ];
    for (const o of cases) {
      checkGradient({
        loss: (p: Tensor) => binaryFocalCrossentropy(ytT, p, { ...o, reduction: 'sum' }),
        oracle: (x) => sum64(binaryFocalCrossentropy64(yt, x, shape, o)),
        yPred: o.fromLogits ? logits(41, 12) : probs(41, 12),
        shape,
      });
    }
    ytT.dispose();
  });

  it('pins the focal factor’s derivative at a perfect prediction (1 − p_t = 0)', () => {
    // y = 1, p = 1 (and y = 0, p = 0): the clipped bce has gradient 0 there (the clip is active), so the
    // gradient is d/dp (1 − p_t)^γ · bce(clip p) with bce = −ln(0.99999988) = 1.19e-7 and d(1 − p_t)/dp = ∓1.
    // γ = 1: the factor's derivative is 1, gradient ∓1.19e-7. γ = 2: 0. γ = 0.5: the one-sided derivative
    // is +∞; losskit takes 0, so the gradient is 0 and finite.
    const bce = -Math.log(CLIP_HI);
    const yt = tf.tensor2d([[1], [0]]);
    const yp = tf.tensor2d([[1], [0]]);
    for (const [gamma, want] of [
      [1, [-bce, bce]],
      [2, [0, 0]],
      [0.5, [0, 0]],
      [0, [0, 0]],
    ] as const) {
      const g = take(tf.grad((p: Tensor) => binaryFocalCrossentropy(yt, p, { gamma, reduction: 'sum' }))(yp));
      expectAllClose(g, [...want], { rtol: 1e-3, atol: 1e-12 });
    }
    tf.dispose([yt, yp]);
  });

  it('stays finite at logits of ±100 and probabilities of exactly 0 and 1, gradients included', () => {
    const yt = tf.tensor2d([
      [1, 0, 1, 0],
      [0, 1, 1, 0],
    ]);
    const big = tf.tensor2d([
      [100, -100, -100, 100],
      [-100, 100, 100, -100],
    ]);
    const edge = tf.tensor2d([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]);
    for (const gamma of [0, 0.5, 1, 2]) {
      for (const extra of [{}, { applyClassBalancing: true, labelSmoothing: 0.1 }]) {
        for (const [yp, fromLogits] of [
          [big, true],
          [edge, false],
        ] as const) {
          const o = { gamma, fromLogits, ...extra };
          const v = take(binaryFocalCrossentropy(yt, yp, o));
          const g = take(tf.grad((p: Tensor) => binaryFocalCrossentropy(yt, p, o))(yp));
          for (const x of [...v, ...g]) expect(Number.isFinite(x), `${JSON.stringify(o)}: ${x}`).toBe(true);
        }
      }
    }
    // Perfect logits give (almost) nothing: Keras test_all_correct (γ = 2, from logits).
    expectAllClose(
      run([1, 0, 0, 0, 1, 0], [100, -100, -100, -100, 100, -100], [2, 3], { fromLogits: true }),
      0,
      { atol: 1e-6 },
    );
    tf.dispose([yt, big, edge]);
  });

  it('rejects bad options and mismatched shapes, naming what is wrong', () => {
    const yt = tf.tensor2d([[0, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5]]);
    const f = (o: unknown) => () => binaryFocalCrossentropy(yt, yp, o as Opts);
    expectThrows(f({ gama: 2 }), /binaryFocalCrossentropy/, /unknown option 'gama'/, /'gamma'/);
    expectThrows(f({ alpha: 1.5 }), /binaryFocalCrossentropy/, /alpha/, /\[0, 1\]/);
    expectThrows(f({ gamma: -1 }), /binaryFocalCrossentropy/, /gamma/, /\[0, ∞\]/);
    expectThrows(
      f({ applyClassBalancing: 'yes' }),
      /binaryFocalCrossentropy/,
      /applyClassBalancing/,
      /boolean/,
    );
    expectThrows(f({ labelSmoothing: 1.5 }), /binaryFocalCrossentropy/, /labelSmoothing/);
    expectThrows(f({ fromLogits: 1 }), /binaryFocalCrossentropy/, /fromLogits/);
    expectThrows(f({ axis: 5 }), /binaryFocalCrossentropy/, /axis/);
    const other = tf.tensor2d([[0.2, 0.5, 0.3]]);
    expectThrows(() => binaryFocalCrossentropy(yt, other), /binaryFocalCrossentropy/, /\[1,2\]/, /\[1,3\]/);
    tf.dispose([yt, yp, other]);
  });

  it('leaves only its result behind', () => {
    const yt = tf.tensor2d([[0, 1, 1]]);
    const yp = tf.tensor2d([[0.2, 0.5, 1]]);
    const sw = tf.tensor1d([2]);
    expectTidy(() => binaryFocalCrossentropy(yt, yp));
    expectTidy(() =>
      binaryFocalCrossentropy(yt, yp, {
        applyClassBalancing: true,
        gamma: 0.5,
        labelSmoothing: 0.1,
        sampleWeight: sw,
      }),
    );
    expectTidy(() => binaryFocalCrossentropy(yt, yp, { fromLogits: true, reduction: 'none' }));
    tf.dispose([yt, yp, sw]);
  });
});
