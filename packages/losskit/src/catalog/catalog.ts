import type { Loss, LossFn, Metric, MetricFn } from '../core/define-loss.ts';
import type { Tensor } from '../tf.ts';
import { closestNames, entryTable, findLossName, lossNameKeys } from '../util/names.ts';
import type { LossInfo, MetricInfo, Options } from '../core/types.ts';
import { allLosses } from '../losses/index.ts';
import { allMetrics } from '../metrics/index.ts';

const losses = entryTable(allLosses as readonly Loss[]);
const metrics = entryTable(allMetrics as readonly Metric[]);

/**
 * A loss by name, bound to its options: `(yTrue, yPred, sampleWeight?) => Tensor`, ready for
 * `model.compile({ loss })`. Names ignore case, `_`, `-` and spaces; Keras aliases (`mse`, `bce`, …) work.
 * Throws before any tensor work for an unknown name (listing the closest names), a bad option, or a metric's
 * name: a metric such as `dice_coefficient` is higher-is-better, so minimising it would train backwards; the
 * error names the loss to train with (the metric's `info.loss`, else the closest loss names) and `getMetric`.
 * One exception: a metric with a numeric `threshold` option is a hard, gradient-free evaluation that cannot be
 * trained on by mistake (tfjs refuses a loss without gradient), so it is computed, without sample weights (the
 * shared conformance suite evaluates `dice_coefficient` with `threshold: 0.5` this way).
 */
export function getLoss(name: string, options?: Options): LossFn {
  if (typeof name !== 'string') throw new Error(`getLoss: name must be a string, got ${typeof name}`);
  const loss = findLossName(losses, name);
  if (loss) return loss.bind(options);
  const metric = findLossName(metrics, name);
  if (metric && typeof options?.threshold === 'number') {
    const fn = metric.bind(options);
    const asLoss = (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor => {
      if (sampleWeight != null)
        throw new Error(`getLoss: '${name}' is a metric and takes no sampleWeight; use getMetric('${name}')`);
      return fn(yTrue, yPred);
    };
    Object.defineProperty(asLoss, 'name', { value: fn.id });
    return Object.assign(asLoss, { id: fn.id, options: fn.options });
  }
  if (metric) {
    const info = metric.info;
    const instead = info.loss
      ? [info.loss]
      : closestNames(
          info.id,
          listLosses().map((l) => l.id),
          2,
        );
    const use = instead.length
      ? `; to train for it use the loss ${instead.map((l) => `'${l}'`).join(' or ')}`
      : '';
    throw new Error(
      `getLoss: '${name}' is the metric ${info.id} (${info.higherIsBetter ? 'higher' : 'lower'} is better), not a ` +
        `loss${use}; to compute the metric use getMetric('${name}')`,
    );
  }
  return losses.require(name, 'loss').bind(options);
}

/** A metric by name, bound to its options: `(yTrue, yPred) => Tensor`, usable in `model.compile({ metrics })`. */
export function getMetric(name: string, options?: Options): MetricFn {
  if (typeof name !== 'string') throw new Error(`getMetric: name must be a string, got ${typeof name}`);
  const metric = findLossName(metrics, name);
  if (metric) return metric.bind(options);
  if (findLossName(losses, name))
    throw new Error(`getMetric: '${name}' is a loss, not a metric; use getLoss('${name}')`);
  return metrics.require(name, 'metric').bind(options);
}

/** Every loss's catalog entry, built from the loss files themselves. */
export function listLosses(): LossInfo[] {
  return allLosses.map((l) => l.info);
}

/** Every metric's catalog entry. */
export function listMetrics(): MetricInfo[] {
  return allMetrics.map((m) => m.info);
}

/** What `findCatalogEntries` found for a name. */
export interface CatalogMatch {
  /** The loss of that name, if any. */
  readonly loss?: LossInfo;
  /** The metric of that name, if any (`dice` is a loss, `dice_coefficient` a metric; a few names are both). */
  readonly metric?: MetricInfo;
  /** When neither was found: the closest ids across both catalogs (at most four), else empty. */
  readonly suggestions: readonly string[];
}

/**
 * Looks a name up in both catalogs with the rule `getLoss` and `getMetric` use (case, `_`, `-` and spaces
 * ignored; aliases; a `_loss` suffix added or removed), without throwing: tools that take a name from a user
 * (the CLI, the explorer) report unknown names in their own words with `suggestions`.
 */
export function findCatalogEntries(name: string): CatalogMatch {
  // The name as given first, in both catalogs, then with the `_loss` suffix changed: 'iou' is the metric, not the
  // loss that 'iou_loss' names.
  for (const key of lossNameKeys(name)) {
    const loss = losses.get(key)?.info;
    const metric = metrics.get(key)?.info;
    if (loss || metric) return { ...(loss ? { loss } : {}), ...(metric ? { metric } : {}), suggestions: [] };
  }
  const ids = [...allLosses, ...allMetrics].map((e) => e.info.id);
  return { suggestions: closestNames(name, ids, 4) };
}
