/**
 * JSON for the CLI's `--json` output. JSON has no literal for non-finite numbers, and `JSON.stringify`
 * silently writes `null` for them; api.md asks for the strings "NaN", "Infinity" and "-Infinity" instead.
 */

/** A JSON replacer that writes non-finite numbers as strings and typed arrays as plain arrays. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as Float32Array);
  return value;
}

/** `JSON.stringify` with non-finite numbers as `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, replacer, indent);
}

/** Reads a number written by {@link toJson} back (the strings become the non-finite numbers again). */
export function fromJsonNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  throw new Error(`not a JSON number: ${JSON.stringify(value)}`);
}
