import { defineLoss } from '../../core/define-loss.ts';
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
import { dmpPhi, mapsOf } from './distance-planes.ts';

export type DistanceMapPenaltyBceOptions = DistanceWeightedBceOptions;

/**
 * Distance-map-derived loss penalty term (Caliva et al. 2019, as in Jadon's survey; segmentation-distance.md §2.3):
 * binary cross-entropy weighted by a ground-truth distance map that is largest at the boundary.
 *
 * Unreduced, per sample b and channel c: `ℓ_bc = (1/|Ω|) Σ_x (1 + Φ(x)) · BCE(y, p)`, with, in each region
 * R ∈ {Y, ¬Y} (Y = y > 0.5) and d the EDT to the other region, `Φ = (max_R d − d)/(max_R d − min_R d)`: 1 at the
 * boundary, 0 deepest inside. Φ is a constant: ∂ℓ/∂p = (1 + Φ)·∂BCE/∂p/|Ω|.
 *
 * Maps: Φ comes from the ground truth only and can be precomputed in the data pipeline (`packDistanceMaps`, option
 * `precomputedMaps`); nothing is computed from the prediction.
 *
 * Conventions: the map is JunMa11/SegLoss `compute_edts_forPenalizedLoss` (the public code citing Caliva), with
 * two fixes: a region whose elements are all equidistant (1-pixel-thin structures) gets Φ = 1 where that code
 * divides 0/0, and an empty or full ground truth gets Φ = 0. SegLoss puts the map in a Dice loss; Caliva and
 * Jadon weight cross-entropy, as here.
 *
 * @param yTrue `[B, ...spatial, C]` binary masks, or `[B, ...spatial, 2C]` with `precomputedMaps`
 * @param yPred `[B, ...spatial, C]` probabilities (or logits with `activation`)
 * @returns a scalar, or `[B, C]` with `reduction: 'none'`
 * @example
 * // 1×4 row, y = [0, 1, 1, 0]: every element is on a boundary, Φ = 1, so the loss is 2·BCE = 2·ln 2 at p = 0.5.
 * distanceMapPenaltyBce(tf.tensor4d([0, 1, 1, 0], [1, 1, 4, 1]), tf.fill([1, 1, 4, 1], 0.5)); // 1.3862944
 * @see Caliva et al. 2019, "Distance map loss penalty term for semantic
 *   segmentation", MIDL 2019 (extended abstract), arXiv:1908.03679
 */
export const distanceMapPenaltyBce = defineLoss<DistanceMapPenaltyBceOptions>(
  {
    id: 'distanceMapPenaltyBce',
    aliases: [
      'distance_map_penalty_bce',
      'distance_map_penalty',
      'distance_map_bce',
      'DistanceMapPenaltyLoss',
      'dmp_bce',
    ],
    task: 'segmentation',
    summary:
      'Binary cross-entropy weighted by 1 + Φ, a ground-truth distance map that is 1 at object boundaries and ' +
      'falls to 0 deep inside each region, so boundary mistakes cost up to twice as much.',
    formula:
      'ℓ_bc = (1/|Ω|) Σ_x (1 + Φ(x))·BCE(y, p),  Φ = (max_R d − d)/(max_R d − min_R d) in each region R ∈ {Y, ¬Y}, ' +
      'd = EDT to the other region (Φ = 1 on flat regions, 0 without a boundary)',
    whenToUse:
      'Boundary-critical or thin structures where plain BCE under-weights the hard pixels at object edges ' +
      '(cartilage, vessels, membranes). A pixel-wise loss: combine with a region loss (Dice) for class ' +
      'imbalance. The map Φ is ground-truth only: precompute it in the data pipeline (packDistanceMaps).',
    params: [EPSILON, SPACING, GROUP_REDUCTION, ACTIVATION, PRECOMPUTED_MAPS],
    references: [
      'Caliva et al. 2019, "Distance Map Loss Penalty Term for Semantic ' +
        'Segmentation", MIDL 2019, arXiv:1908.03679',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", arXiv:2006.14822',
      'JunMa11/SegLoss losses_pytorch/boundary_loss.py compute_edts_forPenalizedLoss',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'distanceMapPenaltyBce';
    const L = checkInputs(id, yTrue, yPred, { precomputed: o.precomputedMaps, spacing: o.spacing });
    const { y, maps } = splitTrue(yTrue, L, o.precomputedMaps);
    const p = activate(id, yPred, o.activation);
    const phi = maps ?? mapsOf(y, L, keptChannels(L.C, true), o.spacing, dmpPhi);
    const e = bce(y, yPred, p, o.activation, o.epsilon);
    return reduceGroups(id, spatialMean(tf.mul(tf.add(phi, 1), e)), o.reduction, sampleWeight);
  },
);
