import type { Metric } from '../core/define-loss.ts';

/** Surface-distance metrics on tensors (Hausdorff, ASSD, surface Dice). */
export const surfaceMetrics: readonly Metric<never>[] = [];
