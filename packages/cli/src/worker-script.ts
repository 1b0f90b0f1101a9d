import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker script `file` next to the module at `base` (its `import.meta.url`), or `undefined` when
 * running from TypeScript sources (under vitest), where Node 20 cannot start a `.ts` worker; the caller then
 * does the work in its own thread.
 */
export function compiledWorker(base: string, file: string): URL | undefined {
  if (!base.endsWith('.js')) return undefined;
  const url = new URL(file, base);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
