import { defineLoss } from '../../core/define-loss.ts';
import type { SegReduction } from '../../core/types.ts';
import { tf } from '../../tf.ts';
import {
  checkInputs,
  keptChannels,
  PRECOMPUTED_MAPS,
  reduceGroups,
  spatialMean,
  pickChannels,
  splitTrue,
} from '../../segmentation/distance-common.ts';
import { activate, ACTIVATION, type Activation, GROUP_REDUCTION, SPACING } from '../../segmentation/index.ts';
import { hdField, mapsOf } from './distance-planes.ts';

export interface HausdorffDtLossOptions {
  /** Exponent on the distance fields (2). */
  readonly alpha?: number;
  /** Keep channel 0 when C > 1 (false, as MONAI). */
  readonly includeBackground?: boolean;
  /** `ln(1 + L)` after the reduction (MONAI `LogHausdorffDTLoss`). */
  readonly log?: boolean;
  readonly reduction?: SegReduction;
  readonly spacing?: readonly number[] | null;
  readonly activation?: Activation;
  readonly precomputedMaps?: boolean;
}

/**
 * Hausdorff distance loss HD_DT (Karimi & Salcudean 2019), MONAI `HausdorffDTLoss` (segmentation-distance.md §2.1).
 *
 * Unreduced, per sample b and kept channel c: `ℓ_bc = (1/|Ω|) Σ_x (p − y)² · (d_P(x)^α + d_Y(x)^α)`, with
 * `d_P = u(p > 0.5)`, `d_Y = u(y > 0.5)`, `u(m) = edt(m) + edt(¬m)` (distance to the other class, per image and
 * channel over the spatial axes) and u ≡ 0 for an all-0 or all-1 mask. The fields are constants: ∂ℓ/∂p =
 * 2(p − y)(d_P^α + d_Y^α)/|Ω|.
 *
 * Maps: d_Y comes from the ground truth only and can be precomputed in the data pipeline (`packDistanceMaps`,
 * option `precomputedMaps`); d_P comes from the prediction and is rebuilt on the CPU on every call (one readback
 * of yPred and two EDTs per (b, c)).
 *
 * Conventions: the paper measures distance to the boundary, the code (and losskit) to the other class, a 1-pixel
 * offset; SegLoss variants guard only empty masks or nothing; LIVIAETS uses a one-sided map. `spacing` is a
 * losskit extension (MONAI's loss has none); α then applies to physical units.
 *
 * @param yTrue `[B, ...spatial, C]` masks (values > 0.5 are foreground), or `[B, ...spatial, 2C]` with
 *   `precomputedMaps`
 * @param yPred `[B, ...spatial, C]` probabilities (or logits with `activation`)
 * @returns a scalar, or `[B, C']` with `reduction: 'none'` (C' = C − 1 without background when C > 1)
 * @example
 * // MONAI test_hausdorff_loss (2×2, sigmoid of ±1 logits); golden hd-loss-monai-2x2.
 * const yTrue = tf.tensor4d([1, 0, 1, 1], [1, 2, 2, 1]);
 * hausdorffDtLoss(yTrue, tf.tensor4d([1, -1, -1, 1], [1, 2, 2, 1]), { activation: 'sigmoid' }); // 0.5093292
 * @see Karimi & Salcudean 2019, arXiv:1904.10030; MONAI `monai/losses/hausdorff_loss.py`
 */
export const hausdorffDtLoss = defineLoss<HausdorffDtLossOptions>(
  {
    id: 'hausdorffDtLoss',
    aliases: ['hausdorff_dt_loss', 'hausdorff_dt', 'HausdorffDTLoss', 'hd_loss', 'HausdorffLoss'],
    task: 'segmentation',
    summary:
      'Squared error weighted by distance-transform fields of the prediction and the ground truth: a smooth ' +
      'surrogate of the Hausdorff distance that punishes errors far from the true boundary.',
    formula:
      'ℓ_bc = (1/|Ω|) Σ_x (p − y)² · (d_P^α + d_Y^α),  d_M = edt(M) + edt(¬M) (0 for all-0/all-1 M), ' +
      'P = p > 0.5, Y = y > 0.5; L = mean_bc ℓ_bc (log: ln(1 + L))',
    whenToUse:
      'Boundary-critical segmentation where a few far-off false positives or missed protrusions matter (surgical ' +
      'margins, thin or elongated structures), when the Hausdorff distance is the evaluation metric. Combine ' +
      'with a region loss (e.g. Dice + λ·HD with λ rising from ~0.1), never alone from scratch. Ground-truth ' +
      'field d_Y is precomputable in the data pipeline (packDistanceMaps); the prediction field d_P is rebuilt on ' +
      'the CPU every step (GPU→CPU readback).',
    params: [
      {
        name: 'alpha',
        type: 'number',
        default: 2,
        range: [0, Infinity],
        exclusive: 'min',
        doc: 'Exponent on the distance fields; larger α concentrates the penalty on far-off errors.',
      },
      {
        name: 'includeBackground',
        type: 'boolean',
        default: false,
        doc: 'Keep channel 0 (false drops it, only when C > 1; MONAI default).',
      },
      {
        name: 'log',
        type: 'boolean',
        default: false,
        doc: 'Return ln(1 + L) after the reduction (MONAI LogHausdorffDTLoss).',
      },
      GROUP_REDUCTION,
      SPACING,
      ACTIVATION,
      PRECOMPUTED_MAPS,
    ],
    references: [
      'Karimi & Salcudean 2019, "Reducing the Hausdorff Distance in Medical Image Segmentation with ' +
        'Convolutional Neural Networks", IEEE TMI, arXiv:1904.10030',
      'MONAI 1.5.0 monai.losses.HausdorffDTLoss / LogHausdorffDTLoss',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'hausdorffDtLoss';
    const L = checkInputs(id, yTrue, yPred, { precomputed: o.precomputedMaps, spacing: o.spacing });
    const kept = keptChannels(L.C, o.includeBackground);
    const { y, maps } = splitTrue(yTrue, L, o.precomputedMaps);
    const p = activate(id, yPred, o.activation);
    const dY = maps ?? mapsOf(y, L, kept, o.spacing, hdField);
    const dP = mapsOf(p, L, kept, o.spacing, hdField);
    const field = tf.add(tf.pow(dP, o.alpha), tf.pow(dY, o.alpha));
    const groups = pickChannels(spatialMean(tf.mul(tf.square(tf.sub(p, y)), field)), kept);
    const loss = reduceGroups(id, groups, o.reduction, sampleWeight);
    return o.log ? tf.log1p(loss) : loss;
  },
);
