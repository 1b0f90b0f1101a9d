import type { Loss } from '../../core/define-loss.ts';

/** Pixel-wise segmentation losses: cross-entropy variants, focal, and compounds built on them. */
export const pixelLosses: readonly Loss<never>[] = [];
