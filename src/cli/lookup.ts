/** Finding a loss or a metric by any accepted spelling, with suggestions across both catalogs. */
import { closestNames, normalizeName } from '../core/names.ts';
import type { LossInfo, MetricInfo } from '../core/types.ts';
import { listLosses, listMetrics } from '../index.ts';
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

function namesOf(e: Entry): string[] {
  return [e.info.id, snakeName(e.info.id), ...e.info.aliases];
}

/**
 * The loss or metric called `name` (case, `_`, `-` and spaces ignored; aliases and a `_loss` suffix
 * accepted, as `getLoss` does). `prefer` decides when a name is both a loss and a metric.
 * Throws a `UsageError` listing the closest names otherwise.
 */
export function lookup(name: string, prefer: 'loss' | 'metric' = 'loss'): Entry {
  const entries = allEntries();
  const n = normalizeName(name);
  const candidates = [n, n.endsWith('loss') ? n.slice(0, -4) : `${n}loss`];
  for (const c of candidates) {
    const hits = entries.filter((e) => namesOf(e).some((x) => normalizeName(x) === c));
    if (hits.length) return hits.find((e) => e.kind === prefer) ?? hits[0];
  }
  const close = closestNames(
    name,
    entries.map((e) => snakeName(e.info.id)),
    4,
  );
  const hint = close.length ? ` Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : '';
  throw new UsageError(`unknown loss or metric '${name}'.${hint} (losskit list shows them all)`);
}
