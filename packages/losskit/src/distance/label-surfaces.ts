/**
 * Surface distances of every label of two label maps at once, on the whole volume rather than one box per label.
 *
 * Per label, the binary masks `map == label` have their edges where a voxel of the label has a face neighbour of
 * another value or lies on the image border, so the edges of all labels come from one pass over each coded map:
 * an edge voxel carries its label's code, any other voxel 0. Each edge voxel of one map then looks for the nearest
 * edge voxel of the same code in the other map (nearest.ts: a ball of offsets, then a k-d tree). A binary mask is
 * the case of one label, so `surfaceDistances` goes through here too.
 */
import type { SurfaceDistances } from './surface.ts';
import { stridesOf } from './edt.ts';
import { edgeSearch } from './nearest.ts';

/** Label codes, one per voxel: 1…L for the evaluated labels, 0 for any other value; the narrowest type for L. */
export type Codes = Uint8Array | Uint16Array | Int32Array;

/**
 * `edge[i] = code[i]` where voxel i belongs to an evaluated label (code ≠ 0) and has a face neighbour of another
 * code or lies on the image border; 0 elsewhere. Unevaluated values share code 0, which differs from every label.
 * Also returns the edge voxels in row-major order.
 * @internal shared with surface.ts
 */
export function edgeCodes(code: Codes, shape: readonly number[]): { edge: Codes; found: Int32Array } {
  const r = shape.length;
  const total = code.length;
  const edge = new (code.constructor as new (n: number) => Codes)(total);
  let found = new Int32Array(1024);
  let m = 0;
  const n = shape[r - 1];
  const strides = stridesOf(shape);
  const coord = new Int32Array(r);
  for (let base = 0; base < total; base += n) {
    let border = false;
    for (let a = 0; a < r - 1; a++) if (coord[a] === 0 || coord[a] === shape[a] - 1) border = true;
    for (let j = 0; j < n; j++) {
      const i = base + j;
      const c = code[i];
      if (c === 0) continue;
      let isEdge = border || j === 0 || j === n - 1 || code[i - 1] !== c || code[i + 1] !== c;
      for (let a = 0; !isEdge && a < r - 1; a++) {
        const s = strides[a];
        isEdge = code[i - s] !== c || code[i + s] !== c;
      }
      if (isEdge) {
        edge[i] = c;
        if (m === found.length) {
          const grown = new Int32Array(2 * m);
          grown.set(found);
          found = grown;
        }
        found[m++] = i;
      }
    }
    for (let a = r - 2; a >= 0; a--) {
      if (++coord[a] < shape[a]) break;
      coord[a] = 0;
    }
  }
  return { edge, found: found.subarray(0, m) };
}

/** The edge voxels of each code, still in row-major order: `index.subarray(start[c], start[c + 1])`. */
function edgeLists(edge: Codes, found: Int32Array, L: number): { start: Int32Array; index: Int32Array } {
  const start = new Int32Array(L + 2);
  for (const i of found) start[edge[i] + 1]++;
  for (let c = 1; c <= L + 1; c++) start[c] += start[c - 1];
  const index = new Int32Array(found.length);
  const fill = start.slice();
  for (const i of found) index[fill[edge[i]]++] = i;
  return { start, index };
}

/**
 * Per code 1…L (index c − 1): the surface distances of `truth == label` and `pred == label` over the whole image;
 * `directions` says which sets to compute (the other comes back empty). Labels absent from a map get the empty-set
 * / +Infinity values of `surfaceDistances`.
 * @param truth - Codes of the truth map (0 = not evaluated, 1…L).
 * @param pred - Codes of the predicted map.
 */
export function labelSurfaceDistances(
  truth: Codes,
  pred: Codes,
  shape: readonly number[],
  spacing: readonly number[],
  L: number,
  directions: 'both' | 'predToGt' | 'gtToPred',
): SurfaceDistances[] {
  const { edge: te, found: tf } = edgeCodes(truth, shape);
  const { edge: pe, found: pf } = edgeCodes(pred, shape);
  const tl = edgeLists(te, tf, L);
  const pl = edgeLists(pe, pf, L);
  const search = edgeSearch(shape, spacing);
  const none = new Float64Array(0);
  const out: SurfaceDistances[] = [];
  for (let code = 1; code <= L; code++) {
    const tEdges = tl.index.subarray(tl.start[code], tl.start[code + 1]);
    const pEdges = pl.index.subarray(pl.start[code], pl.start[code + 1]);
    out.push({
      predToGt: directions === 'gtToPred' ? none : search(pEdges, te, code, tEdges),
      gtToPred: directions === 'predToGt' ? none : search(tEdges, pe, code, pEdges),
    });
  }
  return out;
}
