/**
 * Every golden case in test/golden/ (copied with provenance from the project's shared conformance files)
 * through the public API, exactly as a user calls it, on every Node backend; with gradients where given.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';
import { tf, type Tensor } from '../src/tf.ts';
import { BACKENDS, useBackend } from './helpers/backends.ts';
import {
  GOLDEN_FILES,
  caseName,
  flat,
  goldenCases,
  shapeOf,
  type GoldenCase,
  type GoldenFamily,
  type Nested,
} from './helpers/golden.ts';

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function toTensor(x: Nested, asInt: boolean): Tensor {
  const v = flat(x);
  return tf.tensor(v, shapeOf(x), asInt ? 'int32' : 'float32');
}

/** The pass rule of the conformance files: absolute for Keras cases, relative (× max(1,|e|)) otherwise. */
function check(got: ArrayLike<number>, want: Nested, tol: number, relative: boolean): string | null {
  const g = Array.from(got);
  const e = flat(want);
  if (g.length !== e.length) return `size ${g.length} != ${e.length}`;
  for (let i = 0; i < e.length; i++) {
    const a = g[i];
    const b = e[i];
    if (!Number.isFinite(b)) {
      if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
      return `[${i}] ${a} != ${b}`;
    }
    const bound = relative ? tol * Math.max(1, Math.abs(b)) : tol;
    if (!(Math.abs(a - b) <= bound)) return `[${i}] got ${a} want ${b} (tol ${bound.toExponential(2)})`;
  }
  return null;
}

function run(c: GoldenCase): void {
  const o: Record<string, unknown> = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [c.family === 'keras' ? camel(k) : k, v]),
  );
  if (c.family === 'distance' && c.spacing) o.spacing = c.spacing;
  if (c.family === 'distance' && c.kind === 'edt') {
    const mask = flat(c.mask!);
    const shape = shapeOf(c.mask!);
    // Options come from the JSON as written; the library validates them at run time.
    const out =
      c.name === 'edt'
        ? api.edt(mask, shape, o)
        : api.signedDistance(mask, shape, o as unknown as api.SignedDistanceOptions);
    expect(check(out, c.expected, c.tol, true)).toBeNull();
    return;
  }
  const name = caseName(c);
  const metric = c.family === 'distance' && c.kind === 'metric';
  const sparse = o.sparseLabels === true || /sparse/.test(name) || name === 'lovasz_softmax';
  const yt = toTensor(c.y_true!, sparse && flat(c.y_true!).every((v) => Number.isInteger(v)));
  const yp = toTensor(c.y_pred!, false);
  const sw = c.family !== 'keras' || c.sample_weight === null ? undefined : toTensor(c.sample_weight, false);
  const fn = metric ? api.getMetric(name, o) : api.getLoss(name, o);
  try {
    const before = tf.memory().numTensors;
    const out = metric ? fn(yt, yp) : fn(yt, yp, sw);
    expect(tf.memory().numTensors, 'one call leaves only its result').toBe(before + 1);
    const want =
      c.family === 'keras' && c.dtype === 'float64' && c.expected_float32 !== undefined
        ? c.expected_float32
        : c.expected;
    expect(check(out.dataSync(), want, c.tol, c.family !== 'keras')).toBeNull();
    out.dispose();
    const g = c.family === 'region' ? c.grad : c.family === 'distance' ? c.expected_grad : undefined;
    if (g != null && !metric) {
      const grad = tf.grad((p: Tensor) => {
        const r = fn(yt, p, sw);
        return r.rank ? tf.sum(r) : r;
      })(yp);
      expect(check(grad.dataSync(), g, Math.max(c.tol, 1e-4), true), 'gradient').toBeNull();
      grad.dispose();
    }
  } finally {
    tf.dispose([yt, yp, ...(sw ? [sw] : [])]);
  }
}

// Fused kernels on (the default) and off (every loss composed from tfjs ops): both must meet the goldens.
const RUNS = BACKENDS.flatMap(
  (b) =>
    [
      [b, true],
      [b, false],
    ] as const,
);

describe.each(RUNS)('golden cases on %s, fused kernels %s', (backend, fused) => {
  beforeAll(() => useBackend(backend));
  beforeEach(() => {
    api.setFusedKernels(fused);
  });
  afterAll(() => {
    api.setFusedKernels(true);
  });
  for (const fam of Object.keys(GOLDEN_FILES) as GoldenFamily[]) {
    const cases = goldenCases(fam);
    if (cases.length === 0) continue;
    describe(fam, () => {
      it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
        run(c);
      });
    });
  }
});
