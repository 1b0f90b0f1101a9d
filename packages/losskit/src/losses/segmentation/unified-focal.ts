import { defineLoss } from '../../core/define-loss.ts';
import type { OptionsOf } from '../../core/options.ts';
import { clipProbs } from '../../core/numerics.ts';
import { shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';
import { clipEps, PIXEL_EPSILON, rejectSampleWeight } from './pixel-common.ts';
import {
  ACTIVATION,
  groupSums,
  PER_SAMPLE_AND_CLASS,
  prepare,
  safePow,
  SPARSE_LABELS,
} from '../../segmentation/index.ts';

const PARAMS = [
  {
    name: 'variant',
    type: 'enum',
    values: ['asymmetric', 'symmetric'],
    default: 'asymmetric',
    doc: "'asymmetric': focal modulation on the background only (Yeung's recommendation); 'symmetric': on both.",
  },
  {
    name: 'weight',
    type: 'number',
    default: 0.5,
    range: [0, 1],
    doc: 'λ, the share of the focal Tversky term; MONAI’s weight w is 1 − λ.',
  },
  {
    name: 'delta',
    type: 'number',
    default: 0.6,
    range: [0, 1],
    doc: 'δ: weight of false negatives in TI (1 − δ on false positives) and of the foreground CE term.',
  },
  {
    name: 'gamma',
    type: 'number',
    default: 0.5,
    range: [0, 1],
    doc: 'γ: focal exponent of the CE term (1 − p)^γ and, as 1 − γ, of the Tversky term.',
  },
  ACTIVATION,
  SPARSE_LABELS,
  PIXEL_EPSILON,
] as const;

export type UnifiedFocalOptions = OptionsOf<typeof PARAMS>;

const ID = 'unifiedFocal';

/** Column c of a `[B, 2]` tensor, as `[B]`. */
function column(t: Tensor, c: number): Tensor {
  return tf.reshape(tf.slice(t, [0, c], [t.shape[0], 1]), [-1]);
}

/** Channel c of a `[..., 2]` tensor. */
function channel(t: Tensor, c: number): Tensor {
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? c : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? 1 : d));
  return tf.slice(t, begin, size);
}

/**
 * Unified focal loss (Yeung et al. 2022; segmentation-region.md §2.16), binary: channels [background, foreground]
 * (a single channel is expanded to `[1 − p, p]`).
 *
 * With p clipped to [ε, 1 − ε] and per (sample, class) `TI = (TP + ε)/(TP + δ·FN + (1 − δ)·FP + ε)`:
 * asymmetric, `FTL = mean_(b,c)[1 − TI_bg, (1 − TI_fg)^(1−γ)]` and
 * `FL = mean_x[(1 − δ)·(1 − p_bg)^γ·CE_bg + δ·CE_fg]`; symmetric, the γ terms on both classes.
 * `L = λ·FTL + (1 − λ)·FL`, λ = `weight`, CE_c = −g_c·log p_c.
 *
 * Conventions: Yeung's defaults (λ = 0.5, δ = 0.6, γ = 0.5); ε is `epsilon` (Keras epsilon, 1e-7), both the clip and the
 * Tversky smoothing. MONAI's `AsymmetricUnifiedFocalLoss(weight=w, delta=0.7)` computes `w·FL + (1 − w)·FTL`, so
 * its w is losskit's 1 − λ; it also one-hot encodes a one-channel prediction (hard labels) and raises on an empty
 * foreground, neither of which losskit does. `1 − TI` is computed as `(δ·FN + (1 − δ)·FP)/(TP + δ·FN + (1 − δ)·FP + ε)`,
 * exact near a perfect prediction; `(1 − TI)^(1−γ)` has a gradient pinned to 0 at 0.
 *
 * @param yTrue `[B, ...spatial, 2]` (or `[B, ...spatial, 1]`) masks, or `[B, ...spatial]` labels in {0, 1} with
 *   `sparseLabels`
 * @param yPred `[B, ...spatial, 2]` probabilities [background, foreground] (or `[..., 1]`: the foreground), or logits
 *   with `activation`
 * @returns a scalar
 * @example
 * // g_fg = [1, 0], p_fg = [0.8, 0.3]: TI_bg = 0.7/0.96, TI_fg = 0.8/1.04 → FTL = ½[0.2708333 + 0.2307692^0.5];
 * // FL = ½[0.6·(−ln 0.8) + 0.4·0.3^0.5·(−ln 0.7)]; ½·0.3756089 + ½·0.1060148
 * unifiedFocal(tf.tensor3d([1, 0], [1, 2, 1]), tf.tensor3d([0.8, 0.3], [1, 2, 1])); // 0.2408119
 * @see Yeung, Sala, Schönlieb & Rundo 2022, "Unified Focal loss: Generalising Dice and cross entropy-based losses to
 *   handle class imbalanced medical image segmentation", Computerized Medical Imaging and Graphics 95, arXiv:2102.04525
 */
export const unifiedFocal = defineLoss<UnifiedFocalOptions>(
  {
    id: ID,
    aliases: ['unified_focal_loss', 'asymmetric_unified_focal', 'AsymmetricUnifiedFocalLoss'],
    task: 'segmentation',
    summary:
      'A weighted sum of a focal Tversky (region) and a focal cross-entropy (pixel) term sharing δ and γ; the ' +
      'asymmetric variant suppresses only the background’s easy pixels, keeping full gradient on the rare foreground.',
    formula:
      'L = λ·mean_(b,c)[1 − TI_bg, (1 − TI_fg)^(1−γ)] + (1−λ)·mean_x[(1−δ)(1−p_bg)^γ·CE_bg + δ·CE_fg],  ' +
      'TI = (TP+ε)/(TP + δ·FN + (1−δ)·FP + ε)',
    whenToUse:
      'Binary segmentation with heavy class imbalance and small lesions, where it generalises Dice, Tversky, focal ' +
      'and combo losses in one robust default (the focal family; with balanced data plain BCE suffices). For IoU ' +
      'and boundary optimisation prefer Lovász.',
    params: PARAMS,
    references: [
      'Yeung, Sala, Schönlieb & Rundo 2022, "Unified Focal loss: Generalising Dice and cross entropy-based losses ' +
        'to handle class imbalanced medical image segmentation", Computerized Medical Imaging and Graphics 95, ' +
        'arXiv:2102.04525',
      'MONAI monai.losses.AsymmetricUnifiedFocalLoss',
    ],
    properties: ['nonNegative'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    rejectSampleWeight(ID, sampleWeight);
    const base = prepare(ID, yTrue, yPred, {
      activation: o.activation,
      sparseLabels: o.sparseLabels,
      ignoreIndex: null,
      includeBackground: true,
    });
    const { C } = base.layout;
    if (C > 2) {
      throw new Error(
        `${ID}: the loss is binary: yPred must have 2 channels [background, foreground] or 1 (the foreground), ` +
          `got shape ${shapeText(yPred.shape)}`,
      );
    }
    const eps = clipEps(o.epsilon);
    const pFull = C === 1 ? tf.concat([tf.sub(1, base.p), base.p], -1) : base.p;
    const g = C === 1 ? tf.concat([tf.sub(1, base.g), base.g], -1) : base.g;
    const p = clipProbs(pFull, eps);
    const prep = { ...base, p, g, layout: { ...base.layout, C: 2, kept: 2 } };
    // Focal Tversky term, per (sample, class).
    const s = groupSums(prep, PER_SAMPLE_AND_CLASS);
    const off = tf.add(tf.mul(s.fn, o.delta), tf.mul(s.fp, 1 - o.delta));
    const oneMinusTi = tf.div(off, tf.add(tf.add(s.tp, off), eps));
    const bg = column(oneMinusTi, 0);
    const fg = column(oneMinusTi, 1);
    const powered = (t: Tensor) => safePow(t, 1 - o.gamma);
    const symmetric = o.variant === 'symmetric';
    const ftl = tf.mean(tf.concat([symmetric ? powered(bg) : bg, powered(fg)]));
    // Focal cross-entropy term, per pixel.
    const ce = tf.neg(tf.mul(g, tf.log(p)));
    const focusBg = safePow(tf.sub(1, channel(p, 0)), o.gamma);
    const bgCe = tf.mul(tf.mul(focusBg, channel(ce, 0)), 1 - o.delta);
    const fgCe = tf.mul(
      symmetric ? tf.mul(safePow(tf.sub(1, channel(p, 1)), o.gamma), channel(ce, 1)) : channel(ce, 1),
      o.delta,
    );
    const fl = tf.mean(tf.add(bgCe, fgCe));
    return tf.add(tf.mul(ftl, o.weight), tf.mul(fl, 1 - o.weight));
  },
);
