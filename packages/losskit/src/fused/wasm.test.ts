import { describe, expect, it } from 'vitest';
import { wasmKernels } from './wasm.ts';

/** Distance in float32 ulps of `got` from `want` (the float32 spacing at `want`). */
function ulps(got: number, want: number): number {
  const w = Math.fround(want);
  if (got === w) return 0;
  const a = Math.abs(w);
  const exp = a === 0 ? -149 : Math.max(Math.floor(Math.log2(a)) - 23, -149);
  return Math.abs(got - want) / 2 ** exp;
}

/** Runs the module's vector exp/log/log1p over `xs` and returns the worst error in ulps against Math. */
function worst(which: 0 | 1 | 2, xs: Float32Array, ref: (x: number) => number): number {
  const w = wasmKernels()!;
  const v = w.scratch();
  let max = 0;
  for (let i = 0; i < xs.length; i += w.chunk) {
    const part = xs.subarray(i, i + w.chunk);
    v.p.set(part);
    w.k.probe(w.P, w.G, part.length, which);
    for (let j = 0; j < part.length; j++) max = Math.max(max, ulps(v.g[j], ref(part[j])));
  }
  return max;
}

function sweep(lo: number, hi: number, n: number, log = false): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const u = i / (n - 1);
    return log ? lo * (hi / lo) ** u : lo + (hi - lo) * u;
  });
}

// The SIMD transcendentals are Cephes' single-precision polynomials (assembly/kernels.ts). Measured worst errors
// against Math.exp/Math.log rounded to float32 were 0.94 ulp (exp), 0.76 (log) and 1.2 (log1p) on these sweeps; the tests allow 2: float32 rounding level.
describe('the SIMD kernels’ exp, log and log1p', () => {
  it('exp is within 2 ulp of Math.exp on [−87, 88], and 0 below the normal range', () => {
    expect(worst(0, sweep(-87, 88, 200_003), Math.exp)).toBeLessThanOrEqual(2);
    expect(worst(0, sweep(-1, 0, 100_003), Math.exp)).toBeLessThanOrEqual(2);
    const w = wasmKernels()!;
    const v = w.scratch();
    v.p.set([-90, -200, -Infinity, 0]);
    w.k.probe(w.P, w.G, 4, 0);
    expect(Array.from(v.g.subarray(0, 4))).toEqual([0, 0, 0, 1]);
  });

  it('log is within 2 ulp of Math.log on [1e-30, 1e30] and near 1', () => {
    expect(worst(1, sweep(1e-30, 1e30, 200_003, true), Math.log)).toBeLessThanOrEqual(2);
    expect(worst(1, sweep(0.5, 2, 100_003), Math.log)).toBeLessThanOrEqual(2);
  });

  it('log1p is within 2 ulp of Math.log1p on [0, 1], tiny arguments included', () => {
    expect(worst(2, sweep(1e-30, 1, 200_003, true), Math.log1p)).toBeLessThanOrEqual(2);
    expect(worst(2, sweep(0, 1, 100_003), Math.log1p)).toBeLessThanOrEqual(2);
  });
});
