import { tf, type Tensor } from '../tf.ts';
import { fusedActive } from './fused-switch.ts';
import { type PresetTable, type Resolved, resolveWithPresets } from './options.ts';
import type { LossInfo, MetricInfo } from './types.ts';
import { assertTensor } from './validate.ts';

/**
 * A loss bound to its options, callable as Keras calls a loss: `(yTrue, yPred, sampleWeight?)`.
 * `fn.name` is readable (`'meanSquaredError'`), so Keras-style logs show it.
 */
export type LossFn = ((yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor) => Tensor) & {
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
};

/** A metric bound to its options. */
export type MetricFn = ((yTrue: Tensor, yPred: Tensor) => Tensor) & {
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
};

/** The computation behind a loss: inputs already checked to be tensors, options already resolved. */
export type Compute<O> = (
  yTrue: Tensor,
  yPred: Tensor,
  sampleWeight: Tensor | undefined,
  options: Resolved<O>,
) => Tensor;

/** A fused value-and-gradient path (src/fused/): the arguments of `Compute`, and null to decline the call. */
export type FusedCompute<O> = (...args: Parameters<Compute<O>>) => Tensor | null;

/** What a metric may add to option resolution. */
export interface MetricHooks {
  /**
   * Preset name → partial options, merged under the user's explicit options (restricted to the declared ones)
   * when the `preset` option names a row.
   */
  readonly presets?: PresetTable;
}

/** What a loss may add: presets, and a fused kernel tried before `compute`. */
export interface LossHooks<O> extends MetricHooks {
  /** Tried first when fused kernels may run (`fusedActive()`: switched on, cpu or wasm); null falls back. */
  readonly fused?: FusedCompute<O>;
}

/** Options of a loss's named export: its own options, plus an optional `sampleWeight`. */
export type CallOptions<O> = O & { readonly sampleWeight?: Tensor };

/**
 * A loss as the package exports it: callable directly as `loss(yTrue, yPred, options?)`, with its catalog
 * entry as `.info` and `.bind(options)` returning the `LossFn` that `getLoss` hands out.
 */
export interface Loss<O extends object = Record<string, unknown>> {
  (yTrue: Tensor, yPred: Tensor, options?: CallOptions<O>): Tensor;
  readonly info: LossInfo;
  bind(options?: O): LossFn;
}

/** A metric as the package exports it. */
export interface Metric<O extends object = Record<string, unknown>> {
  (yTrue: Tensor, yPred: Tensor, options?: O): Tensor;
  readonly info: MetricInfo;
  bind(options?: O): MetricFn;
}

function named<F extends object>(fn: F, name: string, extra: Record<string, unknown>): F {
  // Keras-style logs and tfjs-layers' metric names read `fn.name`; a closure would be anonymous.
  Object.defineProperty(fn, 'name', { value: name });
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(fn, k, { value: v, enumerable: true });
  return fn;
}

/**
 * Makes a loss from its catalog entry and its computation. The result validates options once (at `bind`),
 * checks its arguments on every call, and runs the computation inside `tf.tidy`, so that a call leaves
 * exactly its result tensor behind.
 */
export function defineLoss<O extends object>(
  info: LossInfo,
  compute: Compute<O>,
  hooks: LossHooks<O> = {},
): Loss<O> {
  const { fused, presets } = hooks;
  const run: Compute<O> = fused
    ? (yTrue, yPred, sampleWeight, o) =>
        (fusedActive() ? fused(yTrue, yPred, sampleWeight, o) : null) ??
        compute(yTrue, yPred, sampleWeight, o)
    : compute;
  const bind = (options?: O): LossFn => {
    const resolved = resolveWithPresets<O>(info, options, presets);
    const fn = (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor => {
      assertTensor(info.id, 'yTrue', yTrue);
      assertTensor(info.id, 'yPred', yPred);
      // JavaScript callers (and Keras habits) may pass null for "no weights".
      const weight = (sampleWeight as Tensor | null | undefined) ?? undefined;
      if (weight !== undefined) assertTensor(info.id, 'sampleWeight', weight);
      return tf.tidy(info.id, () => run(yTrue, yPred, weight, resolved));
    };
    return named(fn, info.id, { id: info.id, options: resolved }) as LossFn;
  };
  const call = (yTrue: Tensor, yPred: Tensor, options?: CallOptions<O>): Tensor => {
    const { sampleWeight, ...rest } = (options ?? {}) as CallOptions<O>;
    return bind(rest as O)(yTrue, yPred, sampleWeight);
  };
  return named(call, info.id, { info: Object.freeze(info), bind }) as Loss<O>;
}

/**
 * Makes a metric from its catalog entry (with its presets, as metrics/info.ts defines them, so that the tfjs-free
 * `resolveMetricOptions` resolves options from the same table) and its computation; the same guarantees as
 * `defineLoss`.
 */
export function defineMetric<O extends object>(
  entry: { readonly info: MetricInfo } & MetricHooks,
  compute: (yTrue: Tensor, yPred: Tensor, options: Resolved<O>) => Tensor,
): Metric<O> {
  const { info, presets } = entry;
  const bind = (options?: O): MetricFn => {
    const resolved = resolveWithPresets<O>(info, options, presets);
    const fn = (yTrue: Tensor, yPred: Tensor): Tensor => {
      assertTensor(info.id, 'yTrue', yTrue);
      assertTensor(info.id, 'yPred', yPred);
      return tf.tidy(info.id, () => compute(yTrue, yPred, resolved));
    };
    return named(fn, info.id, { id: info.id, options: resolved }) as MetricFn;
  };
  const call = (yTrue: Tensor, yPred: Tensor, options?: O): Tensor => bind(options)(yTrue, yPred);
  return named(call, info.id, { info: Object.freeze(info), bind }) as Metric<O>;
}
