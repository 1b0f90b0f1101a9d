import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { BACKENDS, useBackend } from '../../test/helpers/backends.ts';
import { expectAllClose, expectThrows, take } from '../../test/helpers/assert.ts';
import { squeezeOrExpandToSameRank } from './rank.ts';
import { reduceWeighted } from './reduce.ts';

describe.each(BACKENDS)('reduceWeighted on %s (Keras 3 reduce_weighted_values)', (backend) => {
  beforeAll(() => useBackend(backend));
  const values = () =>
    tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);

  it('sum_over_batch_size divides by the number of entries, zero weights included', () => {
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'sum_over_batch_size' })), 21 / 6);
    const sw = tf.tensor2d([[1], [0]]);
    // (1+2+3)·1 + (4+5+6)·0 = 6, over 6 entries.
    expectAllClose(
      take(reduceWeighted('t', values(), { reduction: 'sum_over_batch_size', sampleWeight: sw })),
      1,
    );
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'mean', sampleWeight: sw })), 1);
  });
  it('sum, none and mean_with_sample_weight', () => {
    const sw = tf.tensor2d([[2], [1]]);
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'sum', sampleWeight: sw })), 12 + 15);
    expectAllClose(
      take(reduceWeighted('t', values(), { reduction: 'none', sampleWeight: sw })),
      [2, 4, 6, 4, 5, 6],
    );
    // Σ weights as given (2 + 1), not broadcast to 6 entries.
    expectAllClose(
      take(reduceWeighted('t', values(), { reduction: 'mean_with_sample_weight', sampleWeight: sw })),
      27 / 3,
    );
    // Without weights it is sum_over_batch_size.
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'mean_with_sample_weight' })), 21 / 6);
  });
  it('all-zero weights give 0, not NaN', () => {
    const sw = tf.zeros([2, 1]);
    expect(
      take(reduceWeighted('t', values(), { reduction: 'mean_with_sample_weight', sampleWeight: sw }))[0],
    ).toBe(0);
  });
  it('a mask makes the mean a mean over valid entries and zeroes them under none', () => {
    const mask = tf.tensor2d([
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expectAllClose(
      take(reduceWeighted('t', values(), { reduction: 'sum_over_batch_size', mask })),
      (1 + 2 + 6) / 3,
    );
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'none', mask })), [1, 2, 0, 0, 0, 6]);
    expectAllClose(take(reduceWeighted('t', values(), { reduction: 'sum', mask })), 9);
  });
  it('a scalar value is returned as is', () => {
    expectAllClose(
      take(reduceWeighted('t', tf.scalar(3), { reduction: 'sum', sampleWeight: tf.scalar(2) })),
      6,
    );
  });
  it('rejects a weight that would broadcast the values into a larger shape', () => {
    expectThrows(
      () => reduceWeighted('huber', values(), { reduction: 'sum', sampleWeight: tf.tensor1d([1, 2]) }),
      /huber: sampleWeight shape \[2\] cannot weight per-sample losses of shape \[2,3\]/,
    );
  });
});

describe('squeezeOrExpandToSameRank', () => {
  it('squeezes a trailing 1, or expands a rank-1 partner (Keras rule)', () => {
    const [a, b] = squeezeOrExpandToSameRank(tf.zeros([4, 3, 1]), tf.zeros([4, 3]));
    expect(a.shape).toEqual([4, 3]);
    expect(b.shape).toEqual([4, 3]);
    const [c, d] = squeezeOrExpandToSameRank(tf.zeros([4]), tf.zeros([4, 1]));
    expect(c.shape).toEqual([4, 1]);
    expect(d.shape).toEqual([4, 1]);
    const [e, f] = squeezeOrExpandToSameRank(tf.zeros([4]), tf.zeros([4, 3]));
    expect(e.shape).toEqual([4]);
    expect(f.shape).toEqual([4, 3]);
  });
});
