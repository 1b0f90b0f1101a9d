import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The browser conformance page (test/browser/index.html + entry.ts): the library's sources and TensorFlow.js with
 * its WebGL and WebGPU backends in one bundle, built to a directory under the system temp dir (never published,
 * never committed). browser-conformance.test.ts builds it when it is older than its sources.
 */
export const OUT_DIR = join(tmpdir(), 'losskit-browser-conformance');

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
    reportCompressedSize: false,
  },
});
