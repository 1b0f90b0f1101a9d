/**
 * Every segmentation loss in the catalog trains a tiny convolutional network on a small synthetic mask set
 * (bright discs on a noisy background) and must reach a clear Dice on held-out images: a loss with a wrong sign,
 * scale or gradient path does not. Runs on `cpu`: tfjs's wasm backend has no Conv2DBackpropFilter kernel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getLoss, listLosses } from '../src/index.ts';
import { tf, type Tensor } from '../src/tf.ts';
import { useBackend } from './helpers/backends.ts';
import { rng } from './helpers/gradcheck.ts';

const SIZE = 16;

/** `n` images `[n, 16, 16, 1]` with 1–3 discs of intensity +1 over N(0, 0.35²) noise, and their masks. */
function discs(n: number, seed: number): { images: Float32Array; masks: Float32Array } {
  const r = rng(seed);
  const images = new Float32Array(n * SIZE * SIZE);
  const masks = new Float32Array(n * SIZE * SIZE);
  for (let k = 0; k < n; k++) {
    const count = 1 + Math.floor(r() * 3);
    const centres = Array.from({ length: count }, () => ({
      y: 3 + r() * (SIZE - 6),
      x: 3 + r() * (SIZE - 6),
      rad: 1.5 + r() * 2.5,
    }));
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = (k * SIZE + y) * SIZE + x;
        const inside = centres.some((c) => (y - c.y) ** 2 + (x - c.x) ** 2 <= c.rad ** 2);
        // Box–Muller from two uniforms.
        const noise = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
        masks[i] = inside ? 1 : 0;
        images[i] = (inside ? 1 : 0) + 0.35 * noise;
      }
    }
  }
  return { images, masks };
}

/** How a loss reads the network's single output channel. */
type Feed = 'logits' | 'sigmoidOption' | 'probabilities';

function feedOf(id: string, params: readonly string[]): Feed {
  if (id === 'lovaszHinge') return 'logits';
  return params.includes('activation') ? 'sigmoidOption' : 'probabilities';
}

/**
 * The boundary loss alone has almost no gradient at the contour (φ ≈ 0 there), so in the same budget its masks
 * come out a pixel off at the edges (Kervadec et al. pair it with a region loss for this reason); measured 0.81
 * where every other loss reached 0.96–0.98.
 */
const BAR: Readonly<Record<string, number>> = { boundaryLoss: 0.7 };

const segmentationLosses = listLosses()
  // Binary cross-entropy is filed under classification but takes the segmentation options too.
  .filter((l) => l.task === 'segmentation' || l.id === 'binaryCrossentropy')
  .map(
    (l) =>
      [
        l.id,
        feedOf(
          l.id,
          l.params.map((p) => p.name),
        ),
      ] as const,
  );

describe('each segmentation loss trains a tiny conv net to segment discs (cpu)', () => {
  beforeAll(() => useBackend('cpu'));

  it('covers the whole segmentation catalog', () => {
    expect(segmentationLosses.length).toBeGreaterThanOrEqual(20);
  });

  it.each(segmentationLosses)('%s', (id, feed) => {
    const before = tf.memory().numTensors;
    const train = discs(8, 7);
    const test = discs(6, 8);
    const shape = [8, SIZE, SIZE, 1];
    const x = tf.tensor4d(train.images, shape as [number, number, number, number]);
    const y = tf.tensor4d(train.masks, shape as [number, number, number, number]);
    const init = [
      tf.randomNormal([3, 3, 1, 4], 0, 0.4, 'float32', 1),
      tf.zeros([4]),
      tf.randomNormal([1, 1, 4, 1], 0, 0.4, 'float32', 2),
      tf.zeros([1]),
    ];
    const [w1, b1, w2, b2] = init.map((t) => tf.variable(t)) as [
      tf.Variable<tf.Rank.R4>,
      tf.Variable,
      tf.Variable<tf.Rank.R4>,
      tf.Variable,
    ];
    tf.dispose(init);
    const logits = (input: Tensor): Tensor =>
      tf.add(
        tf.conv2d(tf.relu(tf.add(tf.conv2d(input as tf.Tensor4D, w1, 1, 'same'), b1)), w2, 1, 'same'),
        b2,
      );
    const loss = getLoss(id, feed === 'sigmoidOption' ? { activation: 'sigmoid' } : {});
    const opt = tf.train.adam(0.05);
    for (let step = 0; step < 90; step++) {
      const cost = opt.minimize(() => {
        const z = logits(x);
        return loss(y, feed === 'probabilities' ? tf.sigmoid(z) : z) as tf.Scalar;
      }, true);
      expect(Number.isFinite(cost!.dataSync()[0]), `${id} step ${step}`).toBe(true);
      cost!.dispose();
    }
    // Held-out Dice of the thresholded prediction (z > 0 ⇔ σ(z) > 0.5).
    const predicted = tf.tidy(() =>
      tf.greater(logits(tf.tensor4d(test.images, [6, SIZE, SIZE, 1])), 0).dataSync(),
    );
    let tp = 0;
    let sum = 0;
    for (let i = 0; i < predicted.length; i++) {
      tp += predicted[i] * test.masks[i];
      sum += predicted[i] + test.masks[i];
    }
    const dice = (2 * tp) / sum;
    expect(dice, `${id}: held-out Dice`).toBeGreaterThan(BAR[id] ?? 0.8);
    tf.dispose([x, y, w1, b1, w2, b2]);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
