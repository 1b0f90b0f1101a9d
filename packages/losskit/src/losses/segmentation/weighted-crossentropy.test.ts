import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  bernoulli,
  describeRegionOracle,
  expectFinite,
  itRunsGoldens,
  labels,
  probRows,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { weightedCrossentropy64, type Wce64 } from '../../../test/reference/pixel-crossentropy.ts';
import { binaryCrossentropy } from '../classification/binary-crossentropy.ts';
import { weightedCrossentropy, type WeightedCrossentropyOptions } from './weighted-crossentropy.ts';

const golden = regionCases('weighted_crossentropy');

function run(
  yt: number[],
  yp: number[],
  shape: number[],
  o: WeightedCrossentropyOptions & { sampleWeight?: Tensor } = {},
  trueShape = shape,
): number[] {
  const a = tf.tensor(yt, trueShape, trueShape.length < shape.length ? 'int32' : 'float32');
  const b = tf.tensor(yp, shape);
  const v = Array.from(take(weightedCrossentropy(a, b, o)));
  tf.dispose([a, b]);
  return v;
}

describeRegionOracle('weightedCrossentropy', golden, weightedCrossentropy64);

describe.each(BACKENDS)('weightedCrossentropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(weightedCrossentropy, golden);

  it('matches hand-derived values', () => {
    // y = [1, 0], p = [0.8, 0.4], w⁺ = 2: (2·(−ln 0.8) + (−ln 0.6))/2.
    const want = (2 * -Math.log(0.8) - Math.log(0.6)) / 2;
    expectAllClose(run([1, 0], [0.8, 0.4], [1, 2, 1], { posWeight: 2 }), want, { rtol: 1e-6 });
    // Categorical, labels [0, 2], softmax rows [0.7, 0.2, 0.1] and [0.2, 0.2, 0.6], ω = [1, 1, 3]:
    // (−ln 0.7 + 3·(−ln 0.6))/2 by pixel count; /(1 + 3) with weightedMean (torch).
    const p = [0.7, 0.2, 0.1, 0.2, 0.2, 0.6];
    const o = { type: 'categorical', sparseLabels: true, classWeights: [1, 1, 3] } as const;
    const num = -Math.log(0.7) - 3 * Math.log(0.6);
    expectAllClose(run([0, 2], p, [1, 2, 3], o, [1, 2]), num / 2, { rtol: 1e-6 });
    expectAllClose(run([0, 2], p, [1, 2, 3], { ...o, weightedMean: true }, [1, 2]), num / 4, { rtol: 1e-6 });
    // From logits x = 0: every element costs ln 2 (posWeight 1) → mean ln 2; positives 3·ln 2 with posWeight 3.
    expectAllClose(run([1, 0, 1, 0], [0, 0, 0, 0], [1, 4, 1], { activation: 'sigmoid' }), Math.LN2, {
      rtol: 1e-6,
    });
    expectAllClose(
      run([1, 0, 1, 0], [0, 0, 0, 0], [1, 4, 1], { activation: 'sigmoid', posWeight: 3 }),
      (3 * 2 * Math.LN2 + 2 * Math.LN2) / 4,
      { rtol: 1e-6 },
    );
  });

  it('is binaryCrossentropy with posWeight 1 and no class weights', () => {
    const r = rng(3);
    const shape = [2, 3, 4, 2];
    const yt = bernoulli(r, 48);
    const yp = uniform(r, 48, 0.02, 0.98);
    const a = tf.tensor(yt, shape);
    const b = tf.tensor(yp, shape);
    for (const activation of ['none', 'sigmoid'] as const) {
      const bce = take(binaryCrossentropy(a, b, { activation }));
      expectAllClose(take(weightedCrossentropy(a, b, { activation })), bce, { rtol: 1e-6 });
    }
    tf.dispose([a, b]);
  });

  it('follows the oracle for every type, option and reduction', () => {
    const r = rng(7);
    const shape = [2, 3, 3, 3];
    const n = 54;
    const lab = labels(r, 18, 3);
    const dense = lab.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
    const probs = probRows(r, 18, 3);
    const logits = uniform(r, n, -3, 3);
    const cases: [Wce64, number[], number[], number[]][] = [
      [{ posWeight: 2.5, classWeights: [0.5, 1, 2] }, dense, probs, shape],
      [
        { posWeight: 0.3, activation: 'sigmoid', weightedMean: true, classWeights: [0.5, 1, 2] },
        dense,
        logits,
        shape,
      ],
      [{ type: 'categorical', activation: 'softmax', sparseLabels: true }, lab, logits, [2, 3, 3]],
      [
        { type: 'categorical', sparseLabels: true, classWeights: [2, 1, 0.5], weightedMean: true },
        lab,
        probs,
        [2, 3, 3],
      ],
      [{ type: 'categorical', activation: 'sigmoid', classWeights: [2, 1, 0.5] }, dense, logits, shape],
      [{ reduction: 'sum', activation: 'softmax' }, dense, logits, shape],
      [{ reduction: 'none', type: 'categorical', activation: 'softmax' }, dense, logits, shape],
      [{ reduction: 'none', posWeight: 2 }, dense, probs, shape],
    ];
    for (const [o, yt, yp, ts] of cases) {
      const want = weightedCrossentropy64(yt, yp, shape, o);
      const got = run(yt, yp, shape, o as WeightedCrossentropyOptions, ts);
      expectAllClose(got, typeof want === 'number' ? [want] : want, { rtol: 2e-5, atol: 1e-6 });
    }
  });

  it('ignoreIndex drops pixels (sparse) or elements (dense) from the loss and the mean', () => {
    const r = rng(11);
    const lab = labels(r, 18, 3);
    lab[0] = 255;
    lab[5] = 255;
    const logits = uniform(r, 54, -2, 2);
    const o: Wce64 = { type: 'categorical', activation: 'softmax', sparseLabels: true, ignoreIndex: 255 };
    const want = weightedCrossentropy64(lab, logits, [2, 3, 3, 3], o) as number;
    expectAllClose(run(lab, logits, [2, 3, 3, 3], o as WeightedCrossentropyOptions, [2, 3, 3]), want, {
      rtol: 2e-5,
    });
    // Dense: only the element equal to ignoreIndex leaves; hand check with two elements kept of three.
    const got = run([1, 255, 0], [0.8, 0.3, 0.4], [1, 3, 1], { ignoreIndex: 255 });
    expectAllClose(got, (-Math.log(0.8) - Math.log(0.6)) / 2, { rtol: 1e-6 });
  });

  it('weights samples: a scalar, [B] or per pixel; zero weights still count in the mean', () => {
    const yt = [1, 0, 1, 1];
    const yp = [0.7, 0.2, 0.6, 0.9];
    const shape = [2, 2, 1];
    const per = run(yt, yp, shape, { reduction: 'none' });
    const sw = tf.tensor1d([2, 0]);
    expectAllClose(run(yt, yp, shape, { sampleWeight: sw }), (2 * (per[0] + per[1])) / 4, { rtol: 1e-6 });
    const px = tf.tensor2d([
      [1, 0],
      [0, 3],
    ]);
    expectAllClose(run(yt, yp, shape, { sampleWeight: px, reduction: 'sum' }), per[0] + 3 * per[3], {
      rtol: 1e-6,
    });
    expectThrows(
      () => run(yt, yp, shape, { sampleWeight: tf.tensor1d([1, 2, 3]) }),
      /weightedCrossentropy: sampleWeight shape \[3\]/,
    );
    tf.dispose([sw, px]);
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(21);
    const shape = [2, 2, 3, 3];
    const lab = labels(r, 12, 3);
    const dense = lab.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
    const opts: [Wce64, number[], number[]][] = [
      [{ posWeight: 2, classWeights: [1, 0.5, 2] }, dense, uniform(r, 36, 0.05, 0.95)],
      [{ posWeight: 3, activation: 'sigmoid' }, dense, uniform(r, 36, -3, 3)],
      [
        { type: 'categorical', activation: 'softmax', classWeights: [0.2, 1, 3], weightedMean: true },
        dense,
        uniform(r, 36, -3, 3),
      ],
      [{ type: 'categorical', classWeights: [0.2, 1, 3] }, dense, probRows(r, 12, 3)],
    ];
    for (const [o, yt, yp] of opts) {
      const t = tf.tensor(yt, shape);
      checkGradient({
        loss: (p) => weightedCrossentropy(t, p, o as WeightedCrossentropyOptions),
        oracle: (p) => weightedCrossentropy64(yt, p, shape, o) as number,
        yPred: yp,
        shape,
      });
      t.dispose();
    }
  });

  it('stays finite (value and gradient) at p exactly 0 and 1, empty and full masks, perfect predictions', () => {
    const shape = [2, 2, 2, 1];
    const inputs: [number[], number[]][] = [
      [
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 1, 0, 1, 0, 1],
      ],
      [
        [1, 1, 1, 1, 1, 1, 1, 1],
        [0, 1, 0, 1, 0, 1, 0, 1],
      ],
      [
        [1, 0, 1, 0, 0, 1, 1, 0],
        [1, 0, 1, 0, 0, 1, 1, 0],
      ],
    ];
    for (const [yt, yp] of inputs) {
      const a = tf.tensor(yt, shape);
      const b = tf.tensor(yp, shape);
      for (const o of [
        { posWeight: 3 },
        { activation: 'sigmoid' as const, posWeight: 2 },
        { weightedMean: true },
      ]) {
        expectFinite(weightedCrossentropy.bind(o), a, b);
      }
      tf.dispose([a, b]);
    }
    // Perfect prediction on probabilities: −log(1 − ε) per element, ~1.2e-7.
    expect(run([1, 0, 1, 0], [1, 0, 1, 0], [1, 4, 1])[0]).toBeLessThan(2e-7);
  });

  it('rejects bad inputs and options with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 3]);
    expectThrows(() => weightedCrossentropy(tf.zeros([1, 2, 2, 2]), a), /weightedCrossentropy/, /shape/);
    expectThrows(
      () =>
        weightedCrossentropy(
          tf.tensor3d(
            [
              [
                [0, 3],
                [1, 2],
              ],
            ],
            [1, 2, 2],
            'int32',
          ),
          a,
          { sparseLabels: true },
        ),
      /weightedCrossentropy/,
      /label 3/,
    );
    expectThrows(
      () => weightedCrossentropy(a, a, { type: 'multi' as never }),
      /weightedCrossentropy/,
      /'type'/,
    );
    expectThrows(
      () => weightedCrossentropy(a, a, { posWeigth: 2 } as never),
      /weightedCrossentropy/,
      /posWeight/,
    );
    expectThrows(
      () => weightedCrossentropy(a, a, { classWeights: [1, 2] }),
      /weightedCrossentropy/,
      /classWeights/,
    );
    expectThrows(
      () => weightedCrossentropy(a, a, { type: 'categorical', posWeight: 2 }),
      /weightedCrossentropy/,
      /posWeight/,
    );
    a.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 2, 1], [1, 2, 2], 'int32');
    const b = tf.randomUniform([1, 2, 2, 3]);
    expectTidy(() =>
      weightedCrossentropy(a, b, {
        type: 'categorical',
        sparseLabels: true,
        classWeights: [1, 2, 3],
        weightedMean: true,
      }),
    );
    tf.dispose([a, b]);
  });
});
