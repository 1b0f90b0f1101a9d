import type { Loss } from '../../core/define-loss.ts';

/** Region (overlap) losses: Dice, Jaccard, Tversky and their relatives. */
export const overlapLosses: readonly Loss<never>[] = [];
