/** Plain-text tables for the terminal: left-aligned text, right-aligned numbers, no colours. */

export type Cell = string | number;

/** Formats a number for a table: fixed decimals, with `NaN`/`∞` spelled out. */
export function fmt(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e9)) return x.toExponential(digits - 1);
  return x.toFixed(digits);
}

/** Fixed decimals (no exponent), `NaN`/`Infinity` spelled out: for tables of scores in [0, 1]. */
export function fixed(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : fmt(x);
}

/**
 * Renders rows under a header. Numbers are formatted with {@link fmt} and right-aligned; a column is
 * right-aligned when all its non-empty cells are numbers or look like numbers.
 */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[], digits = 4): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c, digits) : c)));
  const numeric = header.map((_, j) =>
    rows.every((r) => {
      const c = r[j] as Cell | undefined;
      return typeof c === 'number' || /^[*\s]*[-+]?(\d|NaN|Infinity)/.test(c ?? '');
    }),
  );
  const width = header.map((h, j) => Math.max(h.length, ...text.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => (numeric[j] && j > 0 ? c.padStart(width[j]) : c.padEnd(width[j])))
      .join('  ')
      .trimEnd();
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** Wraps text to `width` columns, indenting every line by `indent` spaces. */
export function wrap(text: string, width = 88, indent = 2): string {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width - indent) {
        out.push(pad + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(pad + line);
  }
  return out.join('\n');
}

/** Indents every line of `text` by `n` spaces. */
export function indent(text: string, n = 2): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}
