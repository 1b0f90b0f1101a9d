import { beforeAll, describe, it } from 'vitest';
import { tf } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  ALL_EDGE_INPUTS,
  bernoulli,
  describeRegionOracle,
  expectFinite,
  expectFiniteAt,
  itRunsGoldens,
  labels,
  oneHot,
  probRows,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { exponentialLogarithmic64, type ExpLog64 } from '../../../test/reference/pixel-compound.ts';
import { dice } from './dice.ts';
import { exponentialLogarithmic, type ExponentialLogarithmicOptions } from './exponential-logarithmic.ts';
import { weightedCrossentropy } from './weighted-crossentropy.ts';

const golden = regionCases('exponential_logarithmic');

function run(
  yt: number[],
  yp: number[],
  shape: number[],
  o: ExponentialLogarithmicOptions = {},
  trueShape = shape,
): number {
  const a = tf.tensor(yt, trueShape, trueShape.length < shape.length ? 'int32' : 'float32');
  const b = tf.tensor(yp, shape);
  const v = take(exponentialLogarithmic(a, b, o))[0];
  tf.dispose([a, b]);
  return v;
}

describeRegionOracle('exponentialLogarithmic', golden, exponentialLogarithmic64);

describe.each(BACKENDS)('exponentialLogarithmic on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(exponentialLogarithmic, golden);

  it('matches a hand-derived value (one pixel, one channel expanded to [1 − p, p])', () => {
    // y = 1, p = ½: p' = [½, ½], g' = [0, 1]; Dice_bg = (0 + 1)/(½ + 0 + 1), Dice_fg = (1 + 1)/(½ + 1 + 1);
    // f = [0, 1] → w = [0, 1]; cross = (−ln ½)^0.3.
    const dBg = 1 / 1.5;
    const dFg = 2 / 2.5;
    const want = 0.8 * 0.5 * ((-Math.log(dBg)) ** 0.3 + (-Math.log(dFg)) ** 0.3) + 0.2 * Math.LN2 ** 0.3;
    expectAllClose(run([1], [0.5], [1, 1, 1]), want, { rtol: 1e-6 });
  });

  it('its Dice term is dice with logLoss, its cross term a weighted CE, at γ = 1', () => {
    const r = rng(43);
    const shape = [2, 3, 3, 3];
    const lab = labels(r, 18, 3);
    const logits = uniform(r, 54, -3, 3);
    const a = tf.tensor(lab, [2, 3, 3], 'int32');
    const b = tf.tensor(logits, shape);
    const base = { activation: 'softmax', sparseLabels: true, gammaDice: 1, gammaCross: 1 } as const;
    const diceLog = take(
      dice(a, b, { activation: 'softmax', sparseLabels: true, logLoss: true, smoothNr: 1, smoothDr: 1 }),
    )[0];
    expectAllClose(take(exponentialLogarithmic(a, b, { ...base, wDice: 1, wCross: 0 })), diceLog, {
      rtol: 1e-5,
    });
    // Class weights (Σf/f_c)^0.5 from the label counts.
    const f = [0, 1, 2].map((c) => lab.filter((l) => l === c).length);
    const w = f.map((v) => Math.sqrt(18 / v));
    const wce = take(
      weightedCrossentropy(a, b, {
        type: 'categorical',
        activation: 'softmax',
        sparseLabels: true,
        classWeights: w,
      }),
    )[0];
    expectAllClose(take(exponentialLogarithmic(a, b, { ...base, wDice: 0, wCross: 1 })), wce, { rtol: 1e-5 });
    tf.dispose([a, b]);
  });

  it('follows the oracle for options', () => {
    const r = rng(47);
    const shape = [2, 3, 2, 3];
    const lab = labels(r, 12, 3);
    const dense = oneHot(lab, 3);
    const probs = probRows(r, 12, 3);
    const logits = uniform(r, 36, -3, 3);
    const cases: [ExpLog64, number[], number[], number[], number[]][] = [
      [{ reduceBatch: true }, dense, probs, shape, shape],
      [{ classFrequencies: [10, 3, 1], gammaDice: 0.5, gammaCross: 0.7 }, dense, probs, shape, shape],
      [
        { activation: 'softmax', sparseLabels: true, ignoreIndex: 255, wDice: 0.5, wCross: 0.5 },
        lab.map((l, i) => (i % 4 === 1 ? 255 : l)),
        logits,
        shape,
        [2, 3, 2],
      ],
      [{ activation: 'sigmoid', smoothNr: 1e-5, smoothDr: 1e-5 }, dense, logits, shape, shape],
      [{ activation: 'sigmoid' }, bernoulli(r, 12), uniform(r, 12, -3, 3), [2, 3, 2, 1], [2, 3, 2, 1]],
      [
        { sparseLabels: true, ignoreIndex: 255, classFrequencies: [3, 1] },
        [1, 0, 255, 1, 0, 0],
        uniform(r, 6, 0.05, 0.95),
        [2, 3, 1],
        [2, 3],
      ],
    ];
    for (const [o, yt, yp, s, ts] of cases) {
      expectAllClose(run(yt, yp, s, o, ts), exponentialLogarithmic64(yt, yp, s, o), {
        rtol: 2e-5,
        atol: 1e-6,
      });
    }
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(53);
    const shape = [2, 2, 3, 3];
    const dense = oneHot(labels(r, 12, 3), 3);
    const t = tf.tensor(dense, shape);
    for (const [o, yp] of [
      [{}, probRows(r, 12, 3)],
      [{ activation: 'softmax', reduceBatch: true, gammaDice: 0.5 }, uniform(r, 36, -2, 2)],
      [{ activation: 'sigmoid', classFrequencies: [1, 2, 3] }, uniform(r, 36, -2, 2)],
    ] as [ExpLog64, number[]][]) {
      checkGradient({
        loss: (p) => exponentialLogarithmic(t, p, o),
        oracle: (p) => exponentialLogarithmic64(dense, p, shape, o),
        yPred: yp,
        shape,
      });
    }
    t.dispose();
    const y1 = bernoulli(r, 12);
    const t1 = tf.tensor(y1, [2, 3, 2, 1]);
    checkGradient({
      loss: (p) => exponentialLogarithmic(t1, p),
      oracle: (p) => exponentialLogarithmic64(y1, p, [2, 3, 2, 1]),
      yPred: uniform(r, 12, 0.05, 0.95),
      shape: [2, 3, 2, 1],
    });
    t1.dispose();
  });

  it('stays finite at p exactly 0 and 1, empty and full masks, perfect predictions (pinned gradient at −ln 1 = 0)', () => {
    expectFiniteAt(
      ALL_EDGE_INPUTS,
      [2, 2, 1],
      [exponentialLogarithmic.bind({}), exponentialLogarithmic.bind({ activation: 'sigmoid' })],
    );
    // Empty ground truth of a class with smoothing 0: Dice 0 is clamped to eps before the log.
    const a = tf.tensor([0, 1, 0, 1, 0, 1], [1, 3, 2]);
    const b = tf.tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [1, 3, 2]);
    expectFinite(exponentialLogarithmic.bind({ smoothNr: 0, smoothDr: 0 }), a, b);
    tf.dispose([a, b]);
  });

  it('rejects bad inputs, options and sample weights with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 3]);
    expectThrows(() => exponentialLogarithmic(tf.zeros([1, 2, 2, 2]), a), /exponentialLogarithmic/, /shape/);
    expectThrows(
      () =>
        exponentialLogarithmic(tf.tensor([0, 4], [1, 2], 'int32'), tf.zeros([1, 2, 3]), {
          sparseLabels: true,
        }),
      /exponentialLogarithmic: sparse label 4/,
    );
    expectThrows(
      () => exponentialLogarithmic(a, a, { classFrequencies: [1, 2] }),
      /exponentialLogarithmic/,
      /'classFrequencies' has 2/,
    );
    expectThrows(
      () => exponentialLogarithmic(a, a, { classFrequencies: 'batch' as never }),
      /exponentialLogarithmic/,
      /'auto'/,
    );
    expectThrows(
      () => exponentialLogarithmic(a, a, { gammaDice: -1 }),
      /exponentialLogarithmic/,
      /gammaDice/,
    );
    expectThrows(
      () => exponentialLogarithmic(a, a, { wdice: 1 } as never),
      /exponentialLogarithmic/,
      /wDice/,
    );
    expectThrows(
      () => exponentialLogarithmic(a, a, { sampleWeight: tf.ones([1]) }),
      /exponentialLogarithmic: sampleWeight/,
    );
    a.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 2, 1], [1, 2, 2], 'int32');
    const b = tf.randomNormal([1, 2, 2, 3]);
    expectTidy(() => exponentialLogarithmic(a, b, { activation: 'softmax', sparseLabels: true }));
    const c = tf.tensor([1, 0, 0, 1], [1, 2, 2, 1]);
    const d = tf.randomUniform([1, 2, 2, 1]);
    expectTidy(() => exponentialLogarithmic(c, d));
    tf.dispose([a, b, c, d]);
  });
});
