import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { divideNoNan, toFloat32 } from '../../core/numerics.ts';
import { tf, type Tensor } from '../../tf.ts';
import { regionFused } from '../../fused/region.ts';
import {
  finishGroups,
  GROUP_REDUCTION,
  type GroupSums,
  groupSums,
  LAYOUT_PARAMS,
  prepare,
  REDUCE_BATCH,
  SMOOTH_DR,
  SMOOTH_NR,
} from '../../segmentation/index.ts';

const PARAMS = [
  ...LAYOUT_PARAMS,
  REDUCE_BATCH,
  {
    name: 'weightType',
    type: 'enum',
    values: ['square', 'simple', 'uniform'],
    default: 'square',
    doc: "Class weights from the ground-truth volume V: 'square' 1/V² (Sudre), 'simple' 1/V, 'uniform' 1.",
  },
  SMOOTH_NR,
  SMOOTH_DR,
  {
    ...GROUP_REDUCTION,
    doc: "Over the per-sample losses: 'mean', 'sum', or 'none' ([B, 1]; [1, 1] with reduceBatch).",
  },
] as const;

export type GeneralizedDiceOptions = OptionsOf<typeof PARAMS>;
/** Class weights from the ground-truth volume: 1/V² ('square'), 1/V ('simple') or 1 ('uniform'). */
export type GdlWeightType = NonNullable<GeneralizedDiceOptions['weightType']>;

/**
 * The class weights `[B', C]`, constants built from the ground truth only: `1/V²`, `1/V` or 1 with V = Σg per class;
 * an infinite weight (absent class) is replaced by the largest finite weight of its group, or 0 if none (MONAI).
 */
function classWeights(sums: GroupSums, type: GdlWeightType): Tensor {
  const V = sums.sumG;
  if (type === 'uniform') return tf.onesLike(V);
  // divideNoNan reads V only (ground truth): 0 for absent classes, no non-differentiable op on the p path.
  const w = divideNoNan(tf.onesLike(V), type === 'square' ? tf.square(V) : V);
  const absent = toFloat32(tf.equal(V, 0));
  return tf.add(w, tf.mul(absent, tf.max(w, 1, true)));
}

/**
 * Generalized Dice loss (Sudre et al. 2017), MONAI `GeneralizedDiceLoss` (segmentation-region.md §2.11).
 *
 * Unreduced, per sample (per batch with `reduceBatch`):
 * `ℓ = 1 − (2·Σ_c w_c·Σpg_c + s_nr) / (Σ_c w_c·(Σp_c + Σg_c) + s_dr)`, with `w_c = 1/(Σg_c)²` ('square'),
 * `1/Σg_c` ('simple') or 1 ('uniform'). The weights are constants (no gradient).
 *
 * Conventions: MONAI replaces the infinite weight of a class absent from the sample by the largest finite weight of
 * that sample (over all classes of the batch with `reduceBatch`), and by 0 if none is finite; then an empty target
 * with an empty prediction scores (0 + s)/(0 + s), loss 0. NiftyNet adds 0.1 to the volumes and sums globally;
 * SegLoss returns −GDC.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar, or the `[B', 1]` per-sample losses with `reduction: 'none'`
 * @example
 * // One channel, g = [1, 0], p = [0.9, 0.2]: w = 1, 1 − (1.8 + 1e-5)/(2.1 + 1e-5) = 0.1428565 (= Dice)
 * generalizedDice(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.2], [1, 1, 2, 1])).print(); // 0.1428565
 * @see Sudre, Li, Vercauteren, Ourselin & Cardoso 2017, "Generalised Dice overlap as a deep learning loss function
 *   for highly unbalanced segmentations", DLMIA, arXiv:1707.03237
 */
export const generalizedDice = defineLoss<GeneralizedDiceOptions>(
  {
    id: 'generalizedDice',
    aliases: ['generalized_dice', 'generalized_dice_loss', 'GeneralizedDiceLoss', 'generalised_dice', 'gdl'],
    task: 'segmentation',
    summary:
      'Multi-class Dice in which each class is weighted by the inverse of its squared ground-truth volume, so ' +
      'small classes count as much as large ones.',
    formula: 'ℓ = 1 − (2·Σ_c w_c·Σ p·g + s_nr) / (Σ_c w_c·(Σ p + Σ g) + s_dr),  w_c = 1/(Σ g_c)²',
    whenToUse:
      'Multi-class segmentation where classes differ widely in size (small organs or lesions next to large ' +
      'ones): one score per image in which rare classes are not drowned out, unlike a plain mean of per-class ' +
      'Dice. Less suited when a class is often absent (its weight is borrowed from the others). For a single ' +
      'small binary target prefer Tversky with β > α or focal Tversky.',
    params: PARAMS,
    references: [
      'Sudre, Li, Vercauteren, Ourselin & Cardoso 2017, "Generalised Dice overlap as a deep learning loss ' +
        'function for highly unbalanced segmentations", DLMIA 2017, arXiv:1707.03237',
      'Crum, Camara & Hill 2006, "Generalized overlap measures for evaluation and validation in medical image ' +
        'analysis", IEEE TMI 25(11)',
      'MONAI 1.5 monai.losses.GeneralizedDiceLoss',
    ],
    properties: ['nonNegative', 'boundedUnit', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'generalizedDice';
    // Per sample and class: the weighted sums run over the classes, so the classes are never summed first.
    const groups = { reduceBatch: o.reduceBatch, reduceChannels: false };
    const prep = prepare(id, yTrue, yPred, o);
    const sums = groupSums(prep, groups);
    const w = classWeights(sums, o.weightType);
    const num = tf.add(tf.mul(tf.sum(tf.mul(w, sums.tp), 1, true), 2), o.smoothNr);
    const den = tf.add(tf.sum(tf.mul(w, tf.add(sums.sumP, sums.sumG)), 1, true), o.smoothDr);
    const finish = { ...groups, maskEmptyClasses: false, classWeights: null, reduction: o.reduction };
    return finishGroups(id, tf.sub(1, tf.div(num, den)), prep, finish, sampleWeight);
  },
  {
    fused: (yTrue, yPred, sampleWeight, o) =>
      regionFused(
        'generalizedDice',
        yTrue,
        yPred,
        sampleWeight,
        {
          ...o,
          reduceChannels: false,
          epsClamp: 0,
          maskEmptyClasses: false,
          classWeights: null,
          squaredPred: false,
          logLoss: false,
          logEpsilon: null,
        },
        { score: { kn: 2, kt: 0, kp: 1, kg: 1 }, squaredAllowed: false, generalized: o.weightType },
      ),
  },
);
