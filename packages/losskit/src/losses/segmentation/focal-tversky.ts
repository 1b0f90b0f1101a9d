import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import {
  ONE_MINUS_SCORE,
  PRESET,
  regionLoss,
  regionPresets,
  SCORE_PARAMS,
  safePow,
  TVERSKY_ALPHA,
  TVERSKY_BETA,
  tverskyFusedScore,
  tverskyScore,
} from '../../segmentation/index.ts';
import { regionFused } from '../../fused/region.ts';

const PARAMS = [
  ...SCORE_PARAMS,
  TVERSKY_ALPHA,
  TVERSKY_BETA,
  {
    name: 'gamma',
    type: 'number',
    default: 0.75,
    range: [0, Infinity],
    exclusive: 'min',
    doc: 'Exponent on (1 − TI): 0.75 as in Abraham’s and Jadon’s code; 1 is plain Tversky.',
  },
  {
    name: 'invertGamma',
    type: 'boolean',
    default: false,
    doc: 'Use 1/γ as the exponent, as Abraham’s paper writes it (γ = 4/3 there gives 0.75).',
  },
  {
    name: 'powerAfterMean',
    type: 'boolean',
    default: false,
    doc: 'Apply the power after the reduction, (mean (1 − TI))^γ, as smp TverskyLoss(gamma) and SegLoss do.',
  },
  PRESET,
] as const;

/** Options of `focalTversky`: Tversky's without logLoss, plus the focal exponent and where it applies. */
export type FocalTverskyOptions = OptionsOf<typeof PARAMS>;

/**
 * Focal Tversky loss (Abraham & Khan 2019; segmentation-region.md §2.8).
 *
 * Unreduced, per group: `ℓ = (1 − TI)^e` with TI the Tversky index (α on FP, β on FN) and e = γ, or 1/γ with
 * `invertGamma`; with `powerAfterMean` the power is applied after the reduction instead: `(mean (1 − TI))^e`.
 *
 * Conventions: three exponent conventions exist. Abraham's paper writes `(1 − TI)^{1/γ}` with γ = 4/3; his and
 * Jadon's code use `pow(1 − TI, 0.75)` — the same number (default γ = 0.75; `invertGamma: true, gamma: 4/3` is the
 * paper form); smp's `TverskyLoss(gamma)` and SegLoss apply the power after the class mean (`powerAfterMean`).
 * The gradient of x^0.75 at x = 0 (a perfect prediction) is infinite; losskit returns the value 0 and the gradient 0
 * there (the pinned subgradient), so training never sees NaN.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or the `[B', C']` per-group losses with `reduction: 'none'`
 * @example
 * // Tversky loss 0.1262124 (see tversky) to the power 0.75: 0.2117515
 * focalTversky(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.2117515
 * @see Abraham & Khan 2019, "A Novel Focal Tversky loss function with improved Attention U-Net for lesion
 *   segmentation", ISBI, arXiv:1810.07842
 */
export const focalTversky = defineLoss<FocalTverskyOptions>(
  {
    id: 'focalTversky',
    aliases: ['focal_tversky', 'focal_tversky_loss', 'FocalTverskyLoss', 'ftl'],
    task: 'segmentation',
    summary:
      'Tversky loss raised to a power: with γ < 1 it keeps pushing on classes and images whose overlap is already ' +
      'fairly good, and on small structures whose loss stays high.',
    formula: 'ℓ = (1 − TI)^γ per group (1/γ with invertGamma), TI = (TP + s_nr)/(TP + α·FP + β·FN + s_dr)',
    whenToUse:
      'Heavily imbalanced segmentation with small lesions (Abraham & Khan: ISIC lesions, BUS breast ultrasound), ' +
      'where plain Tversky or Dice plateau: β > α favours recall, γ = 0.75 < 1 amplifies the gradient of ' +
      'moderately good groups. γ = 1 is Tversky. Training from scratch can be less stable than Dice: a common ' +
      'recipe is Tversky/Dice for warm-up, then focal Tversky.',
    params: PARAMS,
    references: [
      'Abraham & Khan 2019, "A Novel Focal Tversky loss function with improved Attention U-Net for lesion ' +
        'segmentation", ISBI 2019, arXiv:1810.07842',
      'Salehi, Erdogmus & Gholipour 2017, "Tversky loss function for image segmentation", arXiv:1706.05721',
      'Yeung et al. 2022, "Unified Focal loss", Computerized Medical Imaging and Graphics, arXiv:2102.04525',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const e = o.invertGamma ? 1 / o.gamma : o.gamma;
    const power = (x: Parameters<typeof safePow>[0]) => safePow(x, e);
    return regionLoss(
      'focalTversky',
      yTrue,
      yPred,
      sampleWeight,
      { ...o, squaredPred: false, ...ONE_MINUS_SCORE },
      (s) => tverskyScore(s, o.alpha, o.beta, o),
      o.powerAfterMean ? { afterReduction: power } : { perGroup: power },
    );
  },
  {
    presets: regionPresets(),
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused(
        'focalTversky',
        yTrue,
        yPred,
        sampleWeight,
        { ...o, squaredPred: false, ...ONE_MINUS_SCORE },
        {
          score: tverskyFusedScore(o.alpha, o.beta),
          squaredAllowed: false,
          power: { gamma: o.invertGamma ? 1 / o.gamma : o.gamma, afterMean: o.powerAfterMean },
        },
      ),
  },
);
