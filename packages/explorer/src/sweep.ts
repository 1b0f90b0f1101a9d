/**
 * The curves' computation: a loss and its gradient with respect to the prediction as the prediction sweeps its
 * range. Everything goes through the library (`getLoss`) and `tf.grad`; nothing here knows a formula.
 *
 * Each curve is one *affine sweep*: a fixed `yTrue` and `yPred(x) = base + dir·x`, so that x is a probability
 * (or logit) of the positive class, or the residual ŷ − y in regression, whatever the loss's input layout:
 *
 * | layout        | yTrue                         | yPred(x)                                   | for                    |
 * |---------------|-------------------------------|--------------------------------------------|------------------------|
 * | `residual`    | `[[t]]`                       | `[[t + x]]`                                | regression             |
 * | `binary`      | `[[y]]`                       | `[[x]]`                                    | sigmoid-style losses   |
 * | `onehot`      | `[[1−y, y]]`                  | `[[1−x, x]]` (logits: `[[0, x]]`)          | softmax-style losses   |
 * | `sparse`      | `[y]` (int32)                 | as `onehot`                                | integer-label losses   |
 * | `image`       | 4×4 mask `[1,4,4,1]`          | the mask, one pixel replaced by x          | segmentation           |
 * | `image2`      | `[1,4,4,2]` one-hot of it     | `[1−p, p]` per pixel (logits `[0, z]`)     | two-channel seg.       |
 * | `imageSparse` | `[1,4,4]` int32 labels        | as `image2`, `sparseLabels: true`          | sparse-label seg.      |
 *
 * The 4×4 mask has its left half foreground; the swept pixel is (1,1) for a positive target and (1,2) for a
 * negative one, and every other pixel is predicted perfectly (probability 0/1, or logit ±6).
 *
 * The fixed point x0 (`X0`) is evaluated exactly as a user would: one `getLoss(id, options)` call on the single
 * input, and `tf.grad` of it; the page writes both into `data-*` attributes, with the input itself, so the
 * end-to-end test can recompute them in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { getLoss, type LossInfo, type OptionValue } from 'losskit';
import { typesOf } from './params.ts';

export type Domain = 'probability' | 'logit';
export type Layout = 'residual' | 'binary' | 'onehot' | 'sparse' | 'image' | 'image2' | 'imageSparse';

/** The documented fixed points where the page reports ℓ(x0) and ∂ℓ/∂x(x0). */
export const X0 = { residual: 0.5, probability: 0.3, logit: -1 } as const;

/** The x grid of each domain. */
export const RANGES = { residual: [-3, 3], probability: [0.002, 0.998], logit: [-8, 8] } as const;

export const GRID_POINTS = 201;
/** Points of the slow path, when a loss cannot be evaluated as a batch of independent samples. */
export const POINTWISE_POINTS = 61;

const IMAGE = 4;
const LOGIT_CONFIDENT = 6;

export interface TensorSpec {
  readonly values: number[];
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
}

/** One sweep: `yTrue` fixed, `yPred(x) = base + dir·x`, both of `shape`. */
export interface Affine {
  readonly yTrue: TensorSpec;
  readonly base: number[];
  readonly dir: number[];
  readonly shape: number[];
}

export function layoutsFor(info: LossInfo): Layout[] {
  if (info.task === 'regression') return ['residual'];
  if (info.task === 'segmentation') return ['image', 'image2', 'imageSparse'];
  return ['binary', 'onehot', 'sparse'];
}

/**
 * The input layout a classification loss most likely expects, from its name: `sparse…` takes integer labels,
 * `categorical…`/`softmax`/`kl…` a probability vector, anything else one probability per element. The page lets
 * the user switch, and says which layout each curve used.
 */
export function defaultLayout(info: LossInfo): Layout {
  if (info.task === 'regression') return 'residual';
  if (info.task === 'segmentation') return 'image';
  const names = [info.id, ...info.aliases].join(' ').toLowerCase();
  if (names.includes('sparse')) return 'sparse';
  if (/categorical|softmax|kullback|kl_?divergence|kld/.test(names)) return 'onehot';
  return 'binary';
}

const has = (info: LossInfo, name: string) => info.params.find((p) => p.name === name);

/**
 * Options the layout and domain impose (`fromLogits`, `activation`, `sparseLabels`), and whether the loss had no
 * way to take logits, in which case x is fed to it raw.
 */
export function imposedOptions(
  info: LossInfo,
  layout: Layout,
  domain: Domain,
): { options: Record<string, OptionValue>; raw: boolean } {
  const options: Record<string, OptionValue> = {};
  let raw = false;
  const twoChannel =
    layout === 'onehot' || layout === 'sparse' || layout === 'image2' || layout === 'imageSparse';
  if (layout !== 'residual' && domain === 'logit') {
    const act = has(info, 'activation');
    if (has(info, 'fromLogits')) options.fromLogits = true;
    else if (act?.values?.includes(twoChannel ? 'softmax' : 'sigmoid'))
      options.activation = twoChannel ? 'softmax' : 'sigmoid';
    else if (act?.values?.includes('sigmoid')) options.activation = 'sigmoid';
    else raw = true;
  }
  if ((layout === 'imageSparse' || layout === 'sparse') && has(info, 'sparseLabels'))
    options.sparseLabels = true;
  return { options, raw };
}

/** The sweep's input for one target (`y` = 1 or 0 in classification and segmentation; `t` in regression). */
export function affine(layout: Layout, domain: Domain, target: number, raw = false): Affine {
  const logit = domain === 'logit' && !raw;
  const two = (y: number) => [1 - y, y];
  switch (layout) {
    case 'residual':
      return {
        yTrue: { values: [target], shape: [1, 1], dtype: 'float32' },
        base: [target],
        dir: [1],
        shape: [1, 1],
      };
    case 'binary':
      return {
        yTrue: { values: [target], shape: [1, 1], dtype: 'float32' },
        base: [0],
        dir: [1],
        shape: [1, 1],
      };
    case 'onehot':
    case 'sparse':
      return {
        yTrue:
          layout === 'onehot'
            ? { values: two(target), shape: [1, 2], dtype: 'float32' }
            : { values: [target], shape: [1], dtype: 'int32' },
        base: logit ? [0, 0] : [1, 0],
        dir: logit ? [0, 1] : [-1, 1],
        shape: [1, 2],
      };
    case 'image':
    case 'image2':
    case 'imageSparse': {
      const mask = Array.from({ length: IMAGE * IMAGE }, (_, i) => (i % IMAGE < IMAGE / 2 ? 1 : 0));
      const pixel = target === 1 ? IMAGE + 1 : IMAGE + 2;
      const rest = (g: number) => (logit ? (g ? LOGIT_CONFIDENT : -LOGIT_CONFIDENT) : g);
      if (layout === 'image') {
        return {
          yTrue: { values: mask, shape: [1, IMAGE, IMAGE, 1], dtype: 'float32' },
          base: mask.map((g, i) => (i === pixel ? 0 : rest(g))),
          dir: mask.map((_, i) => (i === pixel ? 1 : 0)),
          shape: [1, IMAGE, IMAGE, 1],
        };
      }
      const base: number[] = [];
      const dir: number[] = [];
      mask.forEach((g, i) => {
        if (i === pixel) {
          base.push(logit ? 0 : 1, 0);
          dir.push(logit ? 0 : -1, 1);
        } else if (logit) base.push(0, rest(g));
        else base.push(...two(g));
        if (i !== pixel) dir.push(0, 0);
      });
      return {
        yTrue:
          layout === 'image2'
            ? { values: mask.flatMap(two), shape: [1, IMAGE, IMAGE, 2], dtype: 'float32' }
            : { values: mask, shape: [1, IMAGE, IMAGE], dtype: 'int32' },
        base,
        dir,
        shape: [1, IMAGE, IMAGE, 2],
      };
    }
  }
}

/**
 * Runs `fn` in a tfjs scope: every tensor it creates is disposed when it returns, whatever it returns (`tf.tidy`
 * only accepts functions that return tensors).
 */
export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}

export function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

export interface CurveResult {
  readonly xs: number[];
  readonly loss: (number | null)[];
  readonly grad: (number | null)[];
  /** ℓ(x0) and ∂ℓ/∂x(x0), from one plain call on the single input. */
  readonly lossAtX0: number;
  readonly gradAtX0: number;
  /** `batched`: all points in one call with `reduction: 'none'`; `pointwise`: one call per point. */
  readonly mode: 'batched' | 'pointwise';
  readonly ms: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** `yPred` for a batch of x values `[n]`: `base + dir·x`, broadcast over the batch axis. */
function build(a: Affine, base: tf.Tensor, dir: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const n = x.size;
  const xs = tf.reshape(x, [n, ...a.shape.slice(1).map(() => 1)]);
  return tf.add(base, tf.mul(dir, xs));
}

/**
 * ℓ and ∂ℓ/∂x of the loss `id` with `options` along the sweep `a`. Throws what the loss throws.
 *
 * Fast path: every x is a separate sample of one batch and the loss is called once with `reduction: 'none'`;
 * the result is trusted only if it reproduces the single-input value and gradient at x0 (a loss that couples the
 * samples of a batch, such as a batch-wide MCC, fails that check). Otherwise each point is its own call.
 */
export function evaluateCurve(
  info: LossInfo,
  options: Record<string, OptionValue>,
  a: Affine,
  xs: number[],
  x0: number,
): CurveResult {
  const t0 = performance.now();
  return scoped(() => {
    const fn = getLoss(info.id, options);
    const yTrue = tf.tensor(a.yTrue.values, a.yTrue.shape, a.yTrue.dtype);
    const base = tf.tensor(a.base, a.shape, 'float32');
    const dir = tf.tensor(a.dir, a.shape, 'float32');
    const single = (x: tf.Tensor) => tf.mean(fn(yTrue, build(a, base, dir, x)));
    const at = (x: number) => {
      const xt = tf.tensor1d([x]);
      const loss = single(xt).dataSync()[0];
      let grad = NaN;
      try {
        grad = tf.grad(single)(xt).dataSync()[0];
      } catch {
        // No differentiable path from the prediction to the loss: the curve of ∂ℓ/∂x stays empty.
      }
      return { loss, grad };
    };
    const p0 = at(x0);

    const reduction = info.params.find((p) => p.name === 'reduction');
    if (reduction?.values?.includes('none') && typesOf(reduction).includes('enum')) {
      try {
        const batched = tryBatched(info, options, a, yTrue, base, dir, [...xs, x0]);
        const n = xs.length;
        if (batched && close(batched.loss[n], p0.loss) && close(batched.grad[n], p0.grad)) {
          return {
            xs,
            loss: Array.from(batched.loss.subarray(0, n), finite),
            grad: Array.from(batched.grad.subarray(0, n), finite),
            lossAtX0: p0.loss,
            gradAtX0: p0.grad,
            mode: 'batched' as const,
            ms: performance.now() - t0,
          };
        }
      } catch {
        // A loss may reject a batch it would accept one sample at a time; the slow path below decides.
      }
    }
    const lo = xs[0];
    const hi = xs[xs.length - 1];
    const coarse = grid(lo, hi, POINTWISE_POINTS);
    const pts = coarse.map(at);
    return {
      xs: coarse,
      loss: pts.map((p) => finite(p.loss)),
      grad: pts.map((p) => finite(p.grad)),
      lossAtX0: p0.loss,
      gradAtX0: p0.grad,
      mode: 'pointwise' as const,
      ms: performance.now() - t0,
    };
  });
}

function tryBatched(
  info: LossInfo,
  options: Record<string, OptionValue>,
  a: Affine,
  yTrue: tf.Tensor,
  base: tf.Tensor,
  dir: tf.Tensor,
  xs: number[],
): { loss: Float32Array; grad: Float32Array } | undefined {
  const n = xs.length;
  const fn = getLoss(info.id, { ...options, reduction: 'none' });
  const yTrueN = tf.tile(yTrue, [n, ...yTrue.shape.slice(1).map(() => 1)]);
  const perSample = (x: tf.Tensor) => {
    const v = fn(yTrueN, build(a, base, dir, x));
    if (v.rank === 0 || v.shape[0] !== n) throw new Error('not per sample');
    return tf.mean(tf.reshape(v, [n, -1]), 1);
  };
  const x = tf.tensor1d(xs);
  const loss = perSample(x).dataSync() as Float32Array;
  const grad = tf
    .grad((t: tf.Tensor) => tf.sum(perSample(t)))(x)
    .dataSync() as Float32Array;
  return { loss, grad };
}
