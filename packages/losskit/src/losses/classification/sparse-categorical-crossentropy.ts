import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { clipProbs, epsilon } from '../../core/numerics.ts';
import { resolveAxis, shapeText } from '../../core/validate.ts';
import { isLastAxis } from '../../fused/keras.ts';
import { SCCE_LOGITS } from '../../fused/keras-kernels.ts';
import { tf, type Tensor } from '../../tf.ts';
import { AXIS, FROM_LOGITS } from './params.ts';

export interface SparseCategoricalCrossentropyOptions extends KerasOptions {
  readonly fromLogits?: boolean;
  /** A label value to ignore: its positions give 0 and do not count in the mean. */
  readonly ignoreClass?: number | null;
  readonly axis?: number;
}

const ID = 'sparseCategoricalCrossentropy';

/**
 * Reads the labels once to reject non-integer and out-of-range ones (before any cast: 1.5, −0.5 and NaN would
 * truncate to a valid class): a silently wrong or all-zero one-hot row would hide the bug.
 */
function checkLabels(labels: Tensor, classes: number, ignoreClass: number | null): void {
  const data = labels.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === ignoreClass) continue;
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      const allowed = `integers in [0, ${classes - 1}]${ignoreClass === null ? '' : ` or ignoreClass ${ignoreClass}`}`;
      throw new Error(
        `${ID}: yTrue holds label ${v} (flat index ${i}), but yPred has ${classes} classes; labels must be ${allowed}`,
      );
    }
  }
}

/**
 * Sparse categorical cross-entropy, Keras 3 `SparseCategoricalCrossentropy`: categorical cross-entropy with
 * integer class labels instead of one-hot rows.
 *
 * Unreduced: `ℓᵢ = −log q[yᵢ]`, with `q = clip(yPred / Σ yPred, ε, 1−ε)` for probabilities (renormalised, as
 * Keras does) or `log q = logSoftmax(yPred)` for logits (exact).
 *
 * @param yTrue integer labels `[...]` (or `[..., 1]`), float32 or int32; a non-integer, NaN or out-of-range label
 *   is an error (Keras would truncate 1.5 to class 1)
 * @param yPred probabilities or logits `[..., C]`, classes on `axis`
 * @returns a scalar, or per-sample `[...]` with `reduction: 'none'` (0 where the label is `ignoreClass`)
 * @example
 * sparseCategoricalCrossentropy(tf.tensor1d([1, 2]), tf.tensor2d([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).print(); // 1.1769392
 * @see https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class
 */
export const sparseCategoricalCrossentropy = kerasLoss<SparseCategoricalCrossentropyOptions>({
  labels: 'sparse',
  info: {
    id: ID,
    aliases: ['scce', 'SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'],
    task: 'classification',
    summary: 'Cross-entropy of a softmax-style prediction against integer class labels.',
    formula: 'ℓ = −log q[y], q = clip(ŷ / Σŷ, ε, 1−ε) or log q = log_softmax(ŷ)',
    whenToUse: 'Single-label multi-class classification (or semantic segmentation) with integer labels.',
    params: [
      FROM_LOGITS,
      {
        name: 'ignoreClass',
        type: ['integer', 'null'],
        default: null,
        doc: 'A label to ignore (e.g. 255 for "void" pixels): loss 0 there, left out of the mean.',
      },
      AXIS,
    ],
    references: ['Keras 3 keras.losses.SparseCategoricalCrossentropy'],
    properties: ['nonNegative'],
  },
  perSample: (yTrue, yPred, o) => {
    const axis = resolveAxis(ID, o.axis, yPred.rank);
    // Classes move to the last axis, so everything below reads one layout.
    const p =
      axis === yPred.rank - 1
        ? yPred
        : tf.transpose(yPred, [...yPred.shape.keys()].filter((a) => a !== axis).concat(axis));
    const classes = p.shape[p.rank - 1];
    if (classes < 2)
      throw new Error(
        `${ID}: yPred shape ${shapeText(yPred.shape)} has ${classes} class${classes === 1 ? '' : 'es'} on axis ${axis}; ` +
          'expected at least 2 (binaryCrossentropy for one probability per sample)',
      );
    let y = yTrue;
    if (y.rank === p.rank && y.shape[y.rank - 1] === 1) y = tf.squeeze(y, [-1]);
    const outShape = p.shape.slice(0, -1);
    if (y.rank !== outShape.length || y.shape.some((d, i) => d !== outShape[i])) {
      throw new Error(
        `${ID}: yTrue shape ${shapeText(yTrue.shape)} does not match yPred shape ${shapeText(yPred.shape)}; ` +
          `expected labels of shape ${shapeText(outShape)} (or with a trailing 1)`,
      );
    }
    checkLabels(y, classes, o.ignoreClass);
    const labels = tf.cast(y, 'int32');
    const valid = o.ignoreClass === null ? null : tf.notEqual(labels, o.ignoreClass);
    const safeLabels = valid ? tf.where(valid, labels, tf.zerosLike(labels)) : labels;
    // Cast rather than ask oneHot for float32: the wasm kernel ignores the dtype argument.
    const oneHot = tf.cast(tf.oneHot(safeLabels, classes), 'float32');
    // An ignored row may be all zeros; a uniform stand-in keeps its (discarded) value and gradient finite.
    const q = valid ? tf.where(tf.broadcastTo(tf.expandDims(valid, -1), p.shape), p, tf.onesLike(p)) : p;
    const logQ = o.fromLogits
      ? tf.logSoftmax(q)
      : tf.log(clipProbs(tf.div(q, tf.sum(q, -1, true)), epsilon()));
    const nll = tf.neg(tf.sum(tf.mul(oneHot, logQ), -1));
    if (!valid) return nll;
    return { values: tf.where(valid, nll, tf.zerosLike(nll)), mask: valid };
  },
  fused: (yTrue, yPred, o) => {
    const C = yPred.shape[yPred.rank - 1];
    if (!o.fromLogits || !isLastAxis(o.axis, yPred.rank) || o.ignoreClass !== null) return null;
    const rows = yPred.shape.slice(0, -1);
    const ts = yTrue.shape;
    const same = (s: readonly number[]) => s.length === rows.length && s.every((d, i) => d === rows[i]);
    if (!same(ts) && !(ts[ts.length - 1] === 1 && same(ts.slice(0, -1)))) return null;
    // Anything but integer labels in range goes to the composed path, which rejects it.
    for (const v of yTrue.dataSync()) if (!(Number.isInteger(v) && v >= 0 && v < C)) return null;
    return { t: yTrue, rowSize: C, rowMean: false, call: SCCE_LOGITS({ C }) };
  },
});
