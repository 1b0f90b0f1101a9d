/**
 * Float64 oracles of the Lovász hinge and Lovász-softmax losses (Berman et al. 2018; segmentation-region.md §2.14),
 * restating Berman's `lovasz_losses.py` as plain loops: ignored pixels are removed, errors sorted in descending
 * order, and the sorted errors weighted by the discrete gradient of the Jaccard loss.
 */
import { activate64, type Activation64, grid64 } from './pixel-common.ts';

/** Berman's `lovasz_grad`: `Δ = diff(1 − (G − cumsum g)/(G + cumsum(1 − g)))`, the first element kept. */
export function lovaszGrad64(sortedLabels: readonly number[]): number[] {
  const G = sortedLabels.reduce((a, v) => a + v, 0);
  let cg = 0;
  let cn = 0;
  let prev = 0;
  return sortedLabels.map((g) => {
    cg += g;
    cn += 1 - g;
    const j = 1 - (G - cg) / (G + cn);
    const d = j - prev;
    prev = j;
    return d;
  });
}

/** `Σ_i φ(e_sorted,i)·Δ_i`, errors sorted in descending order (stable), φ = relu for the hinge. */
function lovaszFlat(errors: number[], labels: number[], relu: boolean): number {
  if (errors.length === 0) return 0;
  const order = errors.map((_, i) => i).sort((a, b) => errors[b] - errors[a]);
  const delta = lovaszGrad64(order.map((i) => labels[i]));
  return order.reduce((s, i, k) => s + (relu ? Math.max(errors[i], 0) : errors[i]) * delta[k], 0);
}

export interface LovaszHinge64 {
  readonly perImage?: boolean;
  readonly ignoreIndex?: number | null;
}

/** Lovász hinge on logits x: errors `1 − x·(2y − 1)`; per image then the mean over images, or all pixels at once. */
export function lovaszHinge64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: LovaszHinge64 = {},
): number {
  const B = predShape[0];
  const per = yPred.length / B;
  const ignore = o.ignoreIndex ?? null;
  const flat = (from: number, to: number): number => {
    const e: number[] = [];
    const l: number[] = [];
    for (let i = from; i < to; i++) {
      if (yTrue[i] === ignore) continue;
      e.push(1 - yPred[i] * (2 * yTrue[i] - 1));
      l.push(yTrue[i]);
    }
    return lovaszFlat(e, l, true);
  };
  if (!(o.perImage ?? true)) return flat(0, yPred.length);
  let s = 0;
  for (let b = 0; b < B; b++) s += flat(b * per, (b + 1) * per);
  return s / B;
}

export interface LovaszSoftmax64 {
  readonly activation?: Activation64;
  readonly classes?: 'present' | 'all';
  readonly perImage?: boolean;
  readonly ignoreIndex?: number | null;
}

/**
 * Lovász-softmax on probabilities `[B, ...spatial, C]` and integer labels `[B, ...spatial]`: for each class, errors
 * `|[y = c] − p_c|` over the (non-ignored) pixels, the Lovász extension, then the mean over the present classes
 * ('present') or all classes ('all'); per image then the mean over images, or over the whole batch.
 */
export function lovaszSoftmax64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: LovaszSoftmax64 = {},
): number {
  const g = grid64(predShape);
  const p = activate64(yPred, g, o.activation ?? 'none');
  const ignore = o.ignoreIndex ?? null;
  const flat = (pixels: number[]): number => {
    const kept = pixels.filter((px) => yTrue[px] !== ignore);
    const losses: number[] = [];
    for (let c = 0; c < g.C; c++) {
      const fg = kept.map((px) => (yTrue[px] === c ? 1 : 0));
      if ((o.classes ?? 'present') === 'present' && !fg.some((v) => v === 1)) continue;
      const e = kept.map((px, k) => Math.abs(fg[k] - p[px * g.C + c]));
      losses.push(lovaszFlat(e, fg, false));
    }
    return losses.length ? losses.reduce((a, v) => a + v, 0) / losses.length : 0;
  };
  const all = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
  if (!(o.perImage ?? false)) return flat(all(0, g.B * g.S));
  let s = 0;
  for (let b = 0; b < g.B; b++) s += flat(all(b * g.S, (b + 1) * g.S));
  return s / g.B;
}
