/** `losskit serve [--port N]`: serves the built explorer page on 127.0.0.1 until interrupted. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { explorerRoot, serve } from '../serve/serve.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../errors.ts';

/** The port tried first when none is given; a taken default falls back to a free port. */
export const DEFAULT_PORT = 8177;

export interface ServeCommandOptions {
  readonly port?: number;
  readonly root?: string;
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
function interrupted(): Promise<void> {
  return new Promise((ok) => {
    process.once('SIGINT', () => {
      ok();
    });
    process.once('SIGTERM', () => {
      ok();
    });
  });
}

/**
 * Serves until `until` settles (by default until SIGINT/SIGTERM), then closes the server. An explicit `--port`
 * that is taken is an error; the default port quietly falls back to one the system picks.
 */
export async function serveCommand(
  cli: Cli,
  opts: ServeCommandOptions,
  until: Promise<void> = interrupted(),
): Promise<void> {
  const root = opts.root ?? explorerRoot();
  if (!existsSync(join(root, 'index.html'))) {
    throw new UsageError(`no explorer page in ${root} (from a checkout, build it first: npm run build)`);
  }
  let served;
  try {
    served = await serve({ port: opts.port ?? DEFAULT_PORT, root });
  } catch (e) {
    if (opts.port !== undefined) throw new UsageError(e instanceof Error ? e.message : String(e));
    served = await serve({ port: 0, root });
  }
  cli.out(`losskit explorer: ${served.url}`);
  cli.err('press Ctrl-C to stop');
  await until;
  await served.close();
}
