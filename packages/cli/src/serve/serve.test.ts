import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from './serve.ts';

/** A raw GET (fetch would normalise `..` away before sending). */
function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serve', () => {
  let dir: string;
  let served: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'losskit-serve-'));
    mkdirSync(join(dir, 'site', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'site', 'assets', 'a.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    served = await serve({ port: 0, root: join(dir, 'site') });
  });

  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and serves index.html for /', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await get(served.port, '/');
    expect(res).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(res.body).toContain('<title>x</title>');
  });

  it('serves files with their content type, ignoring the query string', async () => {
    expect(await get(served.port, '/assets/a.js?v=1')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
    });
  });

  it('answers 404 for missing files and never serves outside the root', async () => {
    expect((await get(served.port, '/nope.js')).status).toBe(404);
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
    ]) {
      const res = await get(served.port, path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain('outside the root');
    }
  });

  it('allows only GET and HEAD', async () => {
    expect((await get(served.port, '/', 'HEAD')).status).toBe(200);
    expect((await get(served.port, '/', 'POST')).status).toBe(405);
  });

  it('rejects a taken port and a missing root with clear errors', async () => {
    await expect(serve({ port: served.port, root: join(dir, 'site') })).rejects.toThrow(/already in use/);
    await expect(serve({ root: join(dir, 'missing') })).rejects.toThrow(/not a directory/);
    await expect(serve({ port: -1, root: dir })).rejects.toThrow(/port must be an integer/);
  });
});
