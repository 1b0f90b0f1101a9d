import type { Loss } from '../../core/define-loss.ts';
import { cosineSimilarity } from './cosine-similarity.ts';
import { huber } from './huber.ts';
import { klDivergence } from './kl-divergence.ts';
import { logCosh } from './log-cosh.ts';
import { meanAbsoluteError } from './mean-absolute-error.ts';
import { meanAbsolutePercentageError } from './mean-absolute-percentage-error.ts';
import { meanSquaredError } from './mean-squared-error.ts';
import { meanSquaredLogarithmicError } from './mean-squared-logarithmic-error.ts';
import { poisson } from './poisson.ts';

export * from './cosine-similarity.ts';
export * from './huber.ts';
export * from './kl-divergence.ts';
export * from './log-cosh.ts';
export * from './mean-absolute-error.ts';
export * from './mean-absolute-percentage-error.ts';
export * from './mean-squared-error.ts';
export * from './mean-squared-logarithmic-error.ts';
export * from './poisson.ts';

/** The regression losses, in catalog order. */
export const regressionLosses: readonly Loss<never>[] = [
  meanSquaredError,
  meanAbsoluteError,
  meanSquaredLogarithmicError,
  meanAbsolutePercentageError,
  huber,
  logCosh,
  cosineSimilarity,
  poisson,
  klDivergence,
];
