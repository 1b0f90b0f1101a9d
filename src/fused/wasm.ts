/**
 * The WebAssembly SIMD kernels (assembly/kernels.ts, embedded as base64 by the build) and their glue: inputs are
 * copied into the module's scratch area in chunks of CHUNK elements (so its memory stays ~256 KiB whatever the
 * tensor size), the kernel runs, the gradient chunk is copied back. Loaded synchronously on first use; where that
 * is refused (Chrome's main thread rejects synchronous compilation of modules over 4 KiB) it is compiled
 * asynchronously and the plain JS kernels run until it is ready, as they do where WebAssembly or SIMD is missing.
 */
import type { RangeKernel } from './keras-kernels.ts';
import { WASM_BASE64 } from './wasm-bytes.ts';

// The few WebAssembly JS-API types used here (the project's `lib` has no DOM and @types/node declares none).
interface WasmInstance {
  readonly exports: unknown;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => WasmInstance;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ readonly instance: WasmInstance }>;
}

export interface WasmKernels {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly CHUNK: { readonly value: number };
  scratch(): number;
  sums(): number;
  mse(n: number, c: number): number;
  mae(n: number, c: number): number;
  huber(n: number, c: number, delta: number): number;
  bceLogits(n: number, c: number, ls: number): number;
  bceProbs(n: number, c: number, lo: number, hi: number, ls: number): number;
  focal(
    n: number,
    c: number,
    gamma: number,
    alpha: number,
    fromLogits: boolean,
    lo: number,
    hi: number,
    ls: number,
  ): number;
  cceLogits(rows: number, C: number, c: number, ls: number, sparse: boolean): number;
  regionPass1(
    n: number,
    sigmoid: boolean,
    squared: boolean,
    combo: boolean,
    alpha: number,
    lo: number,
    hi: number,
  ): void;
  /** Accuracy probe: G = exp(P) (0), log(P) (1) or log1p(P) (2) over n elements. */
  probe(n: number, which: number): void;
  regionPass2(
    n: number,
    cTp: number,
    cSp: number,
    sigmoid: boolean,
    squared: boolean,
    combo: boolean,
    ceScale: number,
    alpha: number,
    lo: number,
    hi: number,
  ): void;
}

/** A loaded module with typed views on its scratch area: T (targets), P (predictions), G (gradient), sums. */
export interface Wasm {
  readonly k: WasmKernels;
  readonly chunk: number;
  readonly t: Float32Array;
  readonly p: Float32Array;
  readonly g: Float32Array;
  readonly sums: Float64Array;
}

let loaded: Wasm | null = null;
let started = false;
let enabled = true;

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function setup(instance: WasmInstance): void {
  const k = instance.exports as WasmKernels;
  const chunk = k.CHUNK.value;
  const base = k.scratch();
  const need = k.sums() + 64;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const buf = k.memory.buffer;
  loaded = {
    k,
    chunk,
    t: new Float32Array(buf, base, chunk),
    p: new Float32Array(buf, base + 4 * chunk, chunk),
    g: new Float32Array(buf, base + 8 * chunk, chunk),
    sums: new Float64Array(buf, k.sums(), 6),
  };
}

function load(): void {
  started = true;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return;
  const imports = {
    env: {
      abort: () => {
        throw new Error('losskit: WebAssembly kernel aborted');
      },
    },
  };
  const bytes = decode(WASM_BASE64);
  try {
    setup(new wasm.Instance(new wasm.Module(bytes), imports));
  } catch {
    // Synchronous compilation refused, or no SIMD: try asynchronously; a second failure leaves the JS loops.
    try {
      wasm.instantiate(bytes, imports).then(
        (r) => {
          setup(r.instance);
        },
        () => undefined,
      );
    } catch {
      // no WebAssembly: JS loops
    }
  }
}

/** The SIMD kernels, or null (switched off, not loadable here, or still compiling). */
export function wasmKernels(): Wasm | null {
  if (!enabled) return null;
  if (!started) load();
  return loaded;
}

/** Turns the WebAssembly kernels on (default) or off, leaving the plain JS loops (internal: tests, bench). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** Below this many elements a range runs in JS: copying into the module would cost more than it saves. */
const MIN_WASM = 64;

/**
 * A `RangeKernel` that runs `call` on the SIMD module chunk by chunk (chunks of whole rows of `rowSize`), and
 * `js` for short ranges or when the module is unavailable.
 */
export function wasmRange(
  js: RangeKernel,
  call: (k: WasmKernels, n: number, c: number) => number,
  rowSize = 1,
): RangeKernel {
  return (t, p, g, start, end, c) => {
    const w = wasmKernels();
    if (!w || end - start < MIN_WASM) return js(t, p, g, start, end, c);
    const step = Math.floor(w.chunk / rowSize) * rowSize;
    let s = 0;
    for (let i = start; i < end; i += step) {
      const m = Math.min(step, end - i);
      w.t.set(t.subarray(i, i + m));
      w.p.set(p.subarray(i, i + m));
      s += call(w.k, m, c);
      g.set(w.g.subarray(0, m), i);
    }
    return s;
  };
}
