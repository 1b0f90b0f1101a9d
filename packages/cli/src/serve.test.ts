/** `losskit serve`, in-process: it serves a folder on 127.0.0.1, prints the URL, and stops when told. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './program.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-serve-cli-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>explorer</title>');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { out: string[]; err: string[]; cli: Parameters<typeof runCli>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    cli: {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      errStream: new Writable({
        write: (_c, _e, cb) => {
          cb();
        },
      }),
      errIsTTY: false,
    },
  };
}

async function waitFor<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('losskit serve', () => {
  it('prints a 127.0.0.1 URL that serves the page, and exits 0 when stopped', async () => {
    const { out, cli } = capture();
    let stop!: () => void;
    const until = new Promise<void>((ok) => (stop = ok));
    const done = runCli(['serve', '--port', '0', '--root', dir], cli, until);
    const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\//.exec(out.join('\n'))?.[0]);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>explorer</title>');
    stop();
    expect(await done).toBe(0);
  });

  it('exits 2 naming the folder when there is no page to serve', async () => {
    const { err, cli } = capture();
    const empty = mkdtempSync(join(tmpdir(), 'losskit-serve-empty-'));
    try {
      expect(await runCli(['serve', '--root', empty], cli, Promise.resolve())).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^losskit: no explorer page in .*losskit-serve-empty-.*npm run build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('exits 2 on a bad port', async () => {
    const { err, cli } = capture();
    expect(await runCli(['serve', '--port', '70000'], cli, Promise.resolve())).toBe(2);
    expect(err.join('\n')).toMatch(/--port.*expected an integer in \[0, 65535\]/);
  });
});
