/**
 * Each pixel-wise segmentation loss, minimised by Adam over free logits for 60 steps, must fit a random mask:
 * catches sign, scale and gradient-path bugs that value tests miss (MONAI's convergence test, in miniature).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getLoss } from '../../index.ts';
import { tf, type Tensor } from '../../tf.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { rng } from '../../../test/helpers/gradcheck.ts';
import { bernoulli, labels } from '../../../test/helpers/pixel-golden.ts';

type Target = 'binary' | 'sparse';

const CASES: [string, Target, Record<string, unknown>][] = [
  ['weighted_crossentropy', 'binary', { activation: 'sigmoid', posWeight: 3 }],
  ['weighted_crossentropy', 'sparse', { type: 'categorical', activation: 'softmax', sparseLabels: true }],
  ['balanced_crossentropy', 'binary', { activation: 'sigmoid' }],
  ['focal', 'binary', { activation: 'sigmoid', alpha: 0.25 }],
  ['focal', 'sparse', { type: 'categorical', activation: 'softmax', sparseLabels: true }],
  ['combo', 'binary', { activation: 'sigmoid' }],
  ['exponential_logarithmic', 'sparse', { activation: 'softmax', sparseLabels: true }],
  ['exponential_logarithmic', 'binary', { activation: 'sigmoid' }],
  ['unified_focal', 'binary', { activation: 'sigmoid' }],
  ['lovasz_hinge', 'binary', {}],
  ['lovasz_softmax', 'sparse', { activation: 'softmax' }],
];

describe.each(BACKENDS)('pixel losses fit a mask on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('%s (%s targets, %o)', (name, target, options) => {
    const r = rng(101);
    const C = target === 'binary' ? 1 : 3;
    const shape = [2, 6, 6, C];
    const n = 2 * 36;
    const truth = target === 'binary' ? bernoulli(r, n, 0.25) : labels(r, n, 3);
    const yt = target === 'binary' ? tf.tensor(truth, shape) : tf.tensor(truth, [2, 6, 6], 'int32');
    const logits = tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', 5));
    const fn = getLoss(name, options);
    const opt = tf.train.adam(0.1);
    const value = (): number => tf.tidy(() => fn(yt, logits).dataSync()[0]);
    const first = value();
    for (let step = 0; step < 60; step++) {
      const cost = opt.minimize(() => fn(yt, logits) as tf.Scalar, true);
      cost?.dispose();
    }
    const last = value();
    expect(last).toBeLessThan(first - 0.05 * Math.abs(first));
    // The fitted logits reproduce the mask: sign (binary) or argmax (classes) right on ≥ 95 % of the pixels.
    const predicted = tf.tidy((): Tensor =>
      C === 1 ? tf.cast(tf.greater(logits, 0), 'int32') : tf.argMax(logits, -1),
    );
    const got = predicted.dataSync();
    const right = truth.filter((t, i) => t === got[i]).length;
    expect(right / n).toBeGreaterThanOrEqual(0.95);
    tf.dispose([yt, logits, predicted]);
    opt.dispose();
  });
});
