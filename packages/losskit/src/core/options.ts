import { closestNames, matchEnum } from '../util/names.ts';
import type { LossInfo, OptionValue, ParamInfo, ParamType } from './types.ts';

/** Options after validation: every parameter present, enum values in canonical spelling. */
export type Resolved<O> = { readonly [K in keyof O]-?: Exclude<O[K], undefined> };

type TypeValue<T, V> = T extends 'number' | 'integer'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'enum'
      ? V
      : T extends 'number[]'
        ? readonly number[]
        : T extends 'null'
          ? null
          : never;

/** The value type a parameter accepts: enum `values` become string literals, `['number', 'null']` `number | null`. */
export type ParamValue<P extends ParamInfo> = TypeValue<
  P['type'] extends readonly (infer T)[] ? T : P['type'],
  P['values'] extends readonly (infer V)[] ? V : string
>;

/**
 * The options type of a parameter list declared with `as const` (or `param`): the ParamInfo objects are the one
 * place an option's name, type and default are written, so the TypeScript type is derived rather than repeated.
 */
export type OptionsOf<Ps extends readonly ParamInfo[]> = {
  readonly [P in Ps[number] as P['name']]?: ParamValue<P>;
};

/** `OptionsOf` after `resolveOptions`: every option present. */
export type ResolvedOf<Ps extends readonly ParamInfo[]> = Resolved<OptionsOf<Ps>>;

/** Declares one parameter keeping its literal types, so that `OptionsOf` can read them. */
export function param<const P extends ParamInfo>(p: P): P {
  return p;
}

/** A preset table: preset name → a partial options object (canonical option names). */
export type PresetTable = Readonly<Record<string, Readonly<Record<string, OptionValue>>>>;

/** Maps every accepted key (canonical names and aliases) to its parameter. */
function keyTable(params: readonly ParamInfo[]): Map<string, ParamInfo> {
  const byKey = new Map<string, ParamInfo>();
  for (const p of params) {
    byKey.set(p.name, p);
    for (const a of p.aliases ?? []) byKey.set(a, p);
  }
  return byKey;
}

/**
 * Merges the row of `presets` chosen by the `preset` option under the explicit options, keeping only the options
 * `params` declares (a key given under an alias counts as given). Without a `preset` parameter, or with a value
 * that names no row, the options pass through unchanged (`resolveOptions` then rejects an unknown preset).
 */
export function applyPresets(params: readonly ParamInfo[], options: unknown, presets: PresetTable): unknown {
  const presetParam = params.find((p) => p.name === 'preset');
  if (!presetParam || options === null || typeof options !== 'object' || Array.isArray(options))
    return options;
  const given = options as Record<string, unknown>;
  const raw = given.preset;
  if (typeof raw !== 'string') return options;
  const name = matchEnum(raw, presetParam.values ?? Object.keys(presets));
  const row = name === undefined ? undefined : presets[name];
  if (!row) return options;
  const byKey = keyTable(params);
  const explicit = new Set(
    Object.entries(given)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => byKey.get(k)?.name ?? k),
  );
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (byKey.get(k)?.name === k && !explicit.has(k)) merged[k] = v;
  for (const [k, v] of Object.entries(given)) if (v !== undefined) merged[k] = v;
  return merged;
}

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

/**
 * The largest finite float32, `(2 − 2⁻²³)·2¹²⁷`. Options become float32 tensor values, so a larger magnitude would
 * turn into ±Infinity inside the computation (`smoothNr: 1e308` gives −Infinity); such values are rejected.
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

const inFloat32 = (x: unknown): x is number =>
  typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= FLOAT32_MAX;

/** Tries one type; returns the accepted (possibly canonicalised) value, or `undefined`. */
function accept(value: unknown, type: ParamType, p: ParamInfo): OptionValue | undefined {
  switch (type) {
    case 'null':
      return value === null ? null : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'number':
      return inFloat32(value) ? value : undefined;
    case 'integer':
      return inFloat32(value) && Number.isInteger(value) ? value : undefined;
    case 'enum':
      return typeof value === 'string' ? matchEnum(value, p.values ?? []) : undefined;
    case 'number[]':
      return Array.isArray(value) && value.every(inFloat32) ? Object.freeze([...value]) : undefined;
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
  const raw = (options ?? {}) as Record<string, unknown>;
  const byKey = keyTable(params);
  // Aliases resolve to the canonical name; giving both (or two aliases of one option) is ambiguous.
  const given: Record<string, unknown> = {};
  const keyOf = new Map<string, string>();
  for (const key of Object.keys(raw)) {
    const p = byKey.get(key);
    if (!p) {
      const close = closestNames(key, [...byKey.keys()]);
      const hint = close.length ? ` Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : '';
      const known = params.length
        ? ` Known options: ${params.map((q) => q.name).join(', ')}.`
        : ' It takes no options.';
      throw new Error(`${owner}: unknown option '${key}'.${hint}${known}`);
    }
    if (raw[key] === undefined) continue;
    const first = keyOf.get(p.name);
    if (first !== undefined) {
      throw new Error(
        `${owner}: options '${first}' and '${key}' both set option '${p.name}' ` +
          `(${[p.name, ...(p.aliases ?? [])].map((n) => `'${n}'`).join(', ')} are one option); give one`,
      );
    }
    keyOf.set(p.name, key);
    given[p.name] = raw[key];
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
      const key = keyOf.get(p.name) ?? p.name;
      const as = key === p.name ? '' : ` (given as '${key}')`;
      const huge = [value].flat().some((x) => typeof x === 'number' && Number.isFinite(x) && !inFloat32(x));
      const limit = huge ? ` (beyond float32's range, |x| ≤ ${FLOAT32_MAX})` : '';
      throw new Error(
        `${owner}: option '${p.name}'${as} must be ${expected(p)}${limit}, got ${describe(value)}`,
      );
    }
    out[p.name] = ok;
  }
  return Object.freeze(out) as Resolved<O>;
}

/**
 * A loss's or metric's options as binding it resolves them: the `preset` row merged in first (`applyPresets`, when
 * the entry has a preset table), then `resolveOptions` under the entry's id.
 */
export function resolveWithPresets<O>(
  info: Pick<LossInfo, 'id' | 'params'>,
  options: unknown,
  presets: PresetTable | undefined,
): Resolved<O> {
  const given = presets ? applyPresets(info.params, options, presets) : options;
  return resolveOptions<O>(info.id, info.params, given);
}
