/**
 * Every golden case in test/golden/ (copied with provenance from the project's shared conformance files)
 * through the public API, exactly as a user calls it, on every Node backend; with gradients where given.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';
import { tf } from '../src/tf.ts';
import { BACKENDS, useBackend } from './helpers/backends.ts';
import { GOLDEN_FILES, flat, goldenCases, type GoldenCase, type GoldenFamily } from './helpers/golden.ts';
import { expectedGrad, expectedValue, goldenMiss, prepareCall, runTransform } from './helpers/golden-case.ts';

function run(c: GoldenCase): void {
  if (c.family === 'distance' && c.kind === 'edt') {
    expect(goldenMiss(runTransform(c), flat(c.expected), c.tol, true)).toBeNull();
    return;
  }
  const call = prepareCall(c);
  try {
    const before = tf.memory().numTensors;
    const out = call.fn(call.yt, call.yp, call.sw);
    expect(tf.memory().numTensors, 'one call leaves only its result').toBe(before + 1);
    expect(goldenMiss(out.dataSync(), expectedValue(c), c.tol, c.family !== 'keras')).toBeNull();
    out.dispose();
    const g = expectedGrad(c);
    if (g !== null && !call.metric) {
      const grad = call.grad();
      expect(goldenMiss(grad.dataSync(), g, Math.max(c.tol, 1e-4), true), 'gradient').toBeNull();
      grad.dispose();
    }
  } finally {
    tf.dispose([call.yt, call.yp, ...(call.sw ? [call.sw] : [])]);
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
