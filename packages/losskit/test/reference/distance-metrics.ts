/**
 * Float64 oracles of the surface-distance metrics (segmentation-distance.md §3, MONAI semantics): plain loops
 * over the brute-force EDT and edges of `distance-losses.ts`, sharing no code with `src/distance/`.
 * Inputs are channels-last `[B, ...spatial, C]`; results are `[B·C']` row-major (C' channels kept).
 */
import { bruteEdt64, edges64, layout64, plane64 } from './distance-losses.ts';

/** The directed surface distances D(A→B): for each edge element of A, the distance to the nearest edge of B. */
export function directedDistances64(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  spatial: readonly number[],
  spacing?: readonly number[] | null,
): number[] {
  const ea = edges64(a, spatial);
  const eb = edges64(b, spatial);
  const d = bruteEdt64(
    Uint8Array.from(eb, (v) => 1 - v),
    spatial,
    spacing,
  );
  const out: number[] = [];
  for (let i = 0; i < ea.length; i++) if (ea[i]) out.push(d[i]);
  return out;
}

/** numpy's default (linear) percentile. */
export function percentile64(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((x, y) => x - y);
  const pos = ((v.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return v[lo];
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const max = (v: readonly number[]) => v.reduce((s, x) => Math.max(s, x), -Infinity);

export interface SurfaceOptions64 {
  includeBackground?: boolean;
  spacing?: readonly number[] | null;
  percentile?: number | null;
  directed?: boolean;
  convention?: 'monai' | 'medpy' | 'medpy_0.4';
  symmetric?: boolean;
  tolerance?: number | readonly number[];
}

type Kind = 'hd' | 'asd' | 'nsd';

/** One metric per (b, c) of binarised masks (> 0.5), with the empty rules of §3. */
export function surfaceMetric64(
  kind: Kind,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  shape: readonly number[],
  o: SurfaceOptions64 = {},
): number[] {
  const L = layout64(shape);
  const kept = Array.from({ length: L.C }, (_, c) => c).filter(
    (c) => o.includeBackground || L.C === 1 || c > 0,
  );
  const out: number[] = [];
  for (let b = 0; b < L.B; b++) {
    kept.forEach((c, k) => {
      const g = plane64(yTrue, L, b, c).map((v) => (v > 0.5 ? 1 : 0));
      const p = plane64(yPred, L, b, c).map((v) => (v > 0.5 ? 1 : 0));
      const gEmpty = !g.some((v) => v);
      const pEmpty = !p.some((v) => v);
      if (gEmpty && pEmpty) {
        out.push(NaN);
        return;
      }
      if (gEmpty || pEmpty) {
        out.push(kind === 'nsd' ? 0 : Infinity);
        return;
      }
      const A = directedDistances64(p, g, L.spatial, o.spacing);
      const G = directedDistances64(g, p, L.spatial, o.spacing);
      if (kind === 'hd') {
        const q = o.percentile ?? null;
        if (o.directed) out.push(q === null ? max(A) : percentile64(A, q));
        else if (q === null) out.push(Math.max(max(A), max(G)));
        else if (o.convention === 'medpy') out.push(percentile64([...A, ...G], q));
        else out.push(Math.max(percentile64(A, q), percentile64(G, q)));
      } else if (kind === 'asd') {
        if (!(o.symmetric ?? false)) out.push(mean(A));
        else if (o.convention === 'medpy_0.4') out.push((mean(A) + mean(G)) / 2);
        else out.push(mean([...A, ...G]));
      } else {
        const t = o.tolerance ?? 1;
        const tau = typeof t === 'number' ? t : t[k];
        const n = A.filter((d) => d <= tau).length + G.filter((d) => d <= tau).length;
        out.push(n / (A.length + G.length));
      }
    });
  }
  return out;
}
