/**
 * User errors: bad usage or bad input. The CLI prints their one-line message (no stack trace) and exits 2.
 * Anything else that escapes a command is a bug in losskit and is reported as such (exit 1).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The first line of an error's message, for one-line reports. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((l) => l.trim() !== '') ?? text;
}
