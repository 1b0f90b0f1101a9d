import { tf, type Tensor } from '../tf.ts';

/**
 * Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by exactly one and the higher-rank tensor
 * ends in a size-1 axis, that axis is squeezed, unless the other tensor has rank 1, which is then expanded
 * to `(n, 1)` instead. Any other pair is returned unchanged.
 */
export function squeezeOrExpandToSameRank(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.rank === b.rank + 1 && a.shape[a.rank - 1] === 1) {
    return b.rank === 1 ? [a, tf.expandDims(b, -1)] : [tf.squeeze(a, [-1]), b];
  }
  if (b.rank === a.rank + 1 && b.shape[b.rank - 1] === 1) {
    return a.rank === 1 ? [tf.expandDims(a, -1), b] : [a, tf.squeeze(b, [-1])];
  }
  return [a, b];
}
