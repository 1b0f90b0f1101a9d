/**
 * A tiny static file server for the explorer page (`losskit serve`): GET and HEAD only, bound to 127.0.0.1, no
 * directory listings, nothing outside `root` (not even through a symlink). No dependencies beyond node's own
 * modules.
 *
 * - Text assets (HTML, JS, CSS, JSON, SVG, wasm) over 1 KiB are sent brotli- or gzip-compressed when the request's
 *   `Accept-Encoding` allows it (brotli preferred), with `Content-Encoding` and `Vary: Accept-Encoding`. The
 *   compressed bytes are kept in memory per file, modification time and encoding.
 * - Files under `assets/` (Vite's content-hashed names) are cached for a year as immutable; everything else
 *   (index.html) is `no-cache` and revalidated with `ETag` / `Last-Modified`, answered by 304 when unchanged.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

export interface ServeOptions {
  /** TCP port; 0 (the default) lets the system choose a free one. */
  readonly port?: number;
  /** The directory to serve, e.g. the built explorer page (`explorerRoot()`). */
  readonly root: string;
}

export interface Served {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Types worth compressing (PNG is compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.wasm', '.txt']);
const MIN_COMPRESS = 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Encoding = 'br' | 'gzip';
const compressors: Record<Encoding, (b: Buffer) => Promise<Buffer>> = {
  br: (b) =>
    promisify(brotliCompress)(b, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: b.length },
    }),
  gzip: (b) => promisify(gzip)(b, { level: 9 }),
};

/** The built explorer page: the `dist/` of the `losskit-explorer` package, a dependency of this one. */
export function explorerRoot(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('losskit-explorer/package.json'))), 'dist');
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const inside = (root: string, file: string) => file === root || file.startsWith(root + sep);

/** Maps a request path to a file under `root`, or `undefined` if it would leave `root`. */
function resolvePath(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const file = resolve(join(root, path));
  return inside(root, file) ? file : undefined;
}

/** The encoding to answer with: brotli if accepted, else gzip, else none (`q=0` refuses one). */
export function pickEncoding(header: string | string[] | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined;
}

/** Compressed copies, by `path|mtime|encoding`. */
type Cache = Map<string, Promise<Buffer>>;

function compressed(cache: Cache, file: string, mtimeMs: number, encoding: Encoding): Promise<Buffer> {
  const key = `${file}|${mtimeMs}|${encoding}`;
  let hit = cache.get(key);
  if (!hit) {
    for (const k of cache.keys()) if (k.startsWith(`${file}|`)) cache.delete(k);
    hit = readFile(file).then(compressors[encoding]);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

function notModified(req: IncomingMessage, etag: string, mtimeMs: number): boolean {
  const match = req.headers['if-none-match'];
  if (match !== undefined) return match.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

async function handle(root: string, cache: Cache, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'Method Not Allowed');
    return;
  }
  let file = resolvePath(root, req.url ?? '/');
  if (!file) {
    send(res, 403, 'Forbidden');
    return;
  }
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  // A symlink inside the root may point anywhere: what counts is where the file really is.
  const real = info?.isFile() ? await realpath(file).catch(() => undefined) : undefined;
  if (!info?.isFile() || !real || !inside(root, real)) {
    send(res, 404, 'Not Found');
    return;
  }
  const ext = extname(real).toLowerCase();
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const hashed = relative(root, real).split(sep)[0] === 'assets';
  const encoding =
    COMPRESSIBLE.has(ext) && info.size >= MIN_COMPRESS
      ? pickEncoding(req.headers['accept-encoding'])
      : undefined;
  const headers: Record<string, string | number> = {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'cache-control': hashed ? IMMUTABLE : 'no-cache',
    etag,
    'last-modified': new Date(info.mtimeMs).toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (COMPRESSIBLE.has(ext)) headers.vary = 'Accept-Encoding';
  if (notModified(req, etag, info.mtimeMs)) {
    delete headers['content-type'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (encoding) {
    const body = await compressed(cache, real, info.mtimeMs, encoding);
    res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(real)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Serves `root` on http://127.0.0.1:`port`/ (never on other interfaces). Resolves once listening; rejects if the
 * port is taken or `root` is not a directory.
 */
export async function serve({ port = 0, root }: ServeOptions): Promise<Served> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`serve: port must be an integer in [0, 65535], got ${String(port)}`);
  }
  const info = await stat(resolve(root)).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`serve: root ${resolve(root)} is not a directory`);
  const dir = await realpath(resolve(root));
  const cache: Cache = new Map();

  const server = createServer((req, res) => {
    handle(dir, cache, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      fail(
        new Error(
          e.code === 'EADDRINUSE'
            ? `serve: port ${port} on ${HOST} is already in use`
            : `serve: ${e.message}`,
        ),
      );
    });
    server.listen(port, HOST, () => {
      ok();
    });
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${HOST}:${actual}/`,
    port: actual,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((e) => {
          if (e) fail(e);
          else ok();
        });
        server.closeAllConnections();
      }),
  };
}
