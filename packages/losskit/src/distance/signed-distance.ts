/**
 * Signed distance maps in the three sign conventions of segmentation-distance.md §1. No TensorFlow.js.
 */
import { normalizeName } from '../util/names.ts';
import { checkShapeAndSpacing, edt, type FloatOut } from './edt.ts';

/** Sign convention of {@link signedDistance}; any spelling (case, `_`, `-`, spaces ignored) is accepted. */
export type SignedDistanceConvention = 'outside_positive' | 'inside_positive' | 'boundary_loss';

/** Options of {@link signedDistance}. */
export interface SignedDistanceOptions {
  /** Sign convention (required; there is no neutral default, because the conventions flip the boundary loss). */
  readonly convention: SignedDistanceConvention | (string & {});
  /** `boundary_loss` only: subtracted from the inside distance, unscaled by spacing (LIVIAETS literal 1). Default 1. */
  readonly insideOffset?: number;
  /** Element size along each axis, in array-axis order. Default 1 on every axis. */
  readonly spacing?: readonly number[];
  /** Return a Float64Array instead of the default Float32Array. Default false. */
  readonly float64?: boolean;
}

const CONVENTIONS: Readonly<Record<string, SignedDistanceConvention>> = {
  outsidepositive: 'outside_positive',
  insidepositive: 'inside_positive',
  boundaryloss: 'boundary_loss',
};

/**
 * Resolves a sign convention spelled any way: case, `_`, `-` and spaces are ignored (api.md, Names).
 * @param convention - E.g. `'outside_positive'`, `'outsidePositive'`, `'OUTSIDE-POSITIVE'`.
 * @returns The canonical snake_case value.
 * @throws Error listing the three conventions for anything else.
 * @example
 * ```ts
 * resolveConvention('insidePositive'); // 'inside_positive'
 * ```
 * @see {@link signedDistance}
 */
export function resolveConvention(convention: unknown): SignedDistanceConvention {
  const found = typeof convention === 'string' ? CONVENTIONS[normalizeName(convention)] : undefined;
  if (found === undefined) {
    throw new Error(
      `signedDistance: unknown convention ${JSON.stringify(convention)}; ` +
        `expected one of 'outside_positive', 'inside_positive', 'boundary_loss'`,
    );
  }
  return found;
}

/**
 * Signed Euclidean distance map of a mask m, in one of three sign conventions:
 *
 * | convention | outside m | inside m |
 * |---|---|---|
 * | `outside_positive` | +edt(¬m) | −edt(m) |
 * | `inside_positive` (seung-lab `edt.sdf`) | −edt(¬m) | +edt(m) |
 * | `boundary_loss` (LIVIAETS `one_hot2dist`) | +edt(¬m) | −(edt(m) − insideOffset) |
 *
 * where `edt(m)` is the distance from a foreground element to the nearest background element ({@link edt}). Both
 * sides are measured element centre to element centre, so the elements next to the boundary get ±(one step), and
 * the map changes sign exactly between the last inside and the first outside element (with `boundary_loss` and
 * offset 1 the inner boundary row is 0 at unit spacing).
 *
 * Degenerate masks: `boundary_loss` gives all zeros for an all-0 or all-1 mask (the class is absent or has no
 * boundary). The geometric conventions give ±Infinity: an all-0 mask is +Infinity (`outside_positive`) or
 * −Infinity (`inside_positive`) everywhere, and an all-1 mask the opposite.
 *
 * Conventions: the LIVIAETS offset is a literal 1 in pixels, **not** scaled by spacing, so with spacing 0.5 the inner
 * boundary row is +0.5 (positive inside). Mixing conventions flips the sign of the boundary loss.
 *
 * @param mask - Row-major (last axis contiguous) array of `prod(shape)` numbers; non-zero is foreground.
 * @param shape - Array shape, any rank.
 * @param options - `convention` (required, any spelling), `insideOffset` (`boundary_loss` only, default 1),
 *   `spacing` (one positive number per axis, array-axis order, default 1), `float64` (default false).
 * @returns The signed map, same layout as `mask`: Float32Array, or Float64Array with `float64`.
 * @throws Error for an unknown convention, `insideOffset` with another convention or not finite, or a bad shape/spacing.
 * @example
 * ```ts
 * signedDistance([0, 1, 1, 1, 0], [5], { convention: 'outside_positive' }); // [1, -1, -2, -1, 1]
 * signedDistance([0, 1, 1, 1, 0], [5], { convention: 'boundaryLoss' });     // [1, 0, -1, 0, 1]
 * ```
 * @see Kervadec et al., "Boundary loss for highly unbalanced segmentation", MIDL 2019 (LIVIAETS `one_hot2dist`).
 * @see seung-lab/euclidean-distance-transform-3d `edt.sdf` (inside positive).
 */
export function signedDistance(
  mask: ArrayLike<number>,
  shape: readonly number[],
  options: SignedDistanceOptions,
): FloatOut {
  const convention = resolveConvention(options.convention);
  let offset = 0;
  if (options.insideOffset !== undefined) {
    if (convention !== 'boundary_loss') {
      throw new Error(
        `signedDistance: insideOffset applies only to convention 'boundary_loss', not '${convention}'`,
      );
    }
    if (typeof options.insideOffset !== 'number' || !Number.isFinite(options.insideOffset)) {
      throw new Error(
        `signedDistance: insideOffset must be a finite number, got ${String(options.insideOffset)}`,
      );
    }
    offset = options.insideOffset;
  } else if (convention === 'boundary_loss') {
    offset = 1;
  }
  checkShapeAndSpacing('signedDistance', mask.length, shape, options.spacing);
  const n = mask.length;
  const float64 = options.float64 === true;
  const inner = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] !== 0) {
      inner[i] = 1;
      count++;
    }
  }
  const make = (): FloatOut => (float64 ? new Float64Array(n) : new Float32Array(n));
  if (convention === 'boundary_loss' && (count === 0 || count === n)) return make();

  const base = { ...(options.spacing ? { spacing: options.spacing } : {}), float64 };
  const inside = edt(inner, shape, base);
  // The outer transform reuses `inner` as its mask (inverted in place) and writes into a fresh array.
  for (let i = 0; i < n; i++) inner[i] ^= 1;
  const outside = edt(inner, shape, base);
  const outSign = convention === 'inside_positive' ? -1 : 1;
  for (let i = 0; i < n; i++) {
    // Exactly one of the two transforms is non-zero at each element (each is 0 on its own background).
    if (inner[i] === 1) outside[i] = outSign * outside[i];
    else outside[i] = convention === 'inside_positive' ? inside[i] : offset - inside[i];
  }
  return outside;
}
