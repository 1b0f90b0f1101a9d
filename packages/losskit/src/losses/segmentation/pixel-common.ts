/**
 * Helpers of the pixel-wise segmentation losses (cross-entropies, focal, compounds, Lovász), on top of steps 1–4
 * of the region pipeline (`src/segmentation/layout.ts`, segmentation-region.md §1.2): exact log-probabilities, the
 * per-pixel reduction, per-channel option vectors, and the Lovász weights. Internal: not re-exported from the
 * package.
 */
import { clipProbs, divideNoNan, epsilon } from '../../core/numerics.ts';
import { param } from '../../core/options.ts';
import { shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';
import { EPSILON, type PixelReduction, type Prepared } from '../../segmentation/index.ts';

/**
 * The probability clip of the pixel losses: the shared `epsilon`, still accepted as `eps` (its name here before the
 * names were unified). No pixel loss has a separate log clamp (exponentialLogarithmic clamps its Dice log with this
 * same option), so `eps` names one option only.
 */
export const PIXEL_EPSILON = param({ ...EPSILON, aliases: ['eps'] });

/** Binary (element-wise) or categorical (over the channels) form of a pixel cross-entropy loss. */
export const CE_TYPE = param({
  name: 'type',
  type: 'enum',
  values: ['binary', 'categorical'],
  default: 'binary',
  doc:
    "'binary': each channel an independent yes/no (sigmoid outputs, multi-label); 'categorical': mutually " +
    'exclusive classes over the channels (softmax outputs).',
});

/** Drops channel 0 of a `[..., C]` tensor as step 4 does (includeBackground false, C > 1); others pass through. */
export function keepChannels(t: Tensor, prep: Prepared): Tensor {
  const { C, kept } = prep.layout;
  if (kept === C || t.shape[t.rank - 1] !== C) return t;
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? 1 : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? kept : d));
  return tf.slice(t, begin, size);
}

/** The clip bound: the option, or the backend's epsilon. */
export function clipEps(epsilonOption: number | null): number {
  return epsilonOption ?? epsilon();
}

/** Element-wise `−log p`, `−log(1 − p)`, p and `1 − p` on the kept channels. */
export interface BinaryLogs {
  readonly nlp: Tensor;
  readonly nl1p: Tensor;
  readonly p: Tensor;
  readonly q: Tensor;
}

/**
 * Binary log terms: with a sigmoid, exact from the logits (`−log σ(x) = softplus(−x)`, `−log(1 − σ(x)) =
 * softplus(x)`, `1 − p = σ(−x)`); otherwise from the probabilities clipped to [ε, 1 − ε] (a softmax first).
 */
export function binaryLogs(prep: Prepared, eps: number | null): BinaryLogs {
  if (prep.options.activation === 'sigmoid') {
    const x = keepChannels(prep.x, prep);
    return { nlp: tf.softplus(tf.neg(x)), nl1p: tf.softplus(x), p: tf.sigmoid(x), q: tf.sigmoid(tf.neg(x)) };
  }
  const p = clipProbs(keepChannels(prep.pAll, prep), clipEps(eps));
  const q = tf.sub(1, p);
  return { nlp: tf.neg(tf.log(p)), nl1p: tf.neg(tf.log(q)), p, q };
}

/**
 * Categorical log term `−log p_c` on the kept channels: exact log-softmax (softmax) or log-sigmoid (sigmoid) from
 * the logits, else the log of the clipped probabilities; with the p it stands for.
 */
export function categoricalLogs(prep: Prepared, eps: number | null): { nlp: Tensor; p: Tensor } {
  const a = prep.options.activation;
  if (a === 'softmax') {
    const lp = keepChannels(tf.logSoftmax(prep.x), prep);
    return { nlp: tf.neg(lp), p: tf.exp(lp) };
  }
  if (a === 'sigmoid') {
    const x = keepChannels(prep.x, prep);
    return { nlp: tf.softplus(tf.neg(x)), p: tf.sigmoid(x) };
  }
  const p = clipProbs(keepChannels(prep.pAll, prep), clipEps(eps));
  return { nlp: tf.neg(tf.log(p)), p };
}

/** Multiplies element losses by the validity mask (ignoreIndex), if any. */
export function maskValid(e: Tensor, prep: Prepared): Tensor {
  return prep.valid ? tf.mul(e, prep.valid) : e;
}

/** The number of valid elements of the kept channels (a constant of the labels). */
export function validCount(prep: Prepared): Tensor {
  const { B, spatial, kept } = prep.layout;
  const n = B * spatial.reduce((a, d) => a * d, 1);
  if (!prep.valid) return tf.scalar(n * kept);
  const s = tf.sum(prep.valid);
  return prep.valid.shape[prep.valid.rank - 1] === kept ? s : tf.mul(s, kept);
}

export interface PixelReduceArgs {
  readonly reduction: PixelReduction;
  /** How a pixel's channels combine. */
  readonly channelReduction: 'sum' | 'mean';
  readonly sampleWeight?: Tensor | undefined;
  /** Divisor of the sum of the per-pixel values for 'mean', instead of the valid pixels; a constant of the labels. */
  readonly divisor?: Tensor;
}

/**
 * The reduction of the per-element losses `e` `[B, ...spatial, C']` (0 where ignored): per pixel the channel sum or
 * mean, times `sampleWeight` (a scalar, `[B]`, or a shape that broadcasts into `[B, ...spatial]` without enlarging
 * it); then `'none'` (those `[B, ...spatial]` values), `'sum'`, or `'mean'`: the sum over the valid elements' count
 * divided by C' (the valid pixels, when validity is per pixel): a channel mean is then the mean over valid elements.
 * Zero weights still count, as in Keras.
 */
export function reducePixels(id: string, e: Tensor, prep: Prepared, args: PixelReduceArgs): Tensor {
  const K = prep.layout.kept;
  let v = args.channelReduction === 'sum' ? tf.sum(e, -1) : tf.mean(e, -1);
  const sw = args.sampleWeight;
  if (sw) {
    const vs = v.shape;
    let w = tf.cast(sw, 'float32');
    if (sw.rank === 1 && sw.shape[0] === vs[0] && vs.length > 1) {
      w = tf.reshape(w, [vs[0], ...vs.slice(1).map(() => 1)]);
    } else if (!(
      sw.rank === 0 ||
      (sw.rank === vs.length && sw.shape.every((d, i) => d === vs[i] || d === 1))
    )) {
      throw new Error(
        `${id}: sampleWeight shape ${shapeText(sw.shape)} cannot weight per-pixel losses of shape ${shapeText(vs)}; ` +
          `expected a scalar, [${vs[0]}], or ${shapeText(vs)} with optional size-1 axes`,
      );
    }
    v = tf.mul(v, w);
  }
  if (args.reduction === 'none') return v;
  const total = tf.sum(v);
  if (args.reduction === 'sum') return total;
  const divisor = args.divisor ?? tf.div(validCount(prep), K);
  return divideNoNan(total, divisor);
}

/**
 * The loss of an empty input (`x.size === 0`, e.g. an empty batch): 0, as the region losses give, with a zero
 * gradient of x's shape. Not `sum(x·0)`: the wasm backend's sum over no elements reads uninitialised memory.
 */
export function emptyInputLoss(x: Tensor): Tensor {
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as Tensor;
    return { value: tf.scalar(0), gradFunc: () => [tf.zerosLike(input)] };
  });
  return op(x);
}

/** Losses whose value is not a sum of per-sample terms reject sample weights with a message naming them. */
export function rejectSampleWeight(id: string, sampleWeight: Tensor | undefined): void {
  if (sampleWeight) {
    throw new Error(
      `${id}: sampleWeight is not supported (the loss is not a sum of per-sample terms); weight the batch instead`,
    );
  }
}

/**
 * A per-channel option (class weights, α) as a `[C']` vector for the kept channels: given for every channel (C
 * values, channel 0 dropped when it is) or for the kept ones. Errors name the loss, the option and the counts.
 */
export function channelVector(id: string, option: string, values: readonly number[], prep: Prepared): Tensor {
  const { C, kept } = prep.layout;
  if (values.length === kept) return tf.tensor1d([...values]);
  if (values.length === C) return tf.tensor1d(values.slice(C - kept));
  const which = kept === C ? `${C}` : `${kept} (kept) or ${C}`;
  throw new Error(
    `${id}: option '${option}' has ${values.length} value(s) but yPred has ${C} channel(s) ` +
      `(shape ${shapeText(prep.x.shape)}); expected ${which} values`,
  );
}

/**
 * The Lovász weights of each row of `errors` `[G, N]`, in the rows' original order: sort the errors in descending
 * order; with `pos`/`neg` (1 for a valid positive / negative element, 0 otherwise) in that order,
 * `J_k = (cumsum pos + cumsum neg)_k / (G_pos + (cumsum neg)_k)` (0 when 0/0), which is Berman's
 * `1 − (G − cumsum g)/(G + cumsum(1 − g))` with ignored elements left out, and `Δ = diff(J)` (first kept).
 * An ignored element leaves both sums unchanged, so its weight is exactly 0 wherever it sorts.
 *
 * The weights are piecewise constant in the errors: the custom gradient is 0, which keeps the sort (`tf.topk`,
 * without a gradient) and the gathers (whose gradient needs UnsortedSegmentSum, missing on wasm) off the tape.
 * The loss is then `Σ φ(errors)·Δ`, differentiable through `errors` alone: Berman's gradient.
 */
export function lovaszWeights(errors: Tensor, pos: Tensor, neg: Tensor): Tensor {
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [e, gp, gn] = args as Tensor[];
    const [G, N] = e.shape as [number, number];
    const offsets = tf.mul(tf.reshape(tf.range(0, G, 1, 'int32'), [G, 1]), tf.scalar(N, 'int32'));
    const rows = (perm: Tensor, t: Tensor): Tensor =>
      tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.reshape(tf.add(perm, offsets), [-1])), [G, N]);
    const order = tf.topk(e, N, true).indices;
    const cpos = tf.cumsum(rows(order, gp), 1);
    const cneg = tf.cumsum(rows(order, gn), 1);
    const total = tf.sum(gp, 1, true);
    const j = divideNoNan(tf.add(cpos, cneg), tf.add(total, cneg));
    const prev = tf.concat([tf.zeros([G, 1]), tf.slice(j, [0, 0], [G, N - 1])], 1);
    const sortedDelta = tf.sub(j, prev);
    // The inverse permutation: sorting the sort order ascending.
    const inverse = tf.topk(tf.neg(tf.cast(order, 'float32')), N, true).indices;
    return {
      value: rows(inverse, sortedDelta),
      gradFunc: () => [tf.zerosLike(e), tf.zerosLike(gp), tf.zerosLike(gn)],
    };
  });
  return op(errors, pos, neg);
}
