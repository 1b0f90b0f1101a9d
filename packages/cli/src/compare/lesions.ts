/**
 * The embedded data set of `losskit compare`: deterministic synthetic "lesions". Each image has a smooth,
 * textured background with strong pixel noise, a few faint line-shaped distractors, and a random number of
 * bright elliptical blobs of varied size and contrast with soft edges. The blob areas are scaled so that the
 * mean foreground fraction is near a target, which is what the comparison varies. No download; the same
 * seed gives the same images on every machine.
 */
import { mulberry32 } from 'losskit/random';
import type { SegmentationSet } from './datasets.ts';

/** An approximately standard normal draw (sum of four uniforms, rescaled). */
function normal(rand: () => number): number {
  return (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3);
}

/**
 * Makes `n` images of `size`×`size` whose mean foreground fraction is near `fg` (0 < fg < 1).
 *
 * - 1 to 5 blobs per image; their areas follow a log-normal spread (a factor ~3 between small and large)
 *   and are scaled so that their sum is `fg·size²` on average; every blob covers at least its centre pixel.
 * - Blob contrast is drawn from [0.6, 1.2] over noise of standard deviation 0.35; intensity falls off
 *   towards the blob's edge, so boundaries are uncertain by about a pixel.
 * - 0 to 2 line segments of contrast 0.5 per image are distractors (not foreground).
 */
export function makeLesions(n: number, size: number, fg: number, seed: number): SegmentationSet {
  const rand = mulberry32(seed);
  const px = size * size;
  const images = new Float32Array(n * px);
  const masks = new Float32Array(n * px);
  const intensity = new Float32Array(px);
  for (let i = 0; i < n; i++) {
    intensity.fill(0);
    const mask = masks.subarray(i * px, (i + 1) * px);
    const count = 1 + Math.floor(rand() * 5);
    const weights = Array.from({ length: count }, () => Math.exp(0.6 * normal(rand)));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let k = 0; k < count; k++) {
      const area = (fg * px * weights[k]) / total;
      const aspect = 0.65 + rand() * 0.7;
      const r = Math.sqrt(area / Math.PI);
      const ra = Math.max(0.5, r * aspect);
      const rb = Math.max(0.5, r / aspect);
      const cx = rand() * (size - 1);
      const cy = rand() * (size - 1);
      const th = rand() * Math.PI;
      const contrast = 0.6 + rand() * 0.6;
      const c = Math.cos(th);
      const s = Math.sin(th);
      const reach = Math.ceil(Math.max(ra, rb)) + 1;
      for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(size - 1, Math.ceil(cy + reach)); y++) {
        for (
          let x = Math.max(0, Math.floor(cx - reach));
          x <= Math.min(size - 1, Math.ceil(cx + reach));
          x++
        ) {
          const dx = x - cx;
          const dy = y - cy;
          const u = (dx * c + dy * s) / ra;
          const v = (-dx * s + dy * c) / rb;
          const rho = Math.sqrt(u * u + v * v);
          const inside = rho <= 1 || (x === Math.round(cx) && y === Math.round(cy));
          if (inside) mask[y * size + x] = 1;
          // Soft edge: full contrast in the core, fading over the outer part and half a pixel beyond.
          const edge = Math.min(1, Math.max(0, (1.15 - rho) / 0.45));
          intensity[y * size + x] = Math.max(
            intensity[y * size + x],
            contrast * (inside ? Math.max(edge, 0.5) : edge),
          );
        }
      }
    }
    const lines = Math.floor(rand() * 3);
    for (let k = 0; k < lines; k++) {
      const x0 = rand() * size;
      const y0 = rand() * size;
      const th = rand() * Math.PI;
      const len = size * (0.2 + rand() * 0.3);
      for (let t = 0; t <= len; t += 0.5) {
        const x = Math.round(x0 + t * Math.cos(th));
        const y = Math.round(y0 + t * Math.sin(th));
        if (x >= 0 && x < size && y >= 0 && y < size && mask[y * size + x] === 0)
          intensity[y * size + x] = Math.max(intensity[y * size + x], 0.5);
      }
    }
    const fx = 0.1 + rand() * 0.3;
    const fy = 0.1 + rand() * 0.3;
    const phase = rand() * Math.PI * 2;
    const offset = (rand() - 0.5) * 0.4;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const texture = 0.3 * Math.sin(fx * x + phase) * Math.cos(fy * y - phase);
        images[i * px + y * size + x] = offset + texture + 0.35 * normal(rand) + intensity[y * size + x];
      }
    }
  }
  return { images, masks, n, height: size, width: size };
}
