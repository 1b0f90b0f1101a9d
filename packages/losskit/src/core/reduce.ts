import { tf, type Tensor } from '../tf.ts';
import { divideNoNan, toFloat32 } from './numerics.ts';
import { squeezeOrExpandToSameRank } from './rank.ts';
import type { ParamInfo, Reduction } from './types.ts';
import { shapeText } from './validate.ts';

/** The `reduction` option of every Keras-family loss. */
export const KERAS_REDUCTION_PARAM: ParamInfo = {
  name: 'reduction',
  type: 'enum',
  values: ['sum_over_batch_size', 'sum', 'none', 'mean', 'mean_with_sample_weight'],
  default: 'sum_over_batch_size',
  doc:
    "Keras 3 reduction of the per-sample losses: 'sum_over_batch_size' (sum / number of entries, zero weights " +
    "included), 'mean' (the same), 'sum', 'none' (the per-sample tensor), 'mean_with_sample_weight' (sum / Σ weights).",
};

export interface ReduceArgs {
  readonly reduction: Reduction;
  readonly sampleWeight?: Tensor | undefined;
  /** 1 where a value counts, 0 where it is masked out (sparse CE's `ignoreClass`). Same shape as the values. */
  readonly mask?: Tensor | undefined;
}

/** Throws unless `w` broadcasts into `shape` without enlarging it. */
function assertWeightFits(
  owner: string,
  shape: readonly number[],
  w: Tensor,
  given: readonly number[],
): void {
  const ws = w.shape;
  const fits =
    ws.length === 0 || (ws.length === shape.length && ws.every((d, i) => d === shape[i] || d === 1));
  if (!fits) {
    throw new Error(
      `${owner}: sampleWeight shape ${shapeText(given)} cannot weight per-sample losses of shape ` +
        `${shapeText(shape)}; expected a scalar, ${shapeText(shape)}, or that shape with size-1 axes`,
    );
  }
}

/**
 * The single home of reduction, exactly Keras 3's `reduce_weighted_values` (keras-semantics.md §1):
 * fold the mask into the weights, match the weights' rank to the values, multiply, then reduce.
 * Divisions are `divide_no_nan`, so all-zero weights give 0, never NaN.
 */
export function reduceWeighted(owner: string, values: Tensor, args: ReduceArgs): Tensor {
  const { reduction } = args;
  let sw = args.sampleWeight ? toFloat32(args.sampleWeight) : undefined;
  if (args.mask) {
    let m = toFloat32(args.mask);
    if (reduction === 'sum_over_batch_size' || reduction === 'mean') {
      // Rescale so that dividing by the full size below divides by the number of valid entries instead.
      m = tf.mul(m, divideNoNan(tf.scalar(m.size), tf.sum(m)));
    }
    if (sw) {
      const given = sw.shape;
      [m, sw] = squeezeOrExpandToSameRank(m, sw);
      assertWeightFits(owner, m.shape, sw, given);
      sw = tf.mul(sw, m);
    } else {
      sw = m;
    }
  }
  let v = values;
  if (sw) {
    const given = args.sampleWeight?.shape ?? sw.shape;
    [v, sw] = squeezeOrExpandToSameRank(v, sw);
    assertWeightFits(owner, v.shape, sw, given);
    v = tf.mul(v, sw);
  }
  if (reduction === 'none' || v.rank === 0 || (v.rank === 1 && v.shape[0] === 0)) return v;
  const total = tf.sum(v);
  if (reduction === 'sum') return total;
  const divisor = reduction === 'mean_with_sample_weight' && sw ? tf.sum(sw) : tf.scalar(v.size);
  return divideNoNan(total, divisor);
}
