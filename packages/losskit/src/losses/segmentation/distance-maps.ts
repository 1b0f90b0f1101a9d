/**
 * Precomputed ground-truth maps for the distance-based losses (segmentation-distance.md §2.6). Keras-style losses
 * receive only `(yTrue, yPred)`, so the maps travel as extra yTrue channels: `[B, ...spatial, 2C]`, the C masks
 * followed by their C maps. Build them once in the data pipeline and bind the loss with `precomputedMaps: true`;
 * the loss then skips the ground-truth EDTs (and, for boundaryLoss and distanceMapPenaltyBce, every CPU step).
 */
import type { Loss } from '../../core/define-loss.ts';
import { closestNames, entryTable, findLossName } from '../../util/names.ts';
import { resolveOptions } from '../../core/options.ts';
import type { LossInfo } from '../../core/types.ts';
import { assertTensor, shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';
import { boundaryLoss } from './boundary.ts';
import { keptChannels, layoutOf } from '../../segmentation/distance-common.ts';
import { boundaryPhi, dmpPhi, edgeDistance, hdField, planeMaps } from './distance-planes.ts';
import { distanceMapPenaltyBce } from './distance-map-penalty.ts';
import { hausdorffDtLoss } from './hausdorff-dt.ts';
import { shapeAwareLoss } from './shape-aware.ts';

/** The losses that take precomputed ground-truth maps. */
const MAPPED: readonly Loss<never>[] = [hausdorffDtLoss, boundaryLoss, distanceMapPenaltyBce, shapeAwareLoss];

/** Spelled as the catalog spells them (the shared name rule), without importing the catalog into losses/. */
const table = entryTable(MAPPED);

/** A loss that takes precomputed maps, by name (any spelling) or as the exported loss itself. */
export type DistanceMapLoss =
  | 'hausdorffDtLoss'
  | 'boundaryLoss'
  | 'distanceMapPenaltyBce'
  | 'shapeAwareLoss'
  | (string & {})
  | Loss<never>;

function infoOf(owner: string, loss: unknown): LossInfo {
  if (typeof loss === 'function' && 'info' in loss) {
    const info = (loss as { info: LossInfo }).info;
    if (MAPPED.some((l) => l.info.id === info.id)) return info;
    throw new Error(
      `${owner}: ${info.id} takes no precomputed maps; these do: ${MAPPED.map((l) => l.info.id).join(', ')}`,
    );
  }
  if (typeof loss !== 'string')
    throw new Error(`${owner}: loss must be a loss name or a loss, got ${typeof loss}`);
  const found = findLossName(table, loss);
  if (found) return found.info;
  const close = closestNames(loss, table.names());
  throw new Error(
    `${owner}: '${loss}' is not a loss that takes precomputed maps` +
      `${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}; ` +
      `these do: ${MAPPED.map((l) => l.info.id).join(', ')}`,
  );
}

function checkShape(owner: string, shape: readonly number[], length: number): void {
  if (shape.length < 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(
      `${owner}: shape must be channels-last [B, ...spatial, C] of positive sizes, got ${shapeText(shape)}`,
    );
  }
  const size = shape.reduce((a, d) => a * d, 1);
  if (size !== length) {
    throw new Error(`${owner}: yTrue has ${length} values but shape ${shapeText(shape)} holds ${size}`);
  }
}

/**
 * The ground-truth maps that a distance-based loss reads, for masks `yTrue` (`[B, ...spatial, C]` channels-last,
 * values > 0.5 are foreground), as a float32 array of the same shape. Pass the options the loss is bound with
 * (only `spacing`, and `insideOffset` for boundaryLoss, change the maps; all are validated).
 *
 * | loss | map per (b, c) |
 * |---|---|
 * | hausdorffDtLoss | d_Y = edt(Y) + edt(¬Y), 0 for an all-0 or all-1 mask (not raised to α) |
 * | boundaryLoss | φ, LIVIAETS `one_hot2dist` (`insideOffset`), 0 for an absent or full class |
 * | distanceMapPenaltyBce | Φ, 1 at the boundary, 0 deepest inside each region |
 * | shapeAwareLoss | distance to the nearest ground-truth edge element, 0 everywhere without edges |
 *
 * @example
 * const maps = distanceMaps('boundary_loss', mask, [1, 64, 64, 2], { insideOffset: 1 });
 */
export function distanceMaps(
  loss: DistanceMapLoss,
  yTrue: ArrayLike<number>,
  shape: readonly number[],
  options?: object,
): Float32Array {
  return mapsFor('distanceMaps', infoOf('distanceMaps', loss), yTrue, shape, options);
}

function mapsFor(
  owner: string,
  info: LossInfo,
  yTrue: ArrayLike<number>,
  shape: readonly number[],
  options: object | undefined,
): Float32Array {
  const o = resolveOptions<{ spacing: readonly number[] | null; insideOffset?: number }>(
    info.id,
    info.params,
    options,
  );
  checkShape(owner, shape, yTrue.length);
  const L = layoutOf(shape);
  if (o.spacing !== null && o.spacing.length !== L.spatial.length) {
    throw new Error(
      `${info.id}: option 'spacing' has ${o.spacing.length} value(s) but shape ${shapeText(shape)} has ` +
        `${L.spatial.length} spatial axis/axes`,
    );
  }
  const all = keptChannels(L.C, true);
  const fn =
    info.id === 'hausdorffDtLoss'
      ? hdField
      : info.id === 'boundaryLoss'
        ? boundaryPhi(o.insideOffset)
        : info.id === 'distanceMapPenaltyBce'
          ? dmpPhi
          : edgeDistance;
  return planeMaps(yTrue, L, all, o.spacing, fn);
}

/**
 * yTrue with its ground-truth maps appended as extra channels: `[B, ...spatial, C]` → float32
 * `[B, ...spatial, 2C]`, for a loss bound with `precomputedMaps: true` and the same other options. The result
 * gives exactly the values of the loss on the plain masks. Synchronous (reads yTrue back to the CPU): call it in
 * the data pipeline, not in the training step.
 *
 * @example
 * const packed = packDistanceMaps('boundary_loss', yTrue, { classIndices: [1] });
 * const loss = getLoss('boundary_loss', { classIndices: [1], precomputedMaps: true });
 * loss(packed, yPred); // = getLoss('boundary_loss', { classIndices: [1] })(yTrue, yPred)
 */
export function packDistanceMaps(loss: DistanceMapLoss, yTrue: Tensor, options?: object): Tensor {
  const owner = 'packDistanceMaps';
  const info = infoOf(owner, loss);
  assertTensor(owner, 'yTrue', yTrue);
  const maps = mapsFor(owner, info, yTrue.dataSync(), yTrue.shape, options);
  return tf.tidy(() => tf.concat([tf.cast(yTrue, 'float32'), tf.tensor(maps, yTrue.shape, 'float32')], -1));
}
