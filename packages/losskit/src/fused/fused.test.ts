import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import type { Loss } from '../core/define-loss.ts';
import {
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from '../losses/classification/index.ts';
import { huber, meanAbsoluteError, meanSquaredError } from '../losses/regression/index.ts';
import { combo } from '../losses/segmentation/combo.ts';
import { dice, focalTversky, jaccard, tversky } from '../losses/segmentation/index.ts';
import { expectAllClose, expectTidy } from '../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../test/helpers/backends.ts';
import { tf, type Tensor } from '../tf.ts';
import { fusedCallCount, fusedKernelsEnabled, setFusedKernels } from '../core/fused-switch.ts';
import { meterBuffers } from '../../bench/buffer-meter.mjs';
import { defineFusedKernel } from './registry.ts';
import { heapHolding, setWasmKernels, wasmKernels } from './wasm.ts';

type Opts = Record<string, unknown>;
interface Case {
  readonly name: string;
  readonly loss: Loss<never>;
  readonly options?: Opts;
  readonly shape: readonly number[];
  /** yTrue of the shape (or labels), yPred of the shape; edge values included. */
  readonly make: (r: () => number, n: number) => { t: number[]; p: number[]; tShape?: number[] };
  readonly weight?: (shape: readonly number[]) => Tensor;
}

const uniform = (r: () => number, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + (hi - lo) * r());
const binary = (r: () => number, n: number, frac = 0.3) =>
  Array.from({ length: n }, () => (r() < frac ? 1 : 0));
/** Probabilities with exact 0s and 1s mixed in. */
const probs = (r: () => number, n: number) =>
  Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : r()));
/** Logits, a few large enough to saturate float32's sigmoid. */
const logits = (r: () => number, n: number) =>
  Array.from({ length: n }, (_, i) => (i % 13 === 0 ? (i % 2 ? 30 : -30) : 8 * r() - 4));
const regression = (r: () => number, n: number) => {
  const t = uniform(r, n, -2, 2);
  // Every fifth prediction ties its target (MAE's and Huber's kink).
  return { t, p: t.map((v, i) => (i % 5 === 0 ? v : v + 3 * r() - 1.5)) };
};
const oneHot = (r: () => number, rows: number, C: number) =>
  Array.from({ length: rows }, () => Math.floor(C * r())).flatMap((k) =>
    Array.from({ length: C }, (_, c) => (c === k ? 1 : 0)),
  );
/** A binary mask whose first sample is empty (the empty-mask edge of the region losses). */
const maskWithEmpty = (r: () => number, n: number, B: number) =>
  binary(r, n).map((v, i) => (i < n / B ? 0 : v));

/** Three channels (the JS kernel's interleaved groups) and one channel of 99 pixels (SIMD ranges with a tail). */
const SEG = [2, 6, 5, 3];
const SEG1 = [2, 9, 11, 1];
const CASES: Case[] = [
  { name: 'mse', loss: meanSquaredError, shape: [50, 3], make: regression },
  {
    name: 'mse sum',
    loss: meanSquaredError,
    options: { reduction: 'sum' },
    shape: [5, 7, 5],
    make: regression,
  },
  {
    name: 'mse per-sample weights, mean_with_sample_weight',
    loss: meanSquaredError,
    options: { reduction: 'mean_with_sample_weight' },
    shape: [8, 3],
    make: regression,
    weight: () => tf.tensor1d([0, 1, 2, 0.5, 3, 1, 1, 0.25]),
  },
  { name: 'mae', loss: meanAbsoluteError, shape: [50, 3], make: regression },
  {
    name: 'mae scalar weight',
    loss: meanAbsoluteError,
    shape: [50, 3],
    make: regression,
    weight: () => tf.scalar(2.5),
  },
  { name: 'huber', loss: huber, options: { delta: 0.5 }, shape: [50, 3], make: regression },
  {
    name: 'bce probabilities',
    loss: binaryCrossentropy,
    shape: [77, 2],
    make: (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
  },
  {
    name: 'bce probabilities, soft targets, label smoothing, epsilon',
    loss: binaryCrossentropy,
    options: { labelSmoothing: 0.1, epsilon: 1e-4 },
    shape: [77, 2],
    make: (r, n) => ({ t: uniform(r, n, 0, 1), p: probs(r, n) }),
  },
  {
    name: 'bce logits',
    loss: binaryCrossentropy,
    options: { fromLogits: true },
    shape: [301, 1],
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
  {
    name: 'bce activation sigmoid, weights [B, 1]',
    loss: binaryCrossentropy,
    options: { activation: 'sigmoid' },
    shape: [8, 4],
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
    weight: () => tf.tensor2d([1, 2, 0, 1, 1, 3, 1, 0.5], [8, 1]),
  },
  {
    name: 'focal probabilities',
    loss: binaryFocalCrossentropy,
    shape: [77, 2],
    make: (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
  },
  {
    name: 'focal logits, balancing, gamma 0.5',
    loss: binaryFocalCrossentropy,
    options: { fromLogits: true, applyClassBalancing: true, alpha: 0.3, gamma: 0.5 },
    shape: [301, 1],
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
  {
    name: 'focal logits, gamma 3, label smoothing',
    loss: binaryFocalCrossentropy,
    options: { fromLogits: true, gamma: 3, labelSmoothing: 0.2 },
    shape: [40, 4],
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
  {
    name: 'cce logits',
    loss: categoricalCrossentropy,
    options: { fromLogits: true },
    shape: [60, 4],
    make: (r, n) => ({ t: oneHot(r, n / 4, 4), p: logits(r, n) }),
  },
  {
    name: 'cce logits, soft targets, label smoothing',
    loss: categoricalCrossentropy,
    options: { fromLogits: true, labelSmoothing: 0.1 },
    shape: [4, 3, 5],
    make: (r, n) => ({ t: uniform(r, n, 0, 0.4), p: logits(r, n) }),
  },
  {
    name: 'scce logits',
    loss: sparseCategoricalCrossentropy,
    options: { fromLogits: true },
    shape: [60, 4],
    make: (r, n) => ({ t: uniform(r, n / 4, 0, 4).map(Math.floor), p: logits(r, n), tShape: [n / 4] }),
  },
  {
    name: 'dice probabilities, empty mask',
    loss: dice,
    shape: SEG1,
    make: (r, n) => ({ t: maskWithEmpty(r, n, 2), p: probs(r, n) }),
  },
  {
    name: 'dice sigmoid, squaredPred, smp preset, logLoss',
    loss: dice,
    options: { activation: 'sigmoid', squaredPred: true, preset: 'smp', logLoss: true },
    shape: SEG1,
    make: (r, n) => ({ t: maskWithEmpty(r, n, 2), p: logits(r, n) }),
  },
  {
    name: 'dice no background, class weights, sum',
    loss: dice,
    options: { includeBackground: false, classWeights: [2, 0.5], reduction: 'sum' },
    shape: SEG,
    make: (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
  },
  {
    name: 'jaccard sigmoid, reduceChannels',
    loss: jaccard,
    options: { activation: 'sigmoid', reduceChannels: true },
    shape: SEG,
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
  {
    name: 'tversky sigmoid',
    loss: tversky,
    options: { activation: 'sigmoid' },
    shape: SEG1,
    make: (r, n) => ({ t: maskWithEmpty(r, n, 2), p: logits(r, n) }),
  },
  {
    name: 'tversky keras preset',
    loss: tversky,
    options: { preset: 'keras', alpha: 0.6, beta: 0.4 },
    shape: SEG1,
    make: (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
  },
  {
    name: 'focalTversky sigmoid',
    loss: focalTversky,
    options: { activation: 'sigmoid' },
    shape: SEG1,
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
  {
    name: 'focalTversky powerAfterMean, invertGamma',
    loss: focalTversky,
    options: { powerAfterMean: true, gamma: 0.75, invertGamma: true },
    shape: SEG,
    make: (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
  },
  {
    name: 'combo probabilities',
    loss: combo,
    shape: SEG1,
    make: (r, n) => ({ t: maskWithEmpty(r, n, 2), p: probs(r, n) }),
  },
  {
    name: 'combo sigmoid, alpha, ceRatio, reduceBatch',
    loss: combo,
    options: { activation: 'sigmoid', alpha: 0.7, ceRatio: 0.3, reduceBatch: true },
    shape: SEG1,
    make: (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
  },
];

/** Value and gradient with respect to yPred, and whether a fused kernel ran. */
function run(
  c: Case,
  seed: number,
  fused: boolean,
): { value: number; grad: Float32Array; tookFused: boolean } {
  const size = c.shape.reduce((a, d) => a * d, 1);
  const { t, p, tShape } = c.make(mulberry32(seed), size);
  const yt = tf.tensor(t, tShape ?? [...c.shape]);
  const yp = tf.tensor(p, [...c.shape]);
  const w = c.weight?.(c.shape);
  const bound = c.loss.bind(c.options as never);
  setFusedKernels(fused);
  const before = fusedCallCount();
  try {
    const { value, grad } = tf.valueAndGrad((x: Tensor) => bound(yt, x, w) as tf.Scalar)(yp);
    const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
    tf.dispose([value, grad]);
    return { ...out, tookFused: fusedCallCount() > before };
  } finally {
    setFusedKernels(true);
    tf.dispose([yt, yp, ...(w ? [w] : [])]);
  }
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe.each(BACKENDS)('fused kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => {
    setFusedKernels(true);
  });

  it('loads the SIMD kernels synchronously in Node', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: fused equals composed (SIMD and JS kernels)',
    (_, c) => {
      for (const [seed, simd] of [
        [1, true],
        [2, true],
        [3, false],
        [4, false],
      ] as const) {
        setWasmKernels(simd);
        const f = run(c, seed, true);
        const ref = run(c, seed, false);
        expect(f.tookFused, 'fused path taken').toBe(true);
        expect(ref.tookFused, 'composed path when switched off').toBe(false);
        // The composed path accumulates in float32 (wasm: sequentially), the kernels in float64.
        expectAllClose(f.value, ref.value, { rtol: 2e-5, atol: 1e-6 });
        expectAllClose(f.grad, ref.grad, { rtol: 1e-4, atol: 2e-5 * Math.max(maxAbs(ref.grad), 1e-3) });
      }
      setWasmKernels(true);
    },
  );

  it('equals composed on large tensors: several scratch chunks, in place on wasm, a partial last block', () => {
    const big = (c: Case, shape: number[]): Case => ({ ...c, name: `${c.name} ${shape.join('×')}`, shape });
    const byName = (name: string): Case => CASES.find((c) => c.name === name)!;
    const cases = [
      big(byName('mse'), [13_337, 3]),
      big(byName('bce logits'), [40_009, 1]),
      big(byName('focal logits, balancing, gamma 0.5'), [20_011, 2]),
      big(byName('cce logits'), [9_001, 4]),
      big(byName('scce logits'), [9_001, 4]),
      big(byName('dice sigmoid, squaredPred, smp preset, logLoss'), [2, 20_003, 1]),
      big(byName('combo sigmoid, alpha, ceRatio, reduceBatch'), [2, 17_011, 1]),
    ];
    for (const c of cases) {
      const f = run(c, 21, true);
      const ref = run(c, 21, false);
      expect(f.tookFused, c.name).toBe(true);
      expectAllClose(f.value, ref.value, { rtol: 1e-4, atol: 1e-6 });
      expectAllClose(f.grad, ref.grad, { rtol: 1e-4, atol: 2e-5 * Math.max(maxAbs(ref.grad), 1e-3) });
    }
  });

  it('scales its gradient by an upstream dy ≠ 1, and two fused calls on one tape each get theirs', () => {
    const n = 1000;
    const yt = tf.tensor(binary(mulberry32(31), n), [1, n, 1]);
    const yp = tf.tensor(uniform(mulberry32(32), n, -3, 3), [1, n, 1]);
    const grad = (f: (x: Tensor) => Tensor): Float32Array => {
      const g = tf.grad(f)(yp);
      const out = g.dataSync() as Float32Array;
      g.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const sig = { activation: 'sigmoid' } as const;
    const bce = (x: Tensor) => binaryCrossentropy(yt, x, { fromLogits: true });
    const scaledFused = grad((x) => tf.mul(bce(x), 2.5));
    const twoFused = grad((x) => tf.add(dice(yt, x, sig), tf.mul(dice(yt, x, sig), 3)));
    setFusedKernels(false);
    const scaledComposed = grad((x) => tf.mul(bce(x), 2.5));
    const twoComposed = grad((x) => tf.mul(dice(yt, x, sig), 4));
    setFusedKernels(true);
    expect(tf.memory().numTensors).toBe(before);
    expectAllClose(scaledFused, scaledComposed, { rtol: 1e-4, atol: 1e-7 });
    expectAllClose(twoFused, twoComposed, { rtol: 1e-4, atol: 1e-7 });
    tf.dispose([yt, yp]);
  });

  it('falls back to the composed path outside the supported subset, with the same results', () => {
    const fallbacks: Case[] = [
      { ...CASES[0], name: 'mse none', options: { reduction: 'none' } },
      { ...CASES[6], name: 'bce ignoreIndex', options: { ignoreIndex: 0.5 } },
      { ...CASES[6], name: 'bce axis 0', options: { axis: 0 } },
      { ...CASES[13], name: 'cce probabilities', options: {} },
      {
        ...CASES[3],
        name: 'mae broadcast weight',
        weight: () => tf.tensor2d([1, 2, 3], [1, 3]),
        shape: [4, 3, 3],
      },
      { ...CASES[16], name: 'dice ignoreIndex', options: { ignoreIndex: 5 } },
      { ...CASES[16], name: 'dice reduction none', options: { reduction: 'none' } },
    ];
    for (const c of fallbacks) {
      const size = c.shape.reduce((a, d) => a * d, 1);
      const { t, p } = c.make(mulberry32(7), size);
      const yt = tf.tensor(t, [...c.shape]);
      const yp = tf.tensor(p, [...c.shape]);
      const w = c.weight?.(c.shape);
      const before = fusedCallCount();
      const v = c.loss.bind(c.options as never)(yt, yp, w);
      expect(fusedCallCount(), c.name).toBe(before);
      tf.dispose([v, yt, yp, ...(w ? [w] : [])]);
    }
  });

  it('keeps error messages: shape and option errors are the composed path’s', () => {
    const yt = tf.zeros([2, 3]);
    const yp = tf.zeros([2, 4]);
    expect(() => meanSquaredError(yt, yp)).toThrow(/meanSquaredError/);
    expect(() => dice(tf.zeros([1, 4, 1]), tf.zeros([1, 4, 2]))).toThrow(/dice: yTrue shape/);
    expect(() => combo(tf.zeros([1, 4, 1]), tf.zeros([1, 4, 1]), { sampleWeight: tf.scalar(1) })).toThrow(
      /combo: sampleWeight is not supported/,
    );
    expect(() => dice(tf.zeros([1, 4, 2]), tf.zeros([1, 4, 2]), { classWeights: [1, 2, 3] })).toThrow(
      /classWeights/,
    );
    tf.dispose([yt, yp]);
  });

  it('is tidy: a fused call leaves only its result, and a gradient only the gradient', () => {
    for (const c of CASES) {
      const size = c.shape.reduce((a, d) => a * d, 1);
      const { t, p, tShape } = c.make(mulberry32(5), size);
      const yt = tf.tensor(t, tShape ?? [...c.shape]);
      const yp = tf.tensor(p, [...c.shape]);
      const w = c.weight?.(c.shape);
      const bound = c.loss.bind(c.options as never);
      expectTidy(() => bound(yt, yp, w));
      const before = tf.memory().numTensors;
      const g = tf.grad((x: Tensor) => bound(yt, x, w))(yp);
      expect(tf.memory().numTensors, c.name).toBe(before + 1);
      tf.dispose([g, yt, yp, ...(w ? [w] : [])]);
    }
  });

  it('allocates no more buffer memory than the gradient (plus a few scalars)', () => {
    // Under a tape the engine keeps a clone of the gradient for the backward pass: on cpu it shares the buffer,
    // on wasm (whose Identity kernel copies) it is a second buffer until the op has freed the first.
    const copies = backend === 'wasm' ? 2 : 1;
    for (const c of [CASES[8], CASES[11], CASES[13], CASES[20], CASES[25]]) {
      const shape = c.shape.length === 4 ? [2, 64, 64, c.shape[3]] : [4096, c.shape[c.shape.length - 1]];
      const size = shape.reduce((a, d) => a * d, 1);
      const { t, p } = c.make(mulberry32(9), size);
      const yt = tf.tensor(t, shape);
      const yp = tf.tensor(p, shape);
      const bound = c.loss.bind(c.options as never);
      tf.dispose(bound(yt, yp));
      const start = tf.memory().numBytes;
      // Physical buffers, counted once each from allocation to release, over the whole forward and backward pass.
      const m = meterBuffers(() => tf.valueAndGrad((x: Tensor) => bound(yt, x) as tf.Scalar)(yp));
      expect(m.peak, c.name).toBeLessThanOrEqual(copies * 4 * size + 256);
      expect(m.held, c.name).toBeGreaterThanOrEqual(4 * size);
      // After the call tf.memory agrees: the value and the gradient, nothing else.
      expect(tf.memory().numBytes - start, c.name).toBe(m.held);
      tf.dispose([m.result.value, m.result.grad, yt, yp]);
    }
  });

  it('the buffer meter sees what the composed path allocates (a test that can fail)', () => {
    setFusedKernels(false);
    const yt = tf.tensor(binary(mulberry32(3), 4096), [4096, 1]);
    const yp = tf.tensor(uniform(mulberry32(4), 4096, -3, 3), [4096, 1]);
    const m = meterBuffers(() =>
      tf.valueAndGrad((x: Tensor) => binaryCrossentropy(yt, x, { fromLogits: true }) as tf.Scalar)(yp),
    );
    setFusedKernels(true);
    expect(m.peak).toBeGreaterThan(4 * 4 * 4096);
    tf.dispose([m.result.value, m.result.grad, yt, yp]);
  });

  it('trains through tf.variableGrads and optimizer.minimize exactly as the composed loss', () => {
    const x = tf.tensor2d(uniform(mulberry32(11), 32, -1, 1), [8, 4]);
    const y = tf.tensor2d(binary(mulberry32(12), 16), [8, 2]);
    const train = (fused: boolean): Float32Array => {
      setFusedKernels(fused);
      const w = tf.variable(tf.tensor2d(uniform(mulberry32(13), 8, -0.5, 0.5), [4, 2]));
      const opt = tf.train.sgd(0.5);
      for (let i = 0; i < 5; i++) {
        opt.minimize(() => binaryCrossentropy(y, tf.matMul(x, w), { fromLogits: true }) as tf.Scalar);
      }
      const { value, grads } = tf.variableGrads(
        () => binaryFocalCrossentropy(y, tf.matMul(x, w), { fromLogits: true }) as tf.Scalar,
      );
      const out = w.dataSync().slice() as Float32Array;
      tf.dispose([value, ...Object.values(grads), w]);
      opt.dispose();
      setFusedKernels(true);
      return out;
    };
    expectAllClose(train(true), train(false), { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([x, y]);
  });

  it('a NaN or ±Infinity in yPred or yTrue gives the composed result at 63, 64, 65 and 65 536 elements', () => {
    // Every Keras-family fused loss; rows of 1 (element-wise kernels) or of C classes. The composed path (fused
    // switched off) is the reference; the fused path must decline (value not finite), not return its own number.
    const keras: [
      string,
      Loss<never>,
      Opts,
      number,
      (r: () => number, n: number) => { t: number[]; p: number[] },
    ][] = [
      ['mse', meanSquaredError, {}, 1, regression],
      ['mae', meanAbsoluteError, {}, 1, regression],
      ['huber', huber, { delta: 0.5 }, 1, regression],
      ['bce probabilities', binaryCrossentropy, {}, 1, (r, n) => ({ t: binary(r, n), p: probs(r, n) })],
      [
        'bce logits',
        binaryCrossentropy,
        { fromLogits: true },
        1,
        (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
      ],
      [
        'focal probabilities',
        binaryFocalCrossentropy,
        {},
        1,
        (r, n) => ({ t: binary(r, n), p: probs(r, n) }),
      ],
      [
        'focal logits, gamma 0.5, balancing',
        binaryFocalCrossentropy,
        { fromLogits: true, gamma: 0.5, applyClassBalancing: true },
        1,
        (r, n) => ({ t: binary(r, n), p: logits(r, n) }),
      ],
      [
        'cce logits',
        categoricalCrossentropy,
        { fromLogits: true },
        4,
        (r, n) => ({ t: oneHot(r, n / 4, 4), p: logits(r, n) }),
      ],
      [
        'cce logits, 3 classes, label smoothing',
        categoricalCrossentropy,
        { fromLogits: true, labelSmoothing: 0.1 },
        3,
        (r, n) => ({ t: oneHot(r, n / 3, 3), p: logits(r, n) }),
      ],
      [
        'scce logits',
        sparseCategoricalCrossentropy,
        { fromLogits: true },
        4,
        (r, n) => ({ t: uniform(r, n / 4, 0, 4).map(Math.floor), p: logits(r, n) }),
      ],
    ];
    const evaluate = (loss: Loss<never>, o: Opts, t: Tensor, p: Tensor, fused: boolean) => {
      setFusedKernels(fused);
      const before = fusedCallCount();
      try {
        const { value, grad } = tf.valueAndGrad((x: Tensor) => loss.bind(o as never)(t, x) as tf.Scalar)(p);
        const out = { value: value.dataSync()[0], grad: grad.dataSync(), took: fusedCallCount() > before };
        tf.dispose([value, grad]);
        return out;
      } finally {
        setFusedKernels(true);
      }
    };
    for (const [name, loss, o, D, make] of keras) {
      const sparse = loss === sparseCategoricalCrossentropy;
      for (const target of [63, 64, 65, 65_536]) {
        const rows = Math.max(1, Math.round(target / D));
        const n = rows * D;
        const { t, p } = make(mulberry32(target), n);
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const where of sparse ? ['yPred'] : ['yPred', 'yTrue']) {
            // The last element (the kernels' partial block) and one inside the whole blocks (only the latter at
            // 65 536, where the composed reference is slow).
            for (const at of n > 1000 ? [Math.floor(n / 2)] : [n - 1, Math.floor(n / 2)]) {
              const tt = [...t];
              const pp = [...p];
              (where === 'yPred' ? pp : tt)[at] = bad;
              const yt = tf.tensor(tt, sparse ? [rows] : [rows, D]);
              const yp = tf.tensor(pp, [rows, D]);
              const label = `${name} n=${n} ${where}[${at}] = ${bad}`;
              const f = evaluate(loss, o, yt, yp, true);
              const ref = evaluate(loss, o, yt, yp, false);
              expect(f.took, `${label}: the fused path declines`).toBe(false);
              expectAllClose(f.value, ref.value, { rtol: 0, atol: 0 });
              expectAllClose(f.grad, ref.grad, { rtol: 0, atol: 0 });
              tf.dispose([yt, yp]);
            }
          }
        }
        // The same inputs without the non-finite element take the fused path.
        const yt = tf.tensor(t, sparse ? [rows] : [rows, D]);
        const yp = tf.tensor(p, [rows, D]);
        expect(evaluate(loss, o, yt, yp, true).took, `${name} n=${n} finite`).toBe(true);
        tf.dispose([yt, yp]);
      }
    }
  });

  it('exports a switch that reports its state', () => {
    setFusedKernels(false);
    expect(fusedKernelsEnabled()).toBe(false);
    setFusedKernels(true);
    expect(fusedKernelsEnabled()).toBe(true);
  });
});

describe('fused kernels on the wasm backend’s memory', () => {
  beforeAll(() => useBackend('wasm'));

  it('runs the SIMD kernels in place on the wasm backend’s memory: inputs and gradient are views of it', () => {
    const seen: boolean[] = [];
    const probe = defineFusedKernel<{ k: number }>('LosskitTestInPlace', (x, t, a, g) => {
      seen.push(heapHolding(x, t, g) !== null);
      g.set(x);
      return a.k;
    });
    const yp = tf.tensor(uniform(mulberry32(2), 1000, -2, 2), [1000, 1]);
    const yt = tf.tensor(binary(mulberry32(3), 1000), [1000, 1]);
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((x: Tensor) => probe(x, yt, { k: 3 })!)(yp);
    expect(seen).toEqual([true]);
    expect(value.dataSync()[0]).toBe(3);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(yp.dataSync()));
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([yp, yt]);
  });

  it('frees the gradient of a forward pass under a tape that is never differentiated (a metric, say)', () => {
    const n = 4096;
    const yt = tf.tensor(binary(mulberry32(6), n), [n, 1]);
    const yp = tf.tensor(uniform(mulberry32(7), n, -2, 2), [n, 1]);
    // Warm: the first fused call on a backend sets up the kernels' scratch block in its memory.
    tf.dispose(meanSquaredError(yt, yp));
    const m = meterBuffers(() => {
      const r = tf.valueAndGrad((x: Tensor) => {
        tf.dispose(binaryCrossentropy(yt, x, { fromLogits: true }));
        return meanSquaredError(yt, x) as tf.Scalar;
      })(yp);
      // The engine frees the bce gradient it saved when the tape ends; a forward-only call keeps none.
      const later = meanSquaredError(yt, yp);
      return [r.value, r.grad, later];
    });
    // The mse gradient and two scalars; the unused bce gradient is gone.
    expect(m.held).toBeGreaterThanOrEqual(4 * n);
    expect(m.held).toBeLessThanOrEqual(4 * n + 256);
    tf.dispose([...m.result, yt, yp]);
  });
});
