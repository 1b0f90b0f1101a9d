/**
 * The segmentation playground's computation: every segmentation loss and metric of the catalog on one
 * (ground truth, prediction) pair, and the gradient of one loss over the prediction. Through the library only.
 *
 * A loss or metric is first given the single-channel layout (`yTrue`, `yPred` of shape `[1, H, W, 1]`,
 * probabilities; H × W is 32 × 32 for the presets, or the size of the user's own masks). If it rejects that, the
 * page tries two channels (`[1−g, g]` and `[1−p, p]`, `[1, H, W, 2]`), then integer labels (`yTrue` int32
 * `[1, H, W]`, `sparseLabels: true` where the option exists) with the
 * two-channel prediction. The table says which layout each row used. A row's value is the result itself when it
 * is a single number, otherwise its last element (the foreground channel of a `[batch, channels]` result).
 */
import * as tf from '@tensorflow/tfjs';
import { getLoss, getMetric, type LossInfo, type MetricInfo, type OptionValue } from 'losskit';
import { scoped } from './sweep.ts';

export type SegLayout = '1ch' | '2ch' | 'sparse';
/** Height and width of the masks. */
export type Size = readonly [number, number];
export const SEG_LAYOUTS: readonly SegLayout[] = ['1ch', '2ch', 'sparse'];

export type Entry =
  { readonly kind: 'loss'; readonly info: LossInfo } | { readonly kind: 'metric'; readonly info: MetricInfo };

export interface SegRow {
  readonly kind: 'loss' | 'metric';
  readonly info: LossInfo | MetricInfo;
  readonly value: number;
  readonly layout: SegLayout | undefined;
  readonly options: Record<string, OptionValue>;
  readonly error: string | undefined;
  readonly ms: number;
}

export function layoutOptions(info: LossInfo | MetricInfo, layout: SegLayout): Record<string, OptionValue> {
  return layout === 'sparse' && info.params.some((p) => p.name === 'sparseLabels')
    ? { sparseLabels: true }
    : {};
}

export function trueTensor(gt: Uint8Array, layout: SegLayout, [H, W]: Size): tf.Tensor {
  if (layout === 'sparse') return tf.tensor(Int32Array.from(gt), [1, H, W], 'int32');
  if (layout === '1ch') return tf.tensor(Float32Array.from(gt), [1, H, W, 1]);
  const two = new Float32Array(gt.length * 2);
  gt.forEach((g, i) => {
    two[2 * i] = 1 - g;
    two[2 * i + 1] = g;
  });
  return tf.tensor(two, [1, H, W, 2]);
}

/** The prediction in a layout, built from the foreground probabilities `p` `[1, H, W, 1]` (differentiably). */
export function predTensor(p: tf.Tensor, layout: SegLayout): tf.Tensor {
  return layout === '1ch' ? p : tf.concat([tf.sub(1, p), p], -1);
}

function valueOf(t: tf.Tensor): number {
  const d = t.dataSync();
  return d[d.length - 1];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function run(
  entry: Entry,
  user: Record<string, OptionValue>,
  gt: Uint8Array,
  p: tf.Tensor,
  layout: SegLayout,
  size: Size,
): { value: number; options: Record<string, OptionValue> } {
  return scoped(() => {
    const options = { ...user, ...layoutOptions(entry.info, layout) };
    const fn = entry.kind === 'loss' ? getLoss(entry.info.id, options) : getMetric(entry.info.id, options);
    return { value: valueOf(fn(trueTensor(gt, layout, size), predTensor(p, layout))), options };
  });
}

/**
 * Evaluates every entry on the pair, with the user's options for it (`user`, by id). `known` remembers the layout
 * that worked for each id, so the usual case is one call per entry; a layout that stops working (an input it
 * rejects) sends the entry through the search again.
 */
export function evaluateAll(
  entries: readonly Entry[],
  user: ReadonlyMap<string, Record<string, OptionValue>>,
  gt: Uint8Array,
  pred: Float32Array,
  known: Map<string, SegLayout>,
  size: Size,
): SegRow[] {
  const p = tf.tensor(pred, [1, size[0], size[1], 1]);
  try {
    return entries.map((entry) => {
      const t0 = performance.now();
      const first = known.get(entry.info.id);
      const order = first ? [first, ...SEG_LAYOUTS.filter((l) => l !== first)] : SEG_LAYOUTS;
      let firstError: string | undefined;
      for (const layout of order) {
        try {
          const { value, options } = run(entry, user.get(entry.info.id) ?? {}, gt, p, layout, size);
          known.set(entry.info.id, layout);
          return {
            kind: entry.kind,
            info: entry.info,
            value,
            layout,
            options,
            error: undefined,
            ms: performance.now() - t0,
          };
        } catch (e) {
          firstError ??= message(e);
        }
      }
      return {
        kind: entry.kind,
        info: entry.info,
        value: NaN,
        layout: undefined,
        options: {},
        error: firstError,
        ms: performance.now() - t0,
      };
    });
  } finally {
    p.dispose();
  }
}

/** ∂ℓ/∂p of a loss over the foreground probabilities, row-major `H × W`. */
export function lossGradient(
  info: LossInfo,
  options: Record<string, OptionValue>,
  layout: SegLayout,
  gt: Uint8Array,
  pred: Float32Array,
  size: Size,
): Float32Array {
  return tf.tidy(() => {
    const fn = getLoss(info.id, { ...options, ...layoutOptions(info, layout) });
    const yTrue = trueTensor(gt, layout, size);
    const g = tf.grad((p: tf.Tensor) => tf.mean(fn(yTrue, predTensor(p, layout))))(
      tf.tensor(pred, [1, size[0], size[1], 1]),
    );
    return g.dataSync() as Float32Array;
  });
}
