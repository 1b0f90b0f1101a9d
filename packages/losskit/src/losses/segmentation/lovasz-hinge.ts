import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';
import { emptyInputLoss, lovaszWeights, rejectSampleWeight } from './pixel-common.ts';
import { hostCopy, IGNORE_INDEX, prepare } from '../../segmentation/index.ts';

const PARAMS = [
  {
    name: 'perImage',
    type: 'boolean',
    default: true,
    doc: 'true: the loss per image, then the mean over images (Berman); false: one set over the batch (smp).',
  },
  IGNORE_INDEX,
] as const;

export type LovaszHingeOptions = OptionsOf<typeof PARAMS>;

const ID = 'lovaszHinge';

/** Binary labels: every value of `v` (yTrue's values, read on the host) 0 or 1, or ignoreIndex. */
function checkBinary(v: ArrayLike<number>, yTrue: Tensor, ignoreIndex: number | null): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0 && v[i] !== 1 && v[i] !== ignoreIndex) {
      const ign = ignoreIndex === null ? '' : ` or ignoreIndex ${ignoreIndex}`;
      throw new Error(
        `${ID}: label ${v[i]} (flat index ${i} of yTrue shape ${shapeText(yTrue.shape)}) is not 0 or 1${ign}; the ` +
          'Lovász hinge takes binary masks (use lovaszSoftmax for several classes)',
      );
    }
  }
}

/**
 * Lovász hinge (Berman, Rannen Triki & Blaschko 2018; segmentation-region.md §2.14): the Lovász extension of the
 * Jaccard loss applied to hinge errors, a convex surrogate that optimises the IoU directly.
 *
 * On logits x and binary labels y: errors `e = 1 − x·(2y − 1)`, sorted in descending order; `L = Σ_i relu(e_(i))·Δ_i`
 * with `Δ = diff(1 − (G − cumsum g)/(G + cumsum(1 − g)))` over the sorted labels (first element kept), G the number
 * of positives. Per image then the mean over images (`perImage`, Berman's default), or over all pixels of the batch.
 *
 * Conventions: yPred holds logits (no activation: the hinge margin is on the raw score); smp's `LovaszLoss` uses
 * `per_image=False` and ignores its `from_logits`. All elements of an image (pixels and channels) form one set, as
 * Berman flattens them. An image without positives contributes `relu(max error)`; ignored pixels leave the sorting
 * and the counts (an image with none left contributes 0 and still counts in the mean). The value does not depend on
 * how ties sort; the gradient (Berman's: `Δ` at each error's rank, 0 where `e ≤ 0`) does.
 *
 * @param yTrue `[B, ...spatial, C]` binary masks (usually C = 1)
 * @param yPred `[B, ...spatial, C]` logits
 * @returns a scalar; 0 for an empty batch, as the region losses
 * @example
 * // y = [1, 0], x = [1, 2]: e = [0, 3], sorted [3 (y=0), 0 (y=1)], Δ = [1 − 1/2, 1 − 0.5] = [0.5, 0.5] → 1.5
 * lovaszHinge(tf.tensor3d([1, 0], [1, 2, 1]), tf.tensor3d([1, 2], [1, 2, 1])); // 1.5
 * @see Berman, Rannen Triki & Blaschko 2018, "The Lovász-Softmax loss: A tractable surrogate for the optimization of
 *   the intersection-over-union measure in neural networks", CVPR 2018, arXiv:1705.08790
 */
export const lovaszHinge = defineLoss<LovaszHingeOptions>(
  {
    id: ID,
    aliases: ['lovasz_hinge_loss', 'LovaszHingeLoss', 'lovasz_binary'],
    task: 'segmentation',
    summary:
      'The Lovász extension of the Jaccard (IoU) loss on hinge errors of the logits: a convex, piecewise-linear ' +
      'surrogate that optimises the binary IoU directly.',
    formula:
      'e = 1 − x·(2y − 1) sorted descending;  L = Σ_i relu(e_(i))·Δ_i,  Δ = diff(1 − (G − cumsum g)/(G + cumsum(1 − g)))',
    whenToUse:
      'Binary segmentation judged by IoU, to fine-tune boundaries and IoU after a cross-entropy or Dice pre-training ' +
      '(it learns slowly from scratch). For balanced data BCE is the simpler choice; for heavily imbalanced data or ' +
      'small lesions, the focal family.',
    params: PARAMS,
    references: [
      'Berman, Rannen Triki & Blaschko 2018, "The Lovász-Softmax loss: A tractable surrogate for the optimization ' +
        'of the intersection-over-union measure in neural networks", CVPR 2018, arXiv:1705.08790',
      'bermanmaxim/LovaszSoftmax pytorch/lovasz_losses.py lovasz_hinge',
    ],
    properties: ['nonNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    rejectSampleWeight(ID, sampleWeight);
    // The labels are read once on the host (checkBinary) and the kernels get a copy (`hostCopy` says why).
    const labels = hostCopy(yTrue);
    const prep = prepare(ID, labels.tensor, yPred, {
      activation: 'none',
      sparseLabels: false,
      ignoreIndex: o.ignoreIndex,
      includeBackground: true,
    });
    checkBinary(labels.values, yTrue, o.ignoreIndex);
    // An empty batch (or empty images): 0, as the region losses give.
    if (prep.x.size === 0) return emptyInputLoss(prep.x);
    const B = prep.layout.B;
    const rows = o.perImage ? B : 1;
    const flat = (t: Tensor) => tf.reshape(t, [rows, -1]);
    const g = prep.g;
    const valid = prep.valid ?? tf.onesLike(g);
    const errors = flat(tf.sub(1, tf.mul(prep.x, tf.sub(tf.mul(g, 2), 1))));
    const delta = lovaszWeights(errors, flat(g), flat(tf.mul(tf.sub(1, g), valid)));
    return tf.mean(tf.sum(tf.mul(tf.relu(errors), delta), 1));
  },
);
