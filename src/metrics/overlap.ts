import type { Metric } from '../core/define-loss.ts';

/** Overlap metrics on tensors (Dice coefficient, IoU, …). */
export const overlapMetrics: readonly Metric<never>[] = [];
