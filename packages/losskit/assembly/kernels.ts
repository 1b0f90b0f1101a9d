// WebAssembly SIMD kernels of the fused losses (AssemblyScript, compiled by `npm run build:wasm` into
// src/fused/wasm-bytes.ts). The module imports its memory and has no data of its own, so the same code runs on a
// small memory of its own (inputs copied in) or on the tfjs `wasm` backend's memory, in place on the tensors.
// Each kernel takes the addresses T (targets), P (predictions) and G (gradient), reads float32 four lanes at a
// time, writes the gradient (times `c`) and returns its float64 sum.
// Loops run four vectors per iteration (`BLOCK` elements), unmasked, then the rest one masked vector at a time:
// four independent dependency chains per iteration run about 1.5–2× faster than one (measured with V8 11.3's
// code for the exp polynomial: 1.2 against 2.4 ns per element), and full vectors need no lane mask. The last
// vector may run past `n` (its extra lanes are masked out of every sum): callers pass ranges of whole blocks when
// the memory past `n` is not theirs, and copy the rest through scratch (src/fused/wasm.ts).
//
// exp and log are the Cephes single-precision polynomials (expf: degree-5 on |r| ≤ ln2/2 after range reduction
// x = n·ln2 + r; logf: degree-9 on m − 1, m ∈ [√½, √2)), vectorised; log1p(e) = log(u) − ((u − 1) − e)/u with
// u = 1 + e. Their error is a few float32 ulps (src/fused/wasm.test.ts checks ≤ 4 ulp-equivalents against Math).

import { at, vexp, vlog, vlog1p } from './math';

export { CHUNK } from './math';
export * from './keras';
export * from './region';
export * from './region-multi';

// ---- accuracy probes (tests): G = f(P) over n elements --------------------------------------------------------
export function probe(P: usize, G: usize, n: i32, which: i32): void {
  for (let i = 0; i < n; i += 4) {
    const x = v128.load(at(P, i));
    if (which == 0) v128.store(at(G, i), vexp(x));
    else if (which == 1) v128.store(at(G, i), vlog(x));
    else v128.store(at(G, i), vlog1p(x));
  }
}
