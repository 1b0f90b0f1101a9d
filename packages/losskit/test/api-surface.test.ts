/**
 * The library's public runtime surface, pinned. The root's exports must be exactly spec/api.md's functions, one
 * named export per catalog loss and metric, and the documented extensions listed below: adding or removing an
 * export fails here (with the difference printed) until this list and the README say the same.
 * `losskit/distance` must stay free of TensorFlow.js: no module it reaches imports `@tensorflow/tfjs` or `src/tf.ts`
 * (even for types, so that its declarations need no tfjs either), and of `src/core` it reaches only the option
 * validation and the catalog types (through the metrics' entries, metrics/info.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';
import * as distance from '../src/distance/index.ts';

/** The functions spec/api.md names. */
const SPEC_FUNCTIONS = [
  'getLoss',
  'getMetric',
  'listLosses',
  'listMetrics',
  'edt',
  'signedDistance',
  'compileWithLoss',
  'restoreLoss',
];

/** Exports beyond spec/api.md and the catalog, each documented in the README or its TSDoc. */
const EXTENSIONS = [
  // Name lookup without throwing, with suggestions (the CLI and the explorer report unknown names themselves).
  'findCatalogEntries',
  // The loss that compileWithLoss recorded in a model's metadata.
  'readLossSpec',
  // The switch of the fused value-and-gradient kernels (cpu, wasm), and a counter showing they run.
  'setFusedKernels',
  'fusedKernelsEnabled',
  'fusedCallCount',
  // A typed-array function applied per (batch, channel) of a channels-last array.
  'perChannel',
  // The surface metrics on plain typed arrays (also in `losskit/distance`).
  'averageSurfaceDistanceArrays',
  'hausdorffDistanceArrays',
  'surfaceDiceArrays',
  // Every metric of every label of two label maps (also in `losskit/distance`).
  'evaluateLabels',
  // The ground-truth maps of the distance losses, precomputed outside the training step (`precomputedMaps`).
  'distanceMaps',
  'packDistanceMaps',
  // The overlap scores on plain arrays of labels or masks.
  'diceOfMasks',
  'iouOfMasks',
  'precisionOfMasks',
  'sensitivityOfMasks',
  'specificityOfMasks',
  'tverskyOfMasks',
  'overlapCounts',
  'overlapPerLabel',
];

/** What `losskit/distance` must offer (it may export more helpers). */
const DISTANCE_EXPORTS = [
  'edt',
  'signedDistance',
  'averageSurfaceDistanceArrays',
  'hausdorffDistanceArrays',
  'surfaceDiceArrays',
  'evaluateLabels',
  // The metrics' catalog entries and option resolution, the same as getMetric's (metrics/info.ts).
  'metricInfo',
  'metricInfos',
  'resolveMetricOptions',
];

const catalogIds = (): string[] => [
  ...api.listLosses().map((info) => info.id),
  ...api.listMetrics().map((info) => info.id),
];

/** `{ missing, unexpected }` of `actual` against `expected`, sorted, so a failure prints the difference. */
function difference(expected: readonly string[], actual: readonly string[]) {
  const want = new Set(expected);
  const have = new Set(actual);
  return {
    missing: [...want].filter((name) => !have.has(name)).sort(),
    unexpected: [...have].filter((name) => !want.has(name)).sort(),
  };
}

describe('the root export surface', () => {
  it('is exactly spec/api.md + one export per catalog entry + the documented extensions', () => {
    const expected = [...SPEC_FUNCTIONS, ...catalogIds(), ...EXTENSIONS];
    // A name in two lists would hide a removal from one of them.
    expect(expected.filter((name, i) => expected.indexOf(name) !== i)).toEqual([]);
    expect(difference(expected, Object.keys(api)), 'exports of src/index.ts vs the expected list').toEqual({
      missing: [],
      unexpected: [],
    });
  });

  it('exports every spec function and extension as a function', () => {
    const exports = api as Record<string, unknown>;
    const notFunctions = [...SPEC_FUNCTIONS, ...EXTENSIONS].filter(
      (name) => typeof exports[name] !== 'function',
    );
    expect(notFunctions).toEqual([]);
  });

  it('names every catalog loss and metric by its id, with that entry as .info', () => {
    const exports = api as Record<string, unknown>;
    const ids = catalogIds();
    expect(ids.length).toBeGreaterThan(0);
    const wrong = ids.filter((id) => {
      const fn = exports[id];
      return typeof fn !== 'function' || (fn as { info?: { id?: unknown } }).info?.id !== id;
    });
    expect(wrong, 'catalog ids without a named export whose .info.id is the id').toEqual([]);
  });
});

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DISTANCE_ENTRY = resolve(SRC, 'distance/index.ts');

/** Module specifiers of `import … from`, `export … from`, side-effect `import '…'` and `import('…')`. */
function specifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]));
}

/** The source files reachable from `entry` through relative imports, with what each one imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const specs = specifiers(readFileSync(file, 'utf8'));
    graph.set(file, specs);
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target))
        throw new Error(`${relative(SRC, file)} imports ${spec}, which does not exist`);
      queue.push(target);
    }
  }
  return graph;
}

/** The modules of src/core that `losskit/distance` may reach: neither imports TensorFlow.js, even for types. */
const CORE_REACHED = ['core/options.ts', 'core/types.ts'];

/** Why an import is not allowed under `losskit/distance`, or `undefined`. */
function forbidden(file: string, spec: string): string | undefined {
  if (spec.startsWith('@tensorflow/')) return 'TensorFlow.js';
  if (!spec.startsWith('.')) return undefined;
  const path = relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
    .split(sep)
    .join('/');
  if (path === 'tf.ts') return 'src/tf.ts';
  if (path.startsWith('core/') && !CORE_REACHED.includes(path)) return 'src/core beyond options and types';
  return undefined;
}

describe('losskit/distance', () => {
  it('exports the distance transforms and the surface metrics on arrays', () => {
    const exports = distance as Record<string, unknown>;
    expect(DISTANCE_EXPORTS.filter((name) => typeof exports[name] !== 'function')).toEqual([]);
    // The root re-exports the very same functions (it has the metrics' entries as listMetrics and getMetric).
    const root = api as Record<string, unknown>;
    const shared = DISTANCE_EXPORTS.filter((name) => !/^(metricInfos?|resolveMetricOptions)$/.test(name));
    expect(shared.filter((name) => root[name] !== exports[name])).toEqual([]);
  });

  it('is the package entry point ./distance', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Partial<Record<string, { default: string }>>;
    };
    expect(pkg.exports['./distance']?.default).toBe('./dist/distance/index.js');
  });

  it('reaches no module that imports TensorFlow.js or src/tf.ts, and of src/core only options and types', () => {
    const graph = importGraph(DISTANCE_ENTRY);
    const files = [...graph.keys()].map((f) => relative(SRC, f).split(sep).join('/'));
    // The walk did follow the barrel's re-exports, the metrics' entries included.
    expect(files).toEqual(
      expect.arrayContaining([
        'distance/index.ts',
        'distance/edt.ts',
        'util/names.ts',
        'metrics/info.ts',
        'segmentation/params.ts',
        ...CORE_REACHED,
      ]),
    );
    const offences = [...graph].flatMap(([file, specs]) =>
      specs.flatMap((spec) => {
        const why = forbidden(file, spec);
        return why ? [`${relative(SRC, file)} imports ${spec} (${why})`] : [];
      }),
    );
    expect(offences).toEqual([]);
  });

  it('the import scan sees every import form', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../core/types.ts';",
      "export {\n  c,\n  type D,\n} from './c.ts';",
      "import '../tf.ts';",
      "const e = await import('@tensorflow/tfjs');",
    ].join('\n');
    expect(specifiers(source).sort()).toEqual(
      ['./a.ts', '../core/types.ts', './c.ts', '../tf.ts', '@tensorflow/tfjs'].sort(),
    );
    const file = resolve(SRC, 'distance/x.ts');
    expect(forbidden(file, '../core/define-loss.ts')).toBe('src/core beyond options and types');
    expect(forbidden(file, '../core/types.ts')).toBeUndefined();
    expect(forbidden(file, '../tf.ts')).toBe('src/tf.ts');
    expect(forbidden(file, '@tensorflow/tfjs-core')).toBe('TensorFlow.js');
    expect(forbidden(file, '../util/names.ts')).toBeUndefined();
  });
});
