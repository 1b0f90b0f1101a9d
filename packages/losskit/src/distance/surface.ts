/**
 * Surface (edge) elements and directed surface distances as MONAI computes them (segmentation-distance.md §1, §3):
 * edges = m ∧ ¬erode(m) with the cross structuring element and the outside of the image as background; distances
 * from edge-element centre to edge-element centre, spacing-aware. No TensorFlow.js.
 */
import { checkShapeAndSpacing, stridesOf } from './edt.ts';
import { edgeCodes, labelSurfaceDistances } from './label-surfaces.ts';

/** Inclusive per-axis bounds of the non-zero elements of a mask. */
export interface BoundingBox {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** Advances `coord` (the first `coord.length` axes of `shape`) like an odometer, last of them fastest. */
function advance(coord: Int32Array, shape: readonly number[]): void {
  for (let a = coord.length - 1; a >= 0; a--) {
    if (++coord[a] < shape[a]) return;
    coord[a] = 0;
  }
}

/**
 * Surface (edge) elements of an N-D mask: the foreground elements with at least one background neighbour along an
 * axis (cross / face connectivity: 4 in 2-D, 6 in 3-D), where everything outside the image counts as background.
 *
 * `edges(m) = m ∧ ¬erode(m, cross)`, outside = 0, so an object touching the image border has edge elements on the
 * border (MONAI `get_mask_edges`, medpy `__surface_distances` with connectivity 1).
 *
 * @param mask - Row-major (last axis contiguous) array of `prod(shape)` numbers; non-zero is foreground.
 * @param shape - Spatial shape, any rank ≥ 1.
 * @returns Uint8Array of the same layout, 1 on edge elements, else 0. A non-empty mask always has an edge element.
 * @throws Error if `shape` does not match the mask length.
 * @example
 * ```ts
 * surfaceEdges([1, 1, 1, 1, 1, 1, 1, 1, 1], [3, 3]); // [1, 1, 1, 1, 0, 1, 1, 1, 1] (the centre is interior)
 * surfaceEdges([0, 1, 1, 1, 0], [5]);                // [0, 1, 0, 1, 0]
 * ```
 * @see MONAI `monai.metrics.utils.get_mask_edges` (v1.5.0), scipy `binary_erosion` with `generate_binary_structure(r, 1)`.
 */
export function surfaceEdges(mask: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  checkShapeAndSpacing('surfaceEdges', mask.length, shape, undefined);
  if (shape.length === 0) return Uint8Array.from(mask, (v) => (v !== 0 ? 1 : 0));
  return edgeCodes(
    Uint8Array.from(mask, (v) => (v !== 0 ? 1 : 0)),
    shape,
  ).edge as Uint8Array;
}

/**
 * The smallest box holding every non-zero element of any of `masks` (all of one `shape`), or null if there is none.
 * @param masks - Row-major arrays of `prod(shape)` numbers each.
 * @param shape - Spatial shape, rank ≥ 1.
 * @returns `{ lo, hi }` with inclusive bounds per axis, or null when every mask is all zero.
 * @example
 * ```ts
 * boundingBox([[0, 0, 0, 1, 1, 0]], [2, 3]); // { lo: [1, 0], hi: [1, 1] }
 * ```
 * @see MONAI `get_mask_edges(crop=True)`, which crops to the same box before the erosion
 */
export function boundingBox(
  masks: readonly ArrayLike<number>[],
  shape: readonly number[],
): BoundingBox | null {
  const r = shape.length;
  for (const m of masks) checkShapeAndSpacing('boundingBox', m.length, shape, undefined);
  const lo = shape.map((d) => d);
  const hi = shape.map(() => -1);
  if (r === 0) return masks.some((m) => m[0] !== 0) ? { lo: [], hi: [] } : null;
  const total = masks.length ? masks[0].length : 0;
  const n = shape[r - 1];
  const coord = new Int32Array(r - 1);
  let found = false;
  for (let base = 0; base < total; base += n) {
    let first = n;
    let last = -1;
    for (const m of masks) {
      for (let j = 0; j < first; j++) {
        if (m[base + j] !== 0) {
          first = j;
          break;
        }
      }
      for (let j = n - 1; j > last; j--) {
        if (m[base + j] !== 0) {
          last = j;
          break;
        }
      }
    }
    if (last >= 0) {
      found = true;
      if (first < lo[r - 1]) lo[r - 1] = first;
      if (last > hi[r - 1]) hi[r - 1] = last;
      for (let a = 0; a < r - 1; a++) {
        if (coord[a] < lo[a]) lo[a] = coord[a];
        if (coord[a] > hi[a]) hi[a] = coord[a];
      }
    }
    advance(coord, shape);
  }
  return found ? { lo, hi } : null;
}

/** Copies the box `[lo, hi]` of `mask` into a new contiguous Uint8Array of 0/1 (non-zero → 1). */
function cropMask(mask: ArrayLike<number>, shape: readonly number[], box: BoundingBox): Uint8Array {
  const r = shape.length;
  const cshape = box.lo.map((l, a) => box.hi[a] - l + 1);
  const strides = stridesOf(shape);
  const out = new Uint8Array(cshape.reduce((p, d) => p * d, 1));
  const n = cshape[r - 1];
  const coord = new Int32Array(r - 1);
  for (let dst = 0; dst < out.length; dst += n) {
    let src = box.lo[r - 1];
    for (let a = 0; a < r - 1; a++) src += (box.lo[a] + coord[a]) * strides[a];
    for (let j = 0; j < n; j++) out[dst + j] = mask[src + j] !== 0 ? 1 : 0;
    advance(coord, cshape);
  }
  return out;
}

/** Options of {@link surfaceDistances}. */
export interface SurfaceDistanceOptions {
  /** Element size per axis, array-axis order. Default 1. */
  readonly spacing?: readonly number[] | null;
  /** Which directions to compute; the other comes back empty. Default `'both'`. */
  readonly directions?: 'both' | 'predToGt' | 'gtToPred';
}

/** The two directed surface-distance sets of a mask pair. */
export interface SurfaceDistances {
  /** For each edge element of the prediction, the distance to the nearest ground-truth edge element (D(pred→gt)). */
  readonly predToGt: Float64Array;
  /** For each edge element of the ground truth, the distance to the nearest prediction edge element (D(gt→pred)). */
  readonly gtToPred: Float64Array;
}

/**
 * Directed surface distances between two masks of one spatial shape, in both directions (MONAI
 * `get_surface_distance` on `get_mask_edges`):
 *
 * ```
 * D(A→B) = { min_{y ∈ edges(B)} ‖(x − y)·spacing‖ : x ∈ edges(A) }      (one value per edge element of A)
 * ```
 *
 * Both masks are cropped to the bounding box of their union before the edges and the nearest-edge search
 * (label-surfaces.ts, nearest.ts); that is exact, since every edge element of either mask lies inside it and the
 * nearest edge is searched among all of them. The distances equal those of the float64 `edt` of the other mask's
 * inverted edges, read at this mask's edges.
 *
 * Empty masks: an empty `A` gives an empty set; a non-empty `A` with an empty `B` gives +Infinity for every edge
 * element of A (the empty/NaN rules of the metrics live in their callers).
 *
 * @param gt - Ground-truth mask, row-major `[...spatial]`; non-zero is foreground (binarise before calling).
 * @param pred - Predicted mask, same shape and convention.
 * @param shape - Spatial shape, rank ≥ 1.
 * @param options - `spacing` (per axis, array-axis order, default 1), `directions` (default `'both'`).
 * @returns `{ predToGt, gtToPred }`, Float64Arrays of distances in spacing units, in row-major order of the edge
 *   elements they belong to.
 * @throws Error for mismatched lengths, a bad shape or spacing.
 * @example
 * ```ts
 * // Two 1-px-wide vertical bars in a [3, 4] image, one column apart.
 * const gt = [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0];
 * const pred = [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0];
 * surfaceDistances(gt, pred, [3, 4]); // { predToGt: [1, 1, 1], gtToPred: [1, 1, 1] }
 * ```
 * @see MONAI `monai.metrics.utils.get_surface_distance` (v1.5.0); medpy `__surface_distances`.
 */
export function surfaceDistances(
  gt: ArrayLike<number>,
  pred: ArrayLike<number>,
  shape: readonly number[],
  options: SurfaceDistanceOptions = {},
): SurfaceDistances {
  const spacing = checkShapeAndSpacing('surfaceDistances', gt.length, shape, options.spacing);
  checkShapeAndSpacing('surfaceDistances', pred.length, shape, undefined);
  if (shape.length === 0) throw new Error('surfaceDistances: shape must have at least one axis');
  const directions = options.directions ?? 'both';
  const box = boundingBox([gt, pred], shape);
  if (box === null) return { predToGt: new Float64Array(0), gtToPred: new Float64Array(0) };
  // The box holds every edge element of both masks, and its outside is background as the image's is.
  const cshape = box.lo.map((l, a) => box.hi[a] - l + 1);
  return labelSurfaceDistances(
    cropMask(gt, shape, box),
    cropMask(pred, shape, box),
    cshape,
    spacing,
    1,
    directions,
  )[0];
}

/**
 * Directed surface distances D(from→to): for each edge element of `from`, the distance to the nearest edge element
 * of `to` (spacing-aware). Equivalent to `surfaceDistances(to, from, shape, { directions: 'predToGt' }).predToGt`.
 * @param from - Source mask, row-major `[...spatial]`; non-zero is foreground.
 * @param to - Target mask, same shape.
 * @param shape - Spatial shape, rank ≥ 1.
 * @param options - `spacing` (per axis, array-axis order, default 1).
 * @returns Float64Array, one distance per edge element of `from` (row-major order); empty if `from` is empty,
 *   all +Infinity if `to` is empty.
 * @example
 * ```ts
 * directedSurfaceDistances([0, 1, 1, 0, 0], [0, 0, 1, 1, 1], [5]); // [1, 0]
 * ```
 * @see MONAI `get_surface_distance`.
 */
export function directedSurfaceDistances(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  shape: readonly number[],
  options: { readonly spacing?: readonly number[] | null } = {},
): Float64Array {
  return surfaceDistances(to, from, shape, { ...options, directions: 'predToGt' }).predToGt;
}
