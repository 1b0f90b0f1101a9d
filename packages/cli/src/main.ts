#!/usr/bin/env node
/**
 * The `losskit` binary. Results go to stdout; notes, warnings and progress to stderr. Exit codes: 0 success,
 * 2 bad usage or input (one-line message naming the file and the problem), 1 internal error.
 */
import { runCli } from './program.ts';

// `losskit list | head`: a closed pipe is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), {
  out: (text) => {
    process.stdout.write(`${text}\n`);
  },
  err: (text) => {
    process.stderr.write(`${text}\n`);
  },
  errStream: process.stderr,
  // `isTTY` is undefined, not false, when stderr is a pipe or a file.
  errIsTTY: (process.stderr as { isTTY?: boolean }).isTTY ?? false,
});
process.exitCode = code;
