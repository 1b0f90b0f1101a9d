import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The CLI and the explorer import the library by its package name, as a user would; under test that name points
// at the library's sources, so that `npm test` needs no build and every package sees one module instance.
const alias = [
  { find: /^losskit$/, replacement: at('./packages/losskit/src/index.ts') },
  { find: /^losskit\/distance$/, replacement: at('./packages/losskit/src/distance/index.ts') },
  { find: /^losskit\/random$/, replacement: at('./packages/losskit/src/util/random.ts') },
];

const shared = {
  setupFiles: [at('./packages/losskit/test/fast-check-seed.ts'), at('./packages/losskit/test/quiet-tfjs.ts')],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: { alias },
  test: {
    // tfjs kernels are CPU-bound; two workers match the two cores and keep memory predictable.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'losskit',
          include: ['packages/losskit/src/**/*.test.ts', 'packages/losskit/test/**/*.test.ts'],
          ...shared,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'cli',
          include: ['packages/cli/src/**/*.test.ts', 'packages/cli/test/**/*.test.ts'],
          ...shared,
        },
      },
      {
        resolve: { alias },
        test: { name: 'explorer', include: ['packages/explorer/test/**/*.test.ts'], ...shared },
      },
    ],
  },
});
