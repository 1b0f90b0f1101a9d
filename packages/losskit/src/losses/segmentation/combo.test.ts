import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  ALL_EDGE_INPUTS,
  bernoulli,
  describeRegionOracle,
  expectFiniteAt,
  itRunsGoldens,
  labels,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { combo64, type Combo64 } from '../../../test/reference/pixel-compound.ts';
import { balancedCrossentropy } from './balanced-crossentropy.ts';
import { combo, type ComboOptions } from './combo.ts';
import { dice } from './dice.ts';

const golden = regionCases('combo');

function run(yt: number[], yp: number[], shape: number[], o: ComboOptions = {}, trueShape = shape): number {
  const a = tf.tensor(yt, trueShape, trueShape.length < shape.length ? 'int32' : 'float32');
  const b = tf.tensor(yp, shape);
  const v = take(combo(a, b, o))[0];
  tf.dispose([a, b]);
  return v;
}

describeRegionOracle('combo', golden, combo64);

describe.each(BACKENDS)('combo on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(combo, golden);

  it('matches hand-derived values, negative ones included', () => {
    // y = [1, 0], p = ½: L_mbce = −mean[½·ln ½, ½·ln ½] = ½·ln 2; Dice = (1 + 1e-5)/(2 + 1e-5).
    const d = (1 + 1e-5) / (2 + 1e-5);
    expectAllClose(run([1, 0], [0.5, 0.5], [1, 2, 1]), 0.5 * 0.5 * Math.LN2 - 0.5 * d, { rtol: 1e-6 });
    // alpha 0.8, ceRatio 0.3: −mean[0.8·ln ½, 0.2·ln ½] = ½·ln 2 again (the weights sum to 1 over one y=1, one y=0).
    expectAllClose(
      run([1, 0], [0.5, 0.5], [1, 2, 1], { alpha: 0.8, ceRatio: 0.3 }),
      0.3 * 0.5 * Math.LN2 - 0.7 * d,
      { rtol: 1e-6 },
    );
    // A perfect prediction on probabilities: −log(1 − ε) ≈ 1.19e-7 per element, Dice = 1 → ≈ −(1 − ceRatio).
    expectAllClose(run([1, 0, 0, 1], [1, 0, 0, 1], [1, 4, 1], { ceRatio: 0.25 }), -0.75, { atol: 1e-6 });
  });

  it('at ceRatio = 1 is its weighted BCE, at ceRatio = 0 is −Dice (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (b, c, seed, alpha, logits) => {
          const r = rng(seed);
          const shape = [b, 3, 2, c];
          const n = b * 6 * c;
          const a = tf.tensor(bernoulli(r, n, 0.4), shape);
          const p = tf.tensor(logits ? uniform(r, n, -4, 4) : uniform(r, n), shape);
          const activation = logits ? 'sigmoid' : 'none';
          const bce = take(balancedCrossentropy(a, p, { beta: alpha, activation }));
          expectAllClose(take(combo(a, p, { ceRatio: 1, alpha, activation })), bce, {
            rtol: 1e-5,
            atol: 1e-6,
          });
          const d = take(dice(a, p, { activation }))[0];
          expectAllClose(take(combo(a, p, { ceRatio: 0, activation })), d - 1, { rtol: 1e-5, atol: 1e-6 });
          tf.dispose([a, p]);
        },
      ),
      { numRuns: 20, seed: 7 },
    );
  });

  it('is at least −(1 − ceRatio)', () => {
    const r = rng(31);
    for (let k = 0; k < 10; k++) {
      const ceRatio = r();
      const v = run(bernoulli(r, 16), uniform(r, 16), [2, 2, 2, 2], { ceRatio });
      expect(v).toBeGreaterThanOrEqual(-(1 - ceRatio) - 1e-6);
    }
  });

  it('follows the oracle for the layout and Dice options', () => {
    const r = rng(37);
    const shape = [2, 3, 2, 3];
    const lab = labels(r, 12, 3);
    const lab255 = lab.map((l, i) => (i % 5 === 0 ? 255 : l));
    const logits = uniform(r, 36, -3, 3);
    const dense = bernoulli(r, 36, 0.4);
    const cases: [Combo64, number[], number[]][] = [
      [{ activation: 'softmax', sparseLabels: true, includeBackground: false, alpha: 0.7 }, lab, [2, 3, 2]],
      [{ activation: 'softmax', sparseLabels: true, ignoreIndex: 255, reduceBatch: true }, lab255, [2, 3, 2]],
      [
        { activation: 'sigmoid', reduceChannels: true, smoothNr: 0, smoothDr: 1e-7, ceRatio: 0.8 },
        dense,
        shape,
      ],
      [
        { activation: 'sigmoid', reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 },
        dense,
        shape,
      ],
    ];
    for (const [o, yt, ts] of cases) {
      expectAllClose(run(yt, logits, shape, o, ts), combo64(yt, logits, shape, o), {
        rtol: 2e-5,
        atol: 1e-6,
      });
    }
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(41);
    const shape = [2, 3, 2, 2];
    const yt = bernoulli(r, 24, 0.4);
    const t = tf.tensor(yt, shape);
    for (const [o, yp] of [
      [{}, uniform(r, 24, 0.05, 0.95)],
      [{ activation: 'sigmoid', alpha: 0.3, ceRatio: 0.7, reduceBatch: true }, uniform(r, 24, -3, 3)],
      [{ activation: 'softmax', includeBackground: false }, uniform(r, 24, -3, 3)],
    ] as [Combo64, number[]][]) {
      checkGradient({
        loss: (p) => combo(t, p, o),
        oracle: (p) => combo64(yt, p, shape, o),
        yPred: yp,
        shape,
      });
    }
    t.dispose();
  });

  it('stays finite at p exactly 0 and 1, empty and full masks, perfect predictions', () => {
    expectFiniteAt(
      ALL_EDGE_INPUTS,
      [2, 2, 1],
      [combo.bind({}), combo.bind({ activation: 'sigmoid', smoothNr: 0, smoothDr: 1e-7 })],
    );
  });

  it('rejects bad inputs, options and sample weights with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 1]);
    expectThrows(() => combo(tf.zeros([1, 2, 2, 2]), a), /combo/, /shape/);
    expectThrows(
      () => combo(tf.tensor([0, 3], [1, 2], 'int32'), tf.zeros([1, 2, 2]), { sparseLabels: true }),
      /combo: sparse label 3/,
    );
    expectThrows(() => combo(a, a, { ceRatio: 2 }), /combo/, /'ceRatio'/);
    expectThrows(() => combo(a, a, { ce_ratio: 0.5 } as never), /combo/, /ceRatio/);
    expectThrows(() => combo(a, a, { activation: 'tanh' as never }), /combo/, /activation/);
    expectThrows(() => combo(a, a, { sampleWeight: tf.ones([1]) }), /combo: sampleWeight is not supported/);
    a.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 2, 1], [1, 2, 2], 'int32');
    const b = tf.randomNormal([1, 2, 2, 3]);
    expectTidy(() => combo(a, b, { activation: 'softmax', sparseLabels: true }));
    tf.dispose([a, b]);
  });
});
