import type { Loss } from '../../core/define-loss.ts';
import { dice } from './dice.ts';
import { focalTversky } from './focal-tversky.ts';
import { generalizedDice } from './generalized-dice.ts';
import { jaccard } from './jaccard.ts';
import { logCoshDice } from './log-cosh-dice.ts';
import { mcc } from './mcc.ts';
import { sensitivitySpecificity } from './sensitivity-specificity.ts';
import { tversky } from './tversky.ts';

export * from './dice.ts';
export * from './focal-tversky.ts';
export * from './generalized-dice.ts';
export * from './jaccard.ts';
export * from './log-cosh-dice.ts';
export * from './mcc.ts';
export * from './sensitivity-specificity.ts';
export * from './tversky.ts';

/** Region (overlap) losses: Dice, Jaccard, Tversky and their relatives, in catalog order. */
export const overlapLosses: readonly Loss<never>[] = [
  dice,
  jaccard,
  tversky,
  focalTversky,
  logCoshDice,
  generalizedDice,
  sensitivitySpecificity,
  mcc,
];
