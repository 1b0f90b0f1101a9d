import { defineLoss } from '../../core/define-loss.ts';
import { divideNoNan } from '../../core/numerics.ts';
import { tf } from '../../tf.ts';
import {
  type DistanceWeightedBceOptions,
  bce,
  checkInputs,
  keptChannels,
  PRECOMPUTED_MAPS,
  reduceGroups,
  spatialMean,
  splitTrue,
} from '../../segmentation/distance-common.ts';
import { activate, ACTIVATION, EPSILON, GROUP_REDUCTION, SPACING } from '../../segmentation/index.ts';
import { edgeDistance, edgeMask, mapsOf } from './distance-planes.ts';

export type ShapeAwareLossOptions = DistanceWeightedBceOptions;

/**
 * Shape-aware loss (Hayder et al. 2017, as summarised in Jadon's survey; segmentation-distance.md §2.4):
 * binary cross-entropy scaled per image and channel by how far the predicted contour lies from the true one.
 *
 * Unreduced, per sample b and channel c: `ℓ_bc = (1 + E_bc) · (1/|Ω|) Σ_x BCE(y, p)`, with E_bc the mean, over the
 * edge elements of the prediction (p > 0.5), of the distance to the nearest ground-truth edge element (the
 * directed average surface distance prediction → truth, spacing-aware); E = 0 when either edge set is empty. E is
 * a constant per (b, c): ∂ℓ/∂p = (1 + E)·∂BCE/∂p/|Ω|.
 *
 * Maps: the distance-to-ground-truth-edge map comes from the ground truth only and can be precomputed
 * (`packDistanceMaps`, option `precomputedMaps`); the predicted edges come from the prediction and are extracted
 * on the CPU on every call (one readback of yPred, no EDT).
 *
 * Conventions: Jadon's survey gives `E_i = D(Ĉ, C_GT)` as a coefficient of cross-entropy and no code; losskit
 * reads E as one constant per image and channel (a per-pixel reading would be a different loss). Edges use the
 * cross structuring element with the image border as background (§1).
 *
 * @param yTrue `[B, ...spatial, C]` binary masks, or `[B, ...spatial, 2C]` with `precomputedMaps`
 * @param yPred `[B, ...spatial, C]` probabilities (or logits with `activation`)
 * @returns a scalar, or `[B, C]` with `reduction: 'none'`
 * @example
 * // A perfect contour: E = 0 and the loss is the plain BCE, here ln 2 everywhere at p = 0.5 ± 0.1.
 * shapeAwareLoss(tf.tensor4d([0, 1, 1, 0], [1, 1, 4, 1]), tf.tensor4d([0.4, 0.6, 0.6, 0.4], [1, 1, 4, 1])); // 0.5108256
 * @see Hayder, He & Salzmann 2017, "Boundary-aware Instance Segmentation", CVPR 2017, arXiv:1612.03129
 */
export const shapeAwareLoss = defineLoss<ShapeAwareLossOptions>(
  {
    id: 'shapeAwareLoss',
    aliases: ['shape_aware_loss', 'shape_aware', 'ShapeAwareLoss'],
    task: 'segmentation',
    summary:
      'Binary cross-entropy scaled, per image and channel, by 1 + the average distance from the predicted ' +
      'contour to the true contour: images whose predicted shape is off pay more.',
    formula:
      'ℓ_bc = (1 + E_bc)·mean_x BCE(y, p),  E_bc = mean over predicted edge pixels (p > 0.5) of the distance to ' +
      'the nearest ground-truth edge pixel (0 if either edge set is empty)',
    whenToUse:
      'When the contour shape matters more than pixel counts (instance outlines, organs with a typical shape) ' +
      'and images with a badly placed contour should weigh more. A pixel-wise loss: combine with a region loss ' +
      '(Dice). The distance-to-true-edge map is ground-truth only (packDistanceMaps); the predicted edges are ' +
      'extracted on the CPU each step (GPU→CPU readback).',
    params: [EPSILON, SPACING, GROUP_REDUCTION, ACTIVATION, PRECOMPUTED_MAPS],
    references: [
      'Hayder, He & Salzmann 2017, "Boundary-aware Instance Segmentation", CVPR 2017, arXiv:1612.03129',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", arXiv:2006.14822',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'shapeAwareLoss';
    const L = checkInputs(id, yTrue, yPred, { precomputed: o.precomputedMaps, spacing: o.spacing });
    const { y, maps } = splitTrue(yTrue, L, o.precomputedMaps);
    const p = activate(id, yPred, o.activation);
    const toTrueEdge = maps ?? mapsOf(y, L, keptChannels(L.C, true), o.spacing, edgeDistance);
    const edges = mapsOf(p, L, keptChannels(L.C, true), null, edgeMask);
    // E_bc = Σ_x edge·dist / Σ_x edge; 0 without predicted edges (divideNoNan) or without true edges (map ≡ 0).
    const spatial = Array.from({ length: L.spatial.length }, (_, i) => i + 1);
    const E = divideNoNan(tf.sum(tf.mul(edges, toTrueEdge), spatial), tf.sum(edges, spatial));
    const e = bce(y, yPred, p, o.activation, o.epsilon);
    return reduceGroups(id, tf.mul(tf.add(E, 1), spatialMean(e)), o.reduction, sampleWeight);
  },
);
