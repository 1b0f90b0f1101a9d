/**
 * Statistics of segmentation masks for `losskit advise`: foreground fraction, connected components (face
 * connectivity: 4 in 2-D, 6 in 3-D, as scipy.ndimage.label's default), boundary pixels (foreground pixels
 * with a background face neighbour, outside the image counting as background, as for surface metrics) and the
 * elongation of each object (its area over that of a disk, or ball, of its largest inscribed radius).
 */
import { edt } from 'losskit/distance';

export interface MaskStats {
  readonly pixels: number;
  readonly foreground: number;
  /** Sizes of the connected foreground components, in pixels (voxels), largest first. */
  readonly objects: number[];
  /**
   * Per object (same order): area / (π·r²) in 2-D, volume / (4/3·π·r³) in 3-D, where r is the largest
   * distance from a pixel of the object to the background (outside the image counts as background). About 1
   * for a disk; L/π for a one-pixel-wide line of L pixels.
   */
  readonly elongation: number[];
  /** Foreground pixels on the object boundary. */
  readonly boundary: number;
  /** Distinct non-zero values (labels), up to 64. */
  readonly labels: number[];
}

/** Foreground of a mask: `> 0` for integer masks, `≥ 0.5` for soft ones. */
export function foregroundOf(data: Float32Array): Uint8Array {
  const integer = data.every((v) => Number.isInteger(v));
  return Uint8Array.from(data, (v) => ((integer ? v > 0 : v >= 0.5) ? 1 : 0));
}

/** Statistics of one mask of any rank (row-major `shape`). */
export function maskStats(data: Float32Array, shape: readonly number[]): MaskStats {
  const fg = foregroundOf(data);
  const n = fg.length;
  const rank = shape.length;
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const labels = new Set<number>();
  for (const v of data) {
    if (v !== 0 && labels.size < 64) labels.add(v);
  }
  // Coordinates along each axis are recovered from the flat index when testing neighbours.
  const coord = (i: number, a: number) => Math.floor(i / strides[a]) % shape[a];
  let foreground = 0;
  let boundary = 0;
  for (let i = 0; i < n; i++) {
    if (!fg[i]) continue;
    foreground++;
    for (let a = 0; a < rank; a++) {
      const c = coord(i, a);
      if (c === 0 || c === shape[a] - 1 || !fg[i - strides[a]] || !fg[i + strides[a]]) {
        boundary++;
        break;
      }
    }
  }
  const depth = depthToBackground(fg, shape);
  const seen = new Uint8Array(n);
  const queue = new Int32Array(Math.max(1, foreground));
  const found: { size: number; elongation: number }[] = [];
  for (let s = 0; s < n; s++) {
    if (!fg[s] || seen[s]) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    seen[s] = 1;
    let r = 0;
    while (head < tail) {
      const i = queue[head++];
      if (depth[i] > r) r = depth[i];
      for (let a = 0; a < rank; a++) {
        const c = coord(i, a);
        if (c > 0) {
          const j = i - strides[a];
          if (fg[j] && !seen[j]) {
            seen[j] = 1;
            queue[tail++] = j;
          }
        }
        if (c < shape[a] - 1) {
          const j = i + strides[a];
          if (fg[j] && !seen[j]) {
            seen[j] = 1;
            queue[tail++] = j;
          }
        }
      }
    }
    const unit = rank >= 3 ? (4 / 3) * Math.PI * r ** 3 : rank === 2 ? Math.PI * r * r : 2 * r;
    found.push({ size: tail, elongation: Number.isFinite(unit) && unit > 0 ? tail / unit : 0 });
  }
  found.sort((a, b) => b.size - a.size);
  return {
    pixels: n,
    foreground,
    objects: found.map((o) => o.size),
    elongation: found.map((o) => o.elongation),
    boundary,
    labels: [...labels].sort((a, b) => a - b),
  };
}

/**
 * Euclidean distance from each foreground pixel to the nearest background pixel, with the image padded by
 * one background pixel on every side (so that objects touching the border are not thickened by it).
 */
function depthToBackground(fg: Uint8Array, shape: readonly number[]): Float32Array {
  const padded = shape.map((d) => d + 2);
  const pStrides = padded.map((_, a) => padded.slice(a + 1).reduce((x, y) => x * y, 1));
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const offset = (i: number) => {
    let o = 0;
    for (let a = 0; a < shape.length; a++) o += ((Math.floor(i / strides[a]) % shape[a]) + 1) * pStrides[a];
    return o;
  };
  const mask = new Uint8Array(padded.reduce((x, y) => x * y, 1));
  for (let i = 0; i < fg.length; i++) if (fg[i]) mask[offset(i)] = 1;
  const d = edt(mask, padded);
  const out = new Float32Array(fg.length);
  for (let i = 0; i < fg.length; i++) if (fg[i]) out[i] = d[offset(i)];
  return out;
}

/** Linear-interpolated quantile of sorted-or-not values (numpy's default); NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** One class (label) of a label map: its voxels and its connected components. */
export interface ClassStats {
  readonly label: number;
  readonly pixels: number;
  /** Sizes of the connected components of `value == label` (face connectivity), largest first. */
  readonly objects: number[];
}

/**
 * Per-label voxel counts and connected components of an integer label map, in one sweep: each component is the
 * face-connected set of voxels with one label (as `scipy.ndimage.label` of `map == label`, for every label at once).
 * Label 0 is background and left out.
 */
export function classStats(data: Float32Array, shape: readonly number[]): ClassStats[] {
  const n = data.length;
  const rank = shape.length;
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const seen = new Uint8Array(n);
  const queue = new Int32Array(Math.max(1, n));
  const byLabel = new Map<number, number[]>();
  for (let s = 0; s < n; s++) {
    const label = data[s];
    if (label === 0 || seen[s] || Number.isNaN(label)) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    seen[s] = 1;
    while (head < tail) {
      const i = queue[head++];
      for (let a = 0; a < rank; a++) {
        const c = Math.floor(i / strides[a]) % shape[a];
        if (c > 0 && !seen[i - strides[a]] && data[i - strides[a]] === label) {
          seen[i - strides[a]] = 1;
          queue[tail++] = i - strides[a];
        }
        if (c < shape[a] - 1 && !seen[i + strides[a]] && data[i + strides[a]] === label) {
          seen[i + strides[a]] = 1;
          queue[tail++] = i + strides[a];
        }
      }
    }
    const sizes = byLabel.get(label) ?? [];
    sizes.push(tail);
    byLabel.set(label, sizes);
  }
  return [...byLabel]
    .sort(([a], [b]) => a - b)
    .map(([label, sizes]) => ({
      label,
      pixels: sizes.reduce((x, y) => x + y, 0),
      objects: sizes.sort((x, y) => y - x),
    }));
}
