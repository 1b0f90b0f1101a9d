/**
 * The architecture of docs/architecture.md, checked: the import-boundary rules of eslint.config.js reject the
 * imports they are meant to reject (and only those), and the library's parts import one another without cycles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = join(root, 'packages/losskit/src');

describe('import boundaries (eslint.config.js)', () => {
  let eslint: ESLint;

  beforeAll(async () => {
    // The boundary blocks alone, on the plain TypeScript parser: no type information, so a lint takes milliseconds.
    const { boundaries } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
      boundaries: Linter.Config[];
    };
    eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.{ts,mts}'], languageOptions: { parser: tseslint.parser } },
        ...boundaries,
      ],
    });
  });

  /** The `no-restricted-imports` messages for one import statement in a file at `file` (relative to the root). */
  async function messages(file: string, specifier: string): Promise<string[]> {
    const code = `import { x } from '${specifier}';\nexport { x };\n`;
    const [result] = await eslint.lintText(code, { filePath: join(root, file) });
    expect(result.messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
    return result.messages.map((m) => m.message);
  }

  /**
   * By importing file (under packages/): the imports the rules reject, each with a part of its message, and
   * imports they let through. Tests reach further than the source they test: other parts, test/ helpers, oracles.
   */
  const CLI_ONLY = "import the library only as 'losskit'";
  const cases: Record<string, { forbidden?: Record<string, string>; allowed?: string[] }> = {
    'losskit/src/distance/edt.ts': {
      forbidden: {
        '../core/names.ts': 'distance/ must not import core/',
        '@tensorflow/tfjs': 'distance/ must not import TensorFlow.js',
        '../tf.ts': 'distance/ must not import TensorFlow.js',
        '../metrics/info.ts': 'distance/ must not import metrics/',
      },
      allowed: ['../util/names.ts', './surface.ts'],
    },
    // The `losskit/distance` entry also re-exports the metrics' tfjs-free catalog entries, and nothing else of metrics/.
    'losskit/src/distance/index.ts': {
      forbidden: {
        '../metrics/overlap.ts':
          'distance/ must not import metrics/ (distance/index.ts may import metrics/info.ts alone)',
        '../metrics/index.ts': 'distance/ must not import metrics/',
        '../metrics': 'distance/ must not import metrics/',
        '../core/options.ts': 'distance/ must not import core/',
        '../tf.ts': 'distance/ must not import TensorFlow.js',
      },
      allowed: ['../metrics/info.ts', './edt.ts', '../util/names.ts'],
    },
    'losskit/src/metrics/info.ts': {
      forbidden: {
        '../tf.ts': 'metrics/info.ts must not import TensorFlow.js',
        '@tensorflow/tfjs-core': 'metrics/info.ts must not import TensorFlow.js',
        './overlap.ts': 'metrics/info.ts may import only core/options.ts, core/types.ts',
        '../segmentation/index.ts': 'metrics/info.ts may import only',
        '../segmentation/layout.ts': 'metrics/info.ts may import only',
        '../core/define-loss.ts': 'metrics/info.ts may import only',
        '../distance/edt.ts': 'metrics/info.ts may import only',
        '../losses/segmentation/dice.ts': 'metrics/info.ts may import only',
        '../../test/helpers/assert.ts': 'metrics/info.ts may import only',
      },
      allowed: [
        '../core/options.ts',
        '../core/types.ts',
        '../segmentation/params.ts',
        '../segmentation/presets.ts',
        '../util/names.ts',
      ],
    },
    'losskit/src/util/names.ts': { forbidden: { '../tf.ts': 'util/ must not import TensorFlow.js' } },
    'losskit/src/core/reduce.ts': {
      forbidden: {
        '../losses/index.ts': 'core/ must not import losses/',
        '../segmentation/index.ts': 'core/ must not import segmentation/',
      },
      allowed: ['../tf.ts', '../util/names.ts', './rank.ts'],
    },
    'losskit/src/segmentation/sums.ts': {
      forbidden: { '../fused/region.ts': 'segmentation/ must not import fused/' },
      allowed: ['../core/types.ts', './layout.ts'],
    },
    'losskit/src/fused/region.ts': {
      forbidden: { '../losses/index.ts': 'fused/ must not import losses/' },
      allowed: ['../segmentation/index.ts'],
    },
    'losskit/src/losses/segmentation/dice.ts': {
      forbidden: {
        '../../catalog/catalog.ts': 'losses/ must not import catalog/',
        '../../metrics/index.ts': 'losses/ must not import metrics/',
        '@tensorflow/tfjs': 'only src/tf.ts imports TensorFlow.js',
        '../../../test/helpers/assert.ts': 'must not import test/ or bench/',
        '../../../../cli/src/lookup.ts': 'must not import the CLI',
      },
      allowed: ['../../core/types.ts', '../../fused/keras.ts', '../../distance/edt.ts', './pixel-common.ts'],
    },
    'losskit/src/metrics/overlap.ts': {
      forbidden: {
        '../losses/segmentation/dice.ts': 'metrics/ must not import losses/',
        '../fused/region.ts': 'metrics/ must not import fused/',
      },
      allowed: ['../distance/surface-metrics.ts', '../segmentation/index.ts'],
    },
    'losskit/src/keras/layers-compat.ts': {
      forbidden: { '../losses/index.ts': 'keras/ must not import losses/' },
      allowed: ['../catalog/catalog.ts'],
    },
    'losskit/src/tf.ts': { allowed: ['@tensorflow/tfjs'] },
    'losskit/src/index.ts': { allowed: ['./keras/layers-compat.ts'] },
    'losskit/src/metrics/overlap.test.ts': {
      forbidden: { 'losskit-cli': 'must not import the CLI' },
      allowed: ['../losses/segmentation/dice.ts', '../../test/helpers/assert.ts'],
    },
    'losskit/test/golden.test.ts': { forbidden: { '../../cli/src/lookup.ts': 'must not import the CLI' } },
    'cli/src/lookup.ts': {
      forbidden: {
        '../../losskit/src/index.ts': CLI_ONLY,
        'losskit/src/x': CLI_ONLY,
        'losskit/dist/index.js': CLI_ONLY,
      },
      allowed: ['losskit', 'losskit/distance', 'losskit/random', '../test/fixtures.ts'],
    },
    'cli/src/commands/list.ts': { forbidden: { '../../../losskit/src/x.ts': CLI_ONLY } },
    // Label evaluation runs on losskit/distance alone; 'losskit' (TensorFlow.js) is imported where tensors are used.
    'cli/src/commands/eval.ts': {
      forbidden: {
        losskit: "eval loads 'losskit' (and so TensorFlow.js) only to compute",
        'losskit/src/x': CLI_ONLY,
      },
      allowed: ['losskit/distance', '../errors.ts', '../io.ts'],
    },
    'cli/src/commands/eval-folder.ts': { forbidden: { losskit: "eval loads 'losskit'" } },
    'explorer/src/main.ts': {
      forbidden: { '../../losskit/src/util/random.ts': CLI_ONLY },
      allowed: ['losskit'],
    },
    'explorer/test/explorer.test.ts': { forbidden: { 'losskit/src/index.ts': CLI_ONLY } },
  };
  const all = Object.entries(cases);

  it.each(all.flatMap(([file, { forbidden = {} }]) => Object.entries(forbidden).map((c) => [file, ...c])))(
    '%s importing %s is an error',
    async (file, specifier, message) => {
      const found = await messages(`packages/${file}`, specifier);
      expect(found.length, found.join('\n')).toBeGreaterThan(0);
      for (const m of found) expect(m).toMatch(/\(docs\/architecture\.md\)$/);
      expect(found.join('\n')).toContain(message);
    },
  );

  it.each(all.flatMap(([file, { allowed = [] }]) => allowed.map((specifier) => [file, specifier])))(
    '%s may import %s',
    async (file, specifier) => {
      expect(await messages(`packages/${file}`, specifier)).toEqual([]);
    },
  );

  it("eval's modules take types from 'losskit' by `import type` alone, and the library itself by import()", async () => {
    const lint = async (code: string) => {
      const filePath = join(root, 'packages/cli/src/commands/eval.ts');
      const [result] = await eslint.lintText(code, { filePath });
      return result.messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`);
    };
    expect(await lint("import type { ParamInfo } from 'losskit';\nexport type { ParamInfo };\n")).toEqual([]);
    expect(await lint("const { getMetric } = await import('losskit');\nexport { getMetric };\n")).toEqual([]);
    // Kept as `import {} from 'losskit'` under verbatimModuleSyntax: it would load TensorFlow.js.
    const inline = await lint("import { type ParamInfo } from 'losskit';\nexport type { ParamInfo };\n");
    expect(inline.join('\n')).toContain('@typescript-eslint/no-import-type-side-effects');
  });
});

describe('the parts of the library', () => {
  /**
   * The part a module of src/ belongs to: its top folder, or the file itself at the top (tf.ts, index.ts). The
   * `losskit/distance` entry is a node of its own, as the root barrel is: it re-exports metrics/info.ts, on which the
   * metrics (which import distance/ modules) build, a cycle of folders but not of modules.
   */
  const partOf = (file: string) => {
    const path = relative(src, file).split(sep);
    return path.join('/') === 'distance/index.ts' ? 'distance/index.ts' : path[0];
  };

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sources(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    });
  }

  /** part → the other parts it imports, with one importing module per edge for the report. */
  function partGraph(): Map<string, Map<string, string>> {
    const graph = new Map<string, Map<string, string>>();
    for (const file of sources(src)) {
      const from = partOf(file);
      const edges = graph.get(from) ?? new Map<string, string>();
      graph.set(from, edges);
      for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const target = resolve(dirname(file), fileName);
        if (relative(src, target).startsWith('..')) continue;
        const to = partOf(target);
        if (to !== from && !edges.has(to)) edges.set(to, `${relative(src, file)} → ${fileName}`);
      }
    }
    return graph;
  }

  /** A cycle of the graph as the list of its edges' witnesses, or undefined when the graph is acyclic. */
  function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (part: string): string[] | undefined => {
      state.set(part, 'open');
      path.push(part);
      for (const next of graph.get(part)?.keys() ?? []) {
        if (state.get(next) === 'open') {
          const cycle = [...path.slice(path.indexOf(next)), next];
          return cycle.slice(1).map((to, i) => `${cycle[i]} → ${to} (${graph.get(cycle[i])!.get(to)!})`);
        }
        const found = state.has(next) ? undefined : visit(next);
        if (found) return found;
      }
      path.pop();
      state.set(part, 'done');
      return undefined;
    };
    for (const part of graph.keys()) {
      const found = state.has(part) ? undefined : visit(part);
      if (found) return found;
    }
    return undefined;
  }

  it('import one another without cycles', () => {
    const graph = partGraph();
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['core', 'losses', 'tf.ts', 'index.ts']));
    const cycle = findCycle(graph);
    expect(cycle, `import cycle between parts:\n${(cycle ?? []).join('\n')}`).toBeUndefined();
  });

  it('the cycle check finds a cycle', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a.ts → ./b.ts']])],
      ['b', new Map([['a', 'b.ts → ./a.ts']])],
    ]);
    expect(findCycle(graph)).toEqual(['a → b (a.ts → ./b.ts)', 'b → a (b.ts → ./a.ts)']);
  });
});
