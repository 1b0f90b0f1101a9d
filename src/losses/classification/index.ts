import type { Loss } from '../../core/define-loss.ts';
import { binaryCrossentropy } from './binary-crossentropy.ts';
import { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.ts';

export * from './binary-crossentropy.ts';
export * from './sparse-categorical-crossentropy.ts';

/** The classification losses, in catalog order. */
export const classificationLosses: readonly Loss<never>[] = [binaryCrossentropy, sparseCategoricalCrossentropy];
