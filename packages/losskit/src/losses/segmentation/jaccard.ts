import { defineLoss } from '../../core/define-loss.ts';
import {
  jaccardScore,
  REGION_PARAMS,
  type RegionOptions,
  regionLoss,
  regionPresets,
} from '../../segmentation/index.ts';
import { regionFused } from '../../fused/region.ts';

/** Options of `jaccard`: the shared region options of segmentation-region.md §1.6. */
export type JaccardOptions = RegionOptions;

/**
 * Soft Jaccard (IoU) loss (segmentation-region.md §2.6).
 *
 * Unreduced, per group: `ℓ = 1 − (Σpg + s_nr) / (Σp^k + Σg^k − Σpg + s_dr)` (k = 2 with `squaredPred`);
 * `−log(max(J, logEpsilon))` with `logLoss`.
 *
 * Conventions: MONAI's `DiceLoss(jaccard=True)` computes `(2TP + s)/(2(TP+FP+FN) + s)`, which is this loss with the
 * smoothing halved: `preset: 'monai'` sets smoothNr = smoothDr = 5e-6. smp masks empty classes and clamps at 1e-7
 * (`preset: 'smp'`); Jadon's code has no smoothing and is global, NaN (0/0) on an empty mask and empty prediction.
 * Per group, with equal smoothing s on both sides at s = 0, `J = D/(2 − D)` with D the Dice score.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or the `[B', C']` per-group losses with `reduction: 'none'`
 * @example
 * // TP = 0.9, Σp = 1.1, Σg = 1: 1 − (0.9 + 1e-5)/(1.2 + 1e-5) = 0.2499979
 * jaccard(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.2499979
 * @see Rahman & Wang 2016, "Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ISVC
 */
export const jaccard = defineLoss<JaccardOptions>(
  {
    id: 'jaccard',
    aliases: ['jaccard_loss', 'JaccardLoss', 'iou_loss', 'IoULoss', 'soft_iou', 'soft_jaccard'],
    task: 'segmentation',
    summary: 'One minus the soft intersection-over-union (Jaccard index) of each class.',
    formula: 'ℓ = 1 − (Σ p·g + s_nr) / (Σ p^k + Σ g^k − Σ p·g + s_dr)  per group',
    whenToUse:
      'Like Dice, for mildly skewed foregrounds, when IoU is the reported metric (e.g. PASCAL VOC, Cityscapes ' +
      'mIoU). It is a monotone function of Dice per group, so it ranks predictions the same way but penalises ' +
      'mid-quality overlap harder; for heavily imbalanced data prefer Tversky (β > α) or focal Tversky.',
    params: REGION_PARAMS,
    references: [
      'Jaccard 1912, "The distribution of the flora in the alpine zone", New Phytologist 11(2)',
      'Rahman & Wang 2016, "Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ' +
        'ISVC 2016',
      'Berman, Triki & Blaschko 2018, "The Lovász-Softmax loss", CVPR, arXiv:1705.08790',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) =>
    regionLoss('jaccard', yTrue, yPred, sampleWeight, o, (s) => jaccardScore(s, o)),
  {
    // MONAI's jaccard=True halves the effective smoothing (§2.6).
    presets: regionPresets({ monai: { smoothNr: 5e-6, smoothDr: 5e-6 } }),
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused('jaccard', yTrue, yPred, sampleWeight, o, {
        score: { kn: 1, kt: -1, kp: 1, kg: 1 },
        squaredAllowed: true,
      }),
  },
);
