import type { ParamInfo } from '../core/types.ts';

/** Tversky's α, on false positives (shared by tversky, focalTversky and tverskyIndex). */
export const TVERSKY_ALPHA: ParamInfo = {
  name: 'alpha',
  type: 'number',
  default: 0.3,
  range: [0, Infinity],
  doc:
    'Weight on false positives (as in the paper, MONAI, smp, Keras 3; Jadon’s and Abraham’s code call the FN ' +
    'weight alpha). α = β = 0.5 is Dice, α = β = 1 is Jaccard.',
};

/** Tversky's β, on false negatives. */
export const TVERSKY_BETA: ParamInfo = {
  name: 'beta',
  type: 'number',
  default: 0.7,
  range: [0, Infinity],
  doc: 'Weight on false negatives; β > α favours recall (small lesions are not dropped).',
};

/** Tversky's score in the fused kernel's form: TP + α·FP + β·FN = (1 − α − β)·TP + α·Σp + β·Σg. */
export function tverskyFusedScore(alpha: number, beta: number) {
  return { kn: 1, kt: 1 - alpha - beta, kp: alpha, kg: beta };
}
