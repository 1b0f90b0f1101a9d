import type { Loss } from '../../core/define-loss.ts';
import { distanceLosses } from './distance-losses.ts';
import { overlapLosses } from './overlap-losses.ts';
import { pixelLosses } from './pixel-losses.ts';

export * from './distance-losses.ts';
export * from './overlap-losses.ts';
export * from './pixel-losses.ts';

/** The segmentation losses, in catalog order. */
export const segmentationLosses: readonly Loss<never>[] = [
  ...pixelLosses,
  ...overlapLosses,
  ...distanceLosses,
];
