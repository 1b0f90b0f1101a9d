/**
 * `losskit eval <names> --true FILE|DIR --pred FILE|DIR`: one or several losses or metrics on two files, or on
 * every pair of files of two folders.
 *
 * How file values become inputs:
 * - JSON: the numbers as written. NIfTI: the stored values after `scl_slope`/`scl_inter`.
 * - PNG: a file whose only values are 0 and 1 is a mask as is; any other PNG is divided by its bit depth's
 *   maximum (255 or 65535), so a 0/255 mask becomes 0/1 and gray levels become probabilities.
 * - Label mode: when `--labels` is given, or when the `--true` file holds integers other than 0 and 1 (a PNG's
 *   maximum value excepted), both files are integer label maps (stored values, not rescaled) and each metric is
 *   evaluated once per label on the binary masks `true == label` and `pred == label`. Labels default to every
 *   non-zero label in either file (said on stderr). More than 100 labels are accepted when both files are
 *   NIfTI label maps; in a JSON or PNG file they are taken for an intensity image.
 * - Layout: a segmentation loss or metric gets `[1, ...shape, 1]` (one image, one channel); other losses get the
 *   JSON array's own shape (`--raw-shape` passes segmentation inputs as written too, e.g. `[batch, H, W, C]`).
 *   `sparse_categorical_crossentropy` takes labels `[N]` (or `[N, 1]`) against predictions `[N, C]`.
 * - Spacing: `--spacing`, else the `--true` file's NIfTI `pixdim` (array-axis order: i, j, k), else 1 per axis;
 *   passed to losses and metrics that take a `spacing` option.
 * - Engine: the catalog metrics on hard masks (overlap scores, Hausdorff, ASD, surface Dice) go through
 *   `evaluateLabels` of `losskit/distance` (one pass for all labels' counts, then the surface distances of all
 *   labels together; NIfTI label maps in their stored voxel order, without a transpose), rounded as the float32
 *   tensor metrics round, so that the values are theirs; anything else (losses, soft predictions, options the
 *   engine does not model) runs the tensor function per label.
 * - Loading: metrics are found and their options resolved by `losskit/distance`; `losskit` itself, and with it
 *   TensorFlow.js (most of a label evaluation's start-up), is imported only for a loss, for a name that is not a
 *   metric's as given, or to compute on tensors.
 */
import {
  evaluateLabels,
  LABEL_METRICS,
  LabelMapError,
  metricInfo,
  resolveMetricOptions,
  type LabelMetricSpec,
  type ParamInfo,
} from 'losskit/distance';
import type * as TF from '@tensorflow/tfjs';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { Cli } from '../context.ts';
import { UsageError, firstLine } from '../errors.ts';
import { readVolume, type IntegerArray, type Volume } from '../io.ts';
import { toJson } from '../json.ts';
import type { Entry } from '../lookup.ts';
import { fmt, table } from '../table.ts';
import { evalFolders } from './eval-folder.ts';

export interface EvalOptions {
  readonly true: string;
  readonly pred: string;
  readonly options?: string;
  readonly spacing?: string;
  readonly labels?: string;
  readonly rawShape?: boolean;
  readonly json?: boolean;
  readonly csv?: string;
}

/** Parses a comma-separated list of numbers; `what` names the flag in errors. */
export function parseNumberList(text: string, what: string, integer = false): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const bad = parts.findIndex(
    (s, i) => s === '' || !Number.isFinite(values[i]) || (integer && !Number.isInteger(values[i])),
  );
  if (bad >= 0)
    throw new UsageError(
      `${what}: '${parts[bad]}' is not ${integer ? 'an integer' : 'a number'} (expected e.g. ${integer ? '1,2' : '1,1,2.5'})`,
    );
  return values;
}

function parseOptions(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--options: invalid JSON (${firstLine(e)}); e.g. --options '{"alpha": 0.3}'`);
  }
  if (!isObject(value)) throw new UsageError(`--options: expected a JSON object, e.g. '{"alpha": 0.3}'`);
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

// ------------------------------------------------------------------------------------ metric list

/** One loss or metric of the list, with its `name:key=value` options and its key in the output. */
export interface Spec {
  readonly entry: Entry;
  readonly key: string;
  readonly inline: Readonly<Record<string, unknown>>;
}

/**
 * The loss or metric called `name`, as `lookup(name, 'metric')` finds it. A metric's name as given is found
 * without the catalog; the catalog is loaded for anything else, since with its `_loss` suffix added or removed a
 * name may be a loss's before a metric's (`iou_loss`).
 */
async function findEntry(name: string): Promise<Entry> {
  const info = metricInfo(name, { lossSuffix: false });
  if (info) return { kind: 'metric', info };
  const { lookup } = await import('../lookup.ts');
  return lookup(name, 'metric');
}

/**
 * The id of the metric a key of `--options` names, as `findCatalogEntries(key).metric` has it. Only a key that
 * names a metric with its `_loss` suffix changed needs the catalog, to tell whether it names a loss as given.
 */
async function metricIdOf(key: string): Promise<string | undefined> {
  const info = metricInfo(key, { lossSuffix: false });
  if (info) return info.id;
  if (!metricInfo(key)) return undefined;
  const { findCatalogEntries } = await import('losskit');
  return findCatalogEntries(key).metric?.id;
}

/**
 * `dice_coefficient,hausdorff_distance:percentile=95` → specs. Commas inside brackets do not split. A metric is
 * keyed by its id, or by `id(key=value,…)` when the list gives it options (so one metric can be listed twice).
 */
export async function parseSpecs(text: string): Promise<Spec[]> {
  const items: string[] = [''];
  let depth = 0;
  for (const ch of text) {
    depth += ch === '[' || ch === '{' ? 1 : ch === ']' || ch === '}' ? -1 : 0;
    if (ch === ',' && depth <= 0) items.push('');
    else items[items.length - 1] += ch;
  }
  const parsed = [];
  for (const item of items.map((s) => s.trim()).filter(Boolean)) {
    const [name, ...pairs] = item.split(':');
    const inline: Record<string, unknown> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`'${item}': expected name:key=value, got ':${pair}'`);
      const raw = pair.slice(eq + 1);
      try {
        inline[pair.slice(0, eq)] = JSON.parse(raw);
      } catch {
        inline[pair.slice(0, eq)] = raw;
      }
    }
    parsed.push({ entry: await findEntry(name.trim()), inline, pairs });
  }
  if (parsed.length === 0) throw new UsageError(`expected a loss or metric name`);
  const keys = parsed.map((p) =>
    p.pairs.length ? `${p.entry.info.id}(${p.pairs.join(',')})` : p.entry.info.id,
  );
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup)
    throw new UsageError(`'${dup}' is listed twice; give the repeated metric options, e.g. name:key=value`);
  return parsed.map((p, i) => ({ entry: p.entry, key: keys[i], inline: p.inline }));
}

const paramNames = (s: Spec): string[] => s.entry.info.params.map((p: ParamInfo) => p.name);

/**
 * The options of each spec: `--options` as a whole for one name; with several, an object keyed by metric (id,
 * any spelling, or output key) gives each its own, and otherwise each option goes to every metric that takes it.
 */
async function optionsPerSpec(
  specs: readonly Spec[],
  user: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  if (specs.length === 1) return [{ ...user, ...specs[0].inline }];
  // The spec a key names; its metric id is looked up only when no spec's output key comes first.
  const owner = async (k: string) => {
    let id: Promise<string | undefined> | undefined;
    for (const s of specs) if (k === s.key || (await (id ??= metricIdOf(k))) === s.entry.info.id) return s;
    return undefined;
  };
  const keys = Object.keys(user);
  const owners = new Map<string, Spec>();
  for (const k of keys) {
    const s = isObject(user[k]) ? await owner(k) : undefined;
    if (!s) break;
    owners.set(k, s);
  }
  if (keys.length && owners.size === keys.length)
    return specs.map((s) => ({ ...(user[keys.find((k) => owners.get(k) === s)!] as object), ...s.inline }));
  for (const k of keys)
    if (!specs.some((s) => paramNames(s).includes(k)))
      throw new UsageError(
        `--options: no listed metric takes option '${k}' (${specs.map((s) => s.entry.info.id).join(', ')})`,
      );
  return specs.map((s) => ({
    ...Object.fromEntries(keys.filter((k) => paramNames(s).includes(k)).map((k) => [k, user[k]])),
    ...s.inline,
  }));
}

// ------------------------------------------------------------------------------------------ values

/**
 * A file's values as label mode reads them: its stored integers when it has them (in the file's voxel order, for
 * what does not depend on it), else its float values.
 */
type LabelData = IntegerArray | Float32Array;
const labelData = (v: Volume): LabelData => v.stored ?? v.integers ?? v.data;

const integers = new WeakMap<LabelData, boolean>();

/** Whether every value is an integer (cached per array: label volumes are large). */
function isInteger(data: LabelData): boolean {
  if (!(data instanceof Float32Array)) return true;
  let known = integers.get(data);
  if (known === undefined) {
    known = true;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v !== Math.floor(v)) {
        known = false;
        break;
      }
    }
    integers.set(data, known);
  }
  return known;
}

/** The distinct non-zero values of integer arrays, ascending, or undefined past `limit` of them. */
function labelsIn(arrays: readonly LabelData[], limit: number): number[] | undefined {
  let min = 0;
  let max = 0;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      if (a[i] < min) min = a[i];
      if (a[i] > max) max = a[i];
    }
  if (max - min > 1 << 24) {
    const set = new Set<number>();
    for (const a of arrays) for (const v of a) if (v !== 0 && set.add(v).size > limit) return undefined;
    return [...set].sort((x, y) => x - y);
  }
  const seen = new Uint8Array(max - min + 1);
  for (const a of arrays) for (let i = 0; i < a.length; i++) seen[a[i] - min] = 1;
  const out: number[] = [];
  for (let k = 0; k < seen.length; k++) if (seen[k] && k + min !== 0) out.push(k + min);
  return out.length > limit ? undefined : out;
}

/** A PNG's values as inputs: 0/1 masks as they are, anything else divided by the bit depth's maximum. */
function normalised(v: Volume): Float32Array {
  if (v.format !== 'png' || v.maxValue === undefined) return v.data;
  if (v.data.every((x) => x === 0 || x === 1)) return v.data;
  const m = v.maxValue;
  return v.data.map((x) => x / m);
}

/** Whether a file is a label map (integers beyond 0/1, a PNG's maximum value excepted). */
function looksLabelled(v: Volume): boolean {
  const data = labelData(v);
  if (!isInteger(data)) return false;
  const max = v.format === 'png' ? v.maxValue : undefined;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x !== 0 && x !== 1 && x !== max) return true;
  }
  return false;
}

const isBinary = (d: Float32Array) => d.every((x) => x === 0 || x === 1);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

/** Nested arrays of a flat row-major buffer, or the single number when it has one element. */
function nest(values: ArrayLike<number>, shape: readonly number[]): unknown {
  if (values.length === 1) return values[0];
  const rec = (offset: number, axis: number): unknown => {
    if (axis === shape.length) return values[offset];
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[axis] }, (_, i) => rec(offset + i * stride, axis + 1));
  };
  return rec(0, 0);
}

export function valueText(v: unknown): string {
  return typeof v === 'number'
    ? fmt(v, 6)
    : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

// --------------------------------------------------------------------------------------- one pair

/** A spec bound to its options for one file pair. */
interface Bound {
  readonly spec: Spec;
  /** The tensor function, made (and `losskit` loaded) on first use. */
  readonly tensorFn: () => Promise<(a: TF.Tensor, b: TF.Tensor) => TF.Tensor>;
  readonly resolved: Readonly<Record<string, unknown>>;
  /** The same metric for `evaluateLabels`, when the engine models its options. */
  readonly engine: LabelMetricSpec | undefined;
}

/** The results of every spec on one file pair. */
export interface PairResult {
  readonly shape: readonly number[];
  readonly spacing: number[];
  /** The labels evaluated (label mode), or undefined for one binary or probability evaluation. */
  readonly labels: number[] | undefined;
  /** Whether the labels were found in the files (not given with --labels). */
  readonly detected: boolean;
  /** Per spec key: `{ options, value }` or `{ options, labels: { "<label>": value } }`. */
  readonly results: Map<string, { options: Readonly<Record<string, unknown>>; value: unknown }>;
}

const SURFACE_OPTIONS: Record<string, readonly string[]> = {
  hausdorffDistance: ['percentile', 'directed', 'convention'],
  averageSurfaceDistance: ['symmetric', 'convention'],
  surfaceDice: ['tolerance'],
};

/** The engine form of a catalog metric on hard single-channel masks, or undefined when it does not model it. */
function engineSpec(
  key: string,
  entry: Entry,
  o: Readonly<Record<string, unknown>>,
): LabelMetricSpec | undefined {
  const id = entry.info.id;
  if (entry.kind !== 'metric' || !(LABEL_METRICS as readonly string[]).includes(id)) return undefined;
  const pick = (keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
  const surface = SURFACE_OPTIONS[id] as readonly string[] | undefined;
  if (surface) {
    const options = pick(surface);
    if (Array.isArray(options.tolerance)) {
      if (options.tolerance.length !== 1) return undefined;
      options.tolerance = options.tolerance[0] as unknown;
    }
    return { metric: id, key, options };
  }
  const t = o.threshold;
  const neutral =
    (o.activation ?? 'none') === 'none' &&
    o.sparseLabels !== true &&
    o.ignoreIndex == null &&
    o.classWeights == null &&
    o.preset == null &&
    (t == null || (typeof t === 'number' && t > 0));
  if (!neutral) return undefined;
  return {
    metric: id,
    key,
    options: pick(['smoothNr', 'smoothDr', 'epsClamp', 'maskEmptyClasses', 'alpha', 'beta']),
  };
}

/** A spec with its options resolved; a loss's through `getLoss`, a metric's without loading `losskit`. */
async function bind(spec: Spec, options: Record<string, unknown>): Promise<Bound> {
  const { id } = spec.entry.info;
  const getLoss = spec.entry.kind === 'loss' ? (await import('losskit')).getLoss : undefined;
  let resolved: Readonly<Record<string, unknown>>;
  let tensorFn: Bound['tensorFn'];
  try {
    if (getLoss) {
      const f = getLoss(id, options);
      resolved = f.options;
      tensorFn = () => Promise.resolve(f);
    } else {
      resolved = resolveMetricOptions(id, options);
      let made: ReturnType<Bound['tensorFn']> | undefined;
      tensorFn = () => (made ??= import('losskit').then((l) => l.getMetric(id, options)));
    }
  } catch (e) {
    throw new UsageError(firstLine(e));
  }
  return { spec, tensorFn, resolved, engine: engineSpec(spec.key, spec.entry, resolved) };
}

const list = (labels: readonly number[]) =>
  `${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', …' : ''}`;

/** Whether sparse categorical cross-entropy's labels `[N]` or `[N, 1]` go with predictions `[N, C]`. */
function sparseShapes(entry: Entry, t: readonly number[], p: readonly number[]): boolean {
  if (entry.info.id !== 'sparseCategoricalCrossentropy' || p.length < 1) return false;
  const lead = p.slice(0, -1);
  return sameShape(t, lead) || sameShape(t, [...lead, 1]);
}

/** Every spec on one pair of volumes (files `tPath`, `pPath`, named in errors). */
export async function evaluatePair(
  cli: Cli,
  specs: readonly Spec[],
  opts: EvalOptions,
  yt: Volume,
  yp: Volume,
): Promise<PairResult> {
  const [tPath, pPath] = [yt.path, yp.path];
  if (
    !sameShape(yt.shape, yp.shape) &&
    !(specs.length === 1 && sparseShapes(specs[0].entry, yt.shape, yp.shape))
  )
    throw new UsageError(
      `${pPath}: shape ${shapeText(yp.shape)} does not match --true ${tPath} shape ${shapeText(yt.shape)}`,
    );
  const user = parseOptions(opts.options);
  const takesSpacing = (s: Spec) => paramNames(s).includes('spacing');
  const notes: string[] = [];
  let spacing: number[] = yt.spacing ? [...yt.spacing] : yt.shape.map(() => 1);
  if (opts.spacing !== undefined) {
    spacing = parseNumberList(opts.spacing, '--spacing');
    if (spacing.length !== yt.shape.length || spacing.some((s) => s <= 0))
      throw new UsageError(
        `--spacing: expected ${yt.shape.length} positive numbers (one per axis of ${tPath}, shape ${shapeText(yt.shape)}), got ${opts.spacing}`,
      );
    if (!specs.some(takesSpacing)) {
      const e = specs[0].entry;
      throw new UsageError(
        specs.length === 1
          ? `--spacing: ${e.info.id} takes no spacing (it is not a distance-based ${e.kind})`
          : `--spacing: none of ${specs.map((s) => s.entry.info.id).join(', ')} takes a spacing`,
      );
    }
    if ('spacing' in user) throw new UsageError(`--spacing and --options {"spacing": …} both given; use one`);
  } else if (yt.spacing && yp.spacing && yt.spacing.some((s, i) => Math.abs(s - yp.spacing![i]) > 1e-4 * s)) {
    // Printed once the pair has been evaluated, so that an error stays the only line on stderr.
    notes.push(
      `losskit: note: voxel sizes differ (${tPath} [${yt.spacing.join(',')}], ${pPath} [${yp.spacing.join(',')}]); using --true's`,
    );
  }
  const bound: Bound[] = [];
  for (const [i, o] of (await optionsPerSpec(specs, user)).entries()) {
    const options = { ...o };
    if (takesSpacing(specs[i]) && !('spacing' in options) && !opts.rawShape) options.spacing = spacing;
    bound.push(await bind(specs[i], options));
  }

  // Label mode or a single binary/probability evaluation.
  const segmentation = bound.every((b) => b.spec.entry.info.task === 'segmentation');
  const nonSeg = bound.find((b) => b.spec.entry.info.task !== 'segmentation');
  let labels: number[] | undefined;
  let detected = false;
  if (opts.labels !== undefined) {
    if (nonSeg)
      throw new UsageError(
        `--labels: ${nonSeg.spec.entry.info.id} is not a segmentation ${nonSeg.spec.entry.kind}`,
      );
    labels = parseNumberList(opts.labels, '--labels', true);
  } else if (segmentation && looksLabelled(yt)) {
    detected = true;
    const [td, pd] = [labelData(yt), labelData(yp)];
    const atlas = yt.format === 'nifti' && yp.format === 'nifti' && isInteger(td) && isInteger(pd);
    const found = isInteger(td) && isInteger(pd) ? labelsIn([td, pd], atlas ? Infinity : 1000) : undefined;
    labels = found ?? labelsIn([td], 1000);
    if (labels === undefined || (labels.length > 100 && !atlas))
      throw new UsageError(
        `${tPath}: ${labels === undefined ? 'over 1000' : labels.length} distinct integer values; expected a mask or ` +
          `a label map (an intensity image?). Choose labels with --labels, or threshold the file first`,
      );
  }
  if (labels) {
    // Name the file that holds non-integer values, whichever it is.
    const lab = looksLabelled(yt) ? tPath : pPath;
    for (const [v, flag] of [
      [yp, '--pred'],
      [yt, '--true'],
    ] as const) {
      const data = labelData(v);
      const i = isInteger(data) ? -1 : data.findIndex((x) => !Number.isInteger(x));
      if (i >= 0)
        throw new UsageError(
          `${v.path}: label mode (${lab} holds labels ${list(labels)}) needs integer labels in ${flag}, found ${data[i]} at element ${i}`,
        );
    }
  }

  const shape = segmentation && !opts.rawShape ? [1, ...yt.shape, 1] : [...yt.shape];
  let tf: typeof TF | undefined;
  const compute = async (b: Bound, a: Float32Array, c: Float32Array, pShape = shape): Promise<unknown> => {
    const fn = await b.tensorFn();
    if (!tf) {
      // Only what the engine does not model comes here (losses, soft predictions, options it does not take), so
      // the engine's metrics never load a tfjs backend.
      const { useBackend } = await import('../backend.ts');
      await useBackend('cpu', (m) => {
        cli.err(`losskit: ${m}`);
      });
      tf = await import('@tensorflow/tfjs');
    }
    const t = tf;
    try {
      const out = t.tidy(() => fn(t.tensor(a, shape), t.tensor(c, pShape)));
      const values = out.dataSync();
      const s = out.shape;
      out.dispose();
      return nest(values, s);
    } catch (e) {
      throw new UsageError(`${b.spec.entry.info.id} on ${tPath} and ${pPath}: ${firstLine(e)}`);
    }
  };
  /**
   * The engine's values per spec key, one call per distinct spacing. `reversed`: the maps are in NIfTI file order
   * (row-major for the reversed axes), so shape and spacing are reversed too; the values do not depend on the order.
   */
  const engine = (t: LabelData, p: LabelData, ls: number[], reversed = false): Map<string, Float64Array> => {
    const out = new Map<string, Float64Array>();
    const groups = new Map<string, LabelMetricSpec[]>();
    // Metrics without a spacing join the first group that has one, so that the counts are taken once.
    const first = bound.find((x) => x.engine && 'spacing' in x.resolved)?.resolved.spacing ?? null;
    for (const b of bound.filter((x) => x.engine && !opts.rawShape)) {
      const g = JSON.stringify('spacing' in b.resolved ? (b.resolved.spacing ?? null) : first);
      groups.set(g, [...(groups.get(g) ?? []), b.engine!]);
    }
    for (const [g, metrics] of groups) {
      try {
        const spacing = JSON.parse(g) as number[] | null;
        const { values } = evaluateLabels(t, p, reversed ? [...yt.shape].reverse() : yt.shape, {
          metrics,
          labels: ls,
          spacing: reversed && spacing ? [...spacing].reverse() : spacing,
          float32: true,
        });
        for (const m of metrics) out.set(m.key!, values[m.key!]);
      } catch (e) {
        if (e instanceof LabelMapError)
          throw new UsageError(
            `${e.input === 'truth' ? tPath : pPath}: ${e.message.replace(/^evaluateLabels: /, '')}`,
          );
        throw new UsageError(firstLine(e));
      }
    }
    return out;
  };

  const results = new Map<string, { options: Readonly<Record<string, unknown>>; value: unknown }>();
  if (labels) {
    // Two NIfTI label maps go to the engine as stored, without their transposes.
    const fast =
      yt.stored && yp.stored
        ? engine(yt.stored, yp.stored, labels, true)
        : engine(yt.integers ?? yt.data, yp.integers ?? yp.data, labels);
    for (const b of bound) {
      const per: Record<string, unknown> = {};
      const values = fast.get(b.spec.key);
      for (const [k, label] of labels.entries()) {
        if (values) per[String(label)] = values[k];
        else
          per[String(label)] = await compute(
            b,
            yt.data.map((v) => (v === label ? 1 : 0)),
            yp.data.map((v) => (v === label ? 1 : 0)),
          );
      }
      results.set(b.spec.key, { options: b.resolved, value: per });
    }
  } else {
    const [t, p] = [normalised(yt), normalised(yp)];
    const fast =
      segmentation && isBinary(t) && isBinary(p) ? engine(t, p, [1]) : new Map<string, Float64Array>();
    for (const b of bound) {
      const v = fast.get(b.spec.key);
      results.set(b.spec.key, {
        options: b.resolved,
        value: v ? v[0] : await compute(b, t, p, [...(sameShape(yt.shape, yp.shape) ? shape : yp.shape)]),
      });
    }
  }
  for (const n of notes) cli.err(n);
  return { shape: yt.shape, spacing, labels, detected, results };
}

// ---------------------------------------------------------------------------------------- output

/** CSV text of rows (quoted where needed); non-finite numbers as NaN, Infinity. */
export function csv(rows: readonly (readonly unknown[])[]): string {
  const cell = (c: unknown) => {
    const s = typeof c === 'number' ? String(c) : typeof c === 'string' ? c : valueText(c);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

export function writeCsv(path: string, rows: readonly (readonly unknown[])[]): void {
  try {
    writeFileSync(path, csv(rows));
  } catch (e) {
    throw new UsageError(`--csv ${path}: cannot write (${firstLine(e)})`);
  }
}

/** The rows of the one-pair table: one per label (or one `value` row), one column per spec. */
function pairRows(specs: readonly Spec[], r: PairResult): unknown[][] {
  const of = (s: Spec) => r.results.get(s.key)!.value;
  if (!r.labels) return [['value', ...specs.map(of)]];
  return r.labels.map((l) => [String(l), ...specs.map((s) => (of(s) as Record<string, unknown>)[String(l)])]);
}

export function labelNote(cli: Cli, r: PairResult, where: string): void {
  if (r.detected && r.labels)
    cli.err(
      `losskit: evaluated ${r.labels.length} label${r.labels.length === 1 ? '' : 's'} found in ${where}: ${r.labels.join(', ')}`,
    );
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export async function evalCommand(cli: Cli, names: string, opts: EvalOptions): Promise<void> {
  const specs = await parseSpecs(names);
  parseOptions(opts.options);
  if (isDir(opts.true) || isDir(opts.pred)) {
    await evalFolders(cli, specs, opts);
    return;
  }
  const yt = readVolume(opts.true);
  const yp = readVolume(opts.pred);
  const r = await evaluatePair(cli, specs, opts, yt, yp);
  labelNote(cli, r, 'the files');
  const head = (s: Spec) => ({
    [s.entry.kind]: s.entry.info.id,
    options: r.results.get(s.key)!.options,
    spacing: r.spacing,
    true: opts.true,
    pred: opts.pred,
    shape: yt.shape,
  });
  const form = (s: Spec) => ({ ...head(s), [r.labels ? 'labels' : 'value']: r.results.get(s.key)!.value });
  const rows = pairRows(specs, r);
  if (opts.csv) writeCsv(opts.csv, [[r.labels ? 'label' : '', ...specs.map((s) => s.key)], ...rows]);
  if (opts.json) {
    cli.out(
      toJson(specs.length === 1 ? form(specs[0]) : Object.fromEntries(specs.map((s) => [s.key, form(s)]))),
    );
    return;
  }
  const what = specs.length === 1 ? specs[0].entry.info.id : specs.map((s) => s.key).join(', ');
  const where = `${opts.true} vs ${opts.pred}, shape ${shapeText(yt.shape)}, spacing ${shapeText(r.spacing)}`;
  if (!r.labels && specs.length === 1) {
    cli.out(`${what} (${where})`);
    cli.out(valueText(rows[0][1]));
    return;
  }
  cli.out(`${what}${r.labels ? ' per label' : ''} (${where})`);
  cli.out(
    table(
      [r.labels ? 'label' : '', ...specs.map((s) => s.key)],
      rows.map(([l, ...v]) => [l as string, ...v.map(valueText)]),
    ),
  );
}
