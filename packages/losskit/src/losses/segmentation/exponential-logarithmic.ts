import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { clipProbs, divideNoNan } from '../../core/numerics.ts';
import { tf, type Tensor } from '../../tf.ts';
import {
  categoricalLogs,
  clipEps,
  maskValid,
  PIXEL_EPSILON,
  rejectSampleWeight,
  reducePixels,
} from './pixel-common.ts';
import {
  ACTIVATION,
  diceScore,
  groupSums,
  IGNORE_INDEX,
  type Prepared,
  prepare,
  REDUCE_BATCH,
  safePow,
  SMOOTH_DR,
  SMOOTH_NR,
  SPARSE_LABELS,
} from '../../segmentation/index.ts';

const PARAMS = [
  { name: 'wDice', type: 'number', default: 0.8, range: [0, Infinity], doc: 'Weight of the Dice term.' },
  {
    name: 'wCross',
    type: 'number',
    default: 0.2,
    range: [0, Infinity],
    doc: 'Weight of the cross-entropy term.',
  },
  {
    name: 'gammaDice',
    type: 'number',
    default: 0.3,
    range: [0, Infinity],
    doc: 'Exponent γD of −ln Dice; < 1 emphasises classes that are nearly right.',
  },
  {
    name: 'gammaCross',
    type: 'number',
    default: 0.3,
    range: [0, Infinity],
    doc: 'Exponent γC of −ln p_l; < 1 emphasises pixels that are nearly right.',
  },
  {
    name: 'classFrequencies',
    type: ['enum', 'number[]'],
    values: ['auto'],
    default: 'auto',
    range: [0, Infinity],
    doc:
      "Label frequencies f_k of the weights w_l = (Σf/f_l)^0.5: 'auto' counts the current batch's labels; or one " +
      'value per class (2 for a single-channel input: background, foreground), e.g. the dataset’s counts.',
  },
  ACTIVATION,
  SPARSE_LABELS,
  IGNORE_INDEX,
  REDUCE_BATCH,
  { ...SMOOTH_NR, default: 1, doc: 'Added to the Dice numerator (the paper’s ε = 1).' },
  { ...SMOOTH_DR, default: 1, doc: 'Added to the Dice denominator (the paper’s ε = 1).' },
  PIXEL_EPSILON,
] as const;

export type ExponentialLogarithmicOptions = OptionsOf<typeof PARAMS>;

const ID = 'exponentialLogarithmic';

/**
 * A single channel becomes `[background, foreground]` = `[1 − p, p]` / `[1 − g, g]` (ignored pixels stay 0 in both),
 * with exact `−log` terms from the logits under a sigmoid, else of the clipped probabilities.
 */
function expandSingle(prep: Prepared, eps: number | null): { prep: Prepared; nlp: Tensor } {
  // From the labels, so that nothing built on it (the class frequencies) hangs on yPred's gradient path.
  const v = prep.valid ?? tf.onesLike(prep.g);
  const p = tf.concat([tf.sub(v, prep.p), prep.p], -1);
  const g = tf.concat([tf.sub(v, prep.g), prep.g], -1);
  const valid = prep.valid ? tf.concat([prep.valid, prep.valid], -1) : null;
  let nlp: Tensor;
  if (prep.options.activation === 'sigmoid') {
    nlp = tf.concat([tf.softplus(prep.x), tf.softplus(tf.neg(prep.x))], -1);
  } else {
    const e = clipEps(eps);
    nlp = tf.concat(
      [tf.neg(tf.log(clipProbs(tf.sub(1, prep.pAll), e))), tf.neg(tf.log(clipProbs(prep.pAll, e)))],
      -1,
    );
  }
  return { prep: { ...prep, p, g, valid, layout: { ...prep.layout, C: 2, kept: 2 } }, nlp };
}

/**
 * Exponential logarithmic loss (Wong et al. 2018; segmentation-region.md §2.13), the paper's form.
 *
 * `L = wDice·mean_(b,c)[(−ln Dice_bc)^γD] + wCross·mean_x[w_l·(−ln p_l(x))^γC]`, with the soft Dice per sample and
 * class `(2Σpg + s_nr)/(Σp + Σg + s_dr)` (smoothing 1, the paper's ε) and the label weights
 * `w_l = (Σ_k f_k / f_l)^0.5`, f the label frequencies (a class with f = 0 gets weight 0). Soft labels weigh each
 * class's term by g_c.
 *
 * Conventions: `classFrequencies: 'auto'` counts the labels of the current batch (pass the dataset's frequencies for
 * the paper's behaviour); the weights are constants. A single-channel input is expanded to `[1 − p, p]`. SegLoss's
 * `ExpLog_loss` simplifies to `0.8·(−ln mean Dice)^0.3 + 0.2·WCE`: not reproduced. The fractional powers have an
 * infinite slope at 0 (a perfect class, `−ln 1 = 0`): the gradient there is pinned to 0; `−ln Dice` is taken of
 * `max(Dice, epsilon)`. Probabilities are clipped to [epsilon, 1 − epsilon]; from logits the logs are exact.
 *
 * @param yTrue `[B, ...spatial, C]` masks, or `[B, ...spatial]` integer labels with `sparseLabels`
 * @param yPred `[B, ...spatial, C]` probabilities (C = 1: the foreground), or logits with `activation`
 * @returns a scalar
 * @example
 * // One pixel, y = 1, p = 0.5 → [1−p, p] = [½, ½], f = [0, 1] → w = [0, 1]; Dice_bg = 1/1.5, Dice_fg = 2/2.5:
 * // 0.8·mean[(ln 1.5)^0.3, (−ln 0.8)^0.3] + 0.2·(ln 2)^0.3 = 0.8·0.7001982 + 0.2·0.8958755
 * exponentialLogarithmic(tf.tensor3d([1], [1, 1, 1]), tf.tensor3d([0.5], [1, 1, 1])); // 0.7393336
 * @see Wong, Moradi, Tang & Syeda-Mahmood 2018, "3D Segmentation with Exponential Logarithmic Loss for Highly
 *   Unbalanced Object Sizes", MICCAI 2018, arXiv:1809.00076
 */
export const exponentialLogarithmic = defineLoss<ExponentialLogarithmicOptions>(
  {
    id: ID,
    aliases: ['exp_log', 'explog', 'exponential_logarithmic_loss', 'ExpLogLoss'],
    task: 'segmentation',
    summary:
      'A weighted sum of (−ln Dice)^γ per class and a frequency-weighted (−ln p)^γ cross-entropy: the small ' +
      'exponents boost classes and pixels that are already fairly well predicted, for objects of very different sizes.',
    formula:
      'L = wDice·mean_(b,c)[(−ln Dice_bc)^γD] + wCross·mean_x[w_l·(−ln p_l(x))^γC],  w_l = (Σ_k f_k / f_l)^0.5',
    whenToUse:
      'Heavily imbalanced multi-class segmentation with structures of very different sizes (small organs next to ' +
      'large ones), where Dice alone neglects the small ones; balanced data are better served by BCE/CE. For IoU and ' +
      'boundary optimisation prefer Lovász.',
    params: PARAMS,
    references: [
      'Wong, Moradi, Tang & Syeda-Mahmood 2018, "3D Segmentation with Exponential Logarithmic Loss for Highly ' +
        'Unbalanced Object Sizes", MICCAI 2018, arXiv:1809.00076',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", CIBCB 2020, arXiv:2006.14822',
    ],
    properties: ['nonNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    rejectSampleWeight(ID, sampleWeight);
    const base = prepare(ID, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: o.sparseLabels,
      ignoreIndex: o.ignoreIndex,
      includeBackground: true,
    });
    const { prep, nlp } =
      base.layout.C === 1
        ? expandSingle(base, o.epsilon)
        : { prep: base, nlp: categoricalLogs(base, o.epsilon).nlp };
    const C = prep.layout.kept;
    // Dice term over the groups of §1.3 (per sample and class; per class with reduceBatch).
    const groups = { reduceBatch: o.reduceBatch, reduceChannels: false };
    const dice = diceScore(groupSums(prep, groups), {
      smoothNr: o.smoothNr,
      smoothDr: o.smoothDr,
      epsClamp: 0,
    });
    const diceTerm = tf.mean(safePow(tf.neg(tf.log(tf.maximum(dice, clipEps(o.epsilon)))), o.gammaDice));
    // Label weights, constants of the labels.
    let f: Tensor;
    if (o.classFrequencies === 'auto') {
      f = tf.sum(tf.reshape(maskValid(prep.g, prep), [-1, C]), 0);
    } else {
      if (o.classFrequencies.length !== C) {
        throw new Error(
          `${ID}: option 'classFrequencies' has ${o.classFrequencies.length} value(s) but the loss has ${C} classes ` +
            `(yPred shape [${yPred.shape.join(',')}]${base.layout.C === 1 ? '; one channel counts as background and foreground' : ''})`,
        );
      }
      f = tf.tensor1d([...o.classFrequencies]);
    }
    const w = tf.sqrt(divideNoNan(tf.sum(f), f));
    const cross = maskValid(tf.mul(tf.mul(w, prep.g), safePow(nlp, o.gammaCross)), prep);
    const crossTerm = reducePixels(ID, cross, prep, { reduction: 'mean', channelReduction: 'sum' });
    return tf.add(tf.mul(diceTerm, o.wDice), tf.mul(crossTerm, o.wCross));
  },
);
