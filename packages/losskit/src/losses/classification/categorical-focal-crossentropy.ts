import { kerasLoss, type KerasOptions } from '../keras-loss.ts';
import { clipProbs, epsilon } from '../../core/numerics.ts';
import { resolveAxis, shapeText } from '../../core/validate.ts';
import { tf } from '../../tf.ts';
import { smoothCategorical, softmaxAlong, warnOneClass } from './internal.ts';
import { AXIS, FOCAL_GAMMA, FROM_LOGITS, LABEL_SMOOTHING } from './params.ts';

export interface CategoricalFocalCrossentropyOptions extends KerasOptions {
  readonly alpha?: number | readonly number[];
  readonly gamma?: number;
  readonly fromLogits?: boolean;
  readonly labelSmoothing?: number;
  readonly axis?: number;
}

const ID = 'categoricalFocalCrossentropy';

/**
 * Categorical focal cross-entropy, Keras 3 `CategoricalFocalCrossentropy` (Lin et al. 2017): categorical
 * cross-entropy scaled down on well-predicted classes, summed over `axis`.
 *
 * Unreduced: `ℓᵢ = Σ_axis α·(1 − q)^γ·(−y·log q)`, with `q = clip(p / Σ_axis p, ε, 1 − ε)`, `p = ŷ` (or
 * `softmax(ŷ)` with `fromLogits`). Label smoothing comes first: `y ← y(1 − ls) + ls/C`, `C = yPred.shape[axis]`.
 *
 * Conventions (Keras 3): `fromLogits` applies a softmax and then the same renormalise-and-clip path (not
 * `log_softmax`), so a confidently wrong logit costs at most about 16.1·α. The focal factor uses the
 * **clipped** q. `alpha` multiplies every class uniformly — it is not binary focal's α / 1 − α split. A
 * per-class `alpha` array broadcasts against the **last** axis, as Keras's broadcasting does, also when
 * `axis` is another axis; its length must be that axis's size (or 1). A class axis of size 1 is accepted
 * with a one-time warning on stderr, as in Keras: every q is then 1 − ε, so the loss is the constant
 * `α·(1.19e-7)^γ·1.19e-7·y` (essentially 0) and its gradient is 0.
 *
 * @param yTrue one-hot (or soft) targets `[..., C]`, the shape of yPred
 * @param yPred probabilities `[..., C]` (rows need not sum to 1), or logits with `fromLogits`
 * @returns a scalar, or per-sample `[...]` (yPred's shape without `axis`) with `reduction: 'none'`
 * @example
 * categoricalFocalCrossentropy(tf.tensor2d([[0, 1, 0], [0, 0, 1]]), tf.tensor2d([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).print(); // 0.2331528
 * @see https://keras.io/api/losses/probabilistic_losses/#categoricalfocalcrossentropy-class
 * @see Lin et al. 2017, Focal Loss for Dense Object Detection, arXiv:1708.02002
 */
export const categoricalFocalCrossentropy = kerasLoss<CategoricalFocalCrossentropyOptions>({
  info: {
    id: ID,
    aliases: ['CategoricalFocalCrossentropy', 'categorical_focal_crossentropy', 'cfce'],
    task: 'classification',
    summary: 'Categorical cross-entropy that down-weights well-predicted classes by (1 − q)^γ.',
    formula: 'ℓ = Σ_axis α·(1 − q)^γ·(−y·log q), q = clip(p / Σp, ε, 1−ε), p = ŷ or softmax(ŷ)',
    whenToUse:
      'Single-label multi-class classification with strong class imbalance or many easy examples; α can ' +
      'carry per-class weights (e.g. inverse class frequencies).',
    params: [
      {
        name: 'alpha',
        type: ['number', 'number[]'],
        default: 0.25,
        range: [0, Infinity],
        doc:
          'Weight of every class (a scalar), or one weight per class (an array broadcast against the last ' +
          'axis, of that axis’s length).',
      },
      FOCAL_GAMMA,
      FROM_LOGITS,
      LABEL_SMOOTHING,
      AXIS,
    ],
    references: [
      'Keras 3 keras.losses.CategoricalFocalCrossentropy',
      'Lin et al. 2017, Focal Loss for Dense Object Detection, arXiv:1708.02002',
    ],
    properties: ['nonNegative'],
  },
  perSample: (yt, yp, o) => {
    const axis = resolveAxis(ID, o.axis, yp.rank);
    const alpha = o.alpha;
    if (typeof alpha !== 'number') {
      const last = yp.shape[yp.rank - 1];
      if (alpha.length !== last && alpha.length !== 1) {
        throw new Error(
          `${ID}: option 'alpha' has ${alpha.length} per-class weights, but yPred shape ${shapeText(yp.shape)} ` +
            `has ${last} entries on its last axis, against which alpha broadcasts (as in Keras)`,
        );
      }
    }
    warnOneClass(ID, yp.shape, axis);
    const y = smoothCategorical(yt, o.labelSmoothing, yp.shape[axis]);
    const p = o.fromLogits ? softmaxAlong(yp, axis) : yp;
    const q = clipProbs(tf.div(p, tf.sum(p, axis, true)), epsilon());
    const ce = tf.neg(tf.mul(y, tf.log(q)));
    const factor = tf.mul(
      tf.pow(tf.sub(1, q), o.gamma),
      typeof alpha === 'number' ? alpha : tf.tensor1d([...alpha]),
    );
    return tf.sum(tf.mul(factor, ce), axis);
  },
});
