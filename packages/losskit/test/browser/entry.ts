/**
 * The page of the browser conformance test (browser-conformance.test.ts): the library's sources with TensorFlow.js
 * and its WebGL and WebGPU backends, bundled by vite. It exposes `window.losskitConformance`:
 * - `setup(name)` switches to 'webgl' (float32 textures), 'webgl-f16' (WEBGL_FORCE_F16_TEXTURES) or 'webgpu' and
 *   reports what is really active (tf.getBackend(), the texture flags, the float precision), or why it is not;
 * - `run(cases)` runs golden cases (as decoded by test/helpers/golden.ts in Node, passed through playwright) the way
 *   test/golden.test.ts does through the public API, and returns the raw values and gradients: the pass rules are
 *   applied in Node, so that this page holds no tolerance.
 * No DOM types are used: the file is type-checked with the repository's Node settings.
 */
// The union package by name, as a user's page does: the library's sources are side-effect free by its package.json
// (only dist/tf.js is listed), so without this the bundler drops tfjs's gradient and chained-op registrations.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as api from '../../src/index.ts';
import { tf } from '../../src/tf.ts';
import { expectedGrad, prepareCall, runTransform, type CaseCall } from '../helpers/golden-case.ts';
import type { GoldenCase } from '../helpers/golden.ts';

export type BrowserBackend = 'webgl' | 'webgl-f16' | 'webgpu';

export interface SetupInfo {
  readonly ok: boolean;
  readonly reason?: string;
  readonly backend?: string;
  readonly forceF16Textures?: boolean;
  readonly renderFloat32?: boolean;
  readonly floatPrecision?: number;
  readonly adapter?: string;
}

export interface CaseResult {
  readonly id: string;
  readonly value: number[] | null;
  readonly grad: number[] | null;
  readonly error?: string;
  readonly gradError?: string;
  readonly deviceLost?: string;
}

interface Gpu {
  requestAdapter(): Promise<{
    info?: { vendor?: string; architecture?: string; description?: string };
  } | null>;
}

let deviceLost: string | undefined;

const message = (e: unknown) =>
  String((e as { message?: unknown } | null)?.message ?? e)
    .split('\n')[0]
    .slice(0, 300);

async function setup(name: BrowserBackend): Promise<SetupInfo> {
  const backend = name === 'webgpu' ? 'webgpu' : 'webgl';
  let adapter: string | undefined;
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
    if (!gpu)
      return { ok: false, reason: 'navigator.gpu is undefined (no WebGPU in this browser or context)' };
    const a = await gpu.requestAdapter();
    if (!a) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter)' };
    adapter = [a.info?.vendor, a.info?.architecture, a.info?.description].filter(Boolean).join(' ');
  } else {
    // Must be set before the backend is created: the texture format is chosen once.
    tf.env().set('WEBGL_FORCE_F16_TEXTURES', name === 'webgl-f16');
  }
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok) return { ok: false, reason: `tf.setBackend('${backend}') returned false` };
  if (name === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message: string }> } }).device;
    void device?.lost?.then((info) => {
      deviceLost = info.message;
    });
  }
  return {
    ok: true,
    backend: tf.getBackend(),
    forceF16Textures: backend === 'webgl' ? tf.env().getBool('WEBGL_FORCE_F16_TEXTURES') : false,
    renderFloat32: backend === 'webgl' ? tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') : true,
    floatPrecision: tf.backend().floatPrecision(),
    ...(adapter === undefined ? {} : { adapter }),
  };
}

/** One golden case, as test/golden.test.ts runs it (helpers/golden-case.ts); values and gradient as plain arrays. */
async function runCase(c: GoldenCase): Promise<CaseResult> {
  if (c.family === 'distance' && c.kind === 'edt')
    return { id: c.id, value: Array.from(runTransform(c)), grad: null };
  let value: number[] | null = null;
  let grad: number[] | null = null;
  let error: string | undefined;
  let gradError: string | undefined;
  let call: CaseCall | undefined;
  try {
    call = prepareCall(c);
    try {
      const out = call.fn(call.yt, call.yp, call.sw);
      value = Array.from(await out.data());
      out.dispose();
    } catch (e) {
      error = message(e);
    }
    if (expectedGrad(c) !== null && !call.metric) {
      try {
        const gr = call.grad();
        grad = Array.from(await gr.data());
        gr.dispose();
      } catch (e) {
        gradError = message(e);
      }
    }
  } catch (e) {
    error = message(e);
  } finally {
    if (call) tf.dispose([call.yt, call.yp, ...(call.sw ? [call.sw] : [])]);
  }
  return {
    id: c.id,
    value,
    grad,
    ...(error === undefined ? {} : { error }),
    ...(gradError === undefined ? {} : { gradError }),
    ...(deviceLost === undefined ? {} : { deviceLost }),
  };
}

/** Runs the cases in order; stops after a case that lost the WebGPU device (the caller goes on in a fresh page). */
async function run(cases: readonly GoldenCase[]): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r = await runCase(c);
    out.push(r);
    if (r.deviceLost !== undefined) break;
  }
  return out;
}

/** `tf` and the library are exposed for investigating a failure by hand (page.evaluate), e.g. with tf.env().set('DEBUG', true). */
(globalThis as Record<string, unknown>).losskitConformance = { setup, run, tf, api };
(globalThis as { document?: { body: { dataset: Record<string, string> } } }).document!.body.dataset.status =
  'ready';
