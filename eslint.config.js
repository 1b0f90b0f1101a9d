import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Import boundaries between the library's parts and its packages (docs/architecture.md). Exported for
// packages/losskit/test/architecture.test.ts, which lints sample imports against these blocks alone.
// `no-restricted-imports` options do not merge across config objects (the last matching block wins): a file of a
// part's source meets its part's block last, so that block repeats the library-wide patterns.
const MAY_IMPORT = {
  util: [],
  core: ['util', 'tf'],
  distance: ['util'],
  segmentation: ['core', 'util', 'tf'],
  fused: ['core', 'util', 'segmentation', 'tf'],
  losses: ['core', 'util', 'segmentation', 'fused', 'distance', 'tf'],
  metrics: ['core', 'util', 'segmentation', 'distance', 'tf'],
  catalog: ['losses', 'metrics', 'core', 'util', 'tf'],
  keras: ['catalog', 'core', 'tf'],
};
const PARTS = Object.keys(MAY_IMPORT);
/** A relative specifier that goes through a folder (or file stem) matching `name`: '../core/types.ts', '../../tf.ts'. */
const relativeTo = (name) => `^\\.\\.?/(.*/)?${name}(/|$)`;
const pattern = (regex, message) => ({
  regex,
  caseSensitive: true,
  message: `${message} (docs/architecture.md)`,
});
const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const noApps = pattern(
  `${relativeTo('(cli|explorer)')}|^losskit-(cli|explorer)(/|$)`,
  'the library (its tests included) must not import the CLI or the explorer',
);
const notPublished = pattern(
  relativeTo('(test|bench)'),
  'library source must not import test/ or bench/: they are not published',
);
const tensorflow = pattern('^@tensorflow/', 'only src/tf.ts imports TensorFlow.js; import { tf } from tf.ts');
const shown = (part) => (part === 'tf' ? 'tf.ts' : `${part}/`);

/**
 * The block of a part's source, or of one file of it (`file`) that may also import one module of a part the rest
 * may not: `also` maps that part to the module's file name.
 */
function partBlock(part, file = undefined, also = {}) {
  const allowed = MAY_IMPORT[part];
  const only = `${part}/ may import only ${allowed.map(shown).join(', ') || 'nothing of ours'}`;
  const forbidden = PARTS.filter((other) => other !== part && !allowed.includes(other)).map((other) =>
    also[other]
      ? pattern(
          `^\\.\\.?/(.*/)?${other}(/(?!${also[other].replace('.', '\\.')}$)|$)`,
          `${part}/ must not import ${other}/ (${file} may import ${other}/${also[other]} alone); ${only}`,
        )
      : pattern(relativeTo(other), `${part}/ must not import ${other}/; ${only}`),
  );
  const tf = allowed.includes('tf')
    ? tensorflow
    : pattern(
        '^@tensorflow/|^\\.\\.?/(.*/)?tf\\.ts$',
        `${part}/ must not import TensorFlow.js (tf.ts or @tensorflow/*); ${only}`,
      );
  return restrict(
    [file ? `packages/losskit/src/${file}` : `packages/losskit/src/${part}/**/*.ts`],
    [...forbidden, tf, notPublished, noApps],
    ['**/*.test.ts'],
  );
}

/**
 * The metrics' catalog entries, loaded by `losskit/distance` (distance/index.ts re-exports them): no TensorFlow.js,
 * so of our modules only these, none of which imports it.
 */
const INFO_MAY_IMPORT = [
  'core/options.ts',
  'core/types.ts',
  'segmentation/params.ts',
  'segmentation/presets.ts',
  'util/names.ts',
];
const infoBlock = restrict(
  ['packages/losskit/src/metrics/info.ts'],
  [
    pattern(
      '^@tensorflow/|^\\.\\.?/(.*/)?tf\\.ts$',
      'metrics/info.ts must not import TensorFlow.js (tf.ts or @tensorflow/*): losskit/distance loads it',
    ),
    pattern(
      `^\\.(?!\\./(${INFO_MAY_IMPORT.map((f) => f.replace('.', '\\.')).join('|')})$)`,
      `metrics/info.ts may import only ${INFO_MAY_IMPORT.join(', ')}, no tensor module: losskit/distance loads it`,
    ),
    notPublished,
    noApps,
  ],
);

/** The CLI and the page use the library as its users do: through its public entry points only. */
const publicEntries = pattern(
  `^losskit/(?!(distance|random)$)|${relativeTo('losskit')}`,
  "the CLI and the explorer import the library only as 'losskit', 'losskit/distance' or 'losskit/random'",
);

export const boundaries = [
  // Everything in the library package, tests and benchmarks included; the blocks below narrow its source.
  restrict(['packages/losskit/**/*.{ts,mts,js,mjs}'], [noApps]),
  ...PARTS.map((part) => partBlock(part)),
  partBlock('distance', 'distance/index.ts', { metrics: 'info.ts' }),
  infoBlock,
  restrict(
    ['packages/losskit/src/tf.ts'],
    [pattern('^\\.', 'tf.ts imports only @tensorflow/tfjs, nothing of ours'), noApps],
  ),
  restrict(['packages/losskit/src/index.ts'], [tensorflow, notPublished, noApps]),
  restrict(['packages/cli/**/*.{ts,mts,js,mjs}', 'packages/explorer/**/*.{ts,mts,js,mjs}'], [publicEntries]),
  // `losskit eval` on label maps runs on `losskit/distance` alone: these modules load 'losskit' (TensorFlow.js,
  // most of the command's start-up) with `await import('losskit')` where tensors are computed, never statically.
  // `import { type X }` would load the module all the same (verbatimModuleSyntax keeps `import {}`), hence the
  // second rule.
  {
    files: ['packages/cli/src/commands/eval.ts', 'packages/cli/src/commands/eval-folder.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'losskit',
              allowTypeImports: true,
              message:
                "eval loads 'losskit' (and so TensorFlow.js) only to compute on tensors, with await import('losskit'); " +
                "metrics are found and their options resolved by 'losskit/distance' (docs/architecture.md)",
            },
          ],
          patterns: [publicEntries],
        },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'packages/losskit/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // tfjs's own API takes enums (e.g. fit's `verbose`); losskit defines none.
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      parserOptions: { projectService: false, program: null },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
  },
  ...boundaries,
  prettier,
);
