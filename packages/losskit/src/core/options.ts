import { closestNames, matchEnum } from '../util/names.ts';
import type { OptionValue, ParamInfo, ParamType } from './types.ts';

/** Options after validation: every parameter present, enum values in canonical spelling. */
export type Resolved<O> = { readonly [K in keyof O]-?: Exclude<O[K], undefined> };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array [${value.map((v) => describe(v)).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function inRange(x: number, p: ParamInfo): boolean {
  if (!p.range) return true;
  const [lo, hi] = p.range;
  const exMin = p.exclusive === 'min' || p.exclusive === 'both';
  const exMax = p.exclusive === 'max' || p.exclusive === 'both';
  return (exMin ? x > lo : x >= lo) && (exMax ? x < hi : x <= hi);
}

function rangeText(p: ParamInfo): string {
  if (!p.range) return '';
  const [lo, hi] = p.range;
  const open = p.exclusive === 'min' || p.exclusive === 'both' ? '(' : '[';
  const close = p.exclusive === 'max' || p.exclusive === 'both' ? ')' : ']';
  const fmt = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '-∞' : String(x));
  return `${open}${fmt(lo)}, ${fmt(hi)}${close}`;
}

/** Tries one type; returns the accepted (possibly canonicalised) value, or `undefined`. */
function accept(value: unknown, type: ParamType, p: ParamInfo): OptionValue | undefined {
  switch (type) {
    case 'null':
      return value === null ? null : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
    case 'enum':
      return typeof value === 'string' ? matchEnum(value, p.values ?? []) : undefined;
    case 'number[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
        ? Object.freeze([...(value as number[])])
        : undefined;
  }
}

function expected(p: ParamInfo): string {
  const types = typeof p.type === 'string' ? [p.type] : p.type;
  const parts = types.map((t) => {
    if (t === 'enum') return `one of ${(p.values ?? []).map((v) => `'${v}'`).join(', ')}`;
    if (t === 'number[]') return `an array of numbers${p.range ? ` in ${rangeText(p)}` : ''}`;
    if (t === 'number' || t === 'integer')
      return `${t === 'integer' ? 'an integer' : 'a finite number'}${p.range ? ` in ${rangeText(p)}` : ''}`;
    if (t === 'boolean') return 'a boolean';
    return 'null';
  });
  return parts.join(' or ');
}

/**
 * Validates a user's options against a parameter list and fills in defaults, before any tensor work.
 * Throws an `Error` naming `owner` and the option for an unknown key (with the closest names), a value of
 * the wrong type, or a number out of range.
 */
export function resolveOptions<O>(
  owner: string,
  params: readonly ParamInfo[],
  options: unknown,
): Resolved<O> {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error(`${owner}: options must be an object, got ${describe(options)}`);
  }
  const given = (options ?? {}) as Record<string, unknown>;
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const key of Object.keys(given)) {
    if (!byName.has(key)) {
      const close = closestNames(key, [...byName.keys()]);
      const hint = close.length ? ` Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : '';
      const known = params.length
        ? ` Known options: ${params.map((p) => p.name).join(', ')}.`
        : ' It takes no options.';
      throw new Error(`${owner}: unknown option '${key}'.${hint}${known}`);
    }
  }
  const out: Record<string, OptionValue> = {};
  for (const p of params) {
    const value = given[p.name];
    if (value === undefined) {
      out[p.name] = p.default;
      continue;
    }
    const types = typeof p.type === 'string' ? [p.type] : p.type;
    let ok: OptionValue | undefined;
    for (const t of types) {
      ok = accept(value, t, p);
      if (ok !== undefined) break;
    }
    const numbers = typeof ok === 'number' ? [ok] : Array.isArray(ok) ? (ok as readonly number[]) : [];
    if (ok === undefined || !numbers.every((x) => inRange(x, p))) {
      throw new Error(`${owner}: option '${p.name}' must be ${expected(p)}, got ${describe(value)}`);
    }
    out[p.name] = ok;
  }
  return Object.freeze(out) as Resolved<O>;
}
