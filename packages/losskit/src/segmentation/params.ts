/**
 * Every option shared by the segmentation losses and metrics (segmentation-region.md §1.6, segmentation-distance.md
 * §1), written once: name, type, default, range and doc. Option TYPES are derived from these objects
 * (`OptionsOf`), and `resolveOptions` fills the defaults once per bind, so no other table of defaults exists.
 */
import { type OptionsOf, param, type ResolvedOf } from '../core/options.ts';

export const ACTIVATION = param({
  name: 'activation',
  type: 'enum',
  values: ['none', 'sigmoid', 'softmax'],
  default: 'none',
  doc:
    "Applied to yPred first, over all channels: 'none' (yPred holds probabilities), 'sigmoid' (logits, " +
    "element-wise), 'softmax' (logits, over the channel axis; needs C > 1). Gradients are then d/d logits.",
});

export type Activation = (typeof ACTIVATION.values)[number];

export const SPARSE_LABELS = param({
  name: 'sparseLabels',
  type: 'boolean',
  default: false,
  doc:
    'yTrue holds integer labels [B, ...spatial] (or [B, ...spatial, 1]), one-hot encoded to yPred’s C channels; ' +
    'with C = 1 the labels are the binary mask itself (MONAI).',
});

export const IGNORE_INDEX = param({
  name: 'ignoreIndex',
  type: ['number', 'null'],
  default: null,
  doc:
    'Pixels whose label equals this value get p = 0 and g = 0 and leave the negative counts (FP, TN). Sparse ' +
    'labels: tested per pixel; dense yTrue: tested element-wise (yTrue == ignoreIndex).',
});

export const INCLUDE_BACKGROUND = param({
  name: 'includeBackground',
  type: 'boolean',
  default: true,
  doc: 'Keep channel 0; false drops it after the activation (only when C > 1, as MONAI).',
});

export const REDUCE_BATCH = param({
  name: 'reduceBatch',
  type: 'boolean',
  default: false,
  doc: 'Sum over the batch too: one group per class over the whole batch (smp, MONAI batch=True).',
});

export const REDUCE_CHANNELS = param({
  name: 'reduceChannels',
  type: 'boolean',
  default: false,
  doc: 'Sum over the channels too: one micro-averaged group per sample (Keras 3 Dice(axis=(1,2,3))).',
});

export const SMOOTH_NR = param({
  name: 'smoothNr',
  type: 'number',
  default: 1e-5,
  range: [0, Infinity],
  doc: 'Added to the numerator of the score (MONAI smooth_nr; 0 in smp and Keras 3, 1 in Jadon’s code).',
});

export const SMOOTH_DR = param({
  name: 'smoothDr',
  type: 'number',
  default: 1e-5,
  range: [0, Infinity],
  doc: 'Added to the denominator of the score (MONAI smooth_dr; Keras 3 uses 1e-7, Jadon 1).',
});

export const EPS_CLAMP = param({
  name: 'epsClamp',
  type: 'number',
  default: 0,
  range: [0, Infinity],
  doc: 'Lower bound on the score’s denominator, after smoothing (smp: clamp_min(1e-7)); 0 = none.',
});

export const MASK_EMPTY_CLASSES = param({
  name: 'maskEmptyClasses',
  type: 'boolean',
  default: false,
  doc:
    'Groups whose ground truth is empty get loss 0 and still count in the mean (smp): false positives on empty ' +
    'images are then free.',
});

export const CLASS_WEIGHTS = param({
  name: 'classWeights',
  type: ['number[]', 'null'],
  default: null,
  range: [0, Infinity],
  doc:
    'One weight per kept channel, multiplying each class’s loss before a plain mean (MONAI weight: not a ' +
    'weighted mean). Not allowed with reduceChannels.',
});

export const SQUARED_PRED = param({
  name: 'squaredPred',
  type: 'boolean',
  default: false,
  doc: 'Square p and g in the denominator: Σp² + Σg² (MONAI squared_pred, V-Net).',
});

export const LOG_LOSS = param({
  name: 'logLoss',
  type: 'boolean',
  default: false,
  doc: 'Loss −log(max(score, logEpsilon)) instead of 1 − score (smp log_loss).',
});

/**
 * The clamp inside a log of a score, `−log(max(score, logEpsilon))`. Called `eps` by the region losses before
 * names were unified; `eps` stays an alias where the loss has no probability clip to confuse it with.
 */
export const LOG_EPSILON = param({
  name: 'logEpsilon',
  aliases: ['eps'],
  type: ['number', 'null'],
  default: null,
  range: [0, 0.5],
  exclusive: 'both',
  doc:
    'Clamp inside the log of logLoss: −log(max(score, logEpsilon)); null = 1e-7 (the Keras ' +
    'constant, on every float32 backend; 2⁻¹¹ on float16 WebGL textures, README "Backends and precision").',
});

/**
 * The probability clip of cross-entropy terms (Keras's `epsilon`). Without aliases: the distance losses always
 * called it `epsilon`; the pixel losses add their old `eps` (pixel-common.ts).
 */
export const EPSILON = param({
  name: 'epsilon',
  type: ['number', 'null'],
  default: null,
  range: [0, 0.5],
  exclusive: 'both',
  doc:
    'Probabilities are clipped to [ε, 1 − ε] inside the logs, with a zero gradient where clipped (in float32 ' +
    '1 − 1e-7 is 0.99999988, so −log(1 − p) at p = 1 is 15.942); null = 1e-7 (the Keras constant, on every ' +
    'float32 backend; 2⁻¹¹ on float16 WebGL textures, where 1 − 1e-7 rounds to 1). Logits ' +
    "(activation 'sigmoid', or 'softmax' on categorical terms) use the exact log-sigmoid or " +
    'log-softmax and no clipping.',
});

/** The reduction of per-group values (region losses, overlap metrics, distance losses' per-(sample, channel) terms). */
export const GROUP_REDUCTION = param({
  name: 'reduction',
  type: 'enum',
  values: ['mean', 'sum', 'none'],
  default: 'mean',
  doc:
    "Over the per-group values: 'mean' (a plain mean over the groups), 'sum', or 'none' (the [B', C'] tensor; " +
    "groups are per sample and kept channel, B' = 1 with reduceBatch, C' = 1 with reduceChannels).",
});

/** The reduction of per-pixel values: its mean divides by the valid pixels, not by groups. */
export const PIXEL_REDUCTION = param({
  name: 'reduction',
  type: 'enum',
  values: ['mean', 'sum', 'none'],
  default: 'mean',
  doc:
    "'mean' over the valid (non-ignored) pixels, 'sum', or 'none': the per-pixel losses [B, ...spatial] (0 where " +
    'ignored).',
});

export type PixelReduction = (typeof PIXEL_REDUCTION.values)[number];

export const PRESET = param({
  name: 'preset',
  type: ['enum', 'null'],
  values: ['monai', 'smp', 'keras', 'jadon', 'yeung'],
  default: null,
  doc:
    'Sets the convention flags of a library (segmentation-region.md §1.7); options given explicitly override ' +
    "it. 'monai' = losskit's defaults; 'smp' = reduceBatch, smoothing 0, epsClamp 1e-7, maskEmptyClasses; " +
    "'keras' = reduceBatch + reduceChannels, smoothNr 0, smoothDr 1e-7; 'jadon' = reduceBatch + reduceChannels, " +
    "smoothing 1; 'yeung' = smoothing 1e-6. Activation and label format are not set: give them.",
});

export type Preset = (typeof PRESET.values)[number];

export const SPACING = param({
  name: 'spacing',
  type: ['number[]', 'null'],
  default: null,
  range: [0, Infinity],
  exclusive: 'min',
  doc:
    'Physical size of an element along each spatial axis, in array-axis order (the order of the shape: ' +
    '[H, W] or [D, H, W]; not ITK/seung-lab (x, y, z)). null = 1 on every axis.',
});

/** Tversky's α, on false positives (shared by tversky, focalTversky and tverskyIndex). */
export const TVERSKY_ALPHA = param({
  name: 'alpha',
  type: 'number',
  default: 0.3,
  range: [0, Infinity],
  doc:
    'Weight on false positives (as in the paper, MONAI, smp, Keras 3; Jadon’s and Abraham’s code call the FN ' +
    'weight alpha). α = β = 0.5 is Dice, α = β = 1 is Jaccard.',
});

/** Tversky's β, on false negatives. */
export const TVERSKY_BETA = param({
  name: 'beta',
  type: 'number',
  default: 0.7,
  range: [0, Infinity],
  doc: 'Weight on false negatives; β > α favours recall (small lesions are not dropped).',
});

export const LAYOUT_PARAMS = [ACTIVATION, SPARSE_LABELS, IGNORE_INDEX, INCLUDE_BACKGROUND] as const;
export const GROUP_PARAMS = [REDUCE_BATCH, REDUCE_CHANNELS] as const;
export const SMOOTH_PARAMS = [SMOOTH_NR, SMOOTH_DR, EPS_CLAMP] as const;
export const FINISH_PARAMS = [MASK_EMPTY_CLASSES, CLASS_WEIGHTS, GROUP_REDUCTION] as const;
export const LOG_LOSS_PARAMS = [LOG_LOSS, LOG_EPSILON] as const;
/** What every score-based region loss offers: steps 1–5 and 7–9 with the smoothed ratio. */
export const SCORE_PARAMS = [...LAYOUT_PARAMS, ...GROUP_PARAMS, ...SMOOTH_PARAMS, ...FINISH_PARAMS] as const;
/** The full §1.6 option set of a score-based region loss (dice, jaccard), in the order `explain` lists it. */
export const REGION_PARAMS = [...SCORE_PARAMS, SQUARED_PRED, ...LOG_LOSS_PARAMS, PRESET] as const;

/** Steps 1–4 (activation, labels, ignoreIndex, background). */
export type LayoutOptions = ResolvedOf<typeof LAYOUT_PARAMS>;
/** The group axes of §1.3. */
export type GroupOptions = ResolvedOf<typeof GROUP_PARAMS>;
/** Smoothing and clamp of the smoothed ratio behind every score. */
export type SmoothOptions = ResolvedOf<typeof SMOOTH_PARAMS>;
/** Steps 7 and 9 (masking, class weights, reduction) on per-group values. */
export type FinishOptions = ResolvedOf<typeof FINISH_PARAMS>;
/** Step 6: `1 − s` or `−log(max(s, logEpsilon))`. */
export type LogLossOptions = ResolvedOf<typeof LOG_LOSS_PARAMS>;
/** The options of a region loss as a user passes them. */
export type RegionOptions = OptionsOf<typeof REGION_PARAMS>;
