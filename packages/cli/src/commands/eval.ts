/**
 * `losskit eval <loss-or-metric> --true FILE --pred FILE`: one loss or metric on two files.
 *
 * How file values become inputs:
 * - JSON: the numbers as written. NIfTI: the stored values after `scl_slope`/`scl_inter`.
 * - PNG: a file whose only values are 0 and 1 is a mask as is; any other PNG is divided by its bit depth's
 *   maximum (255 or 65535), so a 0/255 mask becomes 0/1 and gray levels become probabilities.
 * - Label mode: when `--labels` is given, or when the `--true` file holds integers other than 0 and 1 (a PNG's
 *   maximum value excepted), both files are integer label maps (stored values, not rescaled) and the loss or
 *   metric is evaluated once per label on the binary masks `true == label` and `pred == label`. Labels default
 *   to every non-zero label in either file.
 * - Layout: a segmentation loss or metric gets `[1, ...shape, 1]` (one image, one channel); other losses get the
 *   JSON array's own shape (`--raw-shape` passes segmentation inputs as written too, e.g. `[batch, H, W, C]`).
 * - Spacing: `--spacing`, else the `--true` file's NIfTI `pixdim` (array-axis order: i, j, k), else 1 per axis;
 *   passed to losses and metrics that take a `spacing` option.
 */
import type { ParamInfo } from 'losskit';
import { getLoss, getMetric } from 'losskit';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend.ts';
import type { Cli } from '../context.ts';
import { UsageError, firstLine } from '../errors.ts';
import { readVolume, type Volume } from '../io.ts';
import { toJson } from '../json.ts';
import { lookup, type Entry } from '../lookup.ts';
import { fmt, table } from '../table.ts';

export interface EvalOptions {
  readonly true: string;
  readonly pred: string;
  readonly options?: string;
  readonly spacing?: string;
  readonly labels?: string;
  readonly rawShape?: boolean;
  readonly json?: boolean;
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
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`--options: expected a JSON object, e.g. '{"alpha": 0.3}'`);
  return value as Record<string, unknown>;
}

function isInteger(v: Volume): boolean {
  return v.data.every((x) => Number.isInteger(x));
}

/** Distinct values, sorted, stopping early past `limit`. */
function distinct(data: Float32Array, limit = 1_000): number[] {
  const set = new Set<number>();
  for (const v of data) {
    set.add(v);
    if (set.size > limit) break;
  }
  return [...set].sort((a, b) => a - b);
}

/** A PNG's values as inputs: 0/1 masks as they are, anything else divided by the bit depth's maximum. */
function normalised(v: Volume): Float32Array {
  if (v.format !== 'png' || v.maxValue === undefined) return v.data;
  if (v.data.every((x) => x === 0 || x === 1)) return v.data;
  const m = v.maxValue;
  return v.data.map((x) => x / m);
}

/** Whether the truth file is a label map (integers beyond 0/1, a PNG's maximum value excepted). */
function looksLabelled(v: Volume): boolean {
  if (!isInteger(v)) return false;
  return v.data.some((x) => x !== 0 && x !== 1 && !(v.format === 'png' && x === v.maxValue));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

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

function valueText(v: unknown): string {
  return typeof v === 'number'
    ? fmt(v, 6)
    : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

export async function evalCommand(cli: Cli, name: string, opts: EvalOptions): Promise<void> {
  const entry: Entry = lookup(name);
  const userOptions = parseOptions(opts.options);
  const yt = readVolume(opts.true);
  const yp = readVolume(opts.pred);
  if (!sameShape(yt.shape, yp.shape))
    throw new UsageError(
      `${opts.pred}: shape ${shapeText(yp.shape)} does not match --true ${opts.true} shape ${shapeText(yt.shape)}`,
    );

  const params: readonly ParamInfo[] = entry.info.params;
  const takesSpacing = params.some((p) => p.name === 'spacing');
  let spacing: number[] = yt.spacing ? [...yt.spacing] : yt.shape.map(() => 1);
  if (opts.spacing !== undefined) {
    spacing = parseNumberList(opts.spacing, '--spacing');
    if (spacing.length !== yt.shape.length || spacing.some((s) => s <= 0))
      throw new UsageError(
        `--spacing: expected ${yt.shape.length} positive numbers (one per axis of ${opts.true}, shape ${shapeText(yt.shape)}), got ${opts.spacing}`,
      );
    if (!takesSpacing)
      throw new UsageError(
        `--spacing: ${entry.info.id} takes no spacing (it is not a distance-based ${entry.kind})`,
      );
    if ('spacing' in userOptions)
      throw new UsageError(`--spacing and --options {"spacing": …} both given; use one`);
  } else if (yt.spacing && yp.spacing && yt.spacing.some((s, i) => Math.abs(s - yp.spacing![i]) > 1e-4 * s)) {
    cli.err(
      `losskit: note: voxel sizes differ (${opts.true} [${yt.spacing.join(',')}], ${opts.pred} [${yp.spacing.join(',')}]); using --true's`,
    );
  }
  const options: Record<string, unknown> = { ...userOptions };
  if (takesSpacing && !('spacing' in options) && !opts.rawShape) options.spacing = spacing;

  let fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  let resolved: Readonly<Record<string, unknown>>;
  try {
    const bound = entry.kind === 'loss' ? getLoss(entry.info.id, options) : getMetric(entry.info.id, options);
    fn = bound;
    resolved = bound.options;
  } catch (e) {
    throw new UsageError(firstLine(e));
  }

  // Label mode or a single binary/probability evaluation.
  const segmentation = entry.info.task === 'segmentation';
  let labels: number[] | undefined;
  if (opts.labels !== undefined) {
    if (!segmentation) throw new UsageError(`--labels: ${entry.info.id} is not a segmentation ${entry.kind}`);
    labels = parseNumberList(opts.labels, '--labels', true);
  } else if (segmentation && looksLabelled(yt)) {
    labels = distinct(new Float32Array([...distinct(yt.data), ...distinct(yp.data)])).filter((v) => v !== 0);
    if (labels.length > 100)
      throw new UsageError(
        `${opts.true}: ${labels.length > 1000 ? 'over 1000' : labels.length} distinct integer values; expected a mask or ` +
          `a label map (an intensity image?). Choose labels with --labels, or threshold the file first`,
      );
  }
  if (labels && !isInteger(yp)) {
    const i = yp.data.findIndex((x) => !Number.isInteger(x));
    throw new UsageError(
      `${opts.pred}: label mode (${opts.true} holds labels ${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', …' : ''}) ` +
        `needs integer labels in --pred, found ${yp.data[i]} at element ${i}`,
    );
  }

  const shape = segmentation && !opts.rawShape ? [1, ...yt.shape, 1] : [...yt.shape];
  await useBackend('cpu', (m) => {
    cli.err(`losskit: ${m}`);
  });

  const compute = (a: Float32Array, b: Float32Array): unknown => {
    try {
      const out = tf.tidy(() => fn(tf.tensor(a, shape), tf.tensor(b, shape)));
      const values = out.dataSync();
      const s = out.shape;
      out.dispose();
      return nest(values, s);
    } catch (e) {
      throw new UsageError(`${entry.info.id} on ${opts.true} and ${opts.pred}: ${firstLine(e)}`);
    }
  };

  const head = {
    [entry.kind]: entry.info.id,
    options: resolved,
    spacing,
    true: opts.true,
    pred: opts.pred,
    shape: yt.shape,
  };
  if (labels) {
    const results: Record<string, unknown> = {};
    for (const label of labels) {
      const a = yt.data.map((v) => (v === label ? 1 : 0));
      const b = yp.data.map((v) => (v === label ? 1 : 0));
      results[String(label)] = compute(a, b);
    }
    if (opts.json) cli.out(toJson({ ...head, labels: results }));
    else {
      cli.out(
        `${entry.info.id} per label (${opts.true} vs ${opts.pred}, shape ${shapeText(yt.shape)}, spacing ${shapeText(spacing)})`,
      );
      cli.out(
        table(
          ['label', entry.info.id],
          Object.entries(results).map(([l, v]) => [l, valueText(v)]),
        ),
      );
    }
    return;
  }
  const value = compute(normalised(yt), normalised(yp));
  if (opts.json) cli.out(toJson({ ...head, value }));
  else {
    cli.out(
      `${entry.info.id} (${opts.true} vs ${opts.pred}, shape ${shapeText(yt.shape)}, spacing ${shapeText(spacing)})`,
    );
    cli.out(valueText(value));
  }
}
