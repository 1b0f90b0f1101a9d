import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding, serve, type Served } from './serve.ts';

interface Reply {
  status: number;
  type: string;
  body: string;
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

/** A raw GET (fetch would normalise `..` away before sending, and decompress). */
function get(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        ok({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: raw.toString('utf8'),
          raw,
          headers: res.headers,
        });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/** A script large enough to be compressed. */
const SCRIPT = `export const values = [${Array.from({ length: 2000 }, (_, i) => i % 97).join(', ')}];\n`;

describe('serve', () => {
  let dir: string;
  let served: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'losskit-serve-'));
    mkdirSync(join(dir, 'site', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'site', 'assets', 'a.js'), 'export {};');
    writeFileSync(join(dir, 'site', 'assets', 'big-abc123.js'), SCRIPT);
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'x.txt'), 'outside the root');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'site', 'link.txt'));
    symlinkSync(join(dir, 'outside'), join(dir, 'site', 'linkdir'));
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

  it('refuses a symlink inside the root that points outside it', async () => {
    for (const path of ['/link.txt', '/linkdir/x.txt']) {
      const res = await get(served.port, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('outside the root');
    }
  });

  it('compresses text assets per Accept-Encoding, with Content-Encoding and Vary', async () => {
    const path = '/assets/big-abc123.js';
    const br = await get(served.port, path, 'GET', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.raw.length);
    expect(br.raw.length).toBeLessThan(SCRIPT.length / 2);
    expect(brotliDecompressSync(br.raw).toString()).toBe(SCRIPT);
    const gz = await get(served.port, path, 'GET', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).toString()).toBe(SCRIPT);
    const none = await get(served.port, path, 'GET', { 'accept-encoding': 'identity' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body).toBe(SCRIPT);
    const refused = await get(served.port, path, 'GET', { 'accept-encoding': 'br;q=0, gzip' });
    expect(refused.headers['content-encoding']).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding(undefined)).toBeUndefined();
  });

  it('caches hashed assets for a year and revalidates index.html with ETag and Last-Modified', async () => {
    const asset = await get(served.port, '/assets/big-abc123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const index = await get(served.port, '/');
    expect(index.headers['cache-control']).toBe('no-cache');
    const etag = String(index.headers.etag);
    const lastModified = String(index.headers['last-modified']);
    expect(etag).toMatch(/^W\/".+"$/);
    expect(Date.parse(lastModified)).not.toBeNaN();
    const again = await get(served.port, '/', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
    expect((await get(served.port, '/', 'GET', { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await get(served.port, '/', 'GET', { 'if-none-match': 'W/"other"' })).status).toBe(200);
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
