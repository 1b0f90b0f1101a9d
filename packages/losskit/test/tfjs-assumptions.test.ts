/**
 * What the fused kernels assume of TensorFlow.js (src/fused/registry.ts, src/fused/wasm-heap.ts), each checked
 * directly against the installed version on `cpu` and `wasm`: a tfjs upgrade that changes one of them fails here
 * instead of leaking, double-freeing or reading the wrong memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { meterBuffers } from '../bench/buffer-meter.mjs';
import { setFusedKernels } from '../src/core/fused-switch.ts';
import { binaryCrossentropy } from '../src/losses/classification/index.ts';
import { defineFusedKernel } from '../src/fused/registry.ts';
import {
  cpuArray,
  fusedBackend,
  heapArray,
  moduleMemory,
  type CpuBackendLike,
  type TensorInfoLike,
  type WasmBackendLike,
  type WasmModuleLike,
} from '../src/fused/wasm-heap.ts';
import { tf, type Tensor } from '../src/tf.ts';
import { expectAllClose } from './helpers/assert.ts';
import { BACKENDS, useBackend } from './helpers/backends.ts';

/** The backend's count of live data ids (KernelBackend.numDataIds): what tensors and raw outputs hold. */
const dataIds = (): number => tf.backend().numDataIds();

/** A test kernel: value Σx·t, gradient 2x (so that a saved gradient is recognisable). */
let calls = 0;
const probe = defineFusedKernel<{ scale: number }>('LosskitTestProbe', (x, t, a, g) => {
  calls++;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * t[i];
    g[i] = 2 * x[i];
  }
  return a.scale * s;
});

/**
 * Runs `fn` and checks that it leaves exactly `kept` more tensors and data ids, and (metered) no buffer beyond its
 * results' and `replaced` bytes (a variable's new value: the meter sees it allocated, not the old one freed).
 */
function leavesOnly(kept: number, fn: () => Tensor[], replaced = 0): void {
  const tensors = tf.memory().numTensors;
  const ids = dataIds();
  const m = meterBuffers(fn);
  const bytes = m.result.reduce((a, t) => a + 4 * t.size, 0) + replaced;
  expect(tf.memory().numTensors - tensors).toBe(kept);
  expect(dataIds() - ids).toBe(kept);
  expect(m.held).toBeLessThanOrEqual(bytes);
  tf.dispose(m.result);
}

describe.each(BACKENDS)('tfjs assumptions of the fused kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the engine finds the kernels registered on cpu and wasm, and their gradient', () => {
    for (const b of BACKENDS) {
      // tfjs types these as always found; they return undefined for unknown names.
      expect((tf.getKernel('LosskitTestProbe', b) as tf.KernelConfig | undefined)?.kernelFunc).toBeTypeOf(
        'function',
      );
      expect(
        (tf.getKernel('LosskitGradientBuffer', b) as tf.KernelConfig | undefined)?.kernelFunc,
      ).toBeTypeOf('function');
    }
    expect((tf.getGradient('LosskitTestProbe') as tf.GradConfig | undefined)?.inputsToSave).toEqual(['g']);
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const t = tf.tensor2d([1, 0, 1, 1], [2, 2]);
    const before = calls;
    const v = probe(x, t, { scale: 0.5 })!;
    expect(calls).toBe(before + 1);
    // 0.5·(1 + 3 + 4), by hand.
    expect(v.dataSync()[0]).toBe(4);
    expect(v.shape).toEqual([]);
    tf.dispose([x, t, v]);
  });

  it('the backend exposes the fields a kernel reads, with the expected types, on the tensors’ own storage', () => {
    expect(fusedBackend()).toBe(backend);
    const x = tf.tensor1d([1.5, -2, 3]);
    const labels = tf.tensor1d([1, 2, 0], 'int32');
    const b = tf.backend() as unknown as CpuBackendLike & WasmBackendLike;
    const read = (t: TensorInfoLike) => (backend === 'cpu' ? cpuArray(b, t) : heapArray(b, t));
    const xs = read(x);
    const ls = read(labels);
    expect(xs).toBeInstanceOf(Float32Array);
    expect(ls).toBeInstanceOf(Int32Array);
    expect(Array.from(xs)).toEqual([1.5, -2, 3]);
    expect(Array.from(ls)).toEqual([1, 2, 0]);
    // A view, not a copy: what is written through it is what the tensor holds.
    xs[1] = 7;
    expect(Array.from(x.dataSync())).toEqual([1.5, 7, 3]);
    if (backend === 'cpu') {
      expect(typeof b.makeTensorInfo).toBe('function');
      expect(b.data.get(x.dataId)?.values).toBe(xs);
    } else {
      expect(typeof b.makeOutput).toBe('function');
      expect(b.dataIdMap.get(x.dataId)?.memoryOffset).toBeTypeOf('number');
      expect(b.wasm.HEAPU8).toBeInstanceOf(Uint8Array);
    }
    tf.dispose([x, labels]);
  });

  it('on wasm, the module memory found (asm.memory or wasmExports.memory) is the one behind HEAPU8', () => {
    if (backend !== 'wasm') return;
    const module = (tf.backend() as unknown as WasmBackendLike).wasm;
    const memory = moduleMemory(module);
    expect(memory).not.toBeNull();
    expect(memory!.buffer).toBe(module.HEAPU8.buffer);
    expect(memory).toBe(module.asm?.memory ?? module.wasmExports?.memory);
    // Newer Emscripten's name is found too, and a memory that HEAPU8 does not view is refused.
    expect(moduleMemory({ HEAPU8: module.HEAPU8, wasmExports: { memory: memory! } })).toBe(memory);
    const other: WasmModuleLike = { HEAPU8: new Uint8Array(16), asm: { memory: memory! } };
    expect(moduleMemory(other)).toBeNull();
  });

  it('makeOutput and makeTensorInfo buffers are freed when the kernel outputs holding them are disposed', () => {
    // Warm: the first fused call on wasm allocates the SIMD kernels' scratch block, once per memory.
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    probe(x, x, { scale: 1 })?.dispose();
    const n = 1 << 14;
    for (let k = 0; k < 3; k++) {
      leavesOnly(0, () => {
        const g = tf.engine().runKernel<Tensor>('LosskitGradientBuffer', {}, { shape: [n, 1] });
        expect(g.shape).toEqual([n, 1]);
        expect(g.dtype).toBe('float32');
        g.dispose();
        return [];
      });
    }
    tf.dispose(x);
  });

  it('the tape saves the gradient input, and never asks for the gradient of the buffer no op fed', () => {
    const x = tf.tensor2d([1, -2, 3, 0.5], [2, 2]);
    const t = tf.tensor2d([1, 0, 1, 1], [2, 2]);
    // The op disposed its buffer before the backward pass: the gradient read here is the engine's saved clone.
    const g = tf.grad((p: Tensor) => probe(p, t, { scale: 1 })!)(x);
    expect(Array.from(g.dataSync())).toEqual([2, -4, 6, 1]);
    // dy ≠ 1 scales it.
    const g3 = tf.grad((p: Tensor) => tf.mul(probe(p, t, { scale: 1 })!, 3))(x);
    expect(Array.from(g3.dataSync())).toEqual([6, -12, 18, 3]);
    tf.dispose([x, t, g, g3]);
  });

  it('the gradient with respect to yTrue is an error that names the way out', () => {
    const x = tf.tensor2d([1, -2, 3, 0.5], [2, 2]);
    expect(() => tf.grad((t: Tensor) => probe(x, t, { scale: 1 })!)(x)).toThrow(/setFusedKernels\(false\)/);
    expect(() => tf.grad((t: Tensor) => binaryCrossentropy(t, x, { fromLogits: true }))(x)).toThrow(
      /no gradient with respect to yTrue/,
    );
    // Switched off, the composed loss differentiates with respect to yTrue: −x/4 for BCE from logits, mean of 4.
    setFusedKernels(false);
    const gt = tf.grad((t: Tensor) => binaryCrossentropy(t, x, { fromLogits: true }))(tf.zerosLike(x));
    setFusedKernels(true);
    expectAllClose(gt.dataSync(), [-0.25, 0.5, -0.75, -0.125], { rtol: 1e-6 });
    tf.dispose([x, gt]);
  });

  it('leaks nothing: forward only, under tf.grad, tf.valueAndGrad, optimizer.minimize and tf.tidy', () => {
    const n = 4096;
    const yt = tf.tensor2d(
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)),
      [n, 1],
    );
    const yp = tf.tensor2d(
      Array.from({ length: n }, (_, i) => Math.sin(i)),
      [n, 1],
    );
    const bce = (p: Tensor) => binaryCrossentropy(yt, p, { fromLogits: true }) as tf.Scalar;
    tf.dispose(bce(yp));
    leavesOnly(1, () => [bce(yp)]);
    leavesOnly(1, () => [tf.grad(bce)(yp)]);
    leavesOnly(2, () => {
      const { value, grad } = tf.valueAndGrad(bce)(yp);
      return [value, grad];
    });
    // A loss computed under a tape but not differentiated (a metric): the engine frees its saved gradient.
    leavesOnly(1, () => [
      tf.grad((p: Tensor) => {
        tf.dispose(bce(p));
        return tf.sum(p);
      })(yp),
    ]);
    leavesOnly(0, () => {
      tf.tidy(() => {
        bce(yp);
        tf.grad(bce)(yp);
      });
      return [];
    });
    const w = tf.variable(tf.zeros([n, 1]));
    const opt = tf.train.sgd(0.1);
    opt.minimize(() => bce(tf.add(yp, w)));
    leavesOnly(
      0,
      () => {
        for (let k = 0; k < 3; k++) opt.minimize(() => bce(tf.add(yp, w)));
        return [];
      },
      4 * n,
    );
    // The step moved w against the gradient (σ(x) − y)/n: a real update, not a no-op.
    expect(Math.abs(w.dataSync()[0])).toBeGreaterThan(0);
    opt.dispose();
    tf.dispose([w, yt, yp]);
  });

  it('a non-finite value returns null and leaves nothing behind, under a tape too', () => {
    const x = tf.tensor2d([1, NaN, 3, 4], [2, 2]);
    const t = tf.tensor2d([1, 1, 1, 1], [2, 2]);
    leavesOnly(0, () => {
      expect(probe(x, t, { scale: 1 })).toBeNull();
      return [];
    });
    leavesOnly(1, () => [
      tf.grad((p: Tensor) => {
        expect(probe(p, t, { scale: 1 })).toBeNull();
        return tf.sum(p);
      })(x),
    ]);
    tf.dispose([x, t]);
  });
});
