/** Running `losskit` in-process for tests: captured stdout/stderr and the exit code, and the usage-error check. */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { runCli } from '../src/program.ts';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI on `args` with buffers for stdout and stderr (no TTY). */
export async function runInProcess(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const errStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      err += chunk.toString();
      cb();
    },
  });
  const code = await runCli(args, {
    out: (s) => {
      out += `${s}\n`;
    },
    err: (s) => {
      err += `${s}\n`;
    },
    errStream,
    errIsTTY: false,
  });
  return { code, out, err };
}

/** Exit 2 with exactly one line on stderr, starting "losskit:", matching every pattern, no stack trace, no stdout. */
export function expectUsageError(r: CliResult, ...patterns: RegExp[]): void {
  expect(r.code, r.err).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).toMatch(/^losskit: /);
  for (const p of patterns) expect(lines[0]).toMatch(p);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.out).toBe('');
}
