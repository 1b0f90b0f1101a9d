import type { Loss } from '../../core/define-loss.ts';
import { balancedCrossentropy } from './balanced-crossentropy.ts';
import { combo } from './combo.ts';
import { exponentialLogarithmic } from './exponential-logarithmic.ts';
import { focal } from './focal.ts';
import { lovaszHinge } from './lovasz-hinge.ts';
import { lovaszSoftmax } from './lovasz-softmax.ts';
import { unifiedFocal } from './unified-focal.ts';
import { weightedCrossentropy } from './weighted-crossentropy.ts';

export * from './balanced-crossentropy.ts';
export * from './combo.ts';
export * from './exponential-logarithmic.ts';
export * from './focal.ts';
export * from './lovasz-hinge.ts';
export * from './lovasz-softmax.ts';
export * from './unified-focal.ts';
export * from './weighted-crossentropy.ts';

/**
 * Pixel-wise segmentation losses, in catalog order: cross-entropy variants, focal, the compounds built on them
 * (combo, exponential logarithmic, unified focal), and the Lovász IoU surrogates.
 */
export const pixelLosses: readonly Loss<never>[] = [
  weightedCrossentropy,
  balancedCrossentropy,
  focal,
  combo,
  exponentialLogarithmic,
  unifiedFocal,
  lovaszHinge,
  lovaszSoftmax,
];
