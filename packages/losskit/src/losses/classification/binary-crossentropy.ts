import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { bceFromLogits, bceFromProbs, divideNoNan, epsilon } from '../../core/numerics.ts';
import { resolveAxis } from '../../core/validate.ts';
import { denseRows, isLastAxis } from '../../fused/keras.ts';
import { BCE_LOGITS, BCE_PROBS } from '../../fused/keras-kernels.ts';
import { tf } from '../../tf.ts';
import { AXIS, FROM_LOGITS, LABEL_SMOOTHING } from './params.ts';

export interface BinaryCrossentropyOptions extends KerasOptions {
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
  /** Segmentation spelling of `fromLogits`: `'sigmoid'` means yPred holds logits. */
  readonly activation?: 'none' | 'sigmoid' | 'softmax';
  /** Elements whose target equals this value are left out of the loss and of the mean's count. */
  readonly ignoreIndex?: number | null;
  /**
   * Clip bound for probabilities; `null` means the backend's epsilon (1e-7 on float32 backends). Also accepted as
   * `eps`, its name before every loss called the probability clip `epsilon`.
   */
  readonly epsilon?: number | null;
}

/**
 * Binary cross-entropy, Keras 3 `BinaryCrossentropy`, also the pixel-wise segmentation BCE
 * (segmentation-region.md §2.1).
 *
 * Unreduced: `ℓᵢ = mean_axis(−[y·log p + (1−y)·log(1−p)])` with `p = clip(yPred, ε, 1−ε)`; from logits the
 * exact `max(x,0) − x·y + log1p(e^−|x|)` (no clipping).
 *
 * Conventions: Keras 3 clips without adding ε inside the log (Keras 2 and tfjs-core's `logLoss` add it). In
 * float32, `1 − 1e-7` is 0.99999988, so `−log(1−p)` at p = 1 is 15.942, not 16.118. `activation: 'softmax'`
 * applies a softmax over the last axis first (for mutually exclusive channels scored one-vs-rest).
 *
 * @param yTrue targets in [0, 1], the shape of yPred
 * @param yPred probabilities, or logits with `fromLogits` / `activation: 'sigmoid'`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without `axis`) with `reduction: 'none'`
 * @example
 * binaryCrossentropy(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[0.6, 0.4], [0.4, 0.6]])).print(); // 0.8150926
 * @see https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class
 */
export const binaryCrossentropy = kerasLoss<BinaryCrossentropyOptions>({
  info: {
    id: 'binaryCrossentropy',
    aliases: [
      'bce',
      'BinaryCrossentropy',
      'binary_crossentropy',
      'binaryCrossEntropy',
      'binary_cross_entropy',
    ],
    task: 'classification',
    summary: 'Log loss of independent yes/no predictions, per element; also the pixel-wise segmentation BCE.',
    formula: 'ℓ = mean_axis(−[y·log p + (1−y)·log(1−p)]), p = clip(ŷ, ε, 1−ε)',
    whenToUse:
      'Binary and multi-label classification; pixel-wise segmentation when classes are roughly balanced ' +
      '(for skewed masks prefer Dice, for heavily imbalanced ones the focal family).',
    params: [
      FROM_LOGITS,
      LABEL_SMOOTHING,
      AXIS,
      {
        name: 'activation',
        type: 'enum',
        values: ['none', 'sigmoid', 'softmax'],
        default: 'none',
        doc: "Segmentation option: 'sigmoid' is fromLogits; 'softmax' normalises the last axis first.",
      },
      {
        name: 'ignoreIndex',
        type: ['number', 'null'],
        default: null,
        doc: 'Targets equal to this value are ignored: excluded from the loss and from the mean’s count.',
      },
      {
        name: 'epsilon',
        aliases: ['eps'],
        type: ['number', 'null'],
        default: null,
        range: [0, 0.5],
        exclusive: 'both',
        doc:
          "Probability clip bound; null = 1e-7 (Keras's constant, on every float32 backend; 2⁻¹¹ on float16 " +
          'WebGL textures, where 1 − 1e-7 rounds to 1).',
      },
    ],
    references: ['Keras 3 keras.losses.BinaryCrossentropy', 'Jadon 2020, arXiv:2006.14822 §III-A'],
    properties: ['nonNegative'],
  },
  check: (o) => {
    if (o.fromLogits && o.activation !== 'none') {
      throw new Error(`binaryCrossentropy: give either fromLogits or activation '${o.activation}', not both`);
    }
  },
  perSample: (yt, yp, o) => {
    const axis = resolveAxis('binaryCrossentropy', o.axis, yp.rank);
    if (o.activation === 'softmax' && yp.shape[yp.rank - 1] === 1) {
      throw new Error(
        `binaryCrossentropy: activation 'softmax' needs more than one channel, got yPred shape [${yp.shape.join(',')}]`,
      );
    }
    const valid = o.ignoreIndex === null ? null : tf.cast(tf.notEqual(yt, o.ignoreIndex), 'float32');
    let y = valid ? tf.mul(yt, valid) : yt;
    if (o.labelSmoothing) y = tf.add(tf.mul(y, 1 - o.labelSmoothing), 0.5 * o.labelSmoothing);
    const eps = o.epsilon ?? epsilon();
    const e =
      o.fromLogits || o.activation === 'sigmoid'
        ? bceFromLogits(y, yp)
        : bceFromProbs(y, o.activation === 'softmax' ? tf.softmax(yp) : yp, eps);
    if (!valid) return tf.mean(e, axis);
    // Mean over the valid elements along `axis`; the mask's fraction of valid elements then makes the
    // default reduction a mean over all valid elements of the batch.
    const count = tf.sum(valid, axis);
    return {
      values: divideNoNan(tf.sum(tf.mul(e, valid), axis), count),
      mask: tf.div(count, yp.shape[axis] ?? 1),
    };
  },
  fused: (yt, yp, o) => {
    if (!isLastAxis(o.axis, yp.rank) || o.activation === 'softmax' || o.ignoreIndex !== null) return null;
    const logits = o.fromLogits || o.activation === 'sigmoid';
    const call = logits
      ? BCE_LOGITS({ ls: o.labelSmoothing })
      : BCE_PROBS({ eps: o.epsilon ?? epsilon(), ls: o.labelSmoothing });
    return denseRows(yt, yp, call);
  },
});
