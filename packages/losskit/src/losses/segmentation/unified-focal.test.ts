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
  regionCases,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { unifiedFocal64, type Unified64 } from '../../../test/reference/pixel-focal.ts';
import { unifiedFocal, type UnifiedFocalOptions } from './unified-focal.ts';

const golden = regionCases('unified_focal');

function run(
  yt: number[],
  yp: number[],
  shape: number[],
  o: UnifiedFocalOptions = {},
  trueShape = shape,
): number {
  const a = tf.tensor(yt, trueShape, trueShape.length < shape.length ? 'int32' : 'float32');
  const b = tf.tensor(yp, shape);
  const v = take(unifiedFocal(a, b, o))[0];
  tf.dispose([a, b]);
  return v;
}

/** Two-channel [bg, fg] one-hot rows and probability rows from foreground masks and probabilities. */
const twoChannel = (fg: number[]) => fg.flatMap((v) => [1 - v, v]);

describeRegionOracle('unifiedFocal', golden, unifiedFocal64, 'case');

describe.each(BACKENDS)('unifiedFocal on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(unifiedFocal, golden);

  it('matches a hand-derived value', () => {
    // g_fg = [1, 0], p_fg = [0.8, 0.3] → bg: p = [0.2, 0.7], g = [0, 1]; TP_bg = 0.7, FN_bg = 0.3, FP_bg = 0.2 →
    // TI_bg = 0.7/(0.7 + 0.6·0.3 + 0.4·0.2) = 0.7/0.96; fg: TP = 0.8, FN = 0.2, FP = 0.3 → TI_fg = 0.8/1.04.
    // FTL = ½[(1 − TI_bg) + (1 − TI_fg)^0.5]; FL = ½[0.6·(−ln 0.8) + 0.4·(1 − 0.7)^0.5·(−ln 0.7)]; λ = ½.
    const ftl = 0.5 * (1 - 0.7 / 0.96 + (1 - 0.8 / 1.04) ** 0.5);
    const fl = 0.5 * (0.6 * -Math.log(0.8) + 0.4 * Math.sqrt(0.3) * -Math.log(0.7));
    expectAllClose(run([1, 0], [0.8, 0.3], [1, 2, 1]), 0.5 * ftl + 0.5 * fl, { rtol: 1e-5 });
  });

  it('is the same on one foreground channel and on [1 − p, p]', () => {
    const r = rng(59);
    const fg = bernoulli(r, 18, 0.3);
    const p = uniform(r, 18, 0.05, 0.95);
    for (const variant of ['asymmetric', 'symmetric'] as const) {
      const one = run(fg, p, [2, 3, 3, 1], { variant });
      expectAllClose(run(twoChannel(fg), twoChannel(p), [2, 3, 3, 2], { variant }), one, { rtol: 1e-5 });
      // Sparse labels {0, 1} give the same one-hot.
      expectAllClose(run(fg, twoChannel(p), [2, 3, 3, 2], { variant, sparseLabels: true }, [2, 3, 3]), one, {
        rtol: 1e-5,
      });
    }
  });

  it('weight 1 is the focal Tversky part, weight 0 the focal CE part; γ = 0 gives Tversky and a weighted CE', () => {
    const r = rng(61);
    const fg = bernoulli(r, 18, 0.3);
    const p = uniform(r, 18, 0.05, 0.95);
    const shape = [2, 3, 3, 1];
    for (const o of [{ weight: 1 }, { weight: 0 }, { weight: 0.3, variant: 'symmetric' }] as Unified64[]) {
      expectAllClose(run(fg, p, shape, o), unifiedFocal64(fg, p, shape, o), { rtol: 2e-5 });
    }
    // γ = 0, weight 0: −mean_x[(1 − δ)·g_bg·log p_bg + δ·g_fg·log p_fg], by hand.
    let ce = 0;
    fg.forEach((g, i) => (ce += g ? -0.6 * Math.log(p[i]) : -0.4 * Math.log(1 - p[i])));
    expectAllClose(run(fg, p, shape, { weight: 0, gamma: 0 }), ce / 18, { rtol: 1e-5 });
  });

  it('follows the oracle for variants, activations and parameters', () => {
    const r = rng(67);
    const fg = bernoulli(r, 24, 0.3);
    const shape = [2, 4, 3, 2];
    const logits = uniform(r, 48, -3, 3);
    for (const o of [
      { variant: 'symmetric', delta: 0.7, gamma: 0.2 },
      { activation: 'softmax', weight: 0.2 },
      { activation: 'sigmoid', variant: 'symmetric' },
      { eps: 1e-4, gamma: 0.9 },
    ] as Unified64[]) {
      const yp = o.activation ? logits : twoChannel(uniform(r, 24, 0.02, 0.98));
      expectAllClose(run(twoChannel(fg), yp, shape, o), unifiedFocal64(twoChannel(fg), yp, shape, o), {
        rtol: 2e-5,
        atol: 1e-6,
      });
    }
  });

  it('gradients match central differences of the oracle', () => {
    const r = rng(71);
    const fg = bernoulli(r, 12, 0.4);
    const yt = twoChannel(fg);
    const shape = [2, 3, 2, 2];
    const t = tf.tensor(yt, shape);
    for (const [o, yp] of [
      [{}, twoChannel(uniform(r, 12, 0.05, 0.95))],
      [{ variant: 'symmetric', delta: 0.7, weight: 0.3 }, uniform(r, 24, 0.05, 0.95)],
      [{ activation: 'softmax', gamma: 0.3 }, uniform(r, 24, -2, 2)],
    ] as [Unified64, number[]][]) {
      checkGradient({
        loss: (p) => unifiedFocal(t, p, o),
        oracle: (p) => unifiedFocal64(yt, p, shape, o),
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
      [unifiedFocal.bind({}), unifiedFocal.bind({ variant: 'symmetric', gamma: 0.9 })],
    );
    // Perfect prediction: only the clipping's ~1e-7 errors remain, (1e-7)^0.5 in the foreground Tversky term.
    expect(run([1, 0, 0, 1], [1, 0, 0, 1], [1, 4, 1])).toBeLessThan(2e-4);
  });

  it('rejects bad inputs, options and sample weights with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 3]);
    expectThrows(() => unifiedFocal(a, a), /unifiedFocal: the loss is binary/, /\[1,2,2,3\]/);
    expectThrows(() => unifiedFocal(tf.zeros([1, 2, 2, 1]), tf.zeros([1, 2, 2, 2])), /unifiedFocal/, /shape/);
    expectThrows(
      () => unifiedFocal(tf.tensor([0, 2], [1, 2], 'int32'), tf.zeros([1, 2, 2]), { sparseLabels: true }),
      /unifiedFocal: sparse label 2/,
    );
    const b = tf.zeros([1, 2, 2, 2]);
    expectThrows(() => unifiedFocal(b, b, { variant: 'balanced' as never }), /unifiedFocal/, /variant/);
    expectThrows(() => unifiedFocal(b, b, { delta: 1.2 }), /unifiedFocal/, /'delta'/);
    expectThrows(() => unifiedFocal(b, b, { lambda: 0.5 } as never), /unifiedFocal/, /lambda/);
    expectThrows(() => unifiedFocal(b, b, { sampleWeight: tf.ones([1]) }), /unifiedFocal: sampleWeight/);
    tf.dispose([a, b]);
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 0, 1], [1, 2, 2, 1]);
    const b = tf.randomUniform([1, 2, 2, 1]);
    expectTidy(() => unifiedFocal(a, b));
    expectTidy(() => unifiedFocal(a, b, { variant: 'symmetric' }));
    tf.dispose([a, b]);
  });
});
