/**
 * Start-up cost of the built binary: every command loads its own modules when it runs, so `losskit --help` (and
 * the help of a command) never loads TensorFlow.js (about 0.6 s of the CLI's start otherwise).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('../dist/program.js', import.meta.url));

/** Runs the built CLI on `args` in a fresh process; returns whether any `@tensorflow` module was loaded. */
function loadsTfjs(args: readonly string[]): boolean {
  // CommonJS modules imported from ESM (tfjs is CommonJS) go through the CommonJS cache, which is listed here.
  const script = `
    import { createRequire } from 'node:module';
    const { runCli } = await import(${JSON.stringify(program)});
    const cli = { out() {}, err() {}, errStream: process.stderr, errIsTTY: false };
    const code = await runCli(${JSON.stringify(args)}, cli);
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ code, tfjs: cache.some((p) => p.includes('@tensorflow')) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const { code, tfjs } = JSON.parse(r.stdout) as { code: number; tfjs: boolean };
  expect(code).toBe(0);
  return tfjs;
}

describe.skipIf(!existsSync(program))('the built binary', () => {
  it("prints its help and each command's without loading TensorFlow.js", () => {
    expect(loadsTfjs(['--help'])).toBe(false);
    expect(loadsTfjs(['eval', '--help'])).toBe(false);
    expect(loadsTfjs(['compare', '--help'])).toBe(false);
  });

  it('loads it for a command that needs the catalog (the check above can see it)', () => {
    expect(loadsTfjs(['list', '--json'])).toBe(true);
  });
});
