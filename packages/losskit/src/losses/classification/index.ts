import type { Loss } from '../../core/define-loss.ts';
import { binaryCrossentropy } from './binary-crossentropy.ts';
import { binaryFocalCrossentropy } from './binary-focal-crossentropy.ts';
import { categoricalCrossentropy } from './categorical-crossentropy.ts';
import { categoricalFocalCrossentropy } from './categorical-focal-crossentropy.ts';
import { categoricalHinge } from './categorical-hinge.ts';
import { hinge } from './hinge.ts';
import { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.ts';
import { squaredHinge } from './squared-hinge.ts';

export * from './binary-crossentropy.ts';
export * from './binary-focal-crossentropy.ts';
export * from './categorical-crossentropy.ts';
export * from './categorical-focal-crossentropy.ts';
export * from './categorical-hinge.ts';
export * from './hinge.ts';
export * from './sparse-categorical-crossentropy.ts';
export * from './squared-hinge.ts';

/** The classification losses, in catalog order. */
export const classificationLosses: readonly Loss<never>[] = [
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  binaryFocalCrossentropy,
  categoricalFocalCrossentropy,
  hinge,
  squaredHinge,
  categoricalHinge,
];
