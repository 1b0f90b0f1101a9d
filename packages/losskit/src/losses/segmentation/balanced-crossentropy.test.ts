import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  bernoulli,
  describeRegionOracle,
  EDGE_INPUTS,
  expectFiniteAt,
  itRunsGoldens,
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { balancedCrossentropy64, type Bbce64 } from '../../../test/reference/pixel-crossentropy.ts';
import { binaryCrossentropy } from '../classification/binary-crossentropy.ts';
import { balancedCrossentropy, type BalancedCrossentropyOptions } from './balanced-crossentropy.ts';

const golden = regionCases('balanced_crossentropy');

function run(yt: number[], yp: number[], shape: number[], o: BalancedCrossentropyOptions = {}): number[] {
  return runLoss(balancedCrossentropy, yt, yp, shape, o);
}

describeRegionOracle('balancedCrossentropy', golden, balancedCrossentropy64);

describe.each(BACKENDS)('balancedCrossentropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(balancedCrossentropy, golden);

  it('matches hand-derived values', () => {
    // y = [1, 0, 0, 0] → β = 3/4; p = 0.5 everywhere: (¾·ln 2 + 3·¼·ln 2)/4 = 1.5·ln 2/4.
    expectAllClose(run([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5], [1, 4, 1]), (1.5 * Math.LN2) / 4, { rtol: 1e-6 });
    // β is per sample: sample 2 (y = [1, 1, 0, 0]) has β = ½: (½·ln 2·2 + ½·ln 2·2)/4 = ½·ln 2.
    expectAllClose(
      run([1, 0, 0, 0, 1, 1, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [2, 4, 1], {
        reduction: 'none',
      }),
      [0.75, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5].map((w) => w * Math.LN2),
      { rtol: 1e-6 },
    );
    // A fixed β = 0.7 on logits 0: (0.7·ln 2 + 0.3·ln 2)/2 = ln 2 / 2.
    expectAllClose(run([1, 0], [0, 0], [1, 2, 1], { beta: 0.7, activation: 'sigmoid' }), Math.LN2 / 2, {
      rtol: 1e-6,
    });
  });

  it('is half the BCE at β = 0.5', () => {
    const r = rng(5);
    const shape = [2, 3, 3, 2];
    const a = tf.tensor(bernoulli(r, 36), shape);
    const b = tf.tensor(uniform(r, 36, -3, 3), shape);
    const bce = take(binaryCrossentropy(a, b, { activation: 'sigmoid' }))[0];
    expectAllClose(take(balancedCrossentropy(a, b, { beta: 0.5, activation: 'sigmoid' })), bce / 2, {
      rtol: 1e-6,
    });
    tf.dispose([a, b]);
  });

  it('is 0 on an empty or a full mask with beta auto, whatever the prediction', () => {
    const yp = [0.9, 0.1, 0.6, 0.3];
    expectAllClose(run([0, 0, 0, 0], yp, [1, 4, 1]), 0, { atol: 1e-7 });
    expectAllClose(run([1, 1, 1, 1], yp, [1, 4, 1]), 0, { atol: 1e-7 });
  });

  it('follows the oracle for options and reductions', () => {
    const r = rng(9);
    const shape = [3, 2, 3, 2];
    const yt = bernoulli(r, 36, 0.2);
    for (const o of [
      { beta: 0.2 },
      { activation: 'sigmoid' },
      { activation: 'softmax', reduction: 'sum' },
      { reduction: 'none', beta: 0.9 },
    ] as Bbce64[]) {
      const yp = o.activation && o.activation !== 'none' ? uniform(r, 36, -3, 3) : uniform(r, 36, 0.02, 0.98);
      const want = balancedCrossentropy64(yt, yp, shape, o);
      expectAllClose(run(yt, yp, shape, o), typeof want === 'number' ? [want] : want, {
        rtol: 2e-5,
        atol: 1e-6,
      });
    }
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(13);
    const shape = [2, 3, 3, 1];
    const yt = bernoulli(r, 18, 0.3);
    const t = tf.tensor(yt, shape);
    for (const [o, yp] of [
      [{}, uniform(r, 18, 0.05, 0.95)],
      [{ activation: 'sigmoid', beta: 0.8 }, uniform(r, 18, -3, 3)],
    ] as [Bbce64, number[]][]) {
      checkGradient({
        loss: (p) => balancedCrossentropy(t, p, o as BalancedCrossentropyOptions),
        oracle: (p) => balancedCrossentropy64(yt, p, shape, o) as number,
        yPred: yp,
        shape,
      });
    }
    t.dispose();
  });

  it('stays finite at p exactly 0 and 1, empty and full masks, perfect predictions', () => {
    expectFiniteAt(
      [EDGE_INPUTS.emptyMask, EDGE_INPUTS.fullMask, EDGE_INPUTS.perfect],
      [2, 2, 1],
      [balancedCrossentropy.bind({}), balancedCrossentropy.bind({ activation: 'sigmoid' })],
    );
    expect(run([1, 0, 0, 1], [1, 0, 0, 1], [1, 4, 1])[0]).toBeLessThan(2e-7);
  });

  it('rejects bad inputs and options with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 1]);
    expectThrows(() => balancedCrossentropy(tf.zeros([1, 2, 2, 2]), a), /balancedCrossentropy/, /shape/);
    expectThrows(() => balancedCrossentropy(a, a, { beta: 1.5 }), /balancedCrossentropy/, /'beta'/);
    expectThrows(
      () => balancedCrossentropy(a, a, { beta: 'half' as never }),
      /balancedCrossentropy/,
      /'auto'/,
    );
    expectThrows(
      () => balancedCrossentropy(a, a, { activation: 'relu' as never }),
      /balancedCrossentropy/,
      /activation/,
    );
    expectThrows(
      () => balancedCrossentropy(a, a, { ignoreIndex: 255 } as never),
      /balancedCrossentropy/,
      /ignoreIndex/,
    );
    a.dispose();
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 0, 1], [1, 2, 2, 1]);
    const b = tf.randomUniform([1, 2, 2, 1]);
    expectTidy(() => balancedCrossentropy(a, b));
    tf.dispose([a, b]);
  });
});
