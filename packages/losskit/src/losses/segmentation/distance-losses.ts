import type { Loss } from '../../core/define-loss.ts';
import { boundaryLoss } from './boundary.ts';
import { cmssLoss } from './cmss.ts';
import { distanceMapPenaltyBce } from './distance-map-penalty.ts';
import { hausdorffDtLoss } from './hausdorff-dt.ts';
import { shapeAwareLoss } from './shape-aware.ts';

export * from './boundary.ts';
export * from './cmss.ts';
export * from './distance-map-penalty.ts';
export * from './distance-maps.ts';
export * from './hausdorff-dt.ts';
export * from './shape-aware.ts';

/** Distance- and shape-based segmentation losses (segmentation-distance.md §2), in catalog order. */
export const distanceLosses: readonly Loss<never>[] = [
  hausdorffDtLoss,
  boundaryLoss,
  distanceMapPenaltyBce,
  shapeAwareLoss,
  cmssLoss,
];
