/** What `meterBuffers` measured for one call. */
export interface BufferMeter<T> {
  readonly result: T;
  /** The highest total of live bytes while `fn` ran, above what was live before (allocated in the call). */
  readonly peak: number;
  /** Bytes the call allocated that are still live after it. */
  readonly held: number;
}

/** Runs `fn` with the active backend's buffer allocations metered. */
export function meterBuffers<T>(fn: () => T): BufferMeter<T>;
