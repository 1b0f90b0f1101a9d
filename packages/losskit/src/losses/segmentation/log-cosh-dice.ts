import { defineLoss } from '../../core/define-loss.ts';
import { logCosh } from '../../core/numerics.ts';
import type { OptionsOf } from '../../core/options.ts';
import {
  diceScore,
  ONE_MINUS_SCORE,
  PRESET,
  regionLoss,
  regionPresets,
  SCORE_PARAMS,
  SQUARED_PRED,
} from '../../segmentation/index.ts';
import { regionFused } from '../../fused/region.ts';

const PARAMS = [...SCORE_PARAMS, SQUARED_PRED, PRESET] as const;

/** Options of `logCoshDice`: Dice's, without `logLoss`. */
export type LogCoshDiceOptions = OptionsOf<typeof PARAMS>;

/**
 * Log-cosh Dice loss (Jadon 2020; segmentation-region.md §2.9).
 *
 * `L = log(cosh(DL))` with DL the already-reduced Dice loss (same options as `dice`); with `reduction: 'none'` it is
 * applied to each group's Dice loss. Computed overflow-free as `x + softplus(−2x) − log 2`.
 *
 * Conventions: Jadon's code applies it to one global Dice with smoothing 1 (`preset: 'jadon'`). Since DL ∈ [0, 1],
 * log cosh is ≈ DL²/2: small Dice losses are damped, so it is a smoothed, flatter Dice rather than a different one.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or `log cosh` of each group's Dice loss `[B', C']` with `reduction: 'none'`
 * @example
 * // Dice loss 0.1428565 (see dice); log cosh 0.1428565 = 0.0101695
 * logCoshDice(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.0101695
 * @see Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB, arXiv:2006.14822
 */
export const logCoshDice = defineLoss<LogCoshDiceOptions>(
  {
    id: 'logCoshDice',
    aliases: ['log_cosh_dice', 'log_cosh_dice_loss', 'LogCoshDiceLoss', 'lcd'],
    task: 'segmentation',
    summary: 'log(cosh(Dice loss)): a smoothed Dice loss, quadratic near a perfect overlap.',
    formula: 'L = log(cosh(DL)),  DL the reduced Dice loss',
    whenToUse:
      'Where Dice fits (mildly skewed foreground) but its gradient is too abrupt late in training: log cosh ' +
      'flattens the loss near 0 (≈ DL²/2), which some find steadier. Ranks predictions exactly like Dice. For ' +
      'heavily imbalanced data prefer Tversky with β > α or focal Tversky.',
    params: PARAMS,
    references: [
      'Jadon 2020, "A survey of loss functions for semantic segmentation", IEEE CIBCB 2020, arXiv:2006.14822',
      'Milletari, Navab & Ahmadi 2016, "V-Net", 3DV 2016, arXiv:1606.04797',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) =>
    regionLoss(
      'logCoshDice',
      yTrue,
      yPred,
      sampleWeight,
      { ...o, ...ONE_MINUS_SCORE },
      (s) => diceScore(s, o),
      {
        afterReduction: logCosh,
      },
    ),
  {
    presets: regionPresets(),
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused(
        'logCoshDice',
        yTrue,
        yPred,
        sampleWeight,
        { ...o, ...ONE_MINUS_SCORE },
        { score: { kn: 2, kt: 0, kp: 1, kg: 1 }, squaredAllowed: true, logCosh: true },
      ),
  },
);
