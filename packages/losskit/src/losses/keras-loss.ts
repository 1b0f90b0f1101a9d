import { kerasFused, type FusedRows } from '../fused/keras.ts';
import { fusedActive } from '../core/fused-switch.ts';
import { tf, type Tensor } from '../tf.ts';
import { defineLoss, type Loss } from '../core/define-loss.ts';
import type { Resolved } from '../core/options.ts';
import { squeezeOrExpandToSameRank } from '../core/rank.ts';
import { KERAS_REDUCTION_PARAM, reduceWeighted } from '../core/reduce.ts';
import type { LossInfo, Reduction } from '../core/types.ts';
import { assertSameShape, shapeText } from '../core/validate.ts';

/** Every Keras-family loss takes `reduction`. */
export interface KerasOptions {
  readonly reduction?: Reduction;
}

/** What a per-sample function returns: the values to reduce, and optionally a validity mask of their shape. */
export type PerSample = Tensor | { readonly values: Tensor; readonly mask?: Tensor };

export interface KerasLossSpec<O extends KerasOptions> {
  /** The catalog entry without `reduction`, which is added here. */
  readonly info: LossInfo;
  /**
   * `'dense'`: yTrue and yPred must have the same shape after Keras's rank matching.
   * `'sparse'`: yTrue holds class indices; the loss checks shapes itself and sees yTrue uncast.
   */
  readonly labels?: 'dense' | 'sparse';
  /** Checks on the options that span several of them, after each was validated alone. */
  readonly check?: (options: Resolved<O>) => void;
  /** The per-sample values (keras-semantics.md §2) of float32 `yTrue` and `yPred`. */
  readonly perSample: (yTrue: Tensor, yPred: Tensor, options: Resolved<O>) => PerSample;
  /**
   * The fused value-and-gradient kernel (src/fused/: a registered tfjs kernel with its targets and row layout),
   * taken on the `cpu` and `wasm` backends when the call is in its subset; it sees the same tensors as `perSample`
   * and returns null to decline, and `perSample` runs instead — as it does when the fused value is not finite
   * (a NaN or ±Infinity in an input), so that the composed path defines what those give.
   */
  readonly fused?: (yTrue: Tensor, yPred: Tensor, options: Resolved<O>) => FusedRows | null;
}

function asFloat32(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/**
 * Defines a Keras-family loss: what a Keras 3 `Loss` object's `__call__` does around the loss function —
 * cast to float32, match ranks, compute the per-sample values, then weight, mask and reduce them
 * (keras-semantics.md §1) in `reduceWeighted`.
 */
export function kerasLoss<O extends KerasOptions>(spec: KerasLossSpec<O>): Loss<O> {
  const info: LossInfo = { ...spec.info, params: [...spec.info.params, KERAS_REDUCTION_PARAM] };
  const sparse = spec.labels === 'sparse';
  return defineLoss<O>(info, (yTrue, yPred, sampleWeight, options) => {
    spec.check?.(options);
    const id = info.id;
    // A cast to the same dtype is an identity, but tfjs counts its output's bytes again: skip it.
    const yp = asFloat32(yPred);
    let yt = sparse ? yTrue : asFloat32(yTrue);
    let p = yp;
    if (!sparse) {
      [yt, p] = squeezeOrExpandToSameRank(yt, yp);
      assertSameShape(
        id,
        yt,
        p,
        yTrue.rank !== yt.rank || yPred.rank !== p.rank
          ? ` (after Keras rank matching of ${shapeText(yTrue.shape)} and ${shapeText(yPred.shape)})`
          : '',
      );
    }
    const fused = spec.fused;
    if (fused && fusedActive()) {
      const out = kerasFused(p, sampleWeight, options.reduction, () => fused(yt, p, options));
      if (out) return out;
    }
    const out = spec.perSample(yt, p, options);
    const { values, mask } = out instanceof tf.Tensor ? { values: out, mask: undefined } : out;
    return reduceWeighted(id, values, { reduction: options.reduction, sampleWeight, mask });
  });
}
