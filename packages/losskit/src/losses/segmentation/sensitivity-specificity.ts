import { divideNoNan } from '../../core/numerics.ts';
import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { tf } from '../../tf.ts';
import {
  finishGroups,
  GROUP_PARAMS,
  GROUP_REDUCTION,
  LAYOUT_PARAMS,
  prepare,
  sumGroups,
} from '../../segmentation/index.ts';

const PARAMS = [
  ...LAYOUT_PARAMS,
  ...GROUP_PARAMS,
  {
    name: 'r',
    type: 'number',
    default: 0.05,
    range: [0, 1],
    doc: 'Weight of the sensitivity (foreground) term; 1 − r weighs the specificity term (NiftyNet 0.05).',
  },
  {
    name: 'smooth',
    type: 'number',
    default: 1e-5,
    range: [0, Infinity],
    doc: 'Added to both denominators (NiftyNet 1e-5, SegLoss 1).',
  },
  GROUP_REDUCTION,
] as const;

export type SensitivitySpecificityOptions = OptionsOf<typeof PARAMS>;

/**
 * Sensitivity–specificity loss (Brosch et al. 2015; segmentation-region.md §2.10).
 *
 * Unreduced, per group: `ℓ = r·Σ(g−p)²·g / (Σg + s) + (1−r)·Σ(g−p)²·(1−g) / (Σ(1−g) + s)`, the background sums
 * over valid (not ignored) elements only. Both denominators come from the ground truth.
 *
 * Conventions: NiftyNet (r = 0.05, s = 1e-5) flattens the whole batch and sums over classes
 * (`reduceBatch: true, reduction: 'sum'`); SegLoss uses r = 0.1, s = 1, per sample and class, mean. NiftyNet
 * calls the foreground term "specificity_part"; the maths is the same. With s = 0 an empty denominator gives a 0
 * term, not NaN.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or the `[B', C']` per-group losses with `reduction: 'none'`
 * @example
 * // g = [1, 0], p = [0.9, 0.2]: 0.05·0.01/(1 + 1e-5) + 0.95·0.04/(1 + 1e-5) = 0.0384996
 * sensitivitySpecificity(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.0384996
 * @see Brosch et al. 2015, "Deep Convolutional Encoder Networks for Multiple Sclerosis Lesion Segmentation",
 *   MICCAI 2015, LNCS 9351
 */
export const sensitivitySpecificity = defineLoss<SensitivitySpecificityOptions>(
  {
    id: 'sensitivitySpecificity',
    aliases: ['sensitivity_specificity', 'sensitivity_specificity_loss', 'SSLoss', 'ss_loss'],
    task: 'segmentation',
    summary:
      'Weighted sum of the mean squared error over foreground pixels (sensitivity) and over background pixels ' +
      '(specificity), each normalised by its own pixel count.',
    formula: 'ℓ = r·Σ(g−p)²g/(Σg + s) + (1−r)·Σ(g−p)²(1−g)/(Σ(1−g) + s)',
    whenToUse:
      'Very unbalanced binary segmentation such as small lesions (Brosch et al.: MS lesions): the two error ' +
      'rates are normalised separately, so the background does not swamp the foreground; r sets the balance ' +
      '(a small r weights specificity, since the background term is tiny per pixel). A squared-error loss: its ' +
      'gradients are gentler than cross-entropy’s; for overlap-driven training prefer Dice or Tversky.',
    params: PARAMS,
    references: [
      'Brosch, Yoo, Tang, Li, Traboulsee & Tam 2015, "Deep Convolutional Encoder Networks for Multiple ' +
        'Sclerosis Lesion Segmentation", MICCAI 2015',
      'NiftyNet loss_segmentation.sensitivity_specificity_loss; SegLoss SSLoss',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'sensitivitySpecificity';
    const prep = prepare(id, yTrue, yPred, o);
    const { p, g, valid } = prep;
    const err = tf.square(tf.sub(g, p));
    let negatives = tf.sub(1, g);
    if (valid) negatives = tf.mul(negatives, valid);
    // Both denominators come from yTrue only, so divideNoNan keeps the gradient path free of comparisons.
    const sens = divideNoNan(sumGroups(tf.mul(err, g), prep, o), tf.add(sumGroups(g, prep, o), o.smooth));
    const spec = divideNoNan(
      sumGroups(tf.mul(err, negatives), prep, o),
      tf.add(sumGroups(negatives, prep, o), o.smooth),
    );
    const finish = { ...o, maskEmptyClasses: false, classWeights: null };
    return finishGroups(id, tf.add(tf.mul(sens, o.r), tf.mul(spec, 1 - o.r)), prep, finish, sampleWeight);
  },
);
