/**
 * Start-up cost of the built binary: every command loads its own modules when it runs, so `losskit --help` (and
 * the help of a command) never loads TensorFlow.js (about 0.6 s of the CLI's start otherwise), and neither does
 * `losskit eval` of catalog metrics on label maps, which runs on `losskit/distance`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('../dist/program.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'losskit-startup-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the built CLI on `args` in a fresh process; returns whether any `@tensorflow` module was loaded. */
function loadsTfjs(args: readonly string[]): boolean {
  // CommonJS modules imported from ESM (tfjs is CommonJS) go through the CommonJS cache, which is listed here.
  const script = join(dir, 'check.mjs');
  writeFileSync(
    script,
    `
    import { createRequire } from 'node:module';
    const { runCli } = await import(${JSON.stringify(program)});
    const err = [];
    const cli = { out() {}, err(s) { err.push(s); }, errStream: process.stderr, errIsTTY: false };
    const code = await runCli(${JSON.stringify(args)}, cli);
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ code, err, tfjs: cache.some((p) => p.includes('@tensorflow')) }));`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const { code, err, tfjs } = JSON.parse(r.stdout) as { code: number; err: string[]; tfjs: boolean };
  expect(code, err.join('\n')).toBe(0);
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

  describe('eval', () => {
    const file = (name: string, rows: number[][]) => {
      writeFileSync(join(dir, name), JSON.stringify(rows));
      return join(dir, name);
    };
    const labels = [
      '--true',
      file('t.json', [
        [0, 1, 1, 2],
        [0, 1, 2, 2],
      ]),
      '--pred',
      file('p.json', [
        [0, 1, 2, 2],
        [1, 1, 2, 2],
      ]),
    ];

    it('evaluates catalog metrics on label maps without loading TensorFlow.js', () => {
      expect(loadsTfjs(['eval', 'dice_coefficient', '--labels', '1,2', ...labels])).toBe(false);
      const names = 'hausdorff_distance:percentile=95,ASD,nsd:tolerance=2,iou,sensitivity';
      expect(loadsTfjs(['eval', names, ...labels, '--options', '{"HD": {"spacing": [1, 2]}}'])).toBe(false);
    });

    it('loads it for a loss, and for a metric on soft predictions', () => {
      expect(loadsTfjs(['eval', 'dice', '--labels', '1', ...labels])).toBe(true);
      const soft = file('soft.json', [[0, 0.4, 0.9, 0.2]]);
      const mask = file('mask.json', [[0, 1, 1, 0]]);
      expect(loadsTfjs(['eval', 'dice_coefficient', '--true', mask, '--pred', soft])).toBe(true);
    });
  });
});
