import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  bernoulli,
  describeRegionOracle,
  EDGE_INPUTS,
  expectFinite,
  expectFiniteAt,
  itRunsGoldens,
  labels,
  oneHot,
  probRows,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { focal64, type Focal64 } from '../../../test/reference/pixel-focal.ts';
import { binaryCrossentropy } from '../classification/binary-crossentropy.ts';
import { focal, type FocalOptions } from './focal.ts';

const golden = regionCases('focal');

function run(yt: number[], yp: number[], shape: number[], o: FocalOptions = {}, trueShape = shape): number[] {
  const a = tf.tensor(yt, trueShape, trueShape.length < shape.length ? 'int32' : 'float32');
  const b = tf.tensor(yp, shape);
  const v = Array.from(take(focal(a, b, o)));
  tf.dispose([a, b]);
  return v;
}

// Published MONAI values have 3–5 digits; the case's own tolerance covers them.
describeRegionOracle('focal', golden, focal64, 'case');

describe.each(BACKENDS)('focal on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(focal, golden);

  it('matches hand-derived values', () => {
    // y = 1, p = 0.8, γ = 2: 0.2²·(−ln 0.8).
    expectAllClose(run([1], [0.8], [1, 1, 1]), 0.04 * -Math.log(0.8), { rtol: 1e-6 });
    // y = 0, p = 0.8, α = 0.25 → α_t = 0.75: 0.75·0.8²·(−ln 0.2).
    expectAllClose(run([0], [0.8], [1, 1, 1], { alpha: 0.25 }), 0.75 * 0.64 * -Math.log(0.2), { rtol: 1e-6 });
    // Categorical, label 1, p = [0.2, 0.5, 0.3], scalar α = 0.8 → α_1 = 0.8: 0.8·0.5²·ln 2; the channel mean ÷3.
    const o = { type: 'categorical', sparseLabels: true, alpha: 0.8 } as const;
    expectAllClose(run([1], [0.2, 0.5, 0.3], [1, 1, 3], o, [1, 1]), 0.8 * 0.25 * Math.LN2, { rtol: 1e-6 });
    expectAllClose(
      run([1], [0.2, 0.5, 0.3], [1, 1, 3], { ...o, channelReduction: 'mean' }, [1, 1]),
      (0.8 * 0.25 * Math.LN2) / 3,
      { rtol: 1e-6 },
    );
    // Label 0 with scalar α = 0.8 takes 1 − α = 0.2: 0.2·0.8²·(−ln 0.2).
    expectAllClose(run([0], [0.2, 0.5, 0.3], [1, 1, 3], o, [1, 1]), 0.2 * 0.64 * -Math.log(0.2), {
      rtol: 1e-6,
    });
    // From logits x = 0 (p = ½), γ = 1: ½·ln 2 per element whatever the label.
    expectAllClose(run([1, 0], [0, 0], [1, 2, 1], { activation: 'sigmoid', gamma: 1 }), 0.5 * Math.LN2, {
      rtol: 1e-6,
    });
  });

  it('with γ = 0 and no α is exactly binary cross-entropy (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('none', 'sigmoid', 'softmax'),
        (b, c, seed, activation) => {
          if (activation === 'softmax' && c === 1) return;
          const r = rng(seed);
          const shape = [b, 3, 2, c];
          const n = b * 6 * c;
          const a = tf.tensor(bernoulli(r, n, 0.4), shape);
          const p = tf.tensor(activation === 'none' ? uniform(r, n) : uniform(r, n, -6, 6), shape);
          const bce = take(binaryCrossentropy(a, p, { activation }));
          expectAllClose(take(focal(a, p, { gamma: 0, activation })), bce, { rtol: 1e-6, atol: 1e-7 });
          tf.dispose([a, p]);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });

  it('follows the oracle for types, α forms, class weights, includeBackground and reductions', () => {
    const r = rng(17);
    const shape = [2, 3, 2, 3];
    const lab = labels(r, 12, 3);
    const dense = oneHot(lab, 3);
    const probs = probRows(r, 12, 3);
    const logits = uniform(r, 36, -3, 3);
    const cases: [Focal64, number[], number[], number[]][] = [
      [{ alpha: [0.2, 0.5, 0.8], gamma: 1.5 }, dense, probs, shape],
      [{ alpha: 0.3, activation: 'sigmoid', classWeights: [1, 2, 0.5] }, dense, logits, shape],
      [
        {
          type: 'categorical',
          activation: 'softmax',
          alpha: 0.25,
          includeBackground: false,
          sparseLabels: true,
        },
        lab,
        logits,
        [2, 3, 2],
      ],
      [
        { type: 'categorical', activation: 'softmax', alpha: [0.5, 0.9], includeBackground: false },
        dense,
        logits,
        shape,
      ],
      [{ type: 'categorical', gamma: 0.5, classWeights: [1, 2, 3] }, dense, probs, shape],
      [
        { activation: 'sigmoid', sparseLabels: true, channelReduction: 'sum', reduction: 'none' },
        lab,
        logits,
        [2, 3, 2],
      ],
      [{ type: 'categorical', activation: 'softmax', reduction: 'sum', gamma: 3 }, dense, logits, shape],
      [{ includeBackground: false, gamma: 0.7 }, dense, probs, shape],
    ];
    for (const [o, yt, yp, ts] of cases) {
      const want = focal64(yt, yp, shape, o);
      expectAllClose(run(yt, yp, shape, o, ts), typeof want === 'number' ? [want] : want, {
        rtol: 2e-5,
        atol: 1e-6,
      });
    }
  });

  it('ignoreIndex drops pixels from the loss and the mean', () => {
    const r = rng(19);
    const lab = labels(r, 12, 3);
    lab[3] = 255;
    lab[4] = 255;
    const logits = uniform(r, 36, -3, 3);
    for (const o of [
      { activation: 'sigmoid', sparseLabels: true, ignoreIndex: 255, channelReduction: 'sum' },
      { type: 'categorical', activation: 'softmax', sparseLabels: true, ignoreIndex: 255 },
    ] as Focal64[]) {
      const want = focal64(lab, logits, [2, 3, 2, 3], o) as number;
      expectAllClose(run(lab, logits, [2, 3, 2, 3], o, [2, 3, 2]), want, { rtol: 2e-5 });
    }
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(23);
    const shape = [2, 2, 2, 3];
    const lab = labels(r, 8, 3);
    const dense = oneHot(lab, 3);
    const t = tf.tensor(dense, shape);
    for (const [o, yp] of [
      [{ gamma: 2 }, uniform(r, 24, 0.05, 0.95)],
      [{ gamma: 0.5, alpha: 0.25, activation: 'sigmoid' }, uniform(r, 24, -3, 3)],
      [
        { type: 'categorical', activation: 'softmax', alpha: [0.2, 0.3, 0.5], gamma: 2 },
        uniform(r, 24, -3, 3),
      ],
      [{ type: 'categorical', gamma: 1.5, classWeights: [1, 2, 3] }, probRows(r, 8, 3)],
    ] as [Focal64, number[]][]) {
      checkGradient({
        loss: (p) => focal(t, p, o as FocalOptions),
        oracle: (p) => focal64(dense, p, shape, o) as number,
        yPred: yp,
        shape,
      });
    }
    t.dispose();
  });

  it('stays finite at p exactly 0 and 1, empty and full masks, perfect predictions (γ < 1 included)', () => {
    expectFiniteAt(
      [EDGE_INPUTS.emptyMask, EDGE_INPUTS.fullMask, EDGE_INPUTS.perfect],
      [2, 2, 1],
      [
        ...[{}, { gamma: 0.5 }, { gamma: 0 }, { activation: 'sigmoid' as const, gamma: 0.3 }].map((o) =>
          focal.bind(o),
        ),
      ],
    );
    const a = tf.tensor([0, 1, 0, 0, 0, 1], [1, 2, 3]);
    expectFinite(focal.bind({ type: 'categorical', gamma: 0.5 }), a, a);
    a.dispose();
    expect(run([1, 0, 0, 1], [1, 0, 0, 1], [1, 4, 1])[0]).toBeLessThan(1e-12);
  });

  it('pins the gradient of (1 − p_t)^γ at 0 for γ < 1 to 0', () => {
    // Logit +30: σ(−30) = 9.4e-14 rounds the focal factor's base towards 0; its gradient must stay finite.
    const a = tf.tensor([1], [1, 1, 1]);
    const b = tf.tensor([30], [1, 1, 1]);
    const g = take(tf.grad((p: typeof b) => focal(a, p, { activation: 'sigmoid', gamma: 0.5 }))(b));
    expect(Number.isFinite(g[0])).toBe(true);
    expect(Math.abs(g[0])).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  });

  it('rejects bad inputs and options with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 3]);
    expectThrows(() => focal(tf.zeros([1, 2, 2]), a), /focal/, /shape/);
    expectThrows(
      () =>
        focal(
          tf.tensor3d(
            [
              [
                [0, 5],
                [1, 2],
              ],
            ],
            [1, 2, 2],
            'int32',
          ),
          a,
          { sparseLabels: true },
        ),
      /focal: sparse label 5/,
    );
    expectThrows(() => focal(a, a, { type: 'softmax' as never }), /focal/, /'type'/);
    expectThrows(() => focal(a, a, { gama: 2 } as never), /focal/, /gamma/);
    expectThrows(() => focal(a, a, { alpha: 1.5 }), /focal/, /'alpha'/);
    expectThrows(() => focal(a, a, { alpha: [0.5, 0.5, 0.5, 0.5] }), /focal/, /'alpha' has 4 value/);
    expectThrows(() => focal(a, a, { classWeights: [1, 2] }), /focal/, /'classWeights' has 2 value/);
    expectThrows(() => focal(a, a, { channelReduction: 'max' as never }), /focal/, /channelReduction/);
    expectThrows(
      () => focal(tf.zeros([1, 2, 2, 1]), tf.zeros([1, 2, 2, 1]), { activation: 'softmax' }),
      /focal/,
      /softmax/,
    );
    a.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 2, 1], [1, 2, 2], 'int32');
    const b = tf.randomNormal([1, 2, 2, 3]);
    expectTidy(() =>
      focal(a, b, { type: 'categorical', activation: 'softmax', sparseLabels: true, alpha: 0.25 }),
    );
    expectTidy(() => focal(a, b, { activation: 'sigmoid', sparseLabels: true, classWeights: [1, 2, 3] }));
    tf.dispose([a, b]);
  });
});
