import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The explorer page. Built to `dist/` (the package's only files; the CLI's `losskit serve` serves them);
 * `base: './'` keeps every asset URL relative, so the page works from any path and offline.
 */
export default defineConfig({
  // The page imports the library by its package name only ('losskit', its public entry point). The bundle is
  // built from the library's sources, so the page needs no library build first and cannot drift from them.
  resolve: {
    alias: [
      { find: /^losskit$/, replacement: fileURLToPath(new URL('../losskit/src/index.ts', import.meta.url)) },
      {
        find: /^losskit\/random$/,
        replacement: fileURLToPath(new URL('../losskit/src/util/random.ts', import.meta.url)),
      },
    ],
  },
  root: here,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs is one large chunk by nature; the warning says nothing actionable.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
