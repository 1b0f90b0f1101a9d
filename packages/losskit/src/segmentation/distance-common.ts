/**
 * Helpers shared by the distance- and shape-based segmentation losses (segmentation-distance.md §1–§2):
 * the precomputed-maps option, channels-last layout checks, the element-wise BCE, group reduction and a zero-gradient
 * wrapper. Internal: not exported from the package. The CPU-built maps are in `distance-planes.ts`.
 */
import { bceFromLogits, bceFromProbs, epsilon } from '../core/numerics.ts';
import type { ParamInfo, SegReduction } from '../core/types.ts';
import { assertSameShape, shapeText } from '../core/validate.ts';
import { tf, type Tensor } from '../tf.ts';
import { hostCopy } from './layout.ts';
import type { Activation } from './params.ts';

export const PRECOMPUTED_MAPS: ParamInfo = {
  name: 'precomputedMaps',
  type: 'boolean',
  default: false,
  doc:
    'true: yTrue is [B, ...spatial, 2C], the C masks followed by the C ground-truth maps that ' +
    'packDistanceMaps (tensors) or distanceMaps (arrays) made with the same options, e.g. in the data ' +
    'pipeline; the loss then reads the maps instead of recomputing them (identical values).',
};

/** Options of the cross-entropy losses weighted by distance maps (distance-map penalty, shape-aware). */
export interface DistanceWeightedBceOptions {
  /** BCE clip bound; null = the backend's epsilon (1e-7 on cpu and wasm). */
  readonly epsilon?: number | null;
  readonly spacing?: readonly number[] | null;
  readonly reduction?: SegReduction;
  readonly activation?: Activation;
  readonly precomputedMaps?: boolean;
}

/** A channels-last input: `[B, ...spatial, C]`, with N elements per (b, c) plane. */
export interface SegLayout {
  readonly B: number;
  readonly spatial: readonly number[];
  readonly C: number;
  readonly N: number;
}

export function layoutOf(shape: readonly number[]): SegLayout {
  const spatial = shape.slice(1, -1);
  return {
    B: shape[0] ?? 0,
    spatial,
    C: shape[shape.length - 1] ?? 0,
    N: spatial.reduce((a, d) => a * d, 1),
  };
}

export interface InputCheck {
  readonly precomputed?: boolean;
  readonly spacing?: readonly number[] | null;
  /** Exactly this many spatial axes (CMSS is 2-D only). */
  readonly spatialRank?: number;
}

/**
 * Checks channels-last inputs and the spacing against them, naming the loss and the shapes, and returns the
 * layout of yPred. With `precomputed`, yTrue must be yPred's shape with 2C channels (masks, then maps).
 */
export function checkInputs(owner: string, yTrue: Tensor, yPred: Tensor, check: InputCheck = {}): SegLayout {
  const want = check.spatialRank;
  if (yPred.rank < 3 || (want !== undefined && yPred.rank !== want + 2)) {
    const layout = want === 2 ? '[B, H, W, C]' : '[B, ...spatial, C] with at least one spatial axis';
    throw new Error(`${owner}: yPred must be channels-last ${layout}, got shape ${shapeText(yPred.shape)}`);
  }
  const L = layoutOf(yPred.shape);
  if (check.precomputed) {
    const expected = [...yPred.shape.slice(0, -1), 2 * L.C];
    const got = yTrue.shape;
    if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
      throw new Error(
        `${owner}: with precomputedMaps, yTrue must be ${shapeText(expected)} (the ${L.C} mask channel(s), then ` +
          `their maps from packDistanceMaps) for yPred shape ${shapeText(yPred.shape)}, got ${shapeText(got)}`,
      );
    }
  } else {
    assertSameShape(owner, yTrue, yPred);
  }
  const sp = check.spacing;
  if (sp != null && sp.length !== L.spatial.length) {
    throw new Error(
      `${owner}: option 'spacing' has ${sp.length} value(s) but yPred shape ${shapeText(yPred.shape)} has ` +
        `${L.spatial.length} spatial axis/axes (one value per spatial axis, in array-axis order)`,
    );
  }
  return L;
}

/** The masks and, with precomputed maps, the maps of a yTrue tensor, both float32 `[B, ...spatial, C]`. */
export function splitTrue(yTrue: Tensor, L: SegLayout, precomputed: boolean): { y: Tensor; maps?: Tensor } {
  if (!precomputed) {
    // The maps are built on the host from these values anyway (layout.ts `hostCopy` says why a copy).
    return { y: hostCopy(yTrue, yTrue.shape, 'float32').tensor };
  }
  const y = tf.cast(yTrue, 'float32');
  const begin = y.shape.map(() => 0);
  const size = [...y.shape.slice(0, -1), L.C];
  return { y: tf.slice(y, begin, size), maps: tf.slice(y, [...begin.slice(0, -1), L.C], size) };
}

/**
 * Element-wise BCE of §2: on probabilities clipped to [ε, 1 − ε] (`ε` null = `epsilon()`: 1e-7, 2⁻¹¹ on float16 storage), or with
 * `activation: 'sigmoid'` the exact BCE on the logits `x` (no clipping).
 */
export function bce(y: Tensor, x: Tensor, p: Tensor, activation: Activation, eps: number | null): Tensor {
  return activation === 'sigmoid'
    ? bceFromLogits(y, tf.cast(x, 'float32'))
    : bceFromProbs(y, p, eps ?? epsilon());
}

/** Mean over the spatial axes: `[B, ...spatial, C]` → `[B, C]`. */
export function spatialMean(x: Tensor): Tensor {
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
  return tf.mean(x, axes);
}

/** Columns `channels` of a `[B, C]` tensor, by slices (differentiable on every backend; duplicates allowed). */
export function pickChannels(x: Tensor, channels: readonly number[]): Tensor {
  const C = x.shape[1] ?? 0;
  if (channels.length === C && channels.every((c, i) => c === i)) return x;
  const B = x.shape[0] ?? 0;
  return tf.concat(
    channels.map((c) => tf.slice(x, [0, c], [B, 1])),
    1,
  );
}

/**
 * Weights the `[B, K]` per-(sample, channel) losses by `sampleWeight` (a scalar, `[B]`, `[B, 1]` or `[B, K]`) and
 * reduces them: 'mean' is a plain mean over the B·K groups (weights multiply, as MONAI's class weights; they do not
 * renormalise), 'sum', or 'none' (`[B, K]`). The same rules as the region pipeline's `finishGroups`.
 */
export function reduceGroups(
  owner: string,
  groups: Tensor,
  reduction: SegReduction,
  sampleWeight: Tensor | undefined,
): Tensor {
  let v = groups;
  if (sampleWeight) {
    const [B, K] = groups.shape as [number, number];
    const s = sampleWeight.shape;
    let w = tf.cast(sampleWeight, 'float32');
    if (s.length === 1 && s[0] === B) w = tf.reshape(w, [B, 1]);
    else if (!(s.length === 0 || (s.length === 2 && s[0] === B && (s[1] === 1 || s[1] === K)))) {
      throw new Error(
        `${owner}: sampleWeight shape ${shapeText(s)} cannot weight per-(sample, channel) losses of shape ` +
          `${shapeText(groups.shape)}; expected a scalar, [${B}], [${B},1] or [${B},${K}]`,
      );
    }
    v = tf.mul(v, w);
  }
  if (reduction === 'none') return v;
  return reduction === 'sum' ? tf.sum(v) : tf.mean(v);
}

/** The channels kept by `includeBackground` (MONAI: channel 0 is dropped only when C > 1). */
export function keptChannels(C: number, includeBackground: boolean): number[] {
  return Array.from({ length: C }, (_, c) => c).filter((c) => includeBackground || C === 1 || c > 0);
}

/**
 * A zero-gradient view of a computation: `detached(f)(...xs)` is `f(...xs)` in the forward pass, and its gradient
 * with respect to every input is 0. The ops of `f` run inside `customGrad`, so none of them is taped: `f` may use
 * non-differentiable ops (greater, max) on tensors that depend on yPred. This is tfjs 4.22's `stopGradient`.
 */
export function detached(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor {
  return (...xs: Tensor[]) => {
    const shapes = xs.map((x) => x.shape);
    const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
      const inputs = args.slice(0, -1) as Tensor[];
      return {
        value: f(...inputs),
        gradFunc: () => shapes.map((s) => tf.zeros(s)),
      };
    });
    return op(...xs);
  };
}
