import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend.ts';

const BACKENDS = ['cpu', 'wasm'] as const;
const strict = (message: string): never => {
  throw new Error(message);
};
import { buildUnet, sameConv2d } from './unet.ts';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(BACKENDS)('sameConv2d on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend, strict);
  });

  it.each([3, 1])('matches tf.conv2d and, on cpu, its gradients (kernel size %i)', (k) => {
    const x = tf.randomNormal<tf.Rank.R4>([3, 7, 6, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal<tf.Rank.R4>([k, k, 4, 5], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([3, 7, 6, 5], 0, 1, 'float32', 3);
    expect(maxAbsDiff(sameConv2d(x, w), tf.conv2d(x, w, 1, 'same'))).toBeLessThan(1e-4);
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(sameConv2d(a as tf.Tensor4D, b as tf.Tensor4D), dy)),
    )([x, w]);
    // The reference gradient needs Conv2DBackpropFilter, which the wasm backend lacks (the reason for sameConv2d),
    // so it is computed on cpu.
    if (backend === 'cpu') {
      const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), dy)),
      )([x, w]);
      expect(maxAbsDiff(ours[0], ref[0])).toBeLessThan(1e-4);
      expect(maxAbsDiff(ours[1], ref[1])).toBeLessThan(1e-3);
    } else {
      expect(ours[1].shape).toEqual([k, k, 4, 5]);
      expect(Number.isFinite(tf.sum(ours[1]).dataSync()[0])).toBe(true);
    }
    tf.dispose([x, w, dy, ...ours]);
  });
});

describe('buildUnet', () => {
  beforeAll(async () => {
    await useBackend('wasm', strict);
  });

  it('has the hand-counted number of parameters and a [n, s, s, 1] probability output', () => {
    // 3×3 convolutions (k·k·in·out + out): 1→8, 8→8, 8→16, 16→16, 16→32, 32→32, (32+16)→16, 16→16,
    // (16+8)→8, 8→8; then the 1×1 head 8→1.
    const convs = [
      [1, 8],
      [8, 8],
      [8, 16],
      [16, 16],
      [16, 32],
      [32, 32],
      [48, 16],
      [16, 16],
      [24, 8],
      [8, 8],
    ];
    const expected = convs.reduce((s, [i, o]) => s + 9 * i * o + o, 0) + 8 + 1;
    expect(expected).toBe(29617);
    const model = buildUnet(16, 8, 1);
    expect(model.countParams()).toBe(expected);
    const y = model.predict(tf.zeros([2, 16, 16, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 16, 16, 1]);
    const v = y.dataSync();
    expect(v.every((p) => p > 0 && p < 1)).toBe(true);
    y.dispose();
    model.dispose();
  });

  it('gives the same initial weights for the same seed', () => {
    const a = buildUnet(8, 4, 3);
    const b = buildUnet(8, 4, 3);
    const c = buildUnet(8, 4, 4);
    const first = (m: tf.LayersModel) => m.getWeights()[0].dataSync().slice(0, 8);
    expect(Array.from(first(a))).toEqual(Array.from(first(b)));
    expect(Array.from(first(a))).not.toEqual(Array.from(first(c)));
    [a, b, c].forEach((m) => {
      m.dispose();
    });
  });

  it('trains on wasm: BCE falls on a learnable toy task', () => {
    const model = buildUnet(8, 4, 1);
    const opt = tf.train.adam(0.01);
    // Foreground where the input is bright.
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 5);
    const y = tf.cast(tf.greater(x, 0.5), 'float32');
    const step = () =>
      opt.minimize(() => {
        const p = tf.clipByValue(model.apply(x) as tf.Tensor, 1e-6, 1 - 1e-6);
        return tf.neg(
          tf.mean<tf.Scalar>(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))),
        );
      }, true)!;
    const first = step().dataSync()[0];
    let last = first;
    for (let i = 0; i < 40; i++) {
      const c = step();
      last = c.dataSync()[0];
      c.dispose();
    }
    expect(last).toBeLessThan(0.5 * first);
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  });
});
