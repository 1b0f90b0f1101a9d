import type { Loss } from '../../core/define-loss.ts';

/** Distance- and shape-based segmentation losses. */
export const distanceLosses: readonly Loss<never>[] = [];
