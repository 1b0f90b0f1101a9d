import type { Metric } from '../core/define-loss.ts';
import { overlapMetrics } from './overlap.ts';
import { surfaceMetrics } from './surface.ts';

export * from './overlap.ts';
export * from './surface.ts';

/** Every metric, in catalog order. */
export const allMetrics: readonly Metric<never>[] = [...overlapMetrics, ...surfaceMetrics];
