import { defineLoss } from '../../core/define-loss.ts';
import { divideNoNan, toFloat32 } from '../../core/numerics.ts';
import { tf, type Tensor } from '../../tf.ts';
import {
  type DistanceWeightedBceOptions,
  bce,
  checkInputs,
  detached,
  keptChannels,
  PRECOMPUTED_MAPS,
  reduceGroups,
  spatialMean,
  splitTrue,
} from '../../segmentation/distance-common.ts';
import { activate, ACTIVATION, EPSILON, GROUP_REDUCTION, SPACING } from '../../segmentation/index.ts';
import { edgeDistance, mapsOf } from './distance-planes.ts';

export type ShapeAwareLossOptions = DistanceWeightedBceOptions;

const sizeOf = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

/**
 * The contour `P ∧ ¬erode(P)` of `P = [p > 0.5]` (§1: cross structuring element, outside the image as background,
 * the elements `surfaceEdges` gives), built with tensor ops: an element of P is interior when both of its
 * neighbours along every spatial axis are in P. Every value is 0 or 1, so the map is exact on every backend, float16
 * storage included, and equal to the host-built one. Each axis is shifted as `[outer, n, inner]`, a rank at which
 * every backend has pad and slice.
 */
function contour(p: Tensor): Tensor {
  const P = toFloat32(tf.greater(p, 0.5));
  const shape = P.shape;
  let interior = P;
  for (let a = 1; a < shape.length - 1; a++) {
    const [outer, n, inner] = [sizeOf(shape.slice(0, a)), shape[a], sizeOf(shape.slice(a + 1))];
    const padded = tf.pad(tf.reshape(P, [outer, n, inner]), [
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    const before = tf.slice(padded, [0, 0, 0], [outer, n, inner]);
    const after = tf.slice(padded, [0, 2, 0], [outer, n, inner]);
    interior = tf.mul(interior, tf.reshape(tf.mul(before, after), shape));
  }
  return tf.sub(P, interior);
}

/**
 * `E_bc = Σ_x edge·dist / Σ_x edge` over the predicted contour, `[B, C]`, with zero gradient (E is a constant per
 * (b, c)); 0 without predicted edges (divideNoNan) or without true edges (map ≡ 0).
 *
 * The predicted contour is built on the device, not on the host as the ground-truth map is: the host needs the
 * prediction read back, and on webgpu a synchronous read of a tensor on the GPU goes through OffscreenCanvas, which
 * loses the device in Chromium (docs/backends.md); the prediction is on the GPU whenever a model made it.
 */
const contourDistance = detached((p: Tensor, toTrueEdge: Tensor): Tensor => {
  const edges = contour(p);
  const spatial = Array.from({ length: p.rank - 2 }, (_, i) => i + 1);
  return divideNoNan(tf.sum(tf.mul(edges, toTrueEdge), spatial), tf.sum(edges, spatial));
});

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
 * (`packDistanceMaps`, option `precomputedMaps`); the predicted edges are built from the prediction on the device
 * on every call (no readback of yPred, no EDT).
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
      'found on the device each step (no GPU→CPU readback of the prediction).',
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
    const E = contourDistance(p, toTrueEdge);
    const e = bce(y, yPred, p, o.activation, o.epsilon);
    return reduceGroups(id, tf.mul(tf.add(E, 1), spatialMean(e)), o.reduction, sampleWeight);
  },
);
