/**
 * The WebAssembly SIMD kernels (assembly/kernels.ts, embedded as base64 by the build) and their glue. The module
 * imports its memory and takes addresses, so one compiled module serves two kinds of instance:
 *
 * - its own small memory (~256 KiB whatever the tensor size), into which inputs are copied chunk by chunk and out
 *   of which the gradient is copied back: for plain arrays (the `cpu` backend, tests);
 * - the memory of the tfjs `wasm` backend (`attachHeap`, from wasm-heap.ts), where the kernels read yPred and
 *   yTrue and write the gradient in place, with no copy at all; a scratch block there, allocated by the backend
 *   once per memory, takes the last, partial block.
 *
 * Loaded synchronously on first use; where that is refused (Chrome's main thread rejects synchronous compilation
 * of modules over 4 KiB) it is compiled asynchronously and the plain JS kernels run until it is ready, as they do
 * where WebAssembly or SIMD is missing.
 */
import type { RangeKernel } from './keras-kernels.ts';
import { WASM_BASE64 } from './wasm-bytes.ts';

// The few WebAssembly JS-API types used here (the project's `lib` has no DOM and @types/node declares none).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: unknown;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => WasmInstance;
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
}

/** The exports: every kernel takes the addresses of its targets (T), predictions (P) and gradient (G). */
export interface WasmKernels {
  readonly CHUNK: { readonly value: number };
  mse(T: number, P: number, G: number, n: number, c: number): number;
  mae(T: number, P: number, G: number, n: number, c: number): number;
  huber(T: number, P: number, G: number, n: number, c: number, delta: number): number;
  bceLogits(T: number, P: number, G: number, n: number, c: number, ls: number): number;
  bceProbs(T: number, P: number, G: number, n: number, c: number, lo: number, hi: number, ls: number): number;
  focal(
    T: number,
    P: number,
    G: number,
    n: number,
    c: number,
    gamma: number,
    alpha: number,
    fromLogits: boolean,
    lo: number,
    hi: number,
    ls: number,
  ): number;
  cceLogits(
    T: number,
    P: number,
    G: number,
    rows: number,
    C: number,
    c: number,
    ls: number,
    sparse: boolean,
  ): number;
  regionPass1(
    T: number,
    P: number,
    G: number,
    sums: number,
    n: number,
    sigmoid: boolean,
    squared: boolean,
    combo: boolean,
    alpha: number,
    lo: number,
    hi: number,
  ): void;
  regionPass2(
    T: number,
    P: number,
    G: number,
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
  /** Accuracy probe: G = exp(P) (0), log(P) (1) or log1p(P) (2) over n elements. */
  probe(P: number, G: number, n: number, which: number): void;
}

/** Elements per loop iteration of the kernels: ranges of whole blocks never touch memory past their end. */
const BLOCK = 16;

/** Floats per area of a scratch block (assembly/math.ts `CHUNK`): rows longer than this never go through it. */
export const CHUNK = 16384;

/** Scratch views of one instance's memory: T, P, G of `chunk` floats and six float64 sums. */
export interface Scratch {
  readonly t: Float32Array;
  readonly p: Float32Array;
  readonly g: Float32Array;
  readonly sums: Float64Array;
}

/** One instance of the module on one memory, with its scratch block at `base` (T, P, G, then the sums). */
export class Wasm {
  readonly k: WasmKernels;
  readonly memory: WasmMemory;
  readonly base: number;
  readonly chunk: number;
  private views: Scratch | null = null;
  constructor(k: WasmKernels, memory: WasmMemory, base: number, chunk: number) {
    this.k = k;
    this.memory = memory;
    this.base = base;
    this.chunk = chunk;
  }
  get T(): number {
    return this.base;
  }
  get P(): number {
    return this.base + 4 * this.chunk;
  }
  get G(): number {
    return this.base + 8 * this.chunk;
  }
  get S(): number {
    return this.base + 12 * this.chunk;
  }
  /** Views on the scratch block, remade when the memory has grown (growth detaches the old ones). */
  scratch(): Scratch {
    const buf = this.memory.buffer;
    if (!this.views || this.views.t.buffer !== buf) {
      this.views = {
        t: new Float32Array(buf, this.T, this.chunk),
        p: new Float32Array(buf, this.P, this.chunk),
        g: new Float32Array(buf, this.G, this.chunk),
        sums: new Float64Array(buf, this.S, 6),
      };
    }
    return this.views;
  }
  /** Whether `a` is a view of this instance's memory (so the kernels can take its address). */
  holds(a: Float32Array | Int32Array): boolean {
    return a.buffer === this.memory.buffer;
  }
}

/** Bytes of a scratch block of `chunk` floats per area. */
function scratchBytes(chunk: number): number {
  return 12 * chunk + 6 * 8;
}

let compiled: object | null = null;
let own: Wasm | null = null;
let started = false;
let enabled = true;
// Weak, so that a backend (and its memory) is not kept alive here after it is gone.
const heaps = new WeakMap<object, Wasm | 'pending'>();
/** The instance most recently asked for: the active backend's (arrays elsewhere take the copying path). */
let current: Wasm | null = null;

function api(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function instantiate(wasm: WasmApi, memory: WasmMemory): WasmKernels {
  return new wasm.Instance(compiled!, { env: { memory } }).exports as WasmKernels;
}

/** A memory for the module's own instance: it has no data segments, so the whole memory is its scratch block. */
function ownMemory(wasm: WasmApi): WasmMemory {
  return new wasm.Memory({ initial: Math.ceil(scratchBytes(CHUNK) / 65536) });
}

function setOwn(k: WasmKernels, memory: WasmMemory): void {
  own = new Wasm(k, memory, 0, k.CHUNK.value);
}

function load(): void {
  started = true;
  const wasm = api();
  if (!wasm) return;
  const bytes = decode(WASM_BASE64);
  try {
    compiled = new wasm.Module(bytes);
    const memory = ownMemory(wasm);
    setOwn(instantiate(wasm, memory), memory);
  } catch {
    // Synchronous compilation refused, or no SIMD: try asynchronously; a second failure leaves the JS loops.
    compiled = null;
    try {
      wasm.compile(bytes).then(
        (m) => {
          compiled = m;
          const memory = ownMemory(wasm);
          return wasm.instantiate(m, { env: { memory } }).then((inst) => {
            setOwn(inst.exports as WasmKernels, memory);
          });
        },
        () => undefined,
      );
    } catch {
      // no WebAssembly: JS loops
    }
  }
}

/** The SIMD kernels on their own memory, or null (switched off, not loadable here, or still compiling). */
export function wasmKernels(): Wasm | null {
  if (!enabled) return null;
  if (!started) load();
  return own;
}

/**
 * An instance of the kernels on another module's memory (the tfjs `wasm` backend's), whose scratch block of
 * `scratchBytes(chunk)` bytes `allocate` makes there (any alignment: it is aligned to 16 bytes here). Returns null
 * until it exists: the first call may have to instantiate asynchronously. One instance and one scratch block per
 * `owner` (the backend object: a new backend on a reused module's memory gets its own block, since the old one's
 * allocations may have been freed with it); the block is never freed by the kernels.
 */
export function attachHeap(
  memory: WasmMemory,
  allocate: (bytes: number) => number,
  owner: object = memory,
): Wasm | null {
  if (!wasmKernels() || !compiled) return null;
  const known = heaps.get(owner);
  if (known) {
    if (known === 'pending') return null;
    current = known;
    return known;
  }
  const wasm = api()!;
  const chunk = own!.chunk;
  const place = (k: WasmKernels): Wasm => {
    const raw = allocate(scratchBytes(chunk) + 16);
    const w = new Wasm(k, memory, (raw + 15) & ~15, chunk);
    heaps.set(owner, w);
    current = w;
    return w;
  };
  try {
    return place(instantiate(wasm, memory));
  } catch {
    heaps.set(owner, 'pending');
    wasm.instantiate(compiled, { env: { memory } }).then(
      (inst) => place(inst.exports as WasmKernels),
      () => undefined,
    );
    return null;
  }
}

/** The current attached instance when its memory holds all of `arrays`, or null. */
export function heapHolding(...arrays: (Float32Array | Int32Array)[]): Wasm | null {
  if (!enabled || !current) return null;
  const w = current;
  return arrays.every((a) => w.holds(a)) ? w : null;
}

/** Turns the WebAssembly kernels on (default) or off, leaving the plain JS loops (internal: tests, bench). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** Below this many elements a range runs in JS: the call would cost more than it saves. */
const MIN_WASM = 64;

/** A kernel call on addresses: targets, predictions, gradient, element count, scale. */
export type KernelCall = (k: WasmKernels, T: number, P: number, G: number, n: number, c: number) => number;

/**
 * `call` on instance `w` over a range of whole rows of `rowSize`. When t, p and g all live in `w`'s memory (tensors
 * of the tfjs `wasm` backend), the kernel works on them in place: whole blocks (or, for rows of `rowSize` > 1,
 * which are whole vectors, the whole range) by address. The rest — everything, for arrays elsewhere — is copied
 * through `w`'s scratch block chunk by chunk, the gradient chunk copied back into g.
 */
export function onInstance(w: Wasm, call: KernelCall, rowSize = 1): RangeKernel {
  return (t, p, g, start, end, c) => {
    let s = 0;
    let i = start;
    // In place only on float32 targets: the kernels read T as float32.
    if (t instanceof Float32Array && w.holds(t) && w.holds(p) && w.holds(g)) {
      const len = end - start;
      const main = rowSize === 1 ? len - (len % BLOCK) : len;
      if (main > 0) s = call(w.k, t.byteOffset + 4 * i, p.byteOffset + 4 * i, g.byteOffset + 4 * i, main, c);
      i += main;
    }
    const v = w.scratch();
    const step = Math.floor(w.chunk / rowSize) * rowSize;
    for (; i < end; i += step) {
      const m = Math.min(step, end - i);
      v.t.set(t.subarray(i, i + m));
      v.p.set(p.subarray(i, i + m));
      s += call(w.k, w.T, w.P, w.G, m, c);
      g.set(v.g.subarray(0, m), i);
    }
    return s;
  };
}

/**
 * A `RangeKernel` that runs `call` on the SIMD module — the active wasm backend's instance when the arrays live in
 * its memory, else the module's own — and `js` for short ranges or when the module is unavailable.
 */
export function wasmRange(js: RangeKernel, call: KernelCall, rowSize = 1): RangeKernel {
  return (t, p, g, start, end, c) => {
    const w = end - start < MIN_WASM ? null : (heapHolding(t, p, g) ?? wasmKernels());
    return w ? onInstance(w, call, rowSize)(t, p, g, start, end, c) : js(t, p, g, start, end, c);
  };
}
