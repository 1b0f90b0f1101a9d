import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { ratio } from '../../core/numerics.ts';
import { tf } from '../../tf.ts';
import { ACTIVATION, finishGroups, groupSums, prepare } from '../../segmentation/index.ts';

const PARAMS = [
  { ...ACTIVATION, doc: "Applied to yPred first: 'none' (probabilities) or 'sigmoid' (logits)." },
  {
    name: 'eps',
    type: 'number',
    default: 1e-5,
    range: [0, Infinity],
    exclusive: 'min',
    doc: 'Added to each of TP, TN, FP, FN (smp); keeps the square root and the division finite.',
  },
  {
    name: 'reduceBatch',
    type: 'boolean',
    default: true,
    doc: 'One MCC over the whole batch (smp); false gives one per sample, then the mean.',
  },
] as const;

export type MccOptions = OptionsOf<typeof PARAMS>;

/**
 * Matthews correlation coefficient loss, smp `MCCLoss` (segmentation-region.md §2.15).
 *
 * `L = 1 − (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))`, with the soft counts `TP = Σpg`, `TN = Σ(1−p)(1−g)`,
 * `FP = Σp(1−g)`, `FN = Σ(1−p)g` summed over every element of the batch (all channels flattened, as smp) and
 * `eps` added to each. With `reduceBatch: false`, one MCC per sample, then the mean.
 *
 * Conventions: the per-count eps makes degenerate perfect predictions score 0.5, not 0 (a perfect all-positive
 * prediction: MCC = 0.5), and an all-negative prediction on an all-positive target 1.5 (smp's own tests). The
 * loss is in [0, 2].
 *
 * @param yTrue `[B, ...spatial, C]` binary masks (channels are flattened with the pixels)
 * @param yPred `[B, ...spatial, C]` probabilities, or logits with `activation: 'sigmoid'`
 * @param options.sampleWeight a scalar, or with `reduceBatch: false` one weight per sample (`[B]` or `[B, 1]`)
 * @returns a scalar
 * @example
 * // g = [1, 0, 1, 0], p = [1, 0, 1, 0] (perfect, both classes present): MCC = 1/(1 + ε), loss = ε/(1 + ε)
 * mcc(tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1]), tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1])).print(); // 0.0000100
 * @see Matthews 1975, Biochimica et Biophysica Acta 405(2); Abhishek & Hamarneh 2021, "Matthews Correlation
 *   Coefficient Loss for Deep Convolutional Networks: Application to Skin Lesion Segmentation", ISBI,
 *   arXiv:2010.13454
 */
export const mcc = defineLoss<MccOptions>(
  {
    id: 'mcc',
    aliases: ['mcc_loss', 'MCCLoss', 'matthews_correlation', 'matthews_correlation_loss'],
    task: 'segmentation',
    summary:
      'One minus the soft Matthews correlation coefficient: a correlation between prediction and mask that ' +
      'uses all four counts, true negatives included.',
    formula: 'L = 1 − (TP·TN − FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN)),  eps added to each count',
    whenToUse:
      'Binary segmentation with class imbalance where true negatives should count too (skin lesions, Abhishek & ' +
      'Hamarneh): unlike Dice it penalises false positives relative to the background size. Binary only; for ' +
      'multi-class overlap use Dice or generalized Dice.',
    params: PARAMS,
    references: [
      'Matthews 1975, "Comparison of the predicted and observed secondary structure of T4 phage lysozyme", ' +
        'Biochimica et Biophysica Acta 405(2)',
      'Abhishek & Hamarneh 2021, "Matthews Correlation Coefficient Loss for Deep Convolutional Networks: ' +
        'Application to Skin Lesion Segmentation", ISBI 2021, arXiv:2010.13454',
      'smp segmentation_models_pytorch.losses.MCCLoss',
    ],
    properties: ['nonNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'mcc';
    const prep = prepare(id, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: false,
      ignoreIndex: null,
      includeBackground: true,
    });
    // One binary problem over all channels: one group per sample, or one for the batch.
    const groups = { reduceBatch: o.reduceBatch, reduceChannels: true };
    const s = groupSums(prep, groups, { tn: true });
    const tp = tf.add(s.tp, o.eps);
    const tn = tf.add(s.tn!, o.eps);
    const fp = tf.add(s.fp, o.eps);
    const fn = tf.add(s.fn, o.eps);
    const num = tf.sub(tf.mul(tp, tn), tf.mul(fp, fn));
    // √a·√b·√c·√d rather than √(abcd), and `ratio` rather than tf.div (whose gradient squares den): on trivial
    // masks two factors are ~2·eps, whose product (4e-10) float16 storage flushes to 0 (NaN); one root each stays
    // in range. The same value in float32 up to rounding.
    const den = tf.mul(
      tf.mul(tf.sqrt(tf.add(tp, fp)), tf.sqrt(tf.add(tp, fn))),
      tf.mul(tf.sqrt(tf.add(tn, fp)), tf.sqrt(tf.add(tn, fn))),
    );
    const finish = { ...groups, maskEmptyClasses: false, classWeights: null, reduction: 'mean' } as const;
    return finishGroups(id, tf.sub(1, ratio(num, den)), prep, finish, sampleWeight);
  },
);
