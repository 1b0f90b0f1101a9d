/**
 * Steps 1–4 of the region pipeline (segmentation-region.md §1.1, §1.2): the channels-last layout check, the
 * activation, one-hot labels, ignoreIndex and includeBackground. Shared by region losses, pixel losses and overlap
 * metrics, so a loss and its metric can never disagree on layout, labels or ignored pixels.
 *
 * Gradients: nothing non-differentiable touches the yPred path. Comparisons (`notEqual`, `greater`) read yTrue only.
 */
import { toFloat32 } from '../core/numerics.ts';
import { shapeText } from '../core/validate.ts';
import { tf, type Tensor } from '../tf.ts';
import type { Activation, LayoutOptions } from './params.ts';

export interface RegionLayout {
  readonly B: number;
  readonly spatial: readonly number[];
  /** Channels of yPred. */
  readonly C: number;
  /** Channels left after `includeBackground` (C − 1 when it drops channel 0, else C). */
  readonly kept: number;
  /** Rank of yPred. */
  readonly rank: number;
}

/**
 * Checks the channels-last layout (§1.1): yPred `[B, ...spatial, C]` with at least one spatial axis; dense yTrue of
 * the same shape; sparse yTrue `[B, ...spatial]` or `[B, ...spatial, 1]` with integer labels in [0, C) (in {0, 1}
 * when C = 1) or equal to `ignoreIndex`; `softmax` needs C > 1. Errors name the loss, the shapes and the label.
 * Reads sparse labels back to the CPU (yTrue only).
 */
export function checkLayout(id: string, yTrue: Tensor, yPred: Tensor, o: LayoutOptions): RegionLayout {
  const ps = yPred.shape;
  if (ps.length < 3) {
    throw new Error(
      `${id}: yPred must have rank ≥ 3 ([B, ...spatial, C], channels-last), got shape ${shapeText(ps)}`,
    );
  }
  const C = ps[ps.length - 1];
  const spatial = ps.slice(1, -1);
  if (o.activation === 'softmax' && C === 1) {
    throw new Error(
      `${id}: activation 'softmax' needs more than one channel (a softmax over one channel is always 1), got ` +
        `yPred shape ${shapeText(ps)}; use 'sigmoid'`,
    );
  }
  const ts = yTrue.shape;
  if (o.sparseLabels) {
    const plain = ts.length === ps.length - 1 && ts.every((d, i) => d === ps[i]);
    const trailing =
      ts.length === ps.length && ts[ts.length - 1] === 1 && ts.slice(0, -1).every((d, i) => d === ps[i]);
    if (!plain && !trailing) {
      throw new Error(
        `${id}: sparse yTrue shape ${shapeText(ts)} does not match yPred shape ${shapeText(ps)}; expected ` +
          `${shapeText(ps.slice(0, -1))} or ${shapeText([...ps.slice(0, -1), 1])} (integer labels)`,
      );
    }
    checkLabels(id, yTrue, yPred, C, o.ignoreIndex);
  } else if (ts.length !== ps.length || ts.some((d, i) => d !== ps[i])) {
    throw new Error(
      `${id}: yTrue shape ${shapeText(ts)} does not match yPred shape ${shapeText(ps)} (dense labels must have ` +
        `yPred's shape [B, ...spatial, C]; pass sparseLabels: true for integer labels [B, ...spatial])`,
    );
  }
  const kept = !o.includeBackground && C > 1 ? C - 1 : C;
  return { B: ps[0], spatial, C, kept, rank: ps.length };
}

function checkLabels(id: string, yTrue: Tensor, yPred: Tensor, C: number, ignoreIndex: number | null): void {
  const values = yTrue.dataSync();
  const top = Math.max(C, 2);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    if (!(Number.isInteger(v) && v >= 0 && v < top)) {
      const range = C === 1 ? '{0, 1} (one channel: the labels are the binary mask)' : `[0, ${C})`;
      const ign = ignoreIndex === null ? '' : ` and is not ignoreIndex ${ignoreIndex}`;
      throw new Error(
        `${id}: sparse label ${v} (flat index ${i} of yTrue shape ${shapeText(yTrue.shape)}) is outside ${range}` +
          `${ign} for yPred shape ${shapeText(yPred.shape)}`,
      );
    }
  }
}

/**
 * yTrue's values, read on the host, and a tensor of them (with `shape`, default yTrue's) for the device: never the
 * caller's yTrue itself. Uploading yTrue would drop its host values (tfjs-webgpu keeps one place per tensor), and
 * the next read of them (the gradient pass's label check, the next step) would then be a synchronous GPU readback,
 * which on webgpu goes through OffscreenCanvas and loses the device in Chromium (README "Backends and
 * precision"). On cpu and wasm the tensor costs one copy at most. Losses that read their labels on the host use it.
 */
export function hostCopy(
  yTrue: Tensor,
  shape: readonly number[] = yTrue.shape,
  dtype: 'float32' | 'int32' | 'bool' = yTrue.dtype as 'float32' | 'int32' | 'bool',
): { values: ArrayLike<number>; tensor: Tensor } {
  const values = yTrue.dataSync<'float32' | 'int32' | 'bool'>();
  return { values, tensor: tf.tensor(values, [...shape], dtype) };
}

/** Step 1: the activation over all channels, on float32. */
export function activate(id: string, yPred: Tensor, activation: Activation): Tensor {
  const x = tf.cast(yPred, 'float32');
  if (activation === 'sigmoid') return tf.sigmoid(x);
  if (activation === 'softmax') {
    if (x.shape[x.rank - 1] === 1) {
      throw new Error(
        `${id}: activation 'softmax' needs more than one channel, got yPred shape ${shapeText(x.shape)}`,
      );
    }
    return tf.softmax(x);
  }
  return x;
}

/** The output of steps 1–4. */
export interface Prepared {
  /** Activated probabilities, ignored elements zeroed, channels kept: `[B, ...spatial, C']`. */
  readonly p: Tensor;
  /** Dense float32 ground truth, ignored elements zeroed, channels kept: `[B, ...spatial, C']`. */
  readonly g: Tensor;
  /** 1 where an element counts, 0 where ignored: `[B, ...spatial, 1]` (sparse) or `[..., C']` (dense); null = all. */
  readonly valid: Tensor | null;
  readonly layout: RegionLayout;
  /** The layout options it was prepared with (the loss's resolved options, or explicit values). */
  readonly options: LayoutOptions;
  /** yPred as float32, as given (logits with an activation), all C channels. */
  readonly x: Tensor;
  /** The activated yPred, all C channels, not masked. */
  readonly pAll: Tensor;
}

function dropBackground(t: Tensor, C: number): Tensor {
  const last = t.shape[t.rank - 1];
  if (last !== C || C === 1) return t;
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? 1 : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? C - 1 : d));
  return tf.slice(t, begin, size);
}

/**
 * Steps 1–4 (§1.2): activation over all channels; `p ≥ threshold` when a threshold is given (metrics; no
 * gradient); one-hot of sparse labels; ignoreIndex (p = g = 0 where ignored, and the `valid` mask);
 * `includeBackground: false` drops channel 0 when C > 1.
 */
export function prepare(
  id: string,
  yTrue: Tensor,
  yPred: Tensor,
  o: LayoutOptions,
  threshold: number | null = null,
): Prepared {
  const L = checkLayout(id, yTrue, yPred, o);
  const x = tf.cast(yPred, 'float32');
  const pAll = activate(id, x, o.activation);
  let p = threshold === null ? pAll : toFloat32(tf.greaterEqual(pAll, threshold));
  let g: Tensor;
  let valid: Tensor | null = null;
  if (o.sparseLabels) {
    const labels = hostCopy(yTrue, [L.B, ...L.spatial]).tensor;
    if (o.ignoreIndex !== null) valid = tf.expandDims(toFloat32(tf.notEqual(labels, o.ignoreIndex)), -1);
    g =
      L.C === 1 ? tf.expandDims(toFloat32(labels), -1) : toFloat32(tf.oneHot(tf.cast(labels, 'int32'), L.C));
  } else {
    g = toFloat32(yTrue);
    if (o.ignoreIndex !== null) valid = toFloat32(tf.notEqual(yTrue, o.ignoreIndex));
  }
  if (valid) {
    g = tf.mul(g, valid);
    p = tf.mul(p, valid);
  }
  if (!o.includeBackground && L.C > 1) {
    p = dropBackground(p, L.C);
    g = dropBackground(g, L.C);
    if (valid) valid = dropBackground(valid, L.C);
  }
  const options: LayoutOptions = {
    activation: o.activation,
    sparseLabels: o.sparseLabels,
    ignoreIndex: o.ignoreIndex,
    includeBackground: o.includeBackground,
  };
  return { p, g, valid, layout: L, options, x, pAll };
}
