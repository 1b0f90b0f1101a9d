import type { Loss } from '../core/define-loss.ts';
import { classificationLosses } from './classification/index.ts';
import { regressionLosses } from './regression/index.ts';
import { segmentationLosses } from './segmentation/index.ts';

export * from './classification/index.ts';
export * from './regression/index.ts';
export * from './segmentation/index.ts';

/** Every loss, in catalog order: the one list the catalog, the CLI and the explorer read. */
export const allLosses: readonly Loss<never>[] = [
  ...regressionLosses,
  ...classificationLosses,
  ...segmentationLosses,
];
