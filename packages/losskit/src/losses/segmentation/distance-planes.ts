/**
 * The CPU-built maps of the distance-based losses (segmentation-distance.md §1–§2), one (b, c) plane at a time over
 * the spatial axes, binarised at > 0.5. Internal: the package exports only what `distance-maps.ts` makes public.
 *
 * Every map is built on the CPU (`dataSync` → typed-array EDT → `tf.tensor`), so it has no gradient path: the
 * maps are constants with respect to yPred, exactly as §2 specifies (tfjs 4.22 has no `stopGradient`).
 */
import { edt } from '../../distance/edt.ts';
import { perChannel } from '../../distance/per-channel.ts';
import { signedDistance } from '../../distance/signed-distance.ts';
import { surfaceEdges } from '../../distance/surface.ts';
import { tf, type Tensor } from '../../tf.ts';
import type { SegLayout } from '../../segmentation/distance-common.ts';

type PlaneMap = (
  mask: Uint8Array,
  spatial: readonly number[],
  spacing: readonly number[] | undefined,
) => ArrayLike<number>;

const count = (m: Uint8Array): number => {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
};
const invert = (m: Uint8Array): Uint8Array => m.map((v) => 1 - v);

/** HD loss field `u(m) = edt(m) + edt(¬m)` (distance to the other class), 0 for an all-0 or all-1 mask (§2.1). */
export const hdField: PlaneMap = (m, spatial, spacing) => {
  const n = count(m);
  if (n === 0 || n === m.length) return new Float32Array(m.length);
  const opt = spacing ? { spacing } : {};
  const a = edt(m, spatial, opt);
  const b = edt(invert(m), spatial, opt);
  return a.map((v, i) => v + b[i]);
};

/** Caliva/JunMa11 penalty map Φ (§2.3): 1 at the boundary, 0 deepest inside each region; 1 on flat regions. */
export const dmpPhi: PlaneMap = (m, spatial, spacing) => {
  const out = new Float32Array(m.length);
  const n = count(m);
  if (n === 0 || n === m.length) return out;
  const opt = spacing ? { spacing } : {};
  for (const region of [m, invert(m)]) {
    const d = edt(region, spatial, opt);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      if (!region[i]) continue;
      if (d[i] < lo) lo = d[i];
      if (d[i] > hi) hi = d[i];
    }
    for (let i = 0; i < d.length; i++) if (region[i]) out[i] = hi === lo ? 1 : (hi - d[i]) / (hi - lo);
  }
  return out;
};

/**
 * Distance from each element to the nearest ground-truth edge element (§1 edges), for the shape-aware loss;
 * all 0 when the mask has no edge (then E = 0, §2.4).
 */
export const edgeDistance: PlaneMap = (m, spatial, spacing) => {
  const e = surfaceEdges(m, spatial);
  if (count(e) === 0) return new Float32Array(m.length);
  return edt(invert(e), spatial, spacing ? { spacing } : {});
};

/** The boundary-loss map φ (LIVIAETS `one_hot2dist`, §1): 0 for an all-0 or all-1 class. */
export function boundaryPhi(insideOffset: number): PlaneMap {
  return (m, spatial, spacing) =>
    signedDistance(m, spatial, {
      convention: 'boundary_loss',
      insideOffset,
      ...(spacing ? { spacing } : {}),
    });
}

/**
 * Applies `fn` to every (b, c) plane of `data` (channels-last, binarised at > 0.5) for c in `channels`,
 * returning a float32 `[B, ...spatial, C]` array that is 0 in the other channels.
 */
export function planeMaps(
  data: ArrayLike<number>,
  L: SegLayout,
  channels: readonly number[],
  spacing: readonly number[] | null,
  fn: PlaneMap,
): Float32Array {
  const sp = spacing ?? undefined;
  return perChannel(data, [L.B, ...L.spatial, L.C], (plane) => fn(plane, L.spatial, sp), {
    channels,
    threshold: 0.5,
  });
}

/** `planeMaps` of a tensor, as a float32 tensor of its shape (no gradient path: built on the CPU). */
export function mapsOf(
  x: Tensor,
  L: SegLayout,
  channels: readonly number[],
  spacing: readonly number[] | null,
  fn: PlaneMap,
): Tensor {
  return tf.tensor(planeMaps(x.dataSync(), L, channels, spacing, fn), [L.B, ...L.spatial, L.C], 'float32');
}
