import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { expectThrows } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.ts';

describe.each(BACKENDS)('sparseCategoricalCrossentropy labels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const probs = [
    [0.2, 0.3, 0.5],
    [0.6, 0.3, 0.1],
  ];

  it('rejects a non-integer, NaN or negative label, naming the loss, the label and its index', () => {
    for (const fromLogits of [false, true]) {
      for (const [bad, text] of [
        [1.5, '1.5'],
        [NaN, 'NaN'],
        [-0.5, '-0.5'],
        [3, '3'],
      ] as const) {
        const yTrue = tf.tensor1d([0, bad]);
        const yPred = tf.tensor2d(probs);
        expectThrows(
          () => sparseCategoricalCrossentropy.bind({ fromLogits })(yTrue, yPred),
          new RegExp(`^sparseCategoricalCrossentropy: yTrue holds label ${text} \\(flat index 1\\)`),
          /labels must be integers in \[0, 2\]/,
        );
        tf.dispose([yTrue, yPred]);
      }
    }
  });

  it('still accepts integer labels (float32 or int32) and ignoreClass', () => {
    const yPred = tf.tensor2d(probs);
    for (const yTrue of [tf.tensor1d([2, 0]), tf.tensor1d([2, 0], 'int32')]) {
      const v = sparseCategoricalCrossentropy.bind({})(yTrue, yPred).dataSync()[0];
      expect(v).toBeCloseTo((-Math.log(0.5) - Math.log(0.6)) / 2, 5);
      yTrue.dispose();
    }
    const ignored = tf.tensor1d([2, 255]);
    const v = sparseCategoricalCrossentropy.bind({ ignoreClass: 255 })(ignored, yPred).dataSync()[0];
    expect(v).toBeCloseTo(-Math.log(0.5), 5);
    tf.dispose([ignored, yPred]);
  });

  it('rejects a yPred with fewer than two classes, even for an empty batch', () => {
    for (const [yt, yp] of [
      [tf.zeros([2]), tf.zeros([2, 1])],
      [tf.zeros([0, 2, 2]), tf.zeros([0, 2, 2, 1])],
    ]) {
      expectThrows(
        () => sparseCategoricalCrossentropy.bind({})(yt, yp),
        /^sparseCategoricalCrossentropy: yPred shape \[.*\] has 1 class on axis -?\d+; expected at least 2/,
      );
      tf.dispose([yt, yp]);
    }
  });
});
