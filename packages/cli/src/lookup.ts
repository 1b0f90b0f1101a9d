/** Finding a loss or a metric by any accepted spelling, with suggestions across both catalogs. */
import { findCatalogEntries, listLosses, listMetrics, type LossInfo, type MetricInfo } from 'losskit';
import { UsageError } from './errors.ts';

export type Entry =
  { readonly kind: 'loss'; readonly info: LossInfo } | { readonly kind: 'metric'; readonly info: MetricInfo };

/** `'focalTversky'` → `'focal_tversky'`: the spelling the CLI shows. */
export function snakeName(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Every catalog entry, losses first. */
export function allEntries(): Entry[] {
  return [
    ...listLosses().map((info) => ({ kind: 'loss' as const, info })),
    ...listMetrics().map((info) => ({ kind: 'metric' as const, info })),
  ];
}

/**
 * The loss or metric called `name`, by the library's own name rule (case, `_`, `-` and spaces ignored; aliases
 * and a `_loss` suffix accepted, as `getLoss` does). `prefer` decides when a name is both a loss and a metric.
 * Throws a `UsageError` listing the closest names otherwise.
 */
export function lookup(name: string, prefer: 'loss' | 'metric' = 'loss'): Entry {
  const found = findCatalogEntries(name);
  const loss = found.loss ? { kind: 'loss' as const, info: found.loss } : undefined;
  const metric = found.metric ? { kind: 'metric' as const, info: found.metric } : undefined;
  const hit = prefer === 'loss' ? (loss ?? metric) : (metric ?? loss);
  if (hit) return hit;
  const hint = found.suggestions.length
    ? ` Did you mean ${found.suggestions.map((c) => `'${snakeName(c)}'`).join(', ')}?`
    : '';
  throw new UsageError(`unknown loss or metric '${name}'.${hint} (losskit list shows them all)`);
}
