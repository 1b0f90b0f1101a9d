/**
 * The SIMD passes of the region kernel (src/fused/region-kernel.ts) on the WebAssembly module: one channel
 * (assembly/region.ts: each sample a contiguous run, Combo included), C = 4k channels up to 64
 * (assembly/region-multi.ts: lanes = channels) and other C up to 16 (assembly/region-gather.ts: lanes = pixels);
 * none, sigmoid or softmax; dense or sparse targets; Combo only with one channel.
 *
 * Arrays living in the instance's memory (tensors of the tfjs `wasm` backend) are read and written in place;
 * otherwise whole pixels are copied through the scratch block chunk by chunk. The multi-channel kernels keep their
 * per-channel sums and coefficients in a table at the end of the scratch gradient area, which the copies leave alone.
 */
import type { RegionCoefficients, RegionKernelArgs, RegionSums, RegionTargets } from './region-kernel.ts';
import { heapHolding, onInstance, wasmKernels, type Wasm } from './wasm.ts';

/**
 * A multi-channel pass, which wasm.ts's `WasmKernels` does not list: assembly/region-multi.ts (C = 4k, lanes =
 * channels) or assembly/region-gather.ts (other C, lanes = pixels). Pass 1 fills the table at TAB, pass 2 reads
 * the coefficients there; BUF is the gather kernels' block buffer.
 */
type Pass = (
  T: number,
  P: number,
  G: number,
  TAB: number,
  BUF: number,
  n: number,
  C: number,
  sparse: boolean,
  intLabels: boolean,
  squared: boolean,
) => void;

/** The export for a pass, C and activation: `region4Pass1Softmax`, `regionNPass2None`, `regionGPass1Sigmoid`, …. */
function pass(w: Wasm, n: 1 | 2, C: number, act: RegionKernelArgs['activation']): Pass {
  const kind = C === 4 ? '4' : C % 4 === 0 ? 'N' : 'G';
  const name = `region${kind}Pass${n}${act[0].toUpperCase()}${act.slice(1)}`;
  return (w.k as unknown as Record<string, Pass>)[name];
}

/**
 * Floats kept free at the end of the scratch gradient area (4 KiB) for the table, then the gather buffer: C = 4k
 * takes 32·C + 16 bytes (C ≤ 64: 2 KiB), other C 128·C + 16 and 32·C more (C ≤ 16: 2.5 KiB).
 */
const RESERVE = 1024;
const MAX_C = 64;
const MAX_GATHER_C = 16;

/** Whether the SIMD passes cover this call (they still need an instance: `simdInstance`). */
function simdSupports(a: RegionKernelArgs): boolean {
  if (a.C === 1) return true;
  if (a.combo) return false;
  return a.C % 4 === 0 ? a.C <= MAX_C : a.C <= MAX_GATHER_C;
}

function inMemory(w: Wasm, v: RegionTargets): boolean {
  return v.buffer === w.memory.buffer;
}

/** The instance to run on, or null: too small, not covered, or no module. */
export function simdInstance(
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
): Wasm | null {
  if (a.S * a.C < 64 || !simdSupports(a)) return null;
  // The kernels read dense targets as float32 (and the one-channel kernels labels too, element for element).
  if ((a.C === 1 || !a.sparse) && !(t instanceof Float32Array)) return null;
  return heapHolding(x, g) ?? wasmKernels();
}

/** Runs of pixels that share a group row: the whole batch with reduceBatch, else one sample each. */
function runs(a: RegionKernelArgs): [number, number, number][] {
  const n = a.B * a.S;
  if (a.reduceBatch) return [[0, 0, n]];
  return Array.from({ length: a.B }, (_, b) => [b, b * a.S, (b + 1) * a.S] as [number, number, number]);
}

/**
 * The table's float64 pixel lanes per (sum, channel): 1 for lanes = channels (C = 4k), 4 for lanes = pixels. Sum s
 * of channel c is the total of slots `(s·C + c)·L … + L − 1`; the guard follows the 4·C·L slots.
 */
function lanesOf(C: number): number {
  return C % 4 === 0 ? 1 : 4;
}

/**
 * Calls `call(T, P, G, n)` over the pixels [r0, r1) of C channels: in place when the arrays live in w's memory,
 * else chunk by chunk through the scratch block (P from `src`, targets converted to float32 on the way, G copied
 * back into g when `back`).
 */
function overPixels(
  w: Wasm,
  a: RegionKernelArgs,
  src: Float32Array,
  t: RegionTargets,
  g: Float32Array,
  [r0, r1]: readonly [number, number],
  back: boolean,
  call: (T: number, P: number, G: number, n: number, intLabels: boolean) => void,
): void {
  const { C, sparse } = a;
  if (w.holds(src) && w.holds(g) && inMemory(w, t)) {
    const T = t.byteOffset + 4 * (sparse ? r0 : r0 * C);
    call(
      T,
      src.byteOffset + 4 * r0 * C,
      g.byteOffset + 4 * r0 * C,
      r1 - r0,
      sparse && t instanceof Int32Array,
    );
    return;
  }
  const v = w.scratch();
  const step = Math.floor((w.chunk - RESERVE) / C);
  for (let r = r0; r < r1; r += step) {
    const m = Math.min(step, r1 - r);
    v.p.set(src.subarray(r * C, (r + m) * C));
    v.t.set(sparse ? t.subarray(r, r + m) : t.subarray(r * C, (r + m) * C));
    call(w.T, w.P, w.G, m, false);
    if (back) g.set(v.g.subarray(0, m * C), r * C);
  }
}

/** Pass 1 on the module: fills `out` exactly as the JS pass would (stashing p in g). */
export function simdPass1(
  w: Wasm,
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
  out: RegionSums,
): void {
  if (a.C === 1) {
    onePass1(w, a, x, t as Float32Array, g, out);
    return;
  }
  const { C, c0 } = a;
  const L = lanesOf(C);
  const K = C - c0;
  const Cg = out.tp.length / (a.reduceBatch ? 1 : a.B);
  const run = pass(w, 1, C, a.activation);
  const TAB = w.G + 4 * (w.chunk - RESERVE);
  const BUF = TAB + 8 * (4 * C * L + 2);
  for (const [gb, r0, r1] of runs(a)) {
    // Views after the last allocation: nothing here allocates in the module's memory.
    const tab = new Float64Array(w.memory.buffer, TAB, 4 * C * L + 1);
    tab.fill(0);
    overPixels(w, a, x, t, g, [r0, r1], a.activation !== 'none', (T, P, G, n, intLabels) => {
      run(T, P, G, TAB, BUF, n, C, a.sparse, intLabels, a.squared);
    });
    const sum = (s: number, c: number) => {
      let v = 0;
      for (let l = 0; l < L; l++) v += tab[(s * C + c) * L + l];
      return v;
    };
    let all = 0;
    for (let c = 0; c < C; c++) {
      const tp = sum(0, c);
      const sp = sum(1, c);
      const sg = sum(2, c);
      all += tp + sp + sg;
      if (c < c0) continue;
      const gi = gb * Cg + (Cg === 1 && K > 1 ? 0 : c - c0);
      out.tp[gi] += tp;
      out.sp[gi] += sp;
      out.sg[gi] += sg;
      out.present[gi] += sum(3, c);
    }
    // 0·Σ is NaN exactly when a sum is not finite: dense targets (dropped channel included) are checked here.
    out.guard += tab[4 * C * L] + 0 * all;
  }
}

/** Pass 2 on the module: every element of g. */
export function simdPass2(
  w: Wasm,
  a: RegionKernelArgs,
  x: Float32Array,
  t: RegionTargets,
  g: Float32Array,
  coef: RegionCoefficients,
): void {
  if (a.C === 1) {
    onePass2(w, a, x, t as Float32Array, g, coef);
    return;
  }
  const { C } = a;
  const run = pass(w, 2, C, a.activation);
  // The coefficients take the table's place (pass 1 has read it); the buffer stays where pass 1 had it.
  const COEF = w.G + 4 * (w.chunk - RESERVE);
  const BUF = COEF + 8 * (4 * C * lanesOf(C) + 2);
  for (const [gb, r0, r1] of runs(a)) {
    const cf = new Float32Array(w.memory.buffer, COEF, 2 * C);
    cf.set(coef.cT.subarray(gb * C, (gb + 1) * C));
    cf.set(coef.cS.subarray(gb * C, (gb + 1) * C), C);
    overPixels(w, a, a.activation === 'none' ? x : g, t, g, [r0, r1], true, (T, P, G, n, intLabels) => {
      run(T, P, G, COEF, BUF, n, C, a.sparse, intLabels, a.squared);
    });
  }
}

/** One channel: each sample is one contiguous run of S elements, which the kernels take whole. */
function onePass1(
  w: Wasm,
  a: RegionKernelArgs,
  x: Float32Array,
  t: Float32Array,
  g: Float32Array,
  out: RegionSums,
): void {
  const sigmoid = a.activation === 'sigmoid';
  const lo = a.combo ? Math.fround(a.comboEps) : 0;
  const hi = a.combo ? Math.fround(1 - a.comboEps) : 0;
  const pass = onInstance(w, (k, T, P, G, n) => {
    k.regionPass1(T, P, G, w.S, n, sigmoid, a.squared, a.combo, a.comboAlpha, lo, hi);
    return 0;
  });
  for (let b = 0; b < a.B; b++) {
    const gi = a.reduceBatch ? 0 : b;
    const sums = w.scratch().sums;
    sums.fill(0);
    // p is stashed in the gradient array for pass 2 (as the JS pass does).
    pass(t, x, g, b * a.S, (b + 1) * a.S, 0);
    out.tp[gi] += sums[0];
    out.sp[gi] += sums[1];
    out.sg[gi] += sums[2];
    out.present[gi] += sums[3];
    out.ce += sums[4];
    // Σ(x − x), and 0·Σ for the targets (NaN exactly when a sum is not finite).
    out.guard += sums[5] + 0 * (sums[0] + sums[1] + sums[2]);
  }
}

function onePass2(
  w: Wasm,
  a: RegionKernelArgs,
  x: Float32Array,
  t: Float32Array,
  g: Float32Array,
  coef: RegionCoefficients,
): void {
  const sigmoid = a.activation === 'sigmoid';
  const lo = a.combo ? Math.fround(a.comboEps) : 0;
  const hi = a.combo ? Math.fround(1 - a.comboEps) : 0;
  for (let b = 0; b < a.B; b++) {
    const gi = a.reduceBatch ? 0 : b;
    const kTp = coef.cT[gi];
    const kSp = coef.cS[gi];
    const pass = onInstance(w, (k, T, P, G, n) => {
      k.regionPass2(T, P, G, n, kTp, kSp, sigmoid, a.squared, a.combo, coef.ceScale, a.comboAlpha, lo, hi);
      return 0;
    });
    pass(t, sigmoid ? g : x, g, b * a.S, (b + 1) * a.S, 0);
  }
}
