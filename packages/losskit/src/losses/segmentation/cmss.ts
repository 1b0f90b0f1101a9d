import { defineLoss } from '../../core/define-loss.ts';
import { divideNoNan } from '../../core/numerics.ts';
import { shapeText } from '../../core/validate.ts';
import { tf, type Tensor } from '../../tf.ts';
import { bce, checkInputs, detached, type SegLayout } from '../../segmentation/distance-common.ts';
import { activate, ACTIVATION, type Activation, EPSILON } from '../../segmentation/index.ts';

export interface CmssLossOptions {
  /** Stabiliser in the normalised structure terms (0.01, "found empirically"). */
  readonly C4?: number;
  /** Pixels with e > β·e_max count (0.1). */
  readonly beta?: number;
  /** Side of the Gaussian window, odd (3). */
  readonly window?: number;
  /** Standard deviation of the Gaussian window, in pixels (1.5). */
  readonly sigma?: number;
  /** BCE clip bound; null = the backend's epsilon (1e-7 on cpu and wasm). */
  readonly epsilon?: number | null;
  readonly activation?: Activation;
}

/** The normalised `w × w` Gaussian window, as a depthwise filter `[w, w, C, 1]`. */
function gaussianFilter(w: number, sigma: number, C: number): Tensor {
  const g = Array.from({ length: w }, (_, i) => Math.exp(-((i - (w - 1) / 2) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, v) => a + v, 0);
  const k: number[] = [];
  for (let i = 0; i < w; i++)
    for (let j = 0; j < w; j++) for (let c = 0; c < C; c++) k.push((g[i] * g[j]) / (s * s));
  return tf.tensor4d(k, [w, w, C, 1]);
}

/**
 * The detached weights `e·f/M` of §2.5 (zero gradient): e the structural error of each pixel, f = 1[e > β·e_max],
 * e_max and M = Σf over the whole batch; all 0 when M = 0.
 */
function cmssWeights(
  y: Tensor,
  p: Tensor,
  o: { C4: number; beta: number; window: number; sigma: number },
  L: SegLayout,
): Tensor {
  return detached((yt: Tensor, pp: Tensor) => {
    const g = gaussianFilter(o.window, o.sigma, L.C);
    const conv = (x: Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, g as tf.Tensor4D, 1, 'same');
    const structure = (x: Tensor) => {
      const mu = conv(x);
      const sd = tf.sqrt(tf.maximum(tf.sub(conv(tf.square(x)), tf.square(mu)), 0));
      return tf.div(tf.add(tf.sub(x, mu), o.C4), tf.add(sd, o.C4));
    };
    const e = tf.abs(tf.sub(structure(yt), structure(pp)));
    const f = tf.cast(tf.greater(e, tf.mul(tf.max(e), o.beta)), 'float32');
    return divideNoNan(tf.mul(e, f), tf.sum(f));
  })(y, p);
}

/**
 * Correlation maximized structural similarity loss (Zhao et al. 2019; segmentation-distance.md §2.5): binary
 * cross-entropy on the pixels whose local structure (SSIM-style normalised intensity) differs most between the
 * prediction and the ground truth, weighted by that difference.
 *
 * Unreduced (per pixel n, channel c; μ, σ from a Gaussian window, zero "same" padding):
 * `e = |(y − μ_y + C4)/(σ_y + C4) − (p − μ_p + C4)/(σ_p + C4)|`, `f = 1[e > β·e_max]`, `M = Σ f`,
 * `L = (1/M) Σ_{n,c} e·f·BCE(y, p)` (0 when M = 0). e_max and M are taken over the whole batch, so the loss is one
 * number per batch (no 'none' reduction). e·f are detached weights: ∂L/∂p = e·f·∂BCE/∂p/M.
 *
 * Maps: none. The structure terms are local window statistics, computed on the device (no EDT, no readback);
 * the ground-truth term depends on yTrue only.
 *
 * Conventions (the sources leave these open, §2.5): β = 0.1 relative to the batch maximum (one public version uses
 * an absolute e > 0.3), a normalised 3×3 Gaussian window with σ = 1.5, σ² = max(E[x²] − μ², 0), and no
 * gradient through e (another version backpropagates through it, or swaps μ_y and μ_p, or adds 0.5·CE). 2-D only.
 *
 * @param yTrue `[B, H, W, C]` binary masks
 * @param yPred `[B, H, W, C]` probabilities (or logits with `activation`)
 * @param options.sampleWeight optional per-sample weights (a scalar, `[B]` or `[B, 1]`) on each pixel's term
 * @returns a scalar
 * @example
 * // A perfect prediction has e ≡ 0, so no pixel passes e > β·e_max and the loss is 0.
 * cmssLoss(tf.tensor4d([0, 1, 1, 0], [1, 2, 2, 1]), tf.tensor4d([0, 1, 1, 0], [1, 2, 2, 1])); // 0
 * @see Zhao et al. 2019, "Correlation Maximized Structural Similarity Loss for Semantic Segmentation",
 *   arXiv:1910.08711
 */
export const cmssLoss = defineLoss<CmssLossOptions>(
  {
    id: 'cmssLoss',
    aliases: [
      'cmss_loss',
      'cmss',
      'correlation_maximized_structural_similarity',
      'correlation_maximized_structural_similarity_loss',
      'structural_similarity_loss',
    ],
    task: 'segmentation',
    summary:
      'Cross-entropy restricted to the pixels whose local structure (windowed, SSIM-style normalised ' +
      'intensity) differs most between prediction and ground truth, weighted by that difference.',
    formula:
      'e = |(y − μ_y + C4)/(σ_y + C4) − (p − μ_p + C4)/(σ_p + C4)|, f = 1[e > β·max e], ' +
      'L = Σ e·f·BCE(y, p) / Σ f  (e·f constant; 0 if Σ f = 0)',
    whenToUse:
      'Structure-aware training when errors cluster at object boundaries and fine structures that plain ' +
      'cross-entropy averages away; emphasises hard, structurally wrong pixels. Combine with a region loss ' +
      '(Dice). Uses no distance maps: nothing to precompute, no CPU readback.',
    params: [
      {
        name: 'C4',
        type: 'number',
        default: 0.01,
        range: [0, Infinity],
        exclusive: 'min',
        doc: 'Stabiliser added to the centred value and to σ in each structure term (0.01, found empirically).',
      },
      {
        name: 'beta',
        type: 'number',
        default: 0.1,
        range: [0, 1],
        exclusive: 'max',
        doc: 'Relative cutoff: pixels with e > β·e_max (e_max over the batch) enter the loss.',
      },
      {
        name: 'window',
        type: 'integer',
        default: 3,
        range: [1, Infinity],
        doc: 'Side of the square Gaussian window for μ and σ, an odd number of pixels.',
      },
      {
        name: 'sigma',
        type: 'number',
        default: 1.5,
        range: [0, Infinity],
        exclusive: 'min',
        doc: 'Standard deviation of the Gaussian window, in pixels (the window is normalised to sum 1).',
      },
      EPSILON,
      ACTIVATION,
    ],
    references: [
      'Zhao et al. 2019, "Correlation Maximized Structural Similarity Loss for Semantic Segmentation", ' +
        'arXiv:1910.08711',
      'Jadon 2020, "A survey of loss functions for semantic segmentation", arXiv:2006.14822',
    ],
    properties: ['nonNegative', 'zeroAtPerfect'],
  },
  (yTrue, yPred, sampleWeight, o) => {
    const id = 'cmssLoss';
    const L = checkInputs(id, yTrue, yPred, { spatialRank: 2 });
    if (o.window % 2 !== 1) throw new Error(`${id}: option 'window' must be odd, got ${o.window}`);
    const y = tf.cast(yTrue, 'float32');
    const p = activate(id, yPred, o.activation);
    const w = cmssWeights(y, p, o, L);
    let terms = tf.mul(w, bce(y, yPred, p, o.activation, o.epsilon));
    if (sampleWeight) {
      const s = sampleWeight.shape;
      if (!(s.length === 0 || ((s.length === 1 || (s.length === 2 && s[1] === 1)) && s[0] === L.B))) {
        throw new Error(
          `${id}: sampleWeight shape ${shapeText(s)} must be a scalar, [${L.B}] or [${L.B},1] (one weight per sample)`,
        );
      }
      terms = tf.mul(
        terms,
        tf.reshape(tf.cast(sampleWeight, 'float32'), s.length === 0 ? [] : [L.B, 1, 1, 1]),
      );
    }
    return tf.sum(terms);
  },
);
