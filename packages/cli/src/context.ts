/** What a command may touch: its output streams. Tests pass buffers; the binary passes the process's. */
export interface Cli {
  /** Writes a line (or block) to stdout: results only. */
  out(text: string): void;
  /** Writes a line to stderr: notes, warnings. */
  err(text: string): void;
  /** The stream progress bars draw on (stderr). */
  readonly errStream: NodeJS.WritableStream;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  readonly errIsTTY: boolean;
}
