/**
 * How the page turns a catalog `ParamInfo` into a control. DOM-free, so the rules can be read (and tested)
 * on their own. Every numeric parameter with a range gets a slider; booleans a checkbox; enums a select.
 */
import type { OptionValue, ParamInfo, ParamType } from 'losskit';

/**
 * Options that fix the *shape* or *meaning* of the inputs rather than the loss's behaviour. The page sets these
 * itself (the sweep layout and the probability/logit toggle decide them), so they get no control.
 */
export const STRUCTURAL = new Set([
  'reduction',
  'axis',
  'fromLogits',
  'activation',
  'sparseLabels',
  'ignoreIndex',
  'ignoreClass',
  'sampleWeight',
]);

export function typesOf(p: ParamInfo): readonly ParamType[] {
  return typeof p.type === 'string' ? [p.type] : p.type;
}

/** A slider's mapping between its integer position and the parameter's value. */
export interface SliderScale {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** Logarithmic for small positive defaults (smoothing 1e-5, eps 1e-7): a linear slider could not reach them. */
  readonly log: boolean;
  /** Number of slider steps. */
  readonly steps: number;
}

/** Alternatives to a number that a parameter may take instead (`null` = "auto", or enum values). */
export type Alternative = { readonly label: string; readonly value: OptionValue };

export interface ControlSpec {
  readonly param: ParamInfo;
  readonly kind: 'slider' | 'checkbox' | 'select';
  /** Slider parameters only. */
  readonly scale?: SliderScale;
  /** Non-numeric values a slider parameter may take instead of a number, e.g. null or 'auto'. */
  readonly alternatives: readonly Alternative[];
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The displayed range of a number parameter: the catalog's range, with an infinite end made finite. */
export function sliderScale(p: ParamInfo): SliderScale | undefined {
  const types = typesOf(p);
  const integer = !types.includes('number') && types.includes('integer');
  if (!p.range || !(types.includes('number') || types.includes('integer'))) return undefined;
  let [lo, hi] = p.range;
  const def = isFiniteNumber(p.default) ? p.default : undefined;
  if (!Number.isFinite(lo)) lo = Math.min(-1, def === undefined ? -1 : -4 * Math.abs(def));
  if (!Number.isFinite(hi))
    hi = Math.max(lo + 1, integer ? 10 : 1, def === undefined ? 1 : 4 * Math.abs(def));
  const exMin = p.exclusive === 'min' || p.exclusive === 'both';
  const exMax = p.exclusive === 'max' || p.exclusive === 'both';
  const log = !integer && def !== undefined && def > 0 && def < 1e-2 * (hi - lo) && lo >= 0;
  if (log) {
    const a = Math.max(def / 100, lo > 0 ? lo : 0);
    return { min: a, max: exMax ? hi * 0.999 : hi, integer, log, steps: 400 };
  }
  if (integer) {
    const a = exMin ? Math.floor(lo) + 1 : Math.ceil(lo);
    const b = exMax ? Math.ceil(hi) - 1 : Math.floor(hi);
    return { min: a, max: b, integer, log, steps: Math.max(1, b - a) };
  }
  const span = hi - lo;
  return { min: exMin ? lo + span / 400 : lo, max: exMax ? hi - span / 400 : hi, integer, log, steps: 400 };
}

export function positionToValue(s: SliderScale, pos: number): number {
  const t = Math.min(1, Math.max(0, pos / s.steps));
  if (s.log) return roundSig(Math.exp(Math.log(s.min) + t * (Math.log(s.max) - Math.log(s.min))), 3);
  const v = s.min + t * (s.max - s.min);
  return s.integer ? Math.round(v) : roundSig(v, 4);
}

export function valueToPosition(s: SliderScale, v: number): number {
  const c = Math.min(s.max, Math.max(s.min, v));
  const t = s.log
    ? (Math.log(c) - Math.log(s.min)) / (Math.log(s.max) - Math.log(s.min))
    : (c - s.min) / (s.max - s.min || 1);
  return Math.round(t * s.steps);
}

/** Rounds to `n` significant digits; keeps slider values readable (0.35, not 0.35000000000000003). */
export function roundSig(x: number, n: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(n));
}

/** The control for one parameter, or `undefined` when the page leaves it at its default. */
export function controlFor(p: ParamInfo): ControlSpec | undefined {
  if (STRUCTURAL.has(p.name)) return undefined;
  const types = typesOf(p);
  const scale = sliderScale(p);
  const alternatives: Alternative[] = [];
  if (types.includes('null')) alternatives.push({ label: 'auto', value: null });
  if (types.includes('enum')) for (const v of p.values ?? []) alternatives.push({ label: v, value: v });
  if (scale) return { param: p, kind: 'slider', scale, alternatives };
  if (types.length === 1 && types[0] === 'boolean') return { param: p, kind: 'checkbox', alternatives };
  if (types.includes('enum') && alternatives.length > 1) return { param: p, kind: 'select', alternatives };
  return undefined;
}

/** Formats a parameter value for a label. */
export function formatValue(v: OptionValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return `[${(v as readonly number[]).map(formatNumber).join(', ')}]`;
  return String(v);
}

/** Compact number formatting for tables and labels: 4 significant digits, exponent for tiny or huge values. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}
