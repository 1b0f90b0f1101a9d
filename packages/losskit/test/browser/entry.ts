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
import { tf, type Tensor } from '../../src/tf.ts';
import type { GoldenCase, Nested } from '../helpers/golden.ts';

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

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const shapeOf = (x: Nested): number[] => (Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : []);
const message = (e: unknown) =>
  String((e as { message?: unknown } | null)?.message ?? e)
    .split('\n')[0]
    .slice(0, 300);

function toTensor(x: Nested, asInt: boolean): Tensor {
  return tf.tensor(flat(x), shapeOf(x), asInt ? 'int32' : 'float32');
}

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

/** One golden case, as test/golden.test.ts runs it; values and gradient as plain arrays. */
async function runCase(c: GoldenCase): Promise<CaseResult> {
  const o: Record<string, unknown> = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [c.family === 'keras' ? camel(k) : k, v]),
  );
  if (c.family === 'distance' && c.spacing) o.spacing = c.spacing;
  if (c.family === 'distance' && c.kind === 'edt') {
    const mask = flat(c.mask!);
    const shape = shapeOf(c.mask!);
    const out =
      c.name === 'edt'
        ? api.edt(mask, shape, o)
        : api.signedDistance(mask, shape, o as unknown as api.SignedDistanceOptions);
    return { id: c.id, value: Array.from(out), grad: null };
  }
  const name = c.family === 'distance' ? c.name : c.loss;
  const metric = c.family === 'distance' && c.kind === 'metric';
  const sparse = o.sparseLabels === true || /sparse/.test(name) || name === 'lovasz_softmax';
  const yt = toTensor(c.y_true!, sparse && flat(c.y_true!).every((v) => Number.isInteger(v)));
  const yp = toTensor(c.y_pred!, false);
  const sw = c.family !== 'keras' || c.sample_weight === null ? undefined : toTensor(c.sample_weight, false);
  let value: number[] | null = null;
  let grad: number[] | null = null;
  let error: string | undefined;
  let gradError: string | undefined;
  try {
    const fn = metric ? api.getMetric(name, o) : api.getLoss(name, o);
    try {
      const out = metric ? fn(yt, yp) : fn(yt, yp, sw);
      value = Array.from(await out.data());
      out.dispose();
    } catch (e) {
      error = message(e);
    }
    const g = c.family === 'region' ? c.grad : c.family === 'distance' ? c.expected_grad : undefined;
    if (g != null && !metric) {
      try {
        const gr = tf.grad((p: Tensor) => {
          const r = fn(yt, p, sw);
          return r.rank ? tf.sum(r) : r;
        })(yp);
        grad = Array.from(await gr.data());
        gr.dispose();
      } catch (e) {
        gradError = message(e);
      }
    }
  } catch (e) {
    error = message(e);
  } finally {
    tf.dispose([yt, yp, ...(sw ? [sw] : [])]);
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
