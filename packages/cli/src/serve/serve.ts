/**
 * A tiny static file server for the explorer page (`losskit serve`): GET and HEAD only, bound to 127.0.0.1, no
 * directory listings, nothing outside `root`. No dependencies beyond `node:http`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  if (!info?.isFile()) {
    send(res, 404, 'Not Found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
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
  const dir = resolve(root);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`serve: root ${dir} is not a directory`);

  const server = createServer((req, res) => {
    handle(dir, req, res).catch(() => {
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
