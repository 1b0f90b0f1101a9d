/**
 * The region pipeline shared by every region segmentation loss and overlap metric (segmentation-region.md
 * §1.2, §1.3, §1.6, §1.7). This is the ONE implementation of steps 1–9; a loss file supplies only its per-group
 * score (or per-group loss) and its catalog entry.
 *
 * ## API (stable: other loss files import it)
 *
 * Types
 * - `Activation` = `'none' | 'sigmoid' | 'softmax'`; `Preset` = `'monai' | 'smp' | 'keras' | 'jadon' | 'yeung'`.
 * - `RegionOptions`: the shared options (every field optional; absent fields take the §1.6 defaults).
 * - `RegionLayout` `{ B, spatial, C, kept, rank }`: the checked channels-last layout.
 * - `Prepared` `{ p, g, valid, layout, options, x, pAll }`: the output of steps 1–4.
 * - `GroupSums` `{ tp, fp, fn, sumP, sumG, powP, powG, tn? }`: per-group `[B', C']` sums of step 5.
 * - `ScoreFn` = `(sums: GroupSums, prep: Prepared) => Tensor` (a per-group score, `[B', C']`).
 * - `RegionHooks` `{ squared?, tn?, perGroup?, afterReduction? }`.
 *
 * Option docs (ParamInfo, with the §1.6 defaults): `ACTIVATION`, `SPARSE_LABELS`, `IGNORE_INDEX`,
 * `INCLUDE_BACKGROUND`, `REDUCE_BATCH`, `REDUCE_CHANNELS`, `SMOOTH_NR`, `SMOOTH_DR`, `EPS_CLAMP`,
 * `MASK_EMPTY_CLASSES`, `CLASS_WEIGHTS`, `SQUARED_PRED`, `LOG_LOSS`, `EPS`, `REDUCTION`, `PRESET`, and the lists
 * `LAYOUT_PARAMS` (activation, sparseLabels, ignoreIndex, includeBackground), `GROUP_PARAMS` (reduceBatch,
 * reduceChannels), `SMOOTH_PARAMS` (smoothNr, smoothDr, epsClamp).
 *
 * Steps
 * - `checkLayout(id, yTrue, yPred, o): RegionLayout` — shapes, ranks, `softmax` with one channel, sparse labels.
 * - `activate(id, yPred, activation): Tensor` — step 1 (float32; over all channels).
 * - `prepare(id, yTrue, yPred, o, threshold?): Prepared` — steps 1–4: activation, optional binarisation
 *   `p ≥ threshold` (metrics only, no gradient), one-hot, ignoreIndex (p = g = 0 there, `valid` mask),
 *   includeBackground.
 * - `groupAxes(rank, o): number[]` and `sumGroups(x, prep): Tensor` — sum any `[B, ...spatial, C']` (or
 *   broadcastable `[..., 1]`) tensor over the group axes of §1.3, as `[B', C']` (B' = 1 with reduceBatch, C' = 1
 *   with reduceChannels).
 * - `groupSums(prep, { squared?, tn? }): GroupSums` — step 5.
 * - `smoothedRatio(num, den, o)` = `(num + smoothNr) / max(den + smoothDr, epsClamp)`; `diceScore(s, o)`,
 *   `jaccardScore(s, o)`, `tverskyScore(s, alpha, beta, o)` — per-group scores built on it.
 * - `lossFromScore(score, o): Tensor` — step 6: `1 − s`, or `−log(max(s, eps))` with `logLoss`.
 * - `finishGroups(id, values, prep, o, sampleWeight?, maskValue = 0): Tensor` — steps 7–9: maskEmptyClasses (masked
 *   groups take `maskValue`), classWeights, sample weights, reduction. `'none'` returns `[B', C']`.
 * - `regionLoss(id, yTrue, yPred, sampleWeight, o, score, hooks?): Tensor` — all of it for a score-based loss.
 * - `safePow(x, gamma): Tensor` — `max(x, 0)^γ` with a finite gradient at 0 (0 when γ < 1, the subgradient we pin).
 * - `PRESETS`, `applyPreset(info, options, overrides?)`, `defineRegionLoss(info, compute, overrides?, fused?)`,
 *   `defineRegionMetric(info, compute, overrides?)` — a preset is a partial options object merged *under* the
 *   user's explicit options, restricted to the options the loss has. `fused` (a `FusedCompute`, src/fused/region.ts)
 *   is tried first on the cpu and wasm backends and returns null to leave the call to `compute`.
 * - `full(options)` — the options with the §1.6 defaults filled in.
 *
 * Gradients: nothing non-differentiable touches the yPred path. Comparisons (`notEqual`, `greater`) read yTrue only;
 * `divideNoNan` is used only where the denominator comes from yTrue.
 */
import {
  defineLoss,
  defineMetric,
  type CallOptions,
  type Compute,
  type Loss,
  type Metric,
} from '../core/define-loss.ts';
import { matchEnum } from '../util/names.ts';
import { epsilon } from '../core/numerics.ts';
import type { Resolved } from '../core/options.ts';
import type {
  LossFn,
  LossInfo,
  MetricFn,
  MetricInfo,
  OptionValue,
  ParamInfo,
  SegReduction,
} from '../core/types.ts';
import { shapeText } from '../core/validate.ts';
import { fusedActive } from '../core/fused-switch.ts';
import { tf, type Tensor } from '../tf.ts';

export type Activation = 'none' | 'sigmoid' | 'softmax';
export type Preset = 'monai' | 'smp' | 'keras' | 'jadon' | 'yeung';

/** The shared options of §1.6. Every field is optional here; absent fields take the defaults below. */
export interface RegionOptions {
  readonly activation?: Activation;
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly includeBackground?: boolean;
  readonly reduceBatch?: boolean;
  readonly reduceChannels?: boolean;
  readonly smoothNr?: number;
  readonly smoothDr?: number;
  readonly epsClamp?: number;
  readonly maskEmptyClasses?: boolean;
  readonly classWeights?: readonly number[] | null;
  readonly squaredPred?: boolean;
  readonly logLoss?: boolean;
  /** Clamp of `−log(max(score, eps))`; null = the backend's epsilon (1e-7 on cpu and wasm). */
  readonly eps?: number | null;
  readonly reduction?: SegReduction;
  readonly preset?: Preset | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Option docs (§1.6), written once.

export const ACTIVATION: ParamInfo = {
  name: 'activation',
  type: 'enum',
  values: ['none', 'sigmoid', 'softmax'],
  default: 'none',
  doc:
    "Applied to yPred first, over all channels: 'none' (yPred holds probabilities), 'sigmoid' (logits, " +
    "element-wise), 'softmax' (logits, over the channel axis; needs C > 1). Gradients are then d/d logits.",
};

export const SPARSE_LABELS: ParamInfo = {
  name: 'sparseLabels',
  type: 'boolean',
  default: false,
  doc:
    'yTrue holds integer labels [B, ...spatial] (or [B, ...spatial, 1]), one-hot encoded to yPred’s C channels; ' +
    'with C = 1 the labels are the binary mask itself (MONAI).',
};

export const IGNORE_INDEX: ParamInfo = {
  name: 'ignoreIndex',
  type: ['number', 'null'],
  default: null,
  doc:
    'Pixels whose label equals this value get p = 0 and g = 0 and leave the negative counts (FP, TN). Sparse ' +
    'labels: tested per pixel; dense yTrue: tested element-wise (yTrue == ignoreIndex).',
};

export const INCLUDE_BACKGROUND: ParamInfo = {
  name: 'includeBackground',
  type: 'boolean',
  default: true,
  doc: 'Keep channel 0; false drops it after the activation (only when C > 1, as MONAI).',
};

export const REDUCE_BATCH: ParamInfo = {
  name: 'reduceBatch',
  type: 'boolean',
  default: false,
  doc: 'Sum over the batch too: one group per class over the whole batch (smp, MONAI batch=True).',
};

export const REDUCE_CHANNELS: ParamInfo = {
  name: 'reduceChannels',
  type: 'boolean',
  default: false,
  doc: 'Sum over the channels too: one micro-averaged group per sample (Keras 3 Dice(axis=(1,2,3))).',
};

export const SMOOTH_NR: ParamInfo = {
  name: 'smoothNr',
  type: 'number',
  default: 1e-5,
  range: [0, Infinity],
  doc: 'Added to the numerator of the score (MONAI smooth_nr; 0 in smp and Keras 3, 1 in Jadon’s code).',
};

export const SMOOTH_DR: ParamInfo = {
  name: 'smoothDr',
  type: 'number',
  default: 1e-5,
  range: [0, Infinity],
  doc: 'Added to the denominator of the score (MONAI smooth_dr; Keras 3 uses 1e-7, Jadon 1).',
};

export const EPS_CLAMP: ParamInfo = {
  name: 'epsClamp',
  type: 'number',
  default: 0,
  range: [0, Infinity],
  doc: 'Lower bound on the score’s denominator, after smoothing (smp: clamp_min(1e-7)); 0 = none.',
};

export const MASK_EMPTY_CLASSES: ParamInfo = {
  name: 'maskEmptyClasses',
  type: 'boolean',
  default: false,
  doc:
    'Groups whose ground truth is empty get loss 0 and still count in the mean (smp): false positives on empty ' +
    'images are then free.',
};

export const CLASS_WEIGHTS: ParamInfo = {
  name: 'classWeights',
  type: ['number[]', 'null'],
  default: null,
  range: [0, Infinity],
  doc:
    'One weight per kept channel, multiplying each class’s loss before a plain mean (MONAI weight: not a ' +
    'weighted mean). Not allowed with reduceChannels.',
};

export const SQUARED_PRED: ParamInfo = {
  name: 'squaredPred',
  type: 'boolean',
  default: false,
  doc: 'Square p and g in the denominator: Σp² + Σg² (MONAI squared_pred, V-Net).',
};

export const LOG_LOSS: ParamInfo = {
  name: 'logLoss',
  type: 'boolean',
  default: false,
  doc: 'Loss −log(max(score, eps)) instead of 1 − score (smp log_loss).',
};

export const EPS: ParamInfo = {
  name: 'eps',
  type: ['number', 'null'],
  default: null,
  range: [0, 0.5],
  exclusive: 'both',
  doc: 'Clamp inside the log of logLoss: −log(max(score, eps)); null = tf.backend().epsilon() (1e-7 on cpu/wasm).',
};

export const REDUCTION: ParamInfo = {
  name: 'reduction',
  type: 'enum',
  values: ['mean', 'sum', 'none'],
  default: 'mean',
  doc:
    "Over the groups of §1.3: 'mean', 'sum', or 'none' (the [B', C'] per-group tensor; B' = 1 with reduceBatch, " +
    "C' = 1 with reduceChannels).",
};

export const PRESET: ParamInfo = {
  name: 'preset',
  type: ['enum', 'null'],
  values: ['monai', 'smp', 'keras', 'jadon', 'yeung'],
  default: null,
  doc:
    'Sets the convention flags of a library (segmentation-region.md §1.7); options given explicitly override ' +
    "it. 'monai' = losskit's defaults; 'smp' = reduceBatch, smoothing 0, epsClamp 1e-7, maskEmptyClasses; " +
    "'keras' = reduceBatch + reduceChannels, smoothNr 0, smoothDr 1e-7; 'jadon' = reduceBatch + reduceChannels, " +
    "smoothing 1; 'yeung' = smoothing 1e-6. Activation and label format are not set: give them.",
};

export const LAYOUT_PARAMS: readonly ParamInfo[] = [
  ACTIVATION,
  SPARSE_LABELS,
  IGNORE_INDEX,
  INCLUDE_BACKGROUND,
];
export const GROUP_PARAMS: readonly ParamInfo[] = [REDUCE_BATCH, REDUCE_CHANNELS];
export const SMOOTH_PARAMS: readonly ParamInfo[] = [SMOOTH_NR, SMOOTH_DR, EPS_CLAMP];

const DEFAULTS = {
  activation: 'none' as Activation,
  sparseLabels: false,
  ignoreIndex: null as number | null,
  includeBackground: true,
  reduceBatch: false,
  reduceChannels: false,
  smoothNr: 1e-5,
  smoothDr: 1e-5,
  epsClamp: 0,
  maskEmptyClasses: false,
  classWeights: null as readonly number[] | null,
  squaredPred: false,
  logLoss: false,
  eps: null as number | null,
  reduction: 'mean' as SegReduction,
};

type Full = typeof DEFAULTS;
/** The options with the §1.6 defaults filled in. */
export function full(o: RegionOptions): Full {
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k in DEFAULTS) out[k] = v;
  return out as Full;
}

// ---------------------------------------------------------------------------------------------------------------
// Presets (§1.7).

/** A preset is a partial options object, merged under the user's explicit options. */
export type PresetTable = Readonly<Partial<Record<Preset, Readonly<Record<string, OptionValue>>>>>;

export const PRESETS: Readonly<Record<Preset, Readonly<Record<string, OptionValue>>>> = {
  // MONAI's DiceLoss/TverskyLoss/GeneralizedDiceLoss defaults are losskit's.
  monai: {},
  smp: {
    reduceBatch: true,
    reduceChannels: false,
    smoothNr: 0,
    smoothDr: 0,
    epsClamp: 1e-7,
    maskEmptyClasses: true,
  },
  keras: { reduceBatch: true, reduceChannels: true, smoothNr: 0, smoothDr: 1e-7 },
  jadon: { reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 },
  yeung: { smoothNr: 1e-6, smoothDr: 1e-6 },
};

/**
 * Merges the chosen preset (plus a loss's own `overrides` of it) under the explicit options, keeping only the
 * options `info.params` declares. A preset value that is not a known preset is left for `resolveOptions` to reject.
 */
export function applyPreset(
  info: { readonly params: readonly ParamInfo[] },
  options: object | undefined,
  overrides: PresetTable = {},
): object | undefined {
  const given = options as Record<string, unknown> | undefined;
  const raw = given?.preset;
  const presetParam = info.params.find((p) => p.name === 'preset');
  if (typeof raw !== 'string' || !presetParam) return options;
  const name = matchEnum(raw, presetParam.values ?? []) as Preset | undefined;
  if (name === undefined) return options;
  const names = new Set(info.params.map((p) => p.name));
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...PRESETS[name], ...overrides[name] }))
    if (names.has(k)) merged[k] = v;
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) merged[k] = v;
  return merged;
}

function nameFn<F extends object>(fn: F, name: string, extra: Record<string, unknown>): F {
  Object.defineProperty(fn, 'name', { value: name });
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(fn, k, { value: v, enumerable: true });
  return fn;
}

/** A fused value-and-gradient path (src/fused/): same arguments as `Compute`, null to decline. */
export type FusedCompute<O> = (...args: Parameters<Compute<O>>) => Tensor | null;

/**
 * `defineLoss` with preset resolution in front of option validation. With `fused`, calls on the `cpu` and `wasm`
 * backends try it first (when fused kernels are switched on) and run `compute` when it declines.
 */
export function defineRegionLoss<O extends object>(
  info: LossInfo,
  compute: Compute<O>,
  overrides: PresetTable = {},
  fused?: FusedCompute<O>,
): Loss<O> {
  const run: Compute<O> = fused
    ? (yTrue, yPred, sampleWeight, o) =>
        (fusedActive() ? fused(yTrue, yPred, sampleWeight, o) : null) ??
        compute(yTrue, yPred, sampleWeight, o)
    : compute;
  const base = defineLoss<O>(info, run);
  const bind = (options?: O): LossFn => base.bind(applyPreset(info, options, overrides) as O | undefined);
  const call = (yTrue: Tensor, yPred: Tensor, options?: CallOptions<O>): Tensor => {
    const { sampleWeight, ...rest } = (options ?? {}) as CallOptions<O>;
    return bind(rest as O)(yTrue, yPred, sampleWeight);
  };
  return nameFn(call, info.id, { info: base.info, bind }) as Loss<O>;
}

/** `defineMetric` with preset resolution in front of option validation. */
export function defineRegionMetric<O extends object>(
  info: MetricInfo,
  compute: (yTrue: Tensor, yPred: Tensor, options: Resolved<O>) => Tensor,
  overrides: PresetTable = {},
): Metric<O> {
  const base = defineMetric<O>(info, compute);
  const bind = (options?: O): MetricFn => base.bind(applyPreset(info, options, overrides) as O | undefined);
  const call = (yTrue: Tensor, yPred: Tensor, options?: O): Tensor => bind(options)(yTrue, yPred);
  return nameFn(call, info.id, { info: base.info, bind }) as Metric<O>;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps 1–4.

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
export function checkLayout(id: string, yTrue: Tensor, yPred: Tensor, options: RegionOptions): RegionLayout {
  const o = full(options);
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
  /** The options with §1.6 defaults filled in. */
  readonly options: Readonly<Full>;
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
  options: RegionOptions,
  threshold: number | null = null,
): Prepared {
  const o = full(options);
  const L = checkLayout(id, yTrue, yPred, o);
  const x = tf.cast(yPred, 'float32');
  const pAll = activate(id, x, o.activation);
  let p = threshold === null ? pAll : tf.cast(tf.greaterEqual(pAll, threshold), 'float32');
  let g: Tensor;
  let valid: Tensor | null = null;
  if (o.sparseLabels) {
    const labels = tf.reshape(yTrue, [L.B, ...L.spatial]);
    if (o.ignoreIndex !== null)
      valid = tf.expandDims(tf.cast(tf.notEqual(labels, o.ignoreIndex), 'float32'), -1);
    g =
      L.C === 1
        ? tf.expandDims(tf.cast(labels, 'float32'), -1)
        : tf.cast(tf.oneHot(tf.cast(labels, 'int32'), L.C), 'float32');
  } else {
    g = tf.cast(yTrue, 'float32');
    if (o.ignoreIndex !== null) valid = tf.cast(tf.notEqual(yTrue, o.ignoreIndex), 'float32');
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
  return { p, g, valid, layout: L, options: o, x, pAll };
}

// ---------------------------------------------------------------------------------------------------------------
// Step 5.

/** The axes summed for one group (§1.3): spatial, plus 0 with reduceBatch, plus the channel axis with reduceChannels. */
export function groupAxes(rank: number, options: RegionOptions): number[] {
  const o = full(options);
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  if (o.reduceBatch) axes.unshift(0);
  if (o.reduceChannels) axes.push(rank - 1);
  return axes;
}

/** Sums `t` (`[B, ...spatial, C']`, or with a broadcastable last axis of 1) over the group axes, as `[B', C']`. */
export function sumGroups(t: Tensor, prep: Prepared): Tensor {
  const { layout: L, options: o } = prep;
  const x = t.shape[t.rank - 1] === L.kept ? t : tf.mul(t, tf.ones([...t.shape.slice(0, -1), L.kept]));
  const s = tf.sum(x, groupAxes(L.rank, o));
  return tf.reshape(s, [o.reduceBatch ? 1 : L.B, o.reduceChannels ? 1 : L.kept]);
}

/** Per-group sums, each `[B', C']`. */
export interface GroupSums {
  /** Σ p·g */
  readonly tp: Tensor;
  /** Σ p·(1 − g) */
  readonly fp: Tensor;
  /** Σ (1 − p)·g */
  readonly fn: Tensor;
  /** Σ p */
  readonly sumP: Tensor;
  /** Σ g */
  readonly sumG: Tensor;
  /** Σ p^k (k = 2 with `squared`, else Σ p) */
  readonly powP: Tensor;
  /** Σ g^k (k = 2 with `squared`, else Σ g) */
  readonly powG: Tensor;
  /** Σ (1 − p)·(1 − g) over valid elements, when asked for. */
  readonly tn?: Tensor;
}

/**
 * Step 5: the per-group sums. Ignored elements have p = g = 0, so they add nothing to TP, FP, FN, Σp, Σg; TN is
 * taken over valid elements only.
 */
export function groupSums(
  prep: Prepared,
  what: { readonly squared?: boolean; readonly tn?: boolean } = {},
): GroupSums {
  const { p, g, valid } = prep;
  const pg = tf.mul(p, g);
  const tp = sumGroups(pg, prep);
  const sumP = sumGroups(p, prep);
  const sumG = sumGroups(g, prep);
  const fp = sumGroups(tf.sub(p, pg), prep);
  const fn = sumGroups(tf.sub(g, pg), prep);
  const powP = what.squared ? sumGroups(tf.square(p), prep) : sumP;
  const powG = what.squared ? sumGroups(tf.square(g), prep) : sumG;
  const base = { tp, fp, fn, sumP, sumG, powP, powG };
  if (!what.tn) return base;
  let neg = tf.mul(tf.sub(1, p), tf.sub(1, g));
  if (valid) neg = tf.mul(neg, valid);
  return { ...base, tn: sumGroups(neg, prep) };
}

// ---------------------------------------------------------------------------------------------------------------
// Scores.

type SmoothOptions = Pick<RegionOptions, 'smoothNr' | 'smoothDr' | 'epsClamp'>;

/**
 * `(num + smoothNr) / max(den + smoothDr, epsClamp)`, the smoothed ratio behind every score. The denominator
 * depends on p, so this is a plain division: with zero smoothing and zero clamp, 0/0 is NaN (Jadon's Jaccard).
 */
export function smoothedRatio(num: Tensor, den: Tensor, options: SmoothOptions): Tensor {
  const o = full(options);
  let d = tf.add(den, o.smoothDr);
  if (o.epsClamp > 0) d = tf.maximum(d, o.epsClamp);
  return tf.div(tf.add(num, o.smoothNr), d);
}

/** Dice `(2TP + s_nr) / max(Σp^k + Σg^k + s_dr, epsClamp)`, per group. */
export function diceScore(s: GroupSums, options: SmoothOptions): Tensor {
  return smoothedRatio(tf.mul(s.tp, 2), tf.add(s.powP, s.powG), options);
}

/** Jaccard `(TP + s_nr) / max(Σp^k + Σg^k − TP + s_dr, epsClamp)`, per group. */
export function jaccardScore(s: GroupSums, options: SmoothOptions): Tensor {
  return smoothedRatio(s.tp, tf.sub(tf.add(s.powP, s.powG), s.tp), options);
}

/** Tversky `(TP + s_nr) / max(TP + α·FP + β·FN + s_dr, epsClamp)`, per group: α weighs FP, β weighs FN. */
export function tverskyScore(s: GroupSums, alpha: number, beta: number, options: SmoothOptions): Tensor {
  return smoothedRatio(s.tp, tf.add(s.tp, tf.add(tf.mul(s.fp, alpha), tf.mul(s.fn, beta))), options);
}

// ---------------------------------------------------------------------------------------------------------------
// Steps 6–9.

/** Step 6: `1 − score`, or `−log(max(score, eps))` with `logLoss`. */
export function lossFromScore(score: Tensor, options: Pick<RegionOptions, 'logLoss' | 'eps'>): Tensor {
  const o = full(options);
  if (!o.logLoss) return tf.sub(1, score);
  return tf.neg(tf.log(tf.maximum(score, o.eps ?? epsilon())));
}

/**
 * Steps 7–9 on per-group values `[B', C']`: `maskEmptyClasses` (groups with Σg = 0 take `maskValue`: 0 for a loss,
 * 1 for a score) which still count; `classWeights[c]` multiplies; `sampleWeight` (a scalar, `[B]`, `[B, 1]` or
 * `[B, C']`; only a scalar with reduceBatch) multiplies; then `'mean'`, `'sum'` or `'none'` (`[B', C']`).
 */
export function finishGroups(
  id: string,
  values: Tensor,
  prep: Prepared,
  sampleWeight?: Tensor,
  maskValue = 0,
): Tensor {
  const { options: o, layout: L } = prep;
  const [Bg, Cg] = values.shape as [number, number];
  let v = values;
  if (o.maskEmptyClasses) {
    const present = tf.cast(tf.greater(sumGroups(prep.g, prep), 0), 'float32');
    v = tf.mul(v, present);
    if (maskValue !== 0) v = tf.add(v, tf.mul(tf.sub(1, present), maskValue));
  }
  if (o.classWeights !== null) {
    const w = o.classWeights;
    if (o.reduceChannels) {
      throw new Error(
        `${id}: option 'classWeights' needs per-class groups; it cannot be used with reduceChannels`,
      );
    }
    if (w.length !== L.kept) {
      throw new Error(
        `${id}: option 'classWeights' has ${w.length} value(s) but yPred has ${L.kept} ${
          L.kept === L.C ? '' : 'kept '
        }channel(s) (C = ${L.C}, includeBackground ${o.includeBackground})`,
      );
    }
    v = tf.mul(v, tf.tensor2d([...w], [1, L.kept]));
  }
  if (sampleWeight) {
    const s = sampleWeight.shape;
    let w = tf.cast(sampleWeight, 'float32');
    const B = L.B;
    if (s.length === 0) {
      // a scalar weights every group
    } else if (o.reduceBatch) {
      throw new Error(
        `${id}: sampleWeight shape ${shapeText(s)} cannot weight groups summed over the batch (reduceBatch); ` +
          'only a scalar can',
      );
    } else if (s.length === 1 && s[0] === B) {
      w = tf.reshape(w, [B, 1]);
    } else if (!(s.length === 2 && s[0] === B && (s[1] === 1 || s[1] === Cg))) {
      throw new Error(
        `${id}: sampleWeight shape ${shapeText(s)} cannot weight per-group values of shape ${shapeText([Bg, Cg])}; ` +
          `expected a scalar, [${B}], [${B},1] or [${B},${Cg}]`,
      );
    }
    v = tf.mul(v, w);
  }
  if (o.reduction === 'none') return v;
  return o.reduction === 'sum' ? tf.sum(v) : tf.mean(v);
}

/** What a score-based loss may add to the pipeline. */
export interface RegionHooks {
  /** Σp², Σg² in `powP`/`powG` (Dice-type denominators). Default: `options.squaredPred`. */
  readonly squared?: boolean;
  /** Compute TN too. */
  readonly tn?: boolean;
  /** Applied to the per-group loss after step 6 (focal Tversky's power). */
  readonly perGroup?: (loss: Tensor) => Tensor;
  /** Applied after the reduction (log-cosh Dice, focal Tversky's power after the mean). */
  readonly afterReduction?: (loss: Tensor) => Tensor;
}

export type ScoreFn = (sums: GroupSums, prep: Prepared) => Tensor;

/** Steps 1–9 for a loss defined by its per-group score. */
export function regionLoss(
  id: string,
  yTrue: Tensor,
  yPred: Tensor,
  sampleWeight: Tensor | undefined,
  options: RegionOptions,
  score: ScoreFn,
  hooks: RegionHooks = {},
): Tensor {
  const prep = prepare(id, yTrue, yPred, options);
  const sums = groupSums(prep, { squared: hooks.squared ?? prep.options.squaredPred, tn: hooks.tn ?? false });
  let loss = lossFromScore(score(sums, prep), prep.options);
  if (hooks.perGroup) loss = hooks.perGroup(loss);
  const out = finishGroups(id, loss, prep, sampleWeight);
  return hooks.afterReduction ? hooks.afterReduction(out) : out;
}

// ---------------------------------------------------------------------------------------------------------------
// Numerics.

/**
 * `max(x, 0)^γ` with a finite gradient everywhere: `γ·x^(γ−1)` for x > 0, and at x = 0 the exact derivative for
 * γ ≥ 1 (0 for γ > 1, 1 for γ = 1) and 0 for γ < 1, where the true derivative is infinite (the pinned
 * subgradient). The value at 0 is exactly 0 (1 for γ = 0).
 */
export function safePow(x: Tensor, gamma: number): Tensor {
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const base = tf.relu(input);
    save([input]);
    return {
      value: tf.pow(base, gamma),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const inp = saved[0];
        const upstream = dy as Tensor;
        if (gamma === 0) return [tf.zerosLike(inp)];
        // d/dx max(x, 0)^γ: 0 for x < 0; at x = 0 the exact value for γ ≥ 1, and 0 (pinned) for γ < 1.
        const inside = tf.cast(gamma >= 1 ? tf.greaterEqual(inp, 0) : tf.greater(inp, 0), 'float32');
        const b = gamma >= 1 ? tf.relu(inp) : tf.maximum(inp, 1e-30);
        return [tf.mul(upstream, tf.mul(inside, tf.mul(gamma, tf.pow(b, gamma - 1))))];
      },
    };
  });
  return op(x);
}
