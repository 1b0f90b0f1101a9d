import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { divideNoNan } from '../../core/numerics.ts';
import { tf, type Tensor } from '../../tf.ts';
import { emptyInputLoss, lovaszWeights, rejectSampleWeight } from './pixel-common.ts';
import { ACTIVATION, IGNORE_INDEX, prepare } from '../../segmentation/index.ts';

const PARAMS = [
  {
    name: 'perImage',
    type: 'boolean',
    default: false,
    doc: 'true: the loss per image, then the mean over images; false: one set over the batch (Berman, smp).',
  },
  {
    name: 'classes',
    type: 'enum',
    values: ['present', 'all'],
    default: 'present',
    doc: "'present': mean over the classes present in the (non-ignored) labels of each set; 'all': every class.",
  },
  ACTIVATION,
  IGNORE_INDEX,
] as const;

export type LovaszSoftmaxOptions = OptionsOf<typeof PARAMS>;

const ID = 'lovaszSoftmax';

/**
 * Lovász-softmax (Berman, Rannen Triki & Blaschko 2018; segmentation-region.md §2.14): for each class, the Lovász
 * extension of the Jaccard loss applied to the errors `|[y = c] − p_c|`, averaged over classes.
 *
 * Per class c over a set of pixels: errors sorted in descending order, `ℓ_c = Σ_i e_(i)·Δ_i` with
 * `Δ = diff(1 − (G − cumsum g)/(G + cumsum(1 − g)))` over the sorted indicators g = [y = c]; then the mean over the
 * classes present in the set's labels ('present') or over all classes ('all', where an absent class contributes its
 * largest error). The set is the whole batch (Berman's default) or each image (`perImage`, then the mean over images).
 *
 * Conventions: yPred holds probabilities (`activation: 'softmax'` for logits); labels are integers, always (the
 * classes are the channels). Ignored pixels leave the sets; a set with no class present contributes 0. The errors are
 * written `|(g − p)(1 − 2g)|`, equal to `|g − p|` for one-hot g, so that at p exactly 0 or 1 the subgradient is the
 * one from inside [0, 1] (+1 for an absent class, −1 for the true one). The gradient depends on how ties sort.
 *
 * @param yTrue `[B, ...spatial]` (or `[B, ...spatial, 1]`) integer labels in [0, C), or ignoreIndex
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation`
 * @returns a scalar; 0 for an empty batch, as the region losses
 * @example
 * // Labels [0, 1], p = [[0.8, 0.2], [0.4, 0.6]]: class 0 errors [0.2, 0.4] → sorted [0.4 (g=0), 0.2 (g=1)],
 * // Δ = [0.5, 0.5] → 0.3; class 1 errors [0.2, 0.4] → sorted [0.4 (g=1), 0.2 (g=0)], Δ = [1, 0] → 0.4; mean 0.35
 * lovaszSoftmax(tf.tensor2d([[0, 1]], [1, 2], 'int32'), tf.tensor3d([[[0.8, 0.2], [0.4, 0.6]]])); // 0.35
 * @see Berman, Rannen Triki & Blaschko 2018, "The Lovász-Softmax loss: A tractable surrogate for the optimization of
 *   the intersection-over-union measure in neural networks", CVPR 2018, arXiv:1705.08790
 */
export const lovaszSoftmax = defineLoss<LovaszSoftmaxOptions>(
  {
    id: ID,
    aliases: ['lovasz_softmax_loss', 'LovaszSoftmaxLoss', 'lovasz'],
    task: 'segmentation',
    summary:
      'The Lovász extension of the per-class Jaccard (IoU) loss on the softmax errors: a tractable surrogate that ' +
      'optimises the mean IoU directly.',
    formula:
      'e_c = |[y=c] − p_c| sorted descending;  ℓ_c = Σ_i e_(i)·Δ_i;  L = mean over (present) classes of ℓ_c',
    whenToUse:
      'Multi-class segmentation judged by mean IoU, especially to refine boundaries and small classes after ' +
      'cross-entropy pre-training (alone it learns slowly). For balanced data cross-entropy is the simpler ' +
      'choice; for heavily imbalanced data or small lesions, the focal family.',
    params: PARAMS,
    references: [
      'Berman, Rannen Triki & Blaschko 2018, "The Lovász-Softmax loss: A tractable surrogate for the optimization ' +
        'of the intersection-over-union measure in neural networks", CVPR 2018, arXiv:1705.08790',
      'bermanmaxim/LovaszSoftmax pytorch/lovasz_losses.py lovasz_softmax',
    ],
    properties: ['nonNegative', 'zeroAtPerfect', 'boundedUnit'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    rejectSampleWeight(ID, sampleWeight);
    const prep = prepare(ID, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: true,
      ignoreIndex: o.ignoreIndex,
      includeBackground: true,
    });
    // An empty batch (or empty images): 0, as the region losses give.
    if (prep.x.size === 0) return emptyInputLoss(prep.x);
    const { B, C } = prep.layout;
    const { p, g } = prep;
    const valid = prep.valid ?? tf.onesLike(g);
    // Rows: one (image, class) or one class; columns: the set's pixels.
    const rows = (t: Tensor): Tensor => {
      const perPixel = tf.reshape(t, [B, -1, C]);
      return o.perImage
        ? tf.reshape(tf.transpose(perPixel, [0, 2, 1]), [B * C, -1])
        : tf.transpose(tf.reshape(perPixel, [-1, C]));
    };
    const errors = rows(tf.abs(tf.mul(tf.sub(g, p), tf.sub(1, tf.mul(g, 2)))));
    const pos = rows(g);
    const delta = lovaszWeights(errors, pos, rows(tf.mul(tf.sub(1, g), valid)));
    const perClass = tf.reshape(tf.sum(tf.mul(errors, delta), 1), [o.perImage ? B : 1, C]);
    const perSet =
      o.classes === 'all'
        ? tf.mean(perClass, 1)
        : (() => {
            const present = tf.reshape(tf.cast(tf.greater(tf.sum(pos, 1), 0), 'float32'), [
              o.perImage ? B : 1,
              C,
            ]);
            return divideNoNan(tf.sum(tf.mul(perClass, present), 1), tf.sum(present, 1));
          })();
    return tf.mean(perSet);
  },
);
