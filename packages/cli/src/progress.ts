/**
 * Progress for long commands: a cli-progress bar on stderr, drawn only when stderr is a terminal, and
 * one-line notes (also stderr) that appear above the bar. stdout stays clean for tables and JSON.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface Progress {
  /** Starts (or restarts) the bar at 0 of `total`. */
  start(total: number, payload: Record<string, string>): void;
  update(value: number, payload: Record<string, string>): void;
  /** A line on stderr, above the bar when one is drawn. */
  note(line: string): void;
  stop(): void;
}

/** A bar on `stream` when `tty` is true; otherwise notes only. `quiet` drops the notes too. */
export function makeProgress(stream: NodeJS.WritableStream, tty: boolean, quiet = false): Progress {
  if (!tty) {
    return {
      start: () => undefined,
      update: () => undefined,
      note: (line) => {
        if (!quiet) stream.write(`${line}\n`);
      },
      stop: () => undefined,
    };
  }
  let multi: MultiBar | undefined;
  let bar: SingleBar | undefined;
  return {
    start(total, payload) {
      multi ??= new MultiBar(
        {
          stream,
          format: ' {bar} {percentage}% | {value}/{total} epochs | eta {eta_formatted} | {what}',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      bar = multi.create(total, 0, payload);
    },
    update(value, payload) {
      bar?.update(value, payload);
    },
    note(line) {
      if (quiet) return;
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      multi?.stop();
      multi = undefined;
      bar = undefined;
    },
  };
}
