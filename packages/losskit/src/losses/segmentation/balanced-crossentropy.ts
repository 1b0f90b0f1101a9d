import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { tf } from '../../tf.ts';
import { binaryLogs, PIXEL_EPSILON, reducePixels } from './pixel-common.ts';
import { ACTIVATION, PIXEL_REDUCTION, prepare } from '../../segmentation/index.ts';

const PARAMS = [
  {
    name: 'beta',
    type: ['enum', 'number'],
    values: ['auto'],
    default: 'auto',
    range: [0, 1],
    doc:
      "Weight of the positive term. 'auto': per sample, the fraction of negative elements 1 − mean(y) (HED); a " +
      'number: the same β for every element.',
  },
  ACTIVATION,
  PIXEL_EPSILON,
  PIXEL_REDUCTION,
] as const;

export type BalancedCrossentropyOptions = OptionsOf<typeof PARAMS>;

const ID = 'balancedCrossentropy';

/**
 * Balanced (class-balanced) binary cross-entropy (segmentation-region.md §2.3; HED, Xie & Tu 2015).
 *
 * Unreduced, per element: `ℓ = −[β·y·log p + (1 − β)·(1 − y)·log(1 − p)]`; with `beta: 'auto'`, β of a sample is
 * its fraction of negatives, `1 − mean(y)` over its pixels and channels (a constant: no gradient flows through it).
 *
 * Conventions: unlike weighted CE, both terms are weighted and the weights sum to 1. With 'auto', an empty mask gives
 * β = 1 and an all-foreground mask β = 0: the loss is then 0 whatever the prediction. Which β the survey uses is not
 * verified (its text was not available; Jadon's repository has no code for it).
 *
 * @param yTrue `[B, ...spatial, C]` binary masks (or soft labels in [0, 1])
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar (`'mean'` over all elements, `'sum'`), or per-pixel `[B, ...spatial]` with `reduction: 'none'`
 * @example
 * // y = [1, 0, 0, 0] → β = 0.75; p = [0.5, 0.5, 0.5, 0.5]: (0.75·ln 2 + 3·0.25·ln 2)/4 = 0.3465736
 * balancedCrossentropy(tf.tensor3d([1, 0, 0, 0], [1, 4, 1]), tf.fill([1, 4, 1], 0.5)); // 0.3465736
 * @see Xie & Tu 2015, "Holistically-Nested Edge Detection", ICCV, arXiv:1504.06375
 */
export const balancedCrossentropy = defineLoss<BalancedCrossentropyOptions>(
  {
    id: ID,
    aliases: ['bbce', 'balanced_bce', 'class_balanced_crossentropy'],
    task: 'segmentation',
    summary:
      'Binary cross-entropy whose positive and negative terms are weighted β and 1 − β, by default each image’s ' +
      'fraction of negatives, so both classes weigh the same in total.',
    formula: 'ℓ = −[β·y·log p + (1−β)·(1−y)·log(1−p)],  β = 1 − mean(y) per sample (auto);  L = mean ℓ',
    whenToUse:
      'Binary masks with a rare foreground (edges, thin structures) whose share varies from image to image; with ' +
      'balanced data plain BCE is the better choice. For heavily imbalanced data or small lesions prefer the focal ' +
      'family; to optimise IoU and boundaries directly, Lovász.',
    params: PARAMS,
    references: [
      'Xie & Tu 2015, "Holistically-Nested Edge Detection", ICCV 2015, arXiv:1504.06375',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB 2020, arXiv:2006.14822',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const prep = prepare(ID, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: false,
      ignoreIndex: null,
      includeBackground: true,
    });
    const g = prep.g;
    const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
    const beta = o.beta === 'auto' ? tf.sub(1, tf.mean(g, axes, true)) : tf.scalar(o.beta);
    const { nlp, nl1p } = binaryLogs(prep, o.epsilon);
    const e = tf.add(tf.mul(tf.mul(beta, g), nlp), tf.mul(tf.mul(tf.sub(1, beta), tf.sub(1, g)), nl1p));
    return reducePixels(ID, e, prep, { reduction: o.reduction, channelReduction: 'mean', sampleWeight });
  },
);
