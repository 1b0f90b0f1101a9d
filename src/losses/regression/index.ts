import type { Loss } from '../../core/define-loss.ts';
import { meanSquaredError } from './mean-squared-error.ts';

export * from './mean-squared-error.ts';

/** The regression losses, in catalog order. */
export const regressionLosses: readonly Loss<never>[] = [meanSquaredError];
