/**
 * A brute-force float64 oracle of the per-label metrics, for the eval tests: counts by a plain loop, and surface
 * distances from every edge element to every edge element of the other mask (O(n²)), written from the definitions
 * (MONAI: face-connected edges with the outside as background; HD95 = max of the two directed percentiles; numpy's
 * linear percentile) and sharing no code with the library.
 */

/** Edge elements of `mask == 1` in `shape` (a foreground element with a background or outside face neighbour). */
function edgePoints(mask: ArrayLike<number>, shape: readonly number[]): number[][] {
  const r = shape.length;
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const out: number[][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const c = shape.map((d, a) => Math.floor(i / strides[a]) % d);
    let edge = false;
    for (let a = 0; a < r && !edge; a++)
      for (const s of [-1, 1]) {
        const x = c[a] + s;
        if (x < 0 || x >= shape[a] || !mask[i + s * strides[a]]) edge = true;
      }
    if (edge) out.push(c);
  }
  return out;
}

/** For each point of `from`, the distance to the nearest point of `to`. */
function nearest(from: number[][], to: number[][], spacing: readonly number[]): number[] {
  return from.map((p) =>
    Math.min(...to.map((q) => Math.sqrt(p.reduce((s, x, a) => s + ((x - q[a]) * spacing[a]) ** 2, 0)))),
  );
}

function percentile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

export interface Oracle {
  dice: number;
  iou: number;
  hd: number;
  hd95: number;
  assd: number;
  nsd1: number;
}

/** The metrics of label `label` (smoothing 1e-5 on the overlap scores, as the catalog's defaults). */
export function labelOracle(
  t: ArrayLike<number>,
  p: ArrayLike<number>,
  shape: readonly number[],
  spacing: readonly number[],
  label: number,
): Oracle {
  const g = Array.from(t, (v) => (v === label ? 1 : 0));
  const q = Array.from(p, (v) => (v === label ? 1 : 0));
  let tp = 0;
  let sg = 0;
  let sp = 0;
  for (let i = 0; i < g.length; i++) {
    tp += g[i] * q[i];
    sg += g[i];
    sp += q[i];
  }
  const s = 1e-5;
  const dice = (2 * tp + s) / (sg + sp + s);
  const iou = (tp + s) / (sg + sp - tp + s);
  if (!sg && !sp) return { dice, iou, hd: NaN, hd95: NaN, assd: NaN, nsd1: NaN };
  if (!sg || !sp) return { dice, iou, hd: Infinity, hd95: Infinity, assd: Infinity, nsd1: 0 };
  const eg = edgePoints(g, shape);
  const ep = edgePoints(q, shape);
  const A = nearest(ep, eg, spacing);
  const G = nearest(eg, ep, spacing);
  const all = [...A, ...G];
  return {
    dice,
    iou,
    hd: Math.max(...all),
    hd95: Math.max(percentile(A, 95), percentile(G, 95)),
    assd: all.reduce((x, y) => x + y, 0) / all.length,
    nsd1: all.filter((d) => d <= 1).length / all.length,
  };
}
