import { defineLoss } from '../../core/define-loss.ts';
import {
  diceScore,
  REGION_PARAMS,
  type RegionOptions,
  regionLoss,
  regionPresets,
} from '../../segmentation/index.ts';
import { regionFused } from '../../fused/region.ts';

/** Options of `dice`: the shared region options of segmentation-region.md §1.6. */
export type DiceOptions = RegionOptions;

/**
 * Soft Dice loss (Milletari et al. 2016; segmentation-region.md §2.5).
 *
 * Unreduced, per group (sample × class by default): `ℓ = 1 − (2·Σpg + s_nr) / (Σp^k + Σg^k + s_dr)`, k = 2 with
 * `squaredPred`, else 1; `−log(max(D, logEpsilon))` with `logLoss`.
 *
 * Conventions: groups are per sample and per class with smoothing 1e-5/1e-5 (MONAI). smp sums over the batch
 * (`reduceBatch`), masks empty classes and clamps the denominator at 1e-7; Keras 3 and Jadon sum over everything
 * (`reduceBatch` + `reduceChannels`), Keras with smoothing 0/1e-7 (an empty prediction on an empty mask then costs 1),
 * Jadon with 1/1. `preset` sets those flags. On the 2×4×4×1 input of `dice_default_2x4x4x1` the three give
 * 0.5893, 0.5888 and 0.5657.
 *
 * @param yTrue `[B, ...spatial, C]` masks (one-hot, binary or soft), or `[B, ...spatial]` integer labels with
 *   `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar (`'mean'`, `'sum'`), or the `[B', C']` per-group losses with `reduction: 'none'`
 * @example
 * // One sample, one channel: TP = 0.9, Σp = 1.1, Σg = 1 → 1 − (1.8 + 1e-5)/(2.1 + 1e-5) = 0.1428565
 * dice(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.1428565
 * @see Milletari, Navab & Ahmadi 2016, "V-Net", 3DV, arXiv:1606.04797
 */
export const dice = defineLoss<DiceOptions>(
  {
    id: 'dice',
    aliases: ['dice_loss', 'DiceLoss', 'soft_dice', 'soft_dice_loss'],
    task: 'segmentation',
    summary:
      'One minus the soft Dice coefficient (F1 of the soft overlap) of each class: insensitive to how much ' +
      'background there is.',
    formula: 'ℓ = 1 − (2·Σ p·g + s_nr) / (Σ p^k + Σ g^k + s_dr)  per group (k = 2 with squaredPred)',
    whenToUse:
      'The default region loss for segmentation with a mildly skewed foreground (say 5–50 % of pixels): it ' +
      'optimises the overlap that is usually reported and ignores the mass of easy background. It treats false ' +
      'positives and false negatives alike; for heavily imbalanced data or small lesions prefer Tversky with ' +
      'β > α or focal Tversky. Often combined with cross-entropy for smoother early training.',
    params: REGION_PARAMS,
    references: [
      'Milletari, Navab & Ahmadi 2016, "V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image ' +
        'Segmentation", 3DV 2016, arXiv:1606.04797',
      'Sudre et al. 2017, "Generalised Dice overlap as a deep learning loss function", DLMIA, arXiv:1707.03237',
      'MONAI 1.5 monai.losses.DiceLoss; smp DiceLoss; Keras 3 keras.losses.Dice',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) =>
    regionLoss('dice', yTrue, yPred, sampleWeight, o, (s) => diceScore(s, o)),
  {
    presets: regionPresets(),
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused('dice', yTrue, yPred, sampleWeight, o, {
        score: { kn: 2, kt: 0, kp: 1, kg: 1 },
        squaredAllowed: true,
      }),
  },
);
