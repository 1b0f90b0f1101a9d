/**
 * The one loader of the golden cases: test/golden/*.json (copied with provenance from the project's shared
 * conformance files, so that the suite needs nothing outside the repository). Every test that reads a golden case
 * goes through here: the file is read once per family, the non-finite encodings ('NaN', 'Infinity', '-Infinity')
 * of the numeric fields are decoded, and the cases come back typed by family.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A number or nested arrays of numbers, as in the files after decoding. */
export type Nested = number | Nested[];

/** What every golden case carries. */
interface CaseBase {
  readonly id: string;
  /** Which family (and so which file set) the case came from. */
  readonly family: GoldenFamily;
  /** The file it was read from, e.g. 'keras.json'. */
  readonly file: string;
  readonly options: Record<string, unknown>;
  readonly expected: Nested;
  /** The pass tolerance of the case (its meaning per family: see each file's header / the conformance spec). */
  readonly tol: number;
  /** Provenance: where the case was taken from (upstream test, 'generated'), where the file gives it. */
  readonly source?: string;
  readonly note?: string;
}

/** keras.json, keras-generated.json: Keras losses, absolute tolerance, snake_case option names. */
export interface KerasCase extends CaseBase {
  readonly family: 'keras';
  readonly loss: string;
  readonly y_true: Nested;
  readonly y_pred: Nested;
  readonly sample_weight: Nested | null;
  readonly dtype?: string;
  readonly expected_float32?: Nested;
}

/** segmentation-region.json: pixel-wise and region losses and metrics, tolerance × max(1, |e|). */
export interface RegionCase extends CaseBase {
  readonly family: 'region';
  readonly loss: string;
  readonly convention: string;
  readonly y_true: Nested;
  readonly y_pred: Nested;
  /** d loss / d y_pred, or null where the case gives none. */
  readonly grad: Nested | null;
}

/** segmentation-distance.json: EDT / signed distance (on `mask`), distance losses and surface metrics. */
export interface DistanceCase extends CaseBase {
  readonly family: 'distance';
  readonly kind: 'edt' | 'loss' | 'metric';
  readonly name: string;
  /** Per spatial axis, in array-axis order; null = unit spacing. */
  readonly spacing: number[] | null;
  readonly mask?: Nested;
  readonly y_true?: Nested;
  readonly y_pred?: Nested;
  /** d loss / d y_pred with the distance maps held constant, where given. */
  readonly expected_grad?: Nested;
}

export interface GoldenCases {
  keras: KerasCase;
  region: RegionCase;
  distance: DistanceCase;
}
export type GoldenFamily = keyof GoldenCases;
export type GoldenCase = GoldenCases[GoldenFamily];

/** The files of each family, in test/golden/. */
export const GOLDEN_FILES: { readonly [F in GoldenFamily]: readonly string[] } = {
  keras: ['keras.json', 'keras-generated.json'],
  region: ['segmentation-region.json'],
  distance: ['segmentation-distance.json'],
};

/** The fields that hold numbers (possibly encoded as strings); options and names are left as written. */
const NUMERIC = [
  'y_true',
  'y_pred',
  'mask',
  'sample_weight',
  'expected',
  'expected_float32',
  'grad',
  'expected_grad',
];

/** Decodes 'Infinity', '-Infinity' and 'NaN' anywhere in a nested array (null stays null). */
export function decodeNonFinite(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decodeNonFinite);
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  if (x === 'NaN') return NaN;
  return x;
}

function readFile(file: string): Record<string, unknown>[] {
  // A missing file must fail the run: an empty case list would pass every golden test vacuously.
  const path = new URL(`../golden/${file}`, import.meta.url);
  if (!existsSync(path)) throw new Error(`golden file test/golden/${file} is missing`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    Record<string, unknown>[] | { cases: Record<string, unknown>[] };
  return Array.isArray(raw) ? raw : raw.cases;
}

const cache = new Map<GoldenFamily, readonly GoldenCase[]>();

/** Every golden case of a family (decoded), in file order. */
export function goldenCases<F extends GoldenFamily>(family: F): readonly GoldenCases[F][] {
  let cases = cache.get(family);
  if (!cases) {
    cases = GOLDEN_FILES[family].flatMap((file) =>
      readFile(file).map((c) => {
        const out: Record<string, unknown> = { ...c, family, file, options: c.options ?? {} };
        for (const k of NUMERIC) if (k in c) out[k] = decodeNonFinite(c[k]);
        return out as unknown as GoldenCase;
      }),
    );
    cache.set(family, cases);
  }
  return cases as readonly GoldenCases[F][];
}

/** The one case of a family with this id (throws if there is none). */
export function goldenCase<F extends GoldenFamily>(family: F, id: string): GoldenCases[F] {
  const c = goldenCases(family).find((x) => x.id === id);
  if (!c) throw new Error(`no golden case '${id}' in family '${family}'`);
  return c;
}

/** The loss or metric a case is about (snake_case, as in the files). */
export function caseName(c: GoldenCase): string {
  return c.family === 'distance' ? c.name : c.loss;
}

import { goldenMiss } from './golden-case.ts';

export { flat, shapeOf } from './golden-case.ts';

/** Options of a distance case as a user passes them (spacing inside the options). */
export function caseOptions(c: DistanceCase): Record<string, unknown> {
  return c.spacing ? { ...c.options, spacing: c.spacing } : { ...c.options };
}

/**
 * The pass rule of the conformance files, element-wise: `|got − want| ≤ tol·max(1, |want|)`; non-finite values
 * (Infinity, −Infinity, NaN) must match exactly. `label` prefixes the failure messages.
 */
export function expectGolden(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label = ''): void {
  expect(goldenMiss(got, Array.from(want), tol, true), label).toBeNull();
}
