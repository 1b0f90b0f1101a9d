/**
 * Surface-distance metrics on tensors (segmentation-distance.md §3, MONAI semantics): Hausdorff distance and its
 * percentiles (HD95), average surface distance (directed or ASSD) and normalised surface Dice. Each wraps its
 * plain-array form in `surface-arrays.ts` (one readback of each input, then CPU work per (b, c)), so the result is a
 * constant without a gradient: these are evaluation metrics, not losses.
 *
 * Results are `[B, C']` float32 tensors (C' = C − 1 when channel 0 is dropped): NaN where both masks are empty,
 * +Infinity where exactly one is (0 for surface Dice), never a throw. Aggregate with a NaN-aware mean and report
 * the count of finite values, or keep the per-image values: MONAI's NaN for HD95 with one empty mask (and its
 * NaN-ignoring mean) silently drops exactly the images with a missed object; losskit returns +Infinity there.
 * Their catalog entries are in info.ts, which loads no TensorFlow.js.
 */
import { defineMetric, type Metric } from '../core/define-loss.ts';
import { checkInputs } from '../segmentation/distance-common.ts';
import { tf, type Tensor } from '../tf.ts';
import {
  averageSurfaceDistanceArrays,
  hausdorffDistanceArrays,
  surfaceDiceArrays,
  surfaceMetricChannels,
} from '../distance/surface-metrics.ts';
import { AVERAGE_SURFACE_DISTANCE, HAUSDORFF_DISTANCE, SURFACE_DICE } from './info.ts';

type ArrayMetric = (
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  options: object,
) => Float64Array;

/** Validates the tensors, runs the array metric on their values, and returns a `[B, C']` float32 tensor. */
function onTensors(
  owner: string,
  fn: ArrayMetric,
  yTrue: Tensor,
  yPred: Tensor,
  options: { readonly includeBackground: boolean; readonly spacing: readonly number[] | null },
): Tensor {
  const L = checkInputs(owner, yTrue, yPred, { spacing: options.spacing });
  const kept = surfaceMetricChannels(L.C, options.includeBackground);
  const values = fn(yTrue.dataSync(), yPred.dataSync(), yTrue.shape, options);
  return tf.tensor2d(Float32Array.from(values), [L.B, kept.length], 'float32');
}

export interface HausdorffDistanceOptions {
  /** Percentile of the surface distances, 0–100 (95 = HD95); null = the maximum (HD). */
  readonly percentile?: number | null;
  /** Only prediction → ground truth. */
  readonly directed?: boolean;
  /** HD percentile convention: 'monai' = max of per-direction percentiles; 'medpy' = percentile of the pooled set. */
  readonly convention?: 'monai' | 'medpy';
  readonly includeBackground?: boolean;
  readonly spacing?: readonly number[] | null;
}

/**
 * Hausdorff distance per image and channel (MONAI `compute_hausdorff_distance`); with `percentile: 95`, HD95.
 *
 * With A = D(pred→gt) and G = D(gt→pred) the distances from each edge element to the nearest edge element of the
 * other mask: `HD = max(max A, max G)`; `directed`: `max A`; percentile q (MONAI) `max(q(A), q(G))`, medpy
 * `q(A ∪ G)`; q is numpy's linear percentile.
 *
 * Conventions: MONAI and medpy differ on HD95 (max of the two directed percentiles vs the pooled percentile;
 * 3.7 vs 3.0 on the spur golden). MONAI returns NaN for HD95 with one empty mask; losskit +Infinity.
 *
 * @param yTrue `[B, ...spatial, C]` ground-truth masks (> 0.5 is foreground)
 * @param yPred `[B, ...spatial, C]` predicted masks or probabilities (> 0.5 is foreground)
 * @returns float32 `[B, C']`: NaN both empty, +Infinity one empty
 * @example
 * // A 1×4 image: truth edges {1, 2}, prediction edges {2, 3}; A = [0, 1], G = [1, 0].
 * const yTrue = tf.tensor4d([0, 1, 1, 0], [1, 1, 4, 1]);
 * const yPred = tf.tensor4d([0, 0, 1, 1], [1, 1, 4, 1]);
 * hausdorffDistance(yTrue, yPred); // [[1]]
 * // HD95 of [B, D, H, W, C] volumes, in mm:
 * hausdorffDistance(gtVolumes, predVolumes, { percentile: 95, spacing: [1.5, 0.8, 0.8] }); // [B, C']
 * @see Huttenlocher, Klanderman & Rucklidge 1993, "Comparing images using the Hausdorff distance", IEEE PAMI
 */
export const hausdorffDistance = defineMetric<HausdorffDistanceOptions>(
  HAUSDORFF_DISTANCE,
  (yTrue, yPred, o) => onTensors('hausdorffDistance', hausdorffDistanceArrays, yTrue, yPred, o),
);

export interface AverageSurfaceDistanceOptions {
  /** Both directions (ASSD); false (MONAI's default) = mean over the predicted edges only. */
  readonly symmetric?: boolean;
  /** Symmetric form: 'monai' and 'medpy' (≥ 0.5.2) pool both sets; 'medpy_0.4' averages the two means. */
  readonly convention?: 'monai' | 'medpy' | 'medpy_0.4';
  readonly includeBackground?: boolean;
  readonly spacing?: readonly number[] | null;
}

/**
 * Average surface distance per image and channel (MONAI `compute_average_surface_distance`).
 *
 * With A, G as in {@link hausdorffDistance}: directed (default, as MONAI) `mean A`; `symmetric` (ASSD)
 * `mean(A ∪ G)` pooled (MONAI, medpy ≥ 0.5.2), or `(mean A + mean G)/2` with `convention: 'medpy_0.4'`.
 *
 * Conventions: MONAI's default is **directed** (symmetric=False), which many papers mislabel as ASSD; medpy 0.4
 * averages the two directed means, medpy 0.5.2 pools (0.3954 vs 0.4468 on the spur golden).
 *
 * @param yTrue `[B, ...spatial, C]` ground-truth masks (> 0.5 is foreground)
 * @param yPred `[B, ...spatial, C]` predicted masks or probabilities (> 0.5 is foreground)
 * @returns float32 `[B, C']`: NaN both empty, +Infinity one empty
 * @example
 * // The 1×4 example of hausdorffDistance: directed mean A = 0.5; ASSD (0 + 1 + 1 + 0)/4 = 0.5.
 * averageSurfaceDistance(yTrue, yPred); // [[0.5]]
 * averageSurfaceDistance(yTrue, yPred, { symmetric: true }); // [[0.5]]
 * @see MONAI 1.5.0 `compute_average_surface_distance`; medpy `metric.binary.assd`
 */
export const averageSurfaceDistance = defineMetric<AverageSurfaceDistanceOptions>(
  AVERAGE_SURFACE_DISTANCE,
  (yTrue, yPred, o) => onTensors('averageSurfaceDistance', averageSurfaceDistanceArrays, yTrue, yPred, o),
);

export interface SurfaceDiceOptions {
  /** τ ≥ 0 in spacing units: one for every channel, or one per reported channel. */
  readonly tolerance?: number | readonly number[];
  readonly includeBackground?: boolean;
  readonly spacing?: readonly number[] | null;
}

/**
 * Normalised surface Dice (NSD) at tolerance τ per image and channel (MONAI `compute_surface_dice`,
 * `use_subvoxels=False`): `(#{A ≤ τ} + #{G ≤ τ}) / (|A| + |G|)`, with A, G as in {@link hausdorffDistance}.
 *
 * Conventions: edge elements are counted (MONAI); DeepMind's surface-distance weights surfel areas
 * (`use_subvoxels=True`), which gives different numbers. `≤ τ` counts as a match.
 *
 * @param yTrue `[B, ...spatial, C]` ground-truth masks (> 0.5 is foreground)
 * @param yPred `[B, ...spatial, C]` predicted masks or probabilities (> 0.5 is foreground)
 * @returns float32 `[B, C']` in [0, 1]: NaN both empty, 0 one empty
 * @example
 * // The 1×4 example of hausdorffDistance: 2 of the 4 distances are ≤ 0.5.
 * surfaceDice(yTrue, yPred, { tolerance: 0.5 }); // [[0.5]]
 * surfaceDice(gtVolumes, predVolumes, { tolerance: 2, spacing: [1, 0.7, 0.7] }); // [B, C'], τ in mm
 * @see Nikolov et al. 2021, "Clinically applicable segmentation of head and neck anatomy for radiotherapy",
 *   JMIR, arXiv:1809.04430
 */
export const surfaceDice = defineMetric<SurfaceDiceOptions>(SURFACE_DICE, (yTrue, yPred, o) =>
  onTensors('surfaceDice', surfaceDiceArrays, yTrue, yPred, o),
);

/** Surface-distance metrics on tensors (Hausdorff, ASSD, surface Dice), in catalog order. */
export const surfaceMetrics: readonly Metric<never>[] = [
  hausdorffDistance,
  averageSurfaceDistance,
  surfaceDice,
];
