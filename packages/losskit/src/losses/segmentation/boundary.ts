import { defineLoss } from '../../core/define-loss.ts';
import type { SegReduction } from '../../core/types.ts';
import { shapeText } from '../../core/validate.ts';
import { tf } from '../../tf.ts';
import {
  checkInputs,
  keptChannels,
  pickChannels,
  PRECOMPUTED_MAPS,
  reduceGroups,
  spatialMean,
  splitTrue,
} from '../../segmentation/distance-common.ts';
import { activate, ACTIVATION, type Activation, GROUP_REDUCTION, SPACING } from '../../segmentation/index.ts';
import { boundaryPhi, mapsOf } from './distance-planes.ts';

export interface BoundaryLossOptions {
  /** Channels the loss is computed on (LIVIAETS `idc`); null = every channel but 0 when C > 1, else [0]. */
  readonly classIndices?: readonly number[] | null;
  /** Pixels subtracted inside the object, not scaled by spacing (LIVIAETS: 1). */
  readonly insideOffset?: number;
  readonly spacing?: readonly number[] | null;
  readonly reduction?: SegReduction;
  readonly activation?: Activation;
  readonly precomputedMaps?: boolean;
}

/** Validates `classIndices` against the channel count, naming the loss, the option and the shape. */
function classes(idc: readonly number[] | null, C: number, shape: readonly number[]): number[] {
  if (idc === null) return keptChannels(C, false);
  const bad = idc.find((c) => !Number.isInteger(c) || c < 0 || c >= C);
  if (bad !== undefined || idc.length === 0 || new Set(idc).size !== idc.length) {
    throw new Error(
      `boundaryLoss: option 'classIndices' must list distinct channel indices in [0, ${C - 1}] for yPred shape ` +
        `${shapeText(shape)}, got [${idc.join(', ')}]`,
    );
  }
  return [...idc];
}

/**
 * Boundary loss (Kervadec et al. 2019, LIVIAETS `SurfaceLoss`; segmentation-distance.md §2.2).
 *
 * Unreduced, per sample b and class c ∈ classIndices: `ℓ_bc = (1/|Ω|) Σ_x p_c(x) · φ_c(x)`, with φ_c the signed
 * distance map of the ground-truth class c in LIVIAETS' `one_hot2dist` convention: `+edt(¬G)` outside G,
 * `−(edt(G) − insideOffset)` inside, 0 for an absent or full class. The map is a constant: ∂ℓ/∂p = φ/|Ω|.
 *
 * Maps: φ comes from the ground truth only, so it can be precomputed in the data pipeline, as LIVIAETS does
 * (`packDistanceMaps`, option `precomputedMaps`); nothing is computed from the prediction.
 *
 * Conventions: the loss is unnormalised and can be negative (its minimum puts all mass inside G). The offset is a
 * literal pixel count, not scaled by `spacing` (with spacing 0.5 the inner boundary row gets +0.5). Signs follow
 * LIVIAETS: mixing with seung-lab's `sdf` (inside positive) flips the loss. LIVIAETS' Keras port runs the EDT
 * over the channel axis too; losskit does each (b, c) plane separately.
 *
 * @param yTrue `[B, ...spatial, C]` one-hot / binary masks, or `[B, ...spatial, 2C]` with `precomputedMaps`
 * @param yPred `[B, ...spatial, C]` probabilities (softmax or sigmoid outputs, or logits with `activation`)
 * @returns a scalar, or `[B, K]` with `reduction: 'none'` (K = number of classIndices)
 * @example
 * // GT foreground = the middle pixel of a 1×3 row: φ = [1, 0, 1]; p = [0.5, 1, 0.5] → (0.5 + 0 + 0.5)/3.
 * boundaryLoss(tf.tensor4d([0, 1, 0], [1, 1, 3, 1]), tf.tensor4d([0.5, 1, 0.5], [1, 1, 3, 1])); // 0.3333333
 * @see Kervadec et al. 2019, "Boundary loss for highly unbalanced segmentation", MIDL, arXiv:1812.07032
 */
export const boundaryLoss = defineLoss<BoundaryLossOptions>(
  {
    id: 'boundaryLoss',
    aliases: ['boundary_loss', 'boundary', 'SurfaceLoss', 'BoundaryLoss'],
    task: 'segmentation',
    summary:
      'Integral of the predicted probabilities against the signed distance map of the ground truth: mass ' +
      'outside the object costs its distance to the boundary, mass inside earns it.',
    formula:
      'ℓ_bc = (1/|Ω|) Σ_x p_c(x)·φ_c(x),  φ = +edt(¬G) outside G, −(edt(G) − offset) inside (0 if G absent/full); ' +
      'L = mean over b and c ∈ classIndices',
    whenToUse:
      'Highly unbalanced segmentation (small lesions, thin or boundary-critical structures) where region ' +
      'losses give vanishing signals. Always combine with a region loss, as GDL + α·BL with α scheduled from ' +
      '0.01 upward; alone it can collapse (it is unbounded below). The map φ is ground-truth only: precompute it ' +
      'in the data pipeline (packDistanceMaps) and training needs no EDT and no GPU readback.',
    params: [
      {
        name: 'classIndices',
        type: ['number[]', 'null'],
        default: null,
        range: [0, Infinity],
        doc:
          'Channels the loss sums over (LIVIAETS idc): typically [1] after a softmax, [0] for one sigmoid ' +
          'channel. null = every channel but 0 when C > 1, else [0].',
      },
      {
        name: 'insideOffset',
        type: 'number',
        default: 1,
        range: [0, Infinity],
        doc: 'Subtracted from the inside distance, in pixels (not scaled by spacing); LIVIAETS uses 1.',
      },
      SPACING,
      GROUP_REDUCTION,
      ACTIVATION,
      PRECOMPUTED_MAPS,
    ],
    references: [
      'Kervadec, Bouchtiba, Desrosiers, Granger, Dolz & Ben Ayed 2019, "Boundary loss for highly unbalanced ' +
        'segmentation", MIDL 2019 / Medical Image Analysis 2021, arXiv:1812.07032',
      'LIVIAETS/boundary-loss (losses.py SurfaceLoss, utils.py one_hot2dist)',
    ],
    properties: ['canBeNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'boundaryLoss';
    const L = checkInputs(id, yTrue, yPred, { precomputed: o.precomputedMaps, spacing: o.spacing });
    const idc = classes(o.classIndices, L.C, yPred.shape);
    const { y, maps } = splitTrue(yTrue, L, o.precomputedMaps);
    const p = activate(id, yPred, o.activation);
    const phi = maps ?? mapsOf(y, L, idc, o.spacing, boundaryPhi(o.insideOffset));
    const groups = pickChannels(spatialMean(tf.mul(p, phi)), idc);
    return reduceGroups(id, groups, o.reduction, sampleWeight);
  },
);
