/**
 * Ground-truth and prediction presets of the segmentation playground: plain arrays, no DOM and no tfjs.
 * Masks are row-major `size × size` (`index = row·size + col`); ground truth is 0/1, predictions are
 * probabilities in [0, 1].
 */
import { mulberry32 } from 'losskit/random';

export const SIZE = 32;

export const GT_PRESETS = ['blob', 'lesion', 'line', 'objects', 'empty'] as const;
export type GtPreset = (typeof GT_PRESETS)[number];

export const PRED_PRESETS = ['perfect', 'shifted', 'dilated', 'eroded', 'missed', 'noisy', 'empty'] as const;
export type PredPreset = (typeof PRED_PRESETS)[number];

export const GT_LABELS: Record<GtPreset, string> = {
  blob: 'Large blob',
  lesion: 'Small lesion',
  line: 'Thin line',
  objects: 'Several objects',
  empty: 'Empty',
};

export const PRED_LABELS: Record<PredPreset, string> = {
  perfect: 'Perfect',
  shifted: 'Shifted by k',
  dilated: 'Dilated by k',
  eroded: 'Eroded by k',
  missed: 'Missed object',
  noisy: 'Noisy',
  empty: 'Empty',
};

export const PRED_TITLES: Record<PredPreset, string> = {
  perfect: 'The ground truth itself',
  shifted: 'The ground truth shifted right by k pixels',
  dilated: 'The ground truth dilated k times (4-neighbour cross)',
  eroded: 'The ground truth eroded k times (4-neighbour cross)',
  missed: 'The ground truth without its smallest object',
  noisy: 'Soft probabilities: logit ±2 plus Gaussian noise of σ = 0.6·k',
  empty: 'Nothing predicted',
};

function disk(m: Uint8Array, cy: number, cx: number, ry: number, rx = ry): void {
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const dy = (r - cy) / ry;
      const dx = (c - cx) / rx;
      if (dy * dy + dx * dx <= 1) m[r * SIZE + c] = 1;
    }
  }
}

function rect(m: Uint8Array, r0: number, c0: number, h: number, w: number): void {
  for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + w; c++) m[r * SIZE + c] = 1;
}

/** Bresenham: a 1-pixel, 8-connected line. */
function line(m: Uint8Array, r0: number, c0: number, r1: number, c1: number): void {
  const dr = Math.abs(r1 - r0);
  const dc = Math.abs(c1 - c0);
  const sr = r0 < r1 ? 1 : -1;
  const sc = c0 < c1 ? 1 : -1;
  let err = dc - dr;
  let r = r0;
  let c = c0;
  for (;;) {
    m[r * SIZE + c] = 1;
    if (r === r1 && c === c1) break;
    const e2 = 2 * err;
    if (e2 > -dr) {
      err -= dr;
      c += sc;
    }
    if (e2 < dc) {
      err += dc;
      r += sr;
    }
  }
}

export function groundTruth(preset: GtPreset): Uint8Array {
  const m = new Uint8Array(SIZE * SIZE);
  switch (preset) {
    case 'blob':
      disk(m, 15.5, 16, 10, 11.5);
      break;
    case 'lesion':
      disk(m, 20, 11, 2.2);
      break;
    case 'line':
      line(m, 4, 5, 27, 26);
      break;
    case 'objects':
      disk(m, 8, 9, 4.5);
      rect(m, 5, 19, 6, 8);
      disk(m, 22, 21, 5, 7);
      disk(m, 24, 6, 1.5);
      break;
    case 'empty':
      break;
  }
  return m;
}

/** Shift by (dy, dx); what leaves the image is lost, what enters is background. */
export function shift(m: Uint8Array, dy: number, dx: number): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const sr = r - dy;
      const sc = c - dx;
      if (sr >= 0 && sr < SIZE && sc >= 0 && sc < SIZE) out[r * SIZE + c] = m[sr * SIZE + sc];
    }
  }
  return out;
}

/** One step of binary dilation (or erosion) with the 4-neighbour cross; outside the image counts as background. */
function morph(m: Uint8Array, dilate: boolean): Uint8Array {
  const out = new Uint8Array(m.length);
  const at = (r: number, c: number) => (r >= 0 && r < SIZE && c >= 0 && c < SIZE ? m[r * SIZE + c] : 0);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const n = [at(r, c), at(r - 1, c), at(r + 1, c), at(r, c - 1), at(r, c + 1)];
      out[r * SIZE + c] = dilate ? (n.some((v) => v) ? 1 : 0) : n.every((v) => v) ? 1 : 0;
    }
  }
  return out;
}

export function dilate(m: Uint8Array, k: number): Uint8Array {
  let out = m;
  for (let i = 0; i < k; i++) out = morph(out, true);
  return out;
}

export function erode(m: Uint8Array, k: number): Uint8Array {
  let out = m;
  for (let i = 0; i < k; i++) out = morph(out, false);
  return out;
}

/** 8-connected components (a diagonal line is one object): labels 1..n (0 = background), and their sizes. */
export function components(m: Uint8Array): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(m.length);
  const sizes: number[] = [0];
  for (let start = 0; start < m.length; start++) {
    if (!m[start] || labels[start]) continue;
    const id = sizes.length;
    let size = 0;
    const stack = [start];
    labels[start] = id;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const r = Math.floor(i / SIZE);
      const c = i % SIZE;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const nr = r + dr;
          const nc = c + dc;
          const j = nr * SIZE + nc;
          if (nr >= 0 && nr < SIZE && nc >= 0 && nc < SIZE && m[j] && !labels[j]) {
            labels[j] = id;
            stack.push(j);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * The ground truth with its smallest object missed (a single object disappears entirely): the case where
 * overlap scores barely move while surface distances jump.
 */
export function missSmallest(m: Uint8Array): Uint8Array {
  const { labels, sizes } = components(m);
  if (sizes.length < 2) return m.slice();
  let smallest = 1;
  for (let i = 2; i < sizes.length; i++) if (sizes[i] < sizes[smallest]) smallest = i;
  return m.map((v, i) => (labels[i] === smallest ? 0 : v));
}

/** A deterministic generator, so presets and screenshots are reproducible. */
export const rng = mulberry32;

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Noisy probabilities: the ground truth's logit ±2 (p ≈ 0.88 / 0.12) plus Gaussian noise of standard deviation
 * 0.6·k in logit space, rounded to float32.
 */
export function noisy(m: Uint8Array, k: number, seed = 7): Float32Array {
  const rand = rng(seed);
  return Float32Array.from(m, (v) => 1 / (1 + Math.exp(-((v ? 2 : -2) + 0.6 * k * gaussian(rand)))));
}

/**
 * The prediction preset applied to a ground truth; `k` is the size of the error (pixels, or noise level). A mask
 * preset predicts `confidence` inside and `1 − confidence` outside (1: a hard 0/1 mask).
 */
export function prediction(gt: Uint8Array, preset: PredPreset, k: number, confidence = 1): Float32Array {
  const soft = (m: Uint8Array) => Float32Array.from(m, (v) => (v ? confidence : 1 - confidence));
  switch (preset) {
    case 'perfect':
      return soft(gt);
    case 'shifted':
      return soft(shift(gt, 0, k));
    case 'dilated':
      return soft(dilate(gt, k));
    case 'eroded':
      return soft(erode(gt, k));
    case 'missed':
      return soft(missSmallest(gt));
    case 'noisy':
      return noisy(gt, k);
    case 'empty':
      return soft(new Uint8Array(gt.length));
  }
}
