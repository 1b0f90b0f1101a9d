import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import type { Loss } from '../core/define-loss.ts';
import { combo } from '../losses/segmentation/combo.ts';
import {
  dice,
  focalTversky,
  generalizedDice,
  jaccard,
  logCoshDice,
  tversky,
} from '../losses/segmentation/index.ts';
import { expectAllClose } from '../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../test/helpers/backends.ts';
import { tf, type Tensor } from '../tf.ts';
import { fusedCallCount, setFusedKernels } from '../core/fused-switch.ts';
import { setWasmKernels } from './wasm.ts';
import { regionKernel, type RegionKernelArgs } from './region-kernel.ts';

type Opts = Record<string, unknown>;

interface Input {
  readonly shape: readonly number[];
  /** Dense targets `shape`, or labels `shape` without its last axis. */
  readonly t: number[];
  readonly tShape: readonly number[];
  readonly tDtype: 'float32' | 'int32';
  readonly p: number[];
}

/** Random inputs: logits in [−4, 4] (probabilities in [0, 1] without an activation), one-hot or soft targets. */
function makeInput(seed: number, shape: readonly number[], o: Opts, intLabels = false): Input {
  const r = mulberry32(seed);
  const C = shape[shape.length - 1];
  const n = shape.reduce((a, d) => a * d, 1);
  const rows = n / C;
  const logits = o.activation === 'sigmoid' || o.activation === 'softmax';
  const p = Array.from({ length: n }, () => (logits ? 8 * r() - 4 : r()));
  // Sample 0's class 1 (or its mask) is absent now and then: the empty-class and absent-weight edges.
  const label = (row: number) => {
    const l = Math.floor((C === 1 ? 2 : C) * r());
    return row < rows / shape[0] && l === 1 && r() < 0.7 ? 0 : l;
  };
  if (o.sparseLabels) {
    const t = Array.from({ length: rows }, (_, i) => label(i));
    return { shape, t, tShape: shape.slice(0, -1), tDtype: intLabels ? 'int32' : 'float32', p };
  }
  const soft = r() < 0.3;
  const t = Array.from({ length: rows }, (_, i) => label(i)).flatMap((k) =>
    Array.from({ length: C }, (_, c) => (soft ? r() : C === 1 ? k : c === k ? 1 : 0)),
  );
  return { shape, t, tShape: shape, tDtype: 'float32', p };
}

/** Value and gradient with respect to yPred, and whether a fused kernel ran. */
function run(
  loss: Loss<never>,
  options: Opts,
  input: Input,
  fused: boolean,
): { value: number; grad: Float32Array; tookFused: boolean } {
  const yt = tf.tensor(input.t, [...input.tShape], input.tDtype);
  const yp = tf.tensor(input.p, [...input.shape]);
  const bound = loss.bind(options as never);
  setFusedKernels(fused);
  const before = fusedCallCount();
  try {
    const { value, grad } = tf.valueAndGrad((x: Tensor) => bound(yt, x) as tf.Scalar)(yp);
    const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
    tf.dispose([value, grad]);
    return { ...out, tookFused: fusedCallCount() > before };
  } finally {
    setFusedKernels(true);
    tf.dispose([yt, yp]);
  }
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Fused against composed (the reference), with the tolerances of fused.test.ts. */
function expectSame(loss: Loss<never>, options: Opts, input: Input, label: string): void {
  const f = run(loss, options, input, true);
  const ref = run(loss, options, input, false);
  expect(ref.tookFused, 'composed path when switched off').toBe(false);
  // The composed path accumulates in float32 (wasm: sequentially), the kernels in float64.
  expectAllClose(f.value, ref.value, { rtol: 2e-5, atol: 1e-6 });
  try {
    expectAllClose(f.grad, ref.grad, { rtol: 1e-4, atol: 2e-5 * Math.max(maxAbs(ref.grad), 1e-3) });
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`, { cause: e });
  }
}

const LOSSES = {
  dice,
  jaccard,
  tversky,
  focalTversky,
  generalizedDice,
  logCoshDice,
  combo,
} as unknown as Record<string, Loss<never>>;

/** The options each loss declares, drawn at random (those it does not declare are left out). */
const common = {
  activation: fc.constantFrom('none', 'sigmoid', 'softmax'),
  sparseLabels: fc.boolean(),
  includeBackground: fc.boolean(),
  reduceBatch: fc.boolean(),
  reduceChannels: fc.boolean(),
  smoothNr: fc.constantFrom(1e-5, 0, 1),
  smoothDr: fc.constantFrom(1e-5, 1e-7, 1),
  reduction: fc.constantFrom('mean', 'sum'),
};
const score = {
  ...common,
  epsClamp: fc.constantFrom(0, 0, 1e-7, 0.5),
  maskEmptyClasses: fc.boolean(),
  classWeights: fc.boolean(),
};
const OPTIONS: Record<string, fc.Arbitrary<Opts>> = {
  dice: fc.record({ ...score, squaredPred: fc.boolean(), logLoss: fc.boolean() }),
  jaccard: fc.record({ ...score, squaredPred: fc.boolean(), logLoss: fc.boolean() }),
  tversky: fc.record({
    ...score,
    alpha: fc.constantFrom(0.3, 0.5, 0.7),
    beta: fc.constantFrom(0.7, 0.5, 0.2),
  }),
  focalTversky: fc.record({
    ...score,
    gamma: fc.constantFrom(0.75, 1, 2),
    powerAfterMean: fc.boolean(),
  }),
  generalizedDice: fc.record({
    activation: common.activation,
    sparseLabels: common.sparseLabels,
    includeBackground: common.includeBackground,
    reduceBatch: common.reduceBatch,
    reduction: common.reduction,
    weightType: fc.constantFrom('square', 'simple', 'uniform'),
  }),
  logCoshDice: fc.record({ ...score, squaredPred: fc.boolean() }),
  combo: fc.record({
    activation: common.activation,
    sparseLabels: common.sparseLabels,
    includeBackground: common.includeBackground,
    reduceBatch: common.reduceBatch,
    reduceChannels: common.reduceChannels,
    smoothNr: common.smoothNr,
    smoothDr: common.smoothDr,
    alpha: fc.constantFrom(0.5, 0.7),
    ceRatio: fc.constantFrom(0.5, 0.3),
  }),
};

/** Valid options for C channels: softmax needs C > 1; class weights one per kept channel, no reduceChannels. */
function fit(o: Opts, C: number): Opts {
  const out = { ...o };
  if (C === 1 && out.activation === 'softmax') out.activation = 'sigmoid';
  if (out.classWeights === true && !out.reduceChannels) {
    const kept = out.includeBackground === false && C > 1 ? C - 1 : C;
    out.classWeights = Array.from({ length: kept }, (_, i) => 0.5 + i);
  } else if ('classWeights' in out) out.classWeights = null;
  return out;
}

const shapes = fc
  .record({
    B: fc.constantFrom(1, 2, 3),
    C: fc.constantFrom(1, 2, 3, 4, 5, 8),
    spatial: fc.oneof(
      // Below the SIMD threshold (S·C < 64 for most C), and above it with a partial last block of pixels.
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })),
      fc.tuple(fc.integer({ min: 5, max: 23 }), fc.integer({ min: 3, max: 17 })),
      fc.tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 9 }),
      ),
    ),
  })
  .map(({ B, C, spatial }) => [B, ...spatial, C]);

describe.each(BACKENDS)('fused multi-class region kernel on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterEach(() => {
    setWasmKernels(true);
    setFusedKernels(true);
  });
  afterAll(() => {
    setFusedKernels(true);
  });

  it('equals the composed path: random losses, shapes (2-D, 3-D; C ∈ {1,2,3,4,5,8}) and options', () => {
    const arb = fc
      .constantFrom(...Object.keys(LOSSES))
      .chain((name) => fc.tuple(fc.constant(name), OPTIONS[name], shapes, fc.integer(), fc.boolean()));
    fc.assert(
      fc.property(arb, ([name, raw, shape, seed, simd]) => {
        const o = fit(raw, shape[shape.length - 1]);
        setWasmKernels(simd);
        const input = makeInput(seed, shape, o, seed % 2 === 0);
        expectSame(LOSSES[name], o, input, `${name} ${JSON.stringify(o)} ${shape.join('×')} simd ${simd}`);
        setWasmKernels(true);
      }),
      { numRuns: 120 },
    );
  });

  it('equals the composed path on large tensors (several scratch chunks, partial blocks), SIMD and JS', () => {
    const cases: [string, Opts, number[]][] = [
      ['dice', { activation: 'softmax' }, [2, 67, 61, 4]],
      ['dice', { activation: 'softmax', sparseLabels: true, includeBackground: false }, [3, 33, 47, 4]],
      ['tversky', { activation: 'softmax', alpha: 0.3, beta: 0.7, reduceBatch: true }, [2, 9, 17, 23, 8]],
      ['focalTversky', { activation: 'sigmoid', maskEmptyClasses: true }, [2, 45, 77, 4]],
      ['generalizedDice', { activation: 'softmax', sparseLabels: true }, [2, 13, 16, 17, 4]],
      ['logCoshDice', { activation: 'softmax', squaredPred: true }, [2, 55, 41, 3]],
      ['jaccard', { activation: 'sigmoid', sparseLabels: true }, [2, 101, 103, 1]],
      ['combo', { activation: 'softmax' }, [2, 31, 37, 4]],
    ];
    for (const [name, o, shape] of cases) {
      for (const simd of [true, false]) {
        setWasmKernels(simd);
        expectSame(LOSSES[name], o, makeInput(17, shape, o, true), `${name} ${shape.join('×')} simd ${simd}`);
      }
    }
  });

  it('takes the fused path for softmax, sparse labels, generalized Dice and log-cosh Dice', () => {
    const shape = [2, 8, 8, 4];
    const cases: [string, Opts][] = [
      ['dice', { activation: 'softmax' }],
      ['jaccard', { activation: 'softmax', sparseLabels: true }],
      ['tversky', { sparseLabels: true }],
      ['generalizedDice', { activation: 'softmax', sparseLabels: true }],
      ['logCoshDice', { activation: 'sigmoid' }],
    ];
    for (const [name, o] of cases) {
      const f = run(LOSSES[name], o, makeInput(3, shape, o, true), true);
      expect(f.tookFused, name).toBe(true);
      expect(Number.isFinite(f.value), name).toBe(true);
    }
  });

  it('takes dense int32 targets (the JS loops read them) and equals the composed path', () => {
    for (const shape of [
      [2, 9, 8, 4],
      [2, 5, 7, 3],
    ]) {
      const o = { activation: 'softmax' };
      const input = { ...makeInput(4, shape, o), tDtype: 'int32' as const };
      const hard = { ...input, t: input.t.map((v) => Math.round(v)) };
      const f = run(dice, o, hard, true);
      expect(f.tookFused).toBe(true);
      expectSame(dice, o, hard, `dice int32 ${shape.join('×')}`);
    }
  });

  it('writes every element of the gradient, dropped channels included (the buffer is not zeroed)', () => {
    const base: RegionKernelArgs = {
      B: 2,
      S: 37,
      C: 1,
      c0: 0,
      activation: 'none',
      sparse: false,
      reduceBatch: false,
      reduceChannels: false,
      squared: false,
      score: 'ratio',
      kn: 2,
      kt: 0,
      kp: 1,
      kg: 1,
      weightType: 'uniform',
      smoothNr: 1e-5,
      smoothDr: 1e-5,
      epsClamp: 0,
      logEps: null,
      powerGamma: null,
      powerAfterMean: false,
      logCosh: false,
      maskEmptyClasses: false,
      classWeights: null,
      reduction: 'mean',
      combo: false,
      comboAlpha: 0,
      comboCeRatio: 0,
      comboEps: 0,
    };
    for (const C of [1, 2, 3, 4, 8]) {
      for (const activation of ['none', 'sigmoid', 'softmax'] as const) {
        if (C === 1 && activation === 'softmax') continue;
        for (const [sparse, c0, simd] of [
          [false, 0, true],
          [true, C > 1 ? 1 : 0, true],
          [false, C > 1 ? 1 : 0, false],
        ] as const) {
          setWasmKernels(simd);
          const a = { ...base, C, c0, activation, sparse };
          const input = makeInput(C, [2, 37, C], { activation, sparseLabels: sparse });
          const g = new Float32Array(2 * 37 * C).fill(NaN);
          const v = regionKernel(a, Float32Array.from(input.p), Float32Array.from(input.t), g);
          expect(Number.isFinite(v)).toBe(true);
          expect(
            g.every((d) => Number.isFinite(d)),
            `C ${C} ${activation} sparse ${sparse} c0 ${c0}`,
          ).toBe(true);
        }
      }
    }
  });

  it('gives the composed result for every option the fused path does not take', () => {
    const shape = [2, 6, 5, 3];
    const cases: [string, Opts, (() => Tensor) | null][] = [
      ['dice', { activation: 'softmax', ignoreIndex: 1, sparseLabels: true }, null],
      ['dice', { ignoreIndex: 0 }, null],
      ['dice', { reduction: 'none' }, null],
      ['generalizedDice', { reduction: 'none', activation: 'softmax' }, null],
      ['logCoshDice', { reduction: 'none' }, null],
      ['tversky', { activation: 'softmax' }, () => tf.tensor1d([1, 2])],
      ['dice', {}, () => tf.scalar(0.5)],
    ];
    for (const [name, o, weight] of cases) {
      const input = makeInput(5, shape, o);
      const yt = tf.tensor(input.t, [...input.tShape]);
      const yp = tf.tensor(input.p, [...input.shape]);
      const w = weight?.() ?? undefined;
      const bound = LOSSES[name].bind(o as never);
      const before = fusedCallCount();
      const got = bound(yt, yp, w);
      expect(fusedCallCount(), `${name} ${JSON.stringify(o)}`).toBe(before);
      setFusedKernels(false);
      const want = bound(yt, yp, w);
      setFusedKernels(true);
      expectAllClose(got.dataSync(), want.dataSync(), { rtol: 0, atol: 0 });
      tf.dispose([got, want, yt, yp, ...(w ? [w] : [])]);
    }
  });

  it('a NaN or ±Infinity in yPred or yTrue gives the composed result, on both sides of the SIMD threshold', () => {
    const cases: [string, Opts, number[]][] = [
      ['dice', { activation: 'softmax' }, [1, 3, 5, 4]],
      ['dice', { activation: 'softmax' }, [2, 12, 11, 4]],
      ['dice', { activation: 'sigmoid' }, [2, 12, 11, 1]],
      ['dice', {}, [2, 7, 3, 1]],
      ['tversky', { activation: 'sigmoid', includeBackground: false }, [2, 9, 7, 8]],
      ['generalizedDice', { activation: 'softmax', sparseLabels: true }, [2, 9, 11, 4]],
      ['combo', { activation: 'sigmoid' }, [2, 12, 11, 1]],
      ['jaccard', { activation: 'softmax' }, [2, 10, 9, 3]],
    ];
    for (const [name, o, shape] of cases) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const where of ['yPred', 'yTrue'] as const) {
          if (where === 'yTrue' && o.sparseLabels) continue;
          for (const simd of [true, false]) {
            setWasmKernels(simd);
            const input = makeInput(9, shape, o);
            const arr = where === 'yPred' ? input.p : input.t;
            // Channel 0 of the last pixel: a dropped channel (includeBackground false) must still show.
            arr[arr.length - shape[shape.length - 1]] = bad;
            const f = run(LOSSES[name], o, input, true);
            const ref = run(LOSSES[name], o, input, false);
            const label = `${name} ${where} ${bad} simd ${simd}`;
            expect(Object.is(f.value, ref.value) || Math.abs(f.value - ref.value) <= 1e-6, label).toBe(true);
            expectAllClose(f.grad, ref.grad, { rtol: 0, atol: 0 });
          }
        }
      }
    }
  });

  it('is never negative where the loss is nonNegative: tversky(y, y) is 0, not −2e-16', () => {
    for (const [shape, o] of [
      [[2, 16, 16, 1], {}],
      [[2, 16, 16, 4], {}],
      [[1, 3, 3, 1], { alpha: 0.3, beta: 0.7 }],
      [[2, 33, 31, 4], { alpha: 0.9, beta: 0.1, reduceBatch: true }],
    ] as [number[], Opts][]) {
      const input = makeInput(13, shape, { sparseLabels: false });
      const hard = input.t.map((v) => (v >= 0.5 ? 1 : 0));
      const y = tf.tensor(hard, shape);
      for (const [name, loss] of Object.entries(LOSSES)) {
        if (name === 'combo') continue;
        const v = loss(y, y, (name.toLowerCase().includes('tversky') ? o : {}) as never);
        const value = v.dataSync()[0];
        expect(value, `${name} ${shape.join('×')}`).toBeGreaterThanOrEqual(0);
        expect(value, `${name} ${shape.join('×')}`).toBeLessThan(1e-4);
        v.dispose();
      }
      y.dispose();
    }
  });

  it('properties: tversky(α = β = 0.5, smoothing halved) = dice; values ≥ 0; zero at a perfect prediction', () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.boolean(), (shape, seed, softmax) => {
        const C = shape[shape.length - 1];
        const o: Opts = { activation: softmax && C > 1 ? 'softmax' : 'sigmoid', sparseLabels: true };
        const input = makeInput(seed, shape, o);
        const yt = tf.tensor(input.t, [...input.tShape]);
        const yp = tf.tensor(input.p, [...input.shape]);
        const before = tf.memory().numTensors;
        const d = dice(yt, yp, o);
        // TP/(TP + ½FP + ½FN + s/2) = (2TP + s)/(Σp + Σg + s): Dice's smoothing halved.
        const tv = tversky(yt, yp, { ...o, alpha: 0.5, beta: 0.5, smoothNr: 5e-6, smoothDr: 5e-6 });
        expectAllClose(tv.dataSync(), d.dataSync(), { rtol: 1e-6, atol: 1e-7 });
        for (const loss of Object.values(LOSSES)) {
          if (loss === LOSSES.combo) continue;
          const v = loss(yt, yp, o as never);
          expect(v.dataSync()[0]).toBeGreaterThanOrEqual(0);
          v.dispose();
        }
        // Perfect: probabilities equal to the one-hot targets.
        const hot = tf.tidy(() =>
          C === 1 ? tf.expandDims(yt, -1) : tf.oneHot(tf.cast(yt, 'int32'), C).toFloat(),
        );
        for (const loss of Object.values(LOSSES)) {
          if (loss === LOSSES.combo) continue;
          const v = loss(hot, hot);
          expect(Math.abs(v.dataSync()[0])).toBeLessThan(1e-4);
          expect(v.dataSync()[0]).toBeGreaterThanOrEqual(0);
          v.dispose();
        }
        tf.dispose([d, tv, hot]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([yt, yp]);
      }),
      { numRuns: 25 },
    );
  });

  it('is tidy: a fused call leaves only its result, a gradient only the gradient', () => {
    const o = { activation: 'softmax', sparseLabels: true } as const;
    const input = makeInput(21, [2, 12, 12, 4], o, true);
    const yt = tf.tensor(input.t, [...input.tShape], 'int32');
    const yp = tf.tensor(input.p, [...input.shape]);
    for (const loss of Object.values(LOSSES)) {
      const before = tf.memory().numTensors;
      const v = loss(yt, yp, o as never);
      expect(tf.memory().numTensors).toBe(before + 1);
      v.dispose();
      const g = tf.grad((x: Tensor) => loss(yt, x, o as never))(yp);
      expect(tf.memory().numTensors).toBe(before + 1);
      g.dispose();
    }
    // A NaN: the fused op's value is dropped and the composed path runs; nothing of the fused call stays behind.
    const bad = tf.tensor(
      input.p.map((v, i) => (i === 5 ? NaN : v)),
      [...input.shape],
    );
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((x: Tensor) => dice(yt, x, o) as tf.Scalar)(bad);
    expect(Number.isNaN(value.dataSync()[0])).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([value, grad, bad, yt, yp]);
  });
});
