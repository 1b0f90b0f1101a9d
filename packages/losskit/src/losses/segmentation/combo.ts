import { defineLoss } from '../../core/define-loss.ts';
import { divideNoNan, epsilon } from '../../core/numerics.ts';
import type { OptionsOf, Resolved } from '../../core/options.ts';
import { regionFused } from '../../fused/region.ts';
import { tf } from '../../tf.ts';
import { binaryLogs, maskValid, PIXEL_EPSILON, rejectSampleWeight, validCount } from './pixel-common.ts';
import {
  diceScore,
  finishGroups,
  GROUP_PARAMS,
  groupSums,
  LAYOUT_PARAMS,
  ONE_MINUS_SCORE,
  prepare,
  type RegionLossOptions,
  SMOOTH_DR,
  SMOOTH_NR,
  type SmoothOptions,
} from '../../segmentation/index.ts';

const PARAMS = [
  {
    name: 'alpha',
    type: 'number',
    default: 0.5,
    range: [0, 1],
    doc: 'Weight of the positive term of the cross-entropy (the paper’s β, Kaggle’s ALPHA); 1 − alpha weighs negatives.',
  },
  {
    name: 'ceRatio',
    type: 'number',
    default: 0.5,
    range: [0, 1],
    doc: 'Share of the cross-entropy (the paper’s α, Kaggle’s CE_RATIO); 1 − ceRatio multiplies −Dice.',
  },
  ...LAYOUT_PARAMS,
  ...GROUP_PARAMS,
  SMOOTH_NR,
  SMOOTH_DR,
  PIXEL_EPSILON,
] as const;

export type ComboOptions = OptionsOf<typeof PARAMS>;

const ID = 'combo';

/**
 * Combo loss (Taghanaki et al. 2019; segmentation-region.md §2.12), the paper's form.
 *
 * `L = ceRatio·L_mbce − (1 − ceRatio)·mean Dice`, with `L_mbce = −mean[α·y·log p + (1 − α)(1 − y)·log(1 − p)]` over
 * the valid elements of the kept channels, and the soft Dice `(2Σpg + s_nr)/(Σp + Σg + s_dr)` of the region pipeline
 * per group (per sample and class by default; `reduceBatch`/`reduceChannels` as for `dice`), averaged over groups.
 *
 * Conventions: the value is **negative** for good predictions (down to −(1 − ceRatio)). ceRatio = 1 is the weighted
 * BCE alone (`balancedCrossentropy` with β = α), ceRatio = 0 is `−mean Dice` (`dice − 1`). The widely copied Kaggle
 * code weights the negative term by α(1 − α) (operator precedence), uses a global Dice with smoothing 1 and a clip at
 * 1e-9 that is 0 in float32 (log 0 at y = 0, p = 1): not reproduced. Probabilities are clipped to [epsilon, 1 − epsilon]; with
 * `activation: 'sigmoid'` the cross-entropy is exact from the logits.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar
 * @example
 * // y = [1, 0], p = [0.5, 0.5]: L_mbce = ½·ln 2 (α = ½), Dice = (1 + 1e-5)/(2 + 1e-5) → ½·0.3465736 − ½·0.5000025
 * combo(tf.tensor3d([1, 0], [1, 2, 1]), tf.tensor3d([0.5, 0.5], [1, 2, 1])); // −0.0767145
 * @see Taghanaki et al. 2019, "Combo loss: Handling input and output imbalance in multi-organ segmentation",
 *   Computerized Medical Imaging and Graphics 75, arXiv:1805.02798
 */
export const combo = defineLoss<ComboOptions>(
  {
    id: ID,
    aliases: ['combo_loss', 'ComboLoss'],
    task: 'segmentation',
    summary:
      'A weighted cross-entropy minus the mean soft Dice: the cross-entropy gives smooth gradients and controls the ' +
      'FP/FN trade-off, the Dice term handles the class imbalance.',
    formula:
      'L = ceRatio·(−mean[α·y·log p + (1−α)(1−y)·log(1−p)]) − (1 − ceRatio)·mean_groups (2Σpg + s_nr)/(Σp + Σg + s_dr)',
    whenToUse:
      'Imbalanced multi-organ or lesion segmentation where Dice alone trains erratically and cross-entropy alone ' +
      'under-segments small structures (with balanced data plain BCE suffices). alpha > 0.5 penalises false ' +
      'negatives more. The value can be negative; compare runs by Dice, not by the loss. For heavily imbalanced ' +
      'data and small lesions consider the focal family (unified focal); to optimise IoU directly, Lovász.',
    params: PARAMS,
    references: [
      'Taghanaki, Zheng, Zhou, Georgescu, Sharma, Xu, Comaniciu & Hamarneh 2019, "Combo loss: Handling input and ' +
        'output imbalance in multi-organ segmentation", Computerized Medical Imaging and Graphics 75, arXiv:1805.02798',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB 2020, arXiv:2006.14822',
    ],
    properties: ['canBeNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    rejectSampleWeight(ID, sampleWeight);
    const r = regionOptions(o);
    const prep = prepare(ID, yTrue, yPred, r);
    const g = prep.g;
    const { nlp, nl1p } = binaryLogs(prep, o.epsilon);
    const ceElements = tf.add(
      tf.mul(tf.mul(g, o.alpha), nlp),
      tf.mul(tf.mul(tf.sub(1, g), 1 - o.alpha), nl1p),
    );
    const ce = divideNoNan(tf.sum(maskValid(ceElements, prep)), validCount(prep));
    // The shared Dice of the region pipeline (steps 5–9: per-group sums, score, mean over groups).
    const meanDice = finishGroups(ID, diceScore(groupSums(prep, r), r), prep, r);
    return tf.sub(tf.mul(ce, o.ceRatio), tf.mul(meanDice, 1 - o.ceRatio));
  },
  {
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused(ID, yTrue, yPred, sampleWeight, regionOptions(o), {
        score: { kn: 2, kt: 0, kp: 1, kg: 1 },
        squaredAllowed: false,
        combo: { alpha: o.alpha, ceRatio: o.ceRatio, eps: o.epsilon ?? epsilon() },
      }),
  },
);

/** The region pipeline's options of a combo call: its Dice term is a plain mean over groups, unmasked, unweighted. */
function regionOptions(o: Resolved<ComboOptions>): RegionLossOptions & SmoothOptions {
  return {
    activation: o.activation,
    sparseLabels: o.sparseLabels,
    ignoreIndex: o.ignoreIndex,
    includeBackground: o.includeBackground,
    reduceBatch: o.reduceBatch,
    reduceChannels: o.reduceChannels,
    smoothNr: o.smoothNr,
    smoothDr: o.smoothDr,
    epsClamp: 0,
    maskEmptyClasses: false,
    classWeights: null,
    reduction: 'mean',
    squaredPred: false,
    ...ONE_MINUS_SCORE,
  };
}
