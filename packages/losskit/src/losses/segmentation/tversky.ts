import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import {
  LOG_LOSS_PARAMS,
  PRESET,
  regionLoss,
  regionPresets,
  SCORE_PARAMS,
  TVERSKY_ALPHA,
  TVERSKY_BETA,
  tverskyFusedScore,
  tverskyScore,
} from '../../segmentation/index.ts';
import { regionFused } from '../../fused/region.ts';

const PARAMS = [...SCORE_PARAMS, TVERSKY_ALPHA, TVERSKY_BETA, ...LOG_LOSS_PARAMS, PRESET] as const;

/** Options of `tversky`: the region options without squaredPred (Tversky's denominator is linear), plus α and β. */
export type TverskyOptions = OptionsOf<typeof PARAMS>;

/**
 * Tversky loss (Salehi, Erdogmus & Gholipour 2017; segmentation-region.md §2.7).
 *
 * Unreduced, per group: `ℓ = 1 − (TP + s_nr) / (TP + α·FP + β·FN + s_dr)` with `TP = Σpg`, `FP = Σp(1−g)`,
 * `FN = Σ(1−p)g`; `−log(max(TI, logEpsilon))` with `logLoss`.
 *
 * Conventions: α multiplies FP and β multiplies FN, as in the paper, MONAI, smp and Keras 3. Jadon's and Abraham's
 * code name the FN weight `alpha` (0.7), which is this loss's default β = 0.7, α = 0.3. MONAI, smp and Keras default
 * to α = β = 0.5 (= Dice): pass them explicitly to reproduce those libraries. Groups and smoothing as for Dice.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or the `[B', C']` per-group losses with `reduction: 'none'`
 * @example
 * // TP = 0.9, FP = 0.2, FN = 0.1: 1 − (0.9 + 1e-5)/(0.9 + 0.06 + 0.07 + 1e-5) = 0.1262124
 * tversky(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.1262124
 * @see Salehi, Erdogmus & Gholipour 2017, "Tversky loss function for image segmentation using 3D fully
 *   convolutional deep networks", MLMI, arXiv:1706.05721
 */
export const tversky = defineLoss<TverskyOptions>(
  {
    id: 'tversky',
    aliases: ['tversky_loss', 'TverskyLoss'],
    task: 'segmentation',
    summary: 'Dice with separate weights on false positives (α) and false negatives (β).',
    formula: 'ℓ = 1 − (TP + s_nr) / (TP + α·FP + β·FN + s_dr),  TP = Σpg, FP = Σp(1−g), FN = Σ(1−p)g',
    whenToUse:
      'Heavily imbalanced segmentation and small lesions, where a missed foreground pixel costs more than an ' +
      'extra one: take β > α (default α = 0.3, β = 0.7) to trade false positives for recall. α and β trade FP ' +
      'against FN; α = β = 0.5 is exactly Dice. For very small structures whose loss stays high, see focal Tversky.',
    params: PARAMS,
    references: [
      'Salehi, Erdogmus & Gholipour 2017, "Tversky loss function for image segmentation using 3D fully ' +
        'convolutional deep networks", MLMI 2017, arXiv:1706.05721',
      'Tversky 1977, "Features of similarity", Psychological Review 84(4)',
      'MONAI 1.5 monai.losses.TverskyLoss; smp TverskyLoss; Keras 3 keras.losses.Tversky',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) =>
    regionLoss('tversky', yTrue, yPred, sampleWeight, { ...o, squaredPred: false }, (s) =>
      tverskyScore(s, o.alpha, o.beta, o),
    ),
  {
    presets: regionPresets(),
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused(
        'tversky',
        yTrue,
        yPred,
        sampleWeight,
        { ...o, squaredPred: false },
        {
          score: tverskyFusedScore(o.alpha, o.beta),
          squaredAllowed: false,
        },
      ),
  },
);
