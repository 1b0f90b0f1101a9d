/**
 * A deterministic synthetic segmentation set: textured, noisy background with bright elliptical "lesions"
 * whose total area is tuned to a target foreground fraction. No download, same data on every machine.
 */

/** A small, fast, seedable generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LesionSet {
  /** Images `[n, size, size, 1]`, row-major, roughly zero-mean. */
  readonly images: Float32Array;
  /** Binary masks `[n, size, size, 1]`. */
  readonly masks: Float32Array;
  readonly n: number;
  readonly size: number;
  /** The foreground fraction actually reached. */
  readonly foreground: number;
}

/**
 * Makes `n` images of `size`×`size` with a mean foreground fraction near `fg`.
 * Each image gets 1–4 ellipses whose radii are scaled to the target area; the intensity contrast is modest
 * and the noise strong, so the task is not trivial for a tiny network.
 */
export function makeLesions(n: number, size: number, fg: number, seed: number): LesionSet {
  const rand = mulberry32(seed);
  const px = size * size;
  const images = new Float32Array(n * px);
  const masks = new Float32Array(n * px);
  let fgCount = 0;
  for (let i = 0; i < n; i++) {
    const count = 1 + Math.floor(rand() * 4);
    // Area per blob so that `count` blobs cover about fg of the image (π·a·b per ellipse).
    const area = (fg * px) / count;
    const fx = rand() * 0.5 + 0.2;
    const fy = rand() * 0.5 + 0.2;
    const phase = rand() * Math.PI * 2;
    for (let k = 0; k < count; k++) {
      const aspect = 0.6 + rand() * 0.8;
      const r = Math.sqrt((area * (0.5 + rand())) / Math.PI);
      const ra = Math.max(0.6, r * aspect);
      const rb = Math.max(0.6, r / aspect);
      const cx = rand() * size;
      const cy = rand() * size;
      const th = rand() * Math.PI;
      const c = Math.cos(th);
      const s = Math.sin(th);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = x - cx;
          const dy = y - cy;
          const u = (dx * c + dy * s) / ra;
          const v = (-dx * s + dy * c) / rb;
          if (u * u + v * v <= 1) masks[i * px + y * size + x] = 1;
        }
      }
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const j = i * px + y * size + x;
        const texture = 0.35 * Math.sin(fx * x + phase) * Math.cos(fy * y - phase);
        const noise = (rand() + rand() + rand() - 1.5) * 0.6;
        images[j] = texture + noise + 0.9 * masks[j] - 0.1;
        fgCount += masks[j];
      }
    }
  }
  return { images, masks, n, size, foreground: fgCount / (n * px) };
}
