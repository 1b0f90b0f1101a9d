/**
 * How a golden case is called and judged, without Node or vitest: shared by test/golden.test.ts (Node) and the
 * browser conformance page (test/browser/entry.ts, bundled by Vite), so both run a case exactly alike.
 */
import * as api from '../../src/index.ts';
import { tf, type Tensor } from '../../src/tf.ts';
import type { GoldenCase, Nested } from './golden.ts';

/** Flattens a nested array of numbers. */
export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/** The shape of a nested array ([] for a number). */
export function shapeOf(x: Nested): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The options as a user passes them: Keras cases' snake_case names camelCased, a distance case's spacing inside. */
export function userOptions(c: GoldenCase): Record<string, unknown> {
  const o: Record<string, unknown> = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [c.family === 'keras' ? camel(k) : k, v]),
  );
  if (c.family === 'distance' && c.spacing) o.spacing = c.spacing;
  return o;
}

/** The expected value, flat: a Keras float64 case's float32 expectation where the file gives one. */
export function expectedValue(c: GoldenCase): number[] {
  const want =
    c.family === 'keras' && c.dtype === 'float64' && c.expected_float32 !== undefined
      ? c.expected_float32
      : c.expected;
  return flat(want);
}

/** The expected gradient with respect to yPred, flat, or null when the case gives none. */
export function expectedGrad(c: GoldenCase): number[] | null {
  if (c.family === 'distance' && c.kind === 'metric') return null;
  const g = c.family === 'region' ? c.grad : c.family === 'distance' ? c.expected_grad : undefined;
  return g == null ? null : flat(g);
}

/**
 * The pass rule of the conformance files, element-wise: `|got − want| ≤ tol` (absolute) or `≤ tol·max(1, |want|)`
 * (relative); non-finite values must match exactly. Null when it holds, else the first miss.
 */
export function goldenMiss(
  got: ArrayLike<number> | null,
  want: readonly number[],
  tol: number,
  relative: boolean,
): string | null {
  if (got === null) return 'no result';
  if (got.length !== want.length) return `size ${got.length} != ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [got[i], want[i]];
    if (!Number.isFinite(b)) {
      if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
      return `[${i}] got ${a} want ${b}`;
    }
    const bound = relative ? tol * Math.max(1, Math.abs(b)) : tol;
    if (!(Math.abs(a - b) <= bound)) return `[${i}] got ${a} want ${b} (tol ${bound.toExponential(2)})`;
  }
  return null;
}

/** An EDT case's result (`edt` or `signedDistance` on its mask). */
export function runTransform(c: GoldenCase & { family: 'distance' }): ArrayLike<number> {
  const mask = flat(c.mask!);
  const shape = shapeOf(c.mask!);
  const o = userOptions(c);
  // Options come from the JSON as written; the library validates them at run time.
  return c.name === 'edt'
    ? api.edt(mask, shape, o)
    : api.signedDistance(mask, shape, o as unknown as api.SignedDistanceOptions);
}

/** A loss or metric case made ready to call: the bound function and its input tensors (the caller disposes them). */
export interface CaseCall {
  readonly metric: boolean;
  readonly fn: (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor) => Tensor;
  readonly yt: Tensor;
  readonly yp: Tensor;
  readonly sw: Tensor | undefined;
  /** d(sum of the result)/d(yPred), as a new tensor. */
  readonly grad: () => Tensor;
}

function toTensor(x: Nested, asInt: boolean): Tensor {
  return tf.tensor(flat(x), shapeOf(x), asInt ? 'int32' : 'float32');
}

/** The loss or metric of a (non-EDT) case through `getLoss`/`getMetric`, exactly as a user calls it. */
export function prepareCall(c: GoldenCase): CaseCall {
  const o = userOptions(c);
  const name = c.family === 'distance' ? c.name : c.loss;
  const metric = c.family === 'distance' && c.kind === 'metric';
  const sparse = o.sparseLabels === true || /sparse/.test(name) || name === 'lovasz_softmax';
  const yt = toTensor(c.y_true!, sparse && flat(c.y_true!).every((v) => Number.isInteger(v)));
  const yp = toTensor(c.y_pred!, false);
  const sw = c.family !== 'keras' || c.sample_weight === null ? undefined : toTensor(c.sample_weight, false);
  try {
    const fn = metric ? api.getMetric(name, o) : api.getLoss(name, o);
    const grad = () =>
      tf.grad((p: Tensor) => {
        const r = fn(yt, p, sw);
        return r.rank ? tf.sum(r) : r;
      })(yp);
    return { metric, fn, yt, yp, sw, grad };
  } catch (e) {
    tf.dispose([yt, yp, ...(sw ? [sw] : [])]);
    throw e;
  }
}
