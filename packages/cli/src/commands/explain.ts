/** `losskit explain <name>`: a loss's or metric's catalog entry, for people. */
import type { ParamInfo } from 'losskit';
import type { Cli } from '../context.ts';
import { toJson } from '../json.ts';
import { lookup, snakeName } from '../lookup.ts';
import { wrap } from '../table.ts';

/** `[0, ∞)`-style text for a parameter's range, or `''`. */
export function rangeText(p: ParamInfo): string {
  if (p.values?.length) return p.values.join(' | ');
  if (!p.range) return '';
  const [lo, hi] = p.range;
  const open = p.exclusive === 'min' || p.exclusive === 'both' ? '(' : '[';
  const close = p.exclusive === 'max' || p.exclusive === 'both' ? ')' : ']';
  const f = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '-∞' : String(x));
  return `${open}${f(lo)}, ${f(hi)}${close}`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

export function explainCommand(cli: Cli, name: string, opts: { json?: boolean }): void {
  const entry = lookup(name);
  const { info } = entry;
  if (opts.json) {
    // Every parameter lists its aliases (old spellings still accepted), [] when it has none, so scripts can rely on it.
    const params = info.params.map((p) => ({ ...p, aliases: p.aliases ?? [] }));
    cli.out(toJson({ kind: entry.kind, ...info, params }));
    return;
  }
  const lines: string[] = [];
  const names = [...new Set([snakeName(info.id), ...info.aliases])].filter((n) => n !== info.id);
  lines.push(`${info.id} — ${entry.kind}, ${info.task}`);
  if (names.length) lines.push(`  also: ${names.join(', ')}`);
  lines.push('', wrap(info.summary, 100, 0));
  lines.push('', 'Formula:', wrap(info.formula, 100, 2));
  if ('higherIsBetter' in info) lines.push('', `Higher is better: ${info.higherIsBetter ? 'yes' : 'no'}`);
  lines.push('', 'When to use:', wrap(info.whenToUse, 100, 2));
  lines.push('', 'Parameters:');
  if (info.params.length === 0) lines.push('  none');
  for (const p of info.params) {
    const types = (typeof p.type === 'string' ? [p.type] : p.type).join(' | ');
    const range = rangeText(p);
    lines.push(
      `  ${p.name}: ${types} = ${valueText(p.default)}${range ? `, ${p.values?.length ? 'one of' : 'in'} ${range}` : ''}`,
    );
    if (p.aliases?.length) lines.push(`      also accepted as: ${p.aliases.join(', ')}`);
    lines.push(wrap(p.doc, 100, 6));
  }
  lines.push('', 'References:');
  for (const r of info.references) lines.push(`  - ${r}`);
  if (info.references.length === 0) lines.push('  none');
  lines.push(
    '',
    `Example: losskit eval ${snakeName(info.id)} --true truth.png --pred pred.png` +
      (info.params.length
        ? ` --options '{"${info.params[0].name}": ${JSON.stringify(info.params[0].default)}}'`
        : ''),
  );
  cli.out(lines.join('\n'));
}
