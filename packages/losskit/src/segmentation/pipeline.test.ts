import { beforeAll, describe, expect, it } from 'vitest';
import { overlapMetrics } from '../metrics/overlap.ts';
import { REGION_EDGE_CASES } from '../../test/reference/region-cases.ts';
import { expectAllClose, expectThrows, expectTidy, take } from '../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../test/helpers/backends.ts';
import { tf, type Tensor } from '../tf.ts';
import { dice } from '../losses/segmentation/dice.ts';
import { jaccard } from '../losses/segmentation/jaccard.ts';
import { combo } from '../losses/segmentation/combo.ts';
import { focal } from '../losses/segmentation/focal.ts';
import { overlapLosses } from '../losses/segmentation/overlap-losses.ts';
import { applyPresets } from '../core/options.ts';
import type { ParamInfo } from '../core/types.ts';
import {
  checkLayout,
  finishGroups,
  type GroupOptions,
  groupSums,
  type LayoutOptions,
  lossFromScore,
  PER_SAMPLE_AND_CLASS,
  prepare,
  PRESETS,
  regionPresets,
  safePow,
  sumGroups,
} from './index.ts';

const t4 = (v: number[], s: number[]) => tf.tensor(v, s, 'float32');
/** The pipeline takes resolved options: tests state every layout option, as a loss's resolved options would. */
const layout = (o: Partial<LayoutOptions> = {}): LayoutOptions => ({
  activation: 'none',
  sparseLabels: false,
  ignoreIndex: null,
  includeBackground: true,
  ...o,
});
const applyPreset = (info: { params: readonly ParamInfo[] }, options: object) =>
  applyPresets(info.params, options, regionPresets());

describe('presets (§1.7)', () => {
  it('merges a preset under the explicit options, restricted to the options a loss declares', () => {
    expect(applyPreset(dice.info, { preset: 'smp' })).toEqual({ ...PRESETS.smp, preset: 'smp' });
    expect(applyPreset(dice.info, { preset: 'smp', smoothNr: 1e-5 })).toMatchObject({
      smoothNr: 1e-5,
      smoothDr: 0,
    });
    // A loss without epsClamp/maskEmptyClasses gets only the flags it has.
    const info = {
      params: dice.info.params.filter((p) => p.name !== 'epsClamp' && p.name !== 'maskEmptyClasses'),
    };
    expect(applyPreset(info, { preset: 'smp' })).toEqual({
      reduceBatch: true,
      reduceChannels: false,
      smoothNr: 0,
      smoothDr: 0,
      preset: 'smp',
    });
  });

  it('matches preset names like every enum (case, _, -)', () => {
    expect(dice.bind({ preset: 'SMP' } as never).options).toMatchObject({
      preset: 'smp',
      reduceBatch: true,
      epsClamp: 1e-7,
    });
  });

  it('leaves options alone without a preset, and rejects an unknown preset by name', () => {
    expect(applyPreset(dice.info, { smoothNr: 1 })).toEqual({ smoothNr: 1 });
    expectThrows(() => dice.bind({ preset: 'pytorch' } as never), /dice/, /preset/, /'smp'/);
  });

  it('lets a loss override a preset (MONAI jaccard halves the smoothing)', () => {
    expect(jaccard.bind({ preset: 'monai' }).options).toMatchObject({ smoothNr: 5e-6, smoothDr: 5e-6 });
    expect(dice.bind({ preset: 'monai' }).options).toMatchObject({ smoothNr: 1e-5, smoothDr: 1e-5 });
  });
});

describe('one name per concept, old spellings as aliases', () => {
  it("reads the region losses' old 'eps' as logEpsilon and the pixel losses' as epsilon", () => {
    expect(dice.bind({ eps: 1e-3 } as never).options).toMatchObject({ logEpsilon: 1e-3 });
    expect('eps' in dice.bind({ eps: 1e-3 } as never).options).toBe(false);
    expect(focal.bind({ eps: 1e-4 } as never).options).toMatchObject({ epsilon: 1e-4 });
    expect(combo.bind({ eps: 1e-4 } as never).options).toMatchObject({ epsilon: 1e-4 });
  });

  it('rejects an option given under both names', () => {
    expectThrows(() => dice.bind({ eps: 1e-3, logEpsilon: 1e-3 } as never), /dice/, /'logEpsilon'/, /'eps'/);
  });
});

describe.each(BACKENDS)('region pipeline on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('prepares sparse labels: activation over all channels, one-hot, ignoreIndex, background dropped', () => {
    // Two pixels, C = 3, labels [2, 255]; 255 is ignored. Softmax of [0, 0, ln 2] = [1/4, 1/4, 1/2].
    const yt = tf.tensor([[[2, 255]]], [1, 1, 2], 'int32');
    const yp = t4([0, 0, Math.log(2), 0, 0, 0], [1, 1, 2, 3]);
    const out = tf.tidy(() => {
      const prep = prepare(
        'test',
        yt,
        yp,
        layout({ sparseLabels: true, ignoreIndex: 255, includeBackground: false, activation: 'softmax' }),
      );
      expect(prep.layout).toEqual({ B: 1, spatial: [1, 2], C: 3, kept: 2, rank: 4 });
      return [prep.p, prep.g, prep.valid!].map((x) => Array.from(x.dataSync()));
    });
    expectAllClose(out[0], [0.25, 0.5, 0, 0]);
    expect(out[1]).toEqual([0, 1, 0, 0]);
    expect(out[2]).toEqual([1, 0]);
    tf.dispose([yt, yp]);
  });

  it('uses one-channel sparse labels as the mask itself (MONAI)', () => {
    const yt = tf.tensor([1, 0, 1], [1, 3], 'int32');
    const yp = t4([0.5, 0.5, 0.5], [1, 3, 1]);
    const g = tf.tidy(() => Array.from(prepare('t', yt, yp, layout({ sparseLabels: true })).g.dataSync()));
    expect(g).toEqual([1, 0, 1]);
    tf.dispose([yt, yp]);
  });

  it('masks a dense ignoreIndex element-wise, and keeps ignored elements out of TN', () => {
    // g = [1, 0, -1 (ignored)], p = [0.9, 0.2, 0.7]: TP 0.9, FP 0.2, FN 0.1, TN 0.8 (the ignored one adds nothing).
    const yt = t4([1, 0, -1], [1, 3, 1]);
    const yp = t4([0.9, 0.2, 0.7], [1, 3, 1]);
    const s = tf.tidy(() => {
      const prep = prepare('t', yt, yp, layout({ ignoreIndex: -1 }));
      const g = groupSums(prep, PER_SAMPLE_AND_CLASS, { tn: true });
      return [g.tp, g.fp, g.fn, g.tn!, g.sumP, g.sumG].map((x) => x.dataSync()[0]);
    });
    expectAllClose(s, [0.9, 0.2, 0.1, 0.8, 1.1, 1]);
    tf.dispose([yt, yp]);
  });

  it('sums per sample and class, over the batch, over the channels, or both', () => {
    const yp = t4(
      Array.from({ length: 12 }, (_, i) => i),
      [2, 3, 1, 2],
    );
    const yt = tf.zerosLike(yp);
    const sums = (o: Partial<GroupOptions>) =>
      tf.tidy(() => {
        const prep = prepare('t', yt, yp, layout());
        const s = sumGroups(prep.p, prep, { ...PER_SAMPLE_AND_CLASS, ...o });
        return { shape: s.shape, v: Array.from(s.dataSync()) };
      });
    // channel 0 holds 0,2,4 | 6,8,10; channel 1 holds 1,3,5 | 7,9,11
    expect(sums({})).toEqual({ shape: [2, 2], v: [6, 9, 24, 27] });
    expect(sums({ reduceBatch: true })).toEqual({ shape: [1, 2], v: [30, 36] });
    expect(sums({ reduceChannels: true })).toEqual({ shape: [2, 1], v: [15, 51] });
    expect(sums({ reduceBatch: true, reduceChannels: true })).toEqual({ shape: [1, 1], v: [66] });
    tf.dispose([yt, yp]);
  });

  it('turns scores into losses: 1 − s, or −log(max(s, logEpsilon))', () => {
    const s = tf.tensor1d([0.5, 0]);
    expectAllClose(take(lossFromScore(s, { logLoss: false, logEpsilon: null })), [0.5, 1]);
    expectAllClose(take(lossFromScore(s, { logLoss: true, logEpsilon: 1e-3 })), [Math.LN2, -Math.log(1e-3)], {
      rtol: 1e-6,
    });
    s.dispose();
  });

  it('masks empty classes to 0 (still counted), then weights classes, then reduces', () => {
    // Two samples, two classes; sample 1 has no class-1 pixel. Losses [[0.2, 0.4], [0.6, 0.8]].
    const yt = t4([1, 1, 1, 0], [2, 1, 1, 2]);
    const yp = tf.zerosLike(yt);
    const out = tf.tidy(() => {
      const prep = prepare('t', yt, yp, layout());
      const finish = { ...PER_SAMPLE_AND_CLASS, maskEmptyClasses: true, classWeights: [1, 10] } as const;
      const v = finishGroups('t', tf.tensor2d([0.2, 0.4, 0.6, 0.8], [2, 2]), prep, {
        ...finish,
        reduction: 'none',
      });
      const mean = finishGroups('t', tf.tensor2d([0.2, 0.4, 0.6, 0.8], [2, 2]), prep, {
        ...finish,
        reduction: 'mean',
      });
      return [Array.from(v.dataSync()), mean.dataSync()[0]] as const;
    });
    expectAllClose(out[0], [0.2, 4, 0.6, 0]);
    expectAllClose(out[1], (0.2 + 4 + 0.6 + 0) / 4);
    tf.dispose([yt, yp]);
  });

  describe('layout errors name the loss and the shapes', () => {
    const cases: [string, () => void, RegExp[]][] = [
      ['rank < 3', () => dice(tf.zeros([2, 3]), tf.zeros([2, 3])), [/dice/, /rank ≥ 3/, /\[2,3\]/]],
      [
        'dense shape mismatch',
        () => dice(tf.zeros([2, 4, 4, 1]), tf.zeros([2, 4, 4, 2])),
        [/dice/, /\[2,4,4,1\]/, /\[2,4,4,2\]/, /sparseLabels/],
      ],
      [
        'sparse shape mismatch',
        () => dice(tf.zeros([2, 4, 3], 'int32'), tf.zeros([2, 4, 4, 2]), { sparseLabels: true }),
        [/dice/, /\[2,4,3\]/, /\[2,4,4,2\]/],
      ],
      [
        'sparse label ≥ C',
        () => dice(tf.tensor([[0, 3]], [1, 2], 'int32'), tf.zeros([1, 2, 3]), { sparseLabels: true }),
        [/dice/, /label 3/, /\[0, 3\)/, /\[1,2,3\]/],
      ],
      [
        'negative label that is not ignoreIndex',
        () =>
          dice(tf.tensor([[0, -1]], [1, 2], 'int32'), tf.zeros([1, 2, 3]), {
            sparseLabels: true,
            ignoreIndex: 255,
          }),
        [/dice/, /label -1/, /ignoreIndex 255/],
      ],
      [
        'non-integer label',
        () => dice(tf.tensor([[0, 1.5]], [1, 2]), tf.zeros([1, 2, 3]), { sparseLabels: true }),
        [/dice/, /label 1\.5/],
      ],
      [
        'one-channel label 2',
        () => dice(tf.tensor([[0, 2]], [1, 2], 'int32'), tf.zeros([1, 2, 1]), { sparseLabels: true }),
        [/dice/, /label 2/, /\{0, 1\}/],
      ],
      [
        'softmax with one channel',
        () => dice(tf.zeros([1, 2, 1]), tf.zeros([1, 2, 1]), { activation: 'softmax' }),
        [/dice/, /softmax/, /one channel/, /\[1,2,1\]/],
      ],
      [
        'classWeights of the wrong length',
        () => dice(tf.zeros([1, 2, 3]), tf.zeros([1, 2, 3]), { classWeights: [1, 2] }),
        [/dice/, /classWeights/, /2 value/, /3 channel/],
      ],
      [
        'classWeights with reduceChannels',
        () =>
          dice(tf.zeros([1, 2, 3]), tf.zeros([1, 2, 3]), { classWeights: [1, 2, 3], reduceChannels: true }),
        [/dice/, /classWeights/, /reduceChannels/],
      ],
      [
        'per-sample weights with reduceBatch',
        () =>
          dice(tf.zeros([2, 2, 1]), tf.zeros([2, 2, 1]), { reduceBatch: true, sampleWeight: tf.ones([2]) }),
        [/dice/, /sampleWeight/, /reduceBatch/],
      ],
      [
        'sampleWeight of the wrong shape',
        () => dice(tf.zeros([2, 2, 1]), tf.zeros([2, 2, 1]), { sampleWeight: tf.ones([3]) }),
        [/dice/, /sampleWeight shape \[3\]/],
      ],
      [
        'unknown option',
        () => dice(tf.zeros([1, 2, 1]), tf.zeros([1, 2, 1]), { smooth: 1 } as never),
        [/dice/, /unknown option 'smooth'/, /smoothNr/],
      ],
    ];
    it.each(cases)('%s', (_name, fn, patterns) => {
      const before = tf.memory().numTensors;
      expectThrows(
        () => {
          tf.tidy(fn);
        },
        ...patterns,
      );
      // Inputs created inside the thrower are disposed by the tidy; nothing leaks.
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('accepts labels equal to ignoreIndex inside [0, C) and in a trailing size-1 axis', () => {
    const yt = tf.tensor([[[0], [2]]], [1, 2, 1], 'int32');
    const yp = t4([0.5, 0.3, 0.2, 0.1, 0.1, 0.8], [1, 2, 3]);
    expect(checkLayout('t', yt, yp, layout({ sparseLabels: true, ignoreIndex: 0 })).C).toBe(3);
    tf.dispose([yt, yp]);
  });

  it('safePow: exact values, and finite gradients at 0 (0 for γ < 1, the pinned subgradient)', () => {
    const x = tf.tensor1d([0, 0.25, 1, -0.5]);
    const value = (g: number) => take(safePow(x, g));
    const grad = (g: number) => take(tf.grad((v: Tensor) => tf.sum(safePow(v, g)))(x));
    expectAllClose(value(0.75), [0, 0.25 ** 0.75, 1, 0]);
    expectAllClose(grad(0.75), [0, 0.75 * 0.25 ** -0.25, 0.75, 0]);
    expectAllClose(grad(2), [0, 0.5, 2, 0]);
    expectAllClose(grad(1), [1, 1, 1, 0]);
    x.dispose();
  });

  it('TSDoc examples print the documented values', () => {
    // The documented values, hand-derived in each file's @example (float64, rounded to 7 digits).
    const g = t4([1, 0], [1, 1, 2, 1]);
    const p = t4([0.9, 0.2], [1, 1, 2, 1]);
    const examples: [string, Tensor, number][] = [
      ['dice', dice(g, p), 0.1428565],
      ['jaccard', jaccard(g, p), 0.2499979],
      ...overlapLosses
        .filter((l) =>
          ['tversky', 'focalTversky', 'logCoshDice', 'generalizedDice', 'sensitivitySpecificity'].includes(
            l.info.id,
          ),
        )
        .map((l): [string, Tensor, number] => [
          l.info.id,
          l(g, p),
          {
            tversky: 0.1262124,
            focalTversky: 0.2117515,
            logCoshDice: 0.0101695,
            generalizedDice: 0.1428565,
            sensitivitySpecificity: 0.0384996,
          }[l.info.id as 'tversky'],
        ]),
    ];
    for (const [id, v, want] of examples)
      expect(Math.abs(take(v)[0] - want), id).toBeLessThan(2e-7 + 1e-6 * want);
    tf.dispose([g, p]);
  });

  describe('training converges: logits fitted by Adam reproduce the mask under each loss (catches sign and scale bugs)', () => {
    it.each(overlapLosses.map((l) => [l.info.id, l] as const))('%s', (_id, loss) => {
      const mask = [0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0];
      const yt = t4(mask, [1, 4, 4, 1]);
      const logits = tf.variable(
        tf.tensor(
          mask.map((_, i) => 0.1 * Math.sin(i)),
          [1, 4, 4, 1],
        ),
      );
      const fn = loss.bind({ activation: 'sigmoid' } as never);
      const opt = tf.train.adam(0.1);
      for (let step = 0; step < 60; step++) opt.minimize(() => fn(yt, logits) as tf.Scalar);
      const hard = take(tf.tidy(() => tf.cast(tf.greater(logits, 0), 'float32')));
      expect(Array.from(hard)).toEqual(mask);
      opt.dispose();
      tf.dispose([yt, logits]);
    });
  });

  describe('no NaN or Infinity, in value or gradient, on the edge cases (§1.4)', () => {
    const configs: [string, Record<string, unknown>][] = [
      ['defaults', {}],
      ['preset smp', { preset: 'smp' }],
      ['preset keras', { preset: 'keras' }],
      ['preset jadon', { preset: 'jadon' }],
      ['sigmoid logits', { activation: 'sigmoid' }],
    ];
    for (const loss of overlapLosses) {
      const names = new Set(loss.info.params.map((p) => p.name));
      for (const [cname, opts] of configs) {
        const options = Object.fromEntries(Object.entries(opts).filter(([k]) => names.has(k)));
        if (Object.keys(options).length < Object.keys(opts).length) continue;
        it.each(REGION_EDGE_CASES.map((c) => [c.name, c] as const))(
          `${loss.info.id}, ${cname}: %s`,
          (_n, c) => {
            const yt = t4([...c.yTrue], [...c.shape]);
            const yp = t4([...c.yPred], [...c.shape]);
            const fn = loss.bind(options as never);
            const v = take(fn(yt, yp));
            const g = take(tf.grad((p: Tensor) => fn(yt, p))(yp));
            for (const x of v) expect(Number.isFinite(x), `value ${x}`).toBe(true);
            for (const x of g) expect(Number.isFinite(x), `gradient ${x}`).toBe(true);
            expectTidy(() => fn(yt, yp));
            tf.dispose([yt, yp]);
          },
        );
      }
    }
    for (const metric of overlapMetrics) {
      it.each(REGION_EDGE_CASES.map((c) => [c.name, c] as const))(`${metric.info.id}: %s`, (_n, c) => {
        const yt = t4([...c.yTrue], [...c.shape]);
        const yp = t4([...c.yPred], [...c.shape]);
        for (const threshold of [null, 0.5]) {
          for (const x of take(metric.bind({ threshold } as never)(yt, yp)))
            expect(Number.isFinite(x)).toBe(true);
        }
        tf.dispose([yt, yp]);
      });
    }
  });
});
