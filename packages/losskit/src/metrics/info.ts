/**
 * The metrics' catalog entries, their preset tables and their option resolution, without TensorFlow.js: the one
 * definition of each entry, which the tensor metrics (overlap.ts, surface.ts) are built from and `losskit/distance`
 * re-exports, so that a tool can find a metric by name and resolve its options without loading tfjs (the CLI's
 * label evaluation). Imports only tfjs-free modules (eslint.config.js holds it to them).
 */
import { type OptionsOf, param, type PresetTable, resolveWithPresets } from '../core/options.ts';
import type { MetricInfo, Options } from '../core/types.ts';
import {
  CLASS_WEIGHTS,
  GROUP_PARAMS,
  GROUP_REDUCTION,
  LAYOUT_PARAMS,
  MASK_EMPTY_CLASSES,
  PRESET,
  SMOOTH_PARAMS,
  SPACING,
  SQUARED_PRED,
  TVERSKY_ALPHA,
  TVERSKY_BETA,
} from '../segmentation/params.ts';
import { regionPresets } from '../segmentation/presets.ts';
import { entryTable, findLossName } from '../util/names.ts';

export type { MetricInfo, ParamInfo } from '../core/types.ts';

/** A metric's catalog entry and the preset table its `preset` option chooses from, if it has one. */
export interface MetricEntry {
  readonly info: MetricInfo;
  readonly presets?: PresetTable;
}

const entry = (info: MetricInfo, presets?: PresetTable): MetricEntry =>
  // The info is what the tensor metric's `.info` and listMetrics() hand out: frozen here, before anyone reads it.
  presets ? { info: Object.freeze(info), presets } : { info: Object.freeze(info) };

// ------------------------------------------------------------------------------------------ overlap

const THRESHOLD = param({
  name: 'threshold',
  type: ['number', 'null'],
  default: null,
  range: [0, 1],
  doc: 'Binarise the probabilities (after the activation) as p ≥ threshold before the sums; null = soft scores.',
});

const MASK_EMPTY_SCORE = param({
  ...MASK_EMPTY_CLASSES,
  doc: 'Groups whose ground truth is empty score 1 (their loss is 0, as smp) and still count in the mean.',
});

const CLASS_WEIGHTS_SCORE = param({
  ...CLASS_WEIGHTS,
  doc: 'One weight per kept channel, multiplying each class’s score before a plain mean. Not with reduceChannels.',
});

const COMMON = [
  ...LAYOUT_PARAMS,
  ...GROUP_PARAMS,
  ...SMOOTH_PARAMS,
  MASK_EMPTY_SCORE,
  CLASS_WEIGHTS_SCORE,
  GROUP_REDUCTION,
] as const;
const OVERLAP_PARAMS = [...COMMON, SQUARED_PRED, THRESHOLD, PRESET] as const;
const TVERSKY_INDEX_PARAMS = [...COMMON, TVERSKY_ALPHA, TVERSKY_BETA, THRESHOLD, PRESET] as const;
const RATE_PARAMS = [...COMMON, THRESHOLD, PRESET] as const;

/** Options of diceCoefficient and iou (the rates — sensitivity, specificity, precision — have no squaredPred). */
export type OverlapMetricOptions = OptionsOf<typeof OVERLAP_PARAMS>;
export type TverskyIndexOptions = OptionsOf<typeof TVERSKY_INDEX_PARAMS>;
export type RateMetricOptions = OptionsOf<typeof RATE_PARAMS>;

const SEE_DICE = 'Dice 1945, "Measures of the amount of ecologic association between species", Ecology 26(3)';
const SEE_YERUSHALMY =
  'Yerushalmy 1947, "Statistical problems in assessing methods of medical diagnosis", Public Health Reports 62(40)';

export const DICE_COEFFICIENT = entry(
  {
    id: 'diceCoefficient',
    aliases: [
      'dice_coefficient',
      'dice_coef',
      'DiceCoefficient',
      'dice_score',
      'dice_similarity',
      'f1_score',
    ],
    task: 'segmentation',
    summary: 'Dice similarity coefficient (F1 of the overlap), soft or thresholded, per sample and class.',
    formula: 'D = (2·Σ p·g + s_nr) / (Σ p^k + Σ g^k + s_dr)  per group; mean over groups',
    whenToUse:
      'The standard overlap score of medical segmentation; report it thresholded (threshold: 0.5) to evaluate, ' +
      'soft to monitor the Dice loss during training.',
    params: OVERLAP_PARAMS,
    references: [
      SEE_DICE,
      'Sørensen 1948, Kongelige Danske Videnskabernes Selskab, Biologiske Skrifter 5(4)',
    ],
    higherIsBetter: true,
    loss: 'dice',
  },
  // Jadon's dice_coef metric: global, smoothing 1e-7 (§2.5).
  regionPresets({ jadon: { smoothNr: 1e-7, smoothDr: 1e-7 } }),
);

export const IOU = entry(
  {
    id: 'iou',
    aliases: ['IoU', 'jaccard_index', 'jaccard_score', 'jaccard_coefficient', 'intersection_over_union'],
    task: 'segmentation',
    summary: 'Intersection over union (Jaccard index), soft or thresholded, per sample and class.',
    formula: 'J = (Σ p·g + s_nr) / (Σ p^k + Σ g^k − Σ p·g + s_dr)  per group; mean over groups',
    whenToUse:
      'The overlap score of natural-image benchmarks (PASCAL VOC, Cityscapes mIoU: use reduceBatch).',
    params: OVERLAP_PARAMS,
    references: ['Jaccard 1912, "The distribution of the flora in the alpine zone", New Phytologist 11(2)'],
    higherIsBetter: true,
    loss: 'jaccard',
  },
  regionPresets(),
);

export const TVERSKY_INDEX = entry(
  {
    id: 'tverskyIndex',
    aliases: ['tversky_index', 'TverskyIndex', 'tversky_score'],
    task: 'segmentation',
    summary: 'Tversky index: an overlap score with separate weights on false positives and false negatives.',
    formula: 'TI = (TP + s_nr) / (TP + α·FP + β·FN + s_dr)  per group; α = β = 0.5 is Dice',
    whenToUse: 'To monitor the Tversky or focal Tversky loss with the same α, β; α = β = 0.5 reports Dice.',
    params: TVERSKY_INDEX_PARAMS,
    references: ['Tversky 1977, "Features of similarity", Psychological Review 84(4)'],
    higherIsBetter: true,
    loss: 'tversky',
  },
  regionPresets(),
);

export const SENSITIVITY = entry(
  {
    id: 'sensitivity',
    aliases: ['recall', 'true_positive_rate', 'tpr', 'Sensitivity', 'Recall'],
    task: 'segmentation',
    summary: 'Fraction of the ground-truth foreground that the prediction covers (recall).',
    formula: 'SE = (TP + s_nr) / (TP + FN + s_dr)  per group',
    whenToUse:
      'When missed foreground matters (lesion detection); read together with precision or specificity.',
    params: RATE_PARAMS,
    references: [SEE_YERUSHALMY],
    higherIsBetter: true,
    loss: 'sensitivitySpecificity',
  },
  regionPresets(),
);

export const SPECIFICITY = entry(
  {
    id: 'specificity',
    aliases: ['true_negative_rate', 'tnr', 'selectivity', 'Specificity'],
    task: 'segmentation',
    summary: 'Fraction of the ground-truth background that the prediction leaves empty.',
    formula: 'SP = (TN + s_nr) / (TN + FP + s_dr)  per group',
    whenToUse:
      'To check false alarms relative to the background size; it is close to 1 whenever the background is large, ' +
      'so prefer precision for small structures.',
    params: RATE_PARAMS,
    references: [SEE_YERUSHALMY],
    higherIsBetter: true,
    loss: 'sensitivitySpecificity',
  },
  regionPresets(),
);

export const PRECISION = entry(
  {
    id: 'precision',
    aliases: ['positive_predictive_value', 'ppv', 'Precision'],
    task: 'segmentation',
    summary: 'Fraction of the predicted foreground that is correct.',
    formula: 'PR = (TP + s_nr) / (TP + FP + s_dr)  per group',
    whenToUse: 'When false alarms matter; read together with sensitivity (their harmonic mean is Dice).',
    params: RATE_PARAMS,
    references: [
      'Kent, Berry, Luehrs & Perry 1955, "Machine literature searching VIII", American Documentation 6(2)',
    ],
    higherIsBetter: true,
    // Tversky with alpha > beta weighs false positives more: the loss that trades recall for precision.
    loss: 'tversky',
  },
  regionPresets(),
);

// ------------------------------------------------------------------------------------------ surface

const SURFACE_INCLUDE_BACKGROUND = param({
  name: 'includeBackground',
  type: 'boolean',
  default: false,
  doc: 'Report channel 0 too (false drops it, only when C > 1; MONAI include_background=False).',
});

const METRIC_SPACING = param({
  ...SPACING,
  doc: `${SPACING.doc} Distances are in these units.`,
});

const LAYOUT =
  'Inputs: channels-last [B, ...spatial, C] masks of one shape; yTrue > 0.5 and yPred > 0.5 (strict) are ' +
  'foreground, so probabilities can be passed as they are. Edges: cross-connected, the image border counts as ' +
  'background. Result [B, C′]: NaN if both masks are empty, +Infinity if one is.';

export const HAUSDORFF_DISTANCE = entry({
  id: 'hausdorffDistance',
  aliases: ['hausdorff_distance', 'hausdorff', 'HausdorffDistanceMetric', 'hd'],
  task: 'segmentation',
  summary:
    'Largest distance from a point on either predicted or true surface to the other surface (or a ' +
    'percentile of those distances, e.g. HD95): the worst boundary error, per image and class.',
  formula:
    'HD = max(max A, max G), A = {d(a, ∂Y): a ∈ ∂P}, G = {d(g, ∂P): g ∈ ∂Y}; directed: max A; ' +
    'HDq = max(q(A), q(G)) (MONAI) or q(A ∪ G) (medpy)',
  whenToUse:
    'Evaluating boundary-critical segmentation where one far-off error matters (surgical margins, radiotherapy ' +
    'contours). HD itself is outlier-dominated: report HD95 (percentile: 95) alongside Dice, with physical ' +
    `spacing. ${LAYOUT}`,
  params: [
    {
      name: 'percentile',
      type: ['number', 'null'],
      default: null,
      range: [0, 100],
      doc: 'Percentile of the surface distances (95 gives HD95); null = the maximum.',
    },
    {
      name: 'directed',
      type: 'boolean',
      default: false,
      doc: 'Only the prediction → ground-truth distances.',
    },
    {
      name: 'convention',
      type: 'enum',
      values: ['monai', 'medpy'],
      default: 'monai',
      doc: "Percentile form: 'monai' = max of the two directed percentiles; 'medpy' = percentile of both pooled.",
    },
    SURFACE_INCLUDE_BACKGROUND,
    METRIC_SPACING,
  ],
  references: [
    'Huttenlocher, Klanderman & Rucklidge 1993, "Comparing images using the Hausdorff distance", IEEE PAMI 15(9)',
    'MONAI 1.5.0 monai.metrics.compute_hausdorff_distance; medpy.metric.binary.hd95',
    'Maier-Hein et al. 2024, "Metrics reloaded", Nature Methods, arXiv:2206.01653',
  ],
  higherIsBetter: false,
  loss: 'hausdorffDtLoss',
});

export const AVERAGE_SURFACE_DISTANCE = entry({
  id: 'averageSurfaceDistance',
  aliases: ['average_surface_distance', 'asd', 'SurfaceDistanceMetric', 'mean_surface_distance'],
  task: 'segmentation',
  summary:
    'Mean distance from the predicted surface to the true surface (directed, MONAI default), or over both ' +
    'surfaces (symmetric ASSD): the typical boundary error, per image and class.',
  formula:
    'ASD = mean A; ASSD = mean(A ∪ G) = (ΣA + ΣG)/(|A| + |G|) (medpy 0.4: (mean A + mean G)/2), ' +
    'A = {d(a, ∂Y): a ∈ ∂P}, G = {d(g, ∂P): g ∈ ∂Y}',
  whenToUse:
    'Evaluating how closely contours follow the truth on average, less outlier-driven than the Hausdorff ' +
    `distance; report with Dice and HD95, in physical spacing. Set symmetric: true for ASSD. ${LAYOUT}`,
  params: [
    {
      name: 'symmetric',
      type: 'boolean',
      default: false,
      doc: 'Both directions (ASSD). false (MONAI default) = mean over the predicted edges only.',
    },
    {
      name: 'convention',
      type: 'enum',
      values: ['monai', 'medpy', 'medpy_0.4'],
      default: 'monai',
      doc: "Symmetric form: 'monai' and 'medpy' (≥ 0.5.2) pool both sets; 'medpy_0.4' averages the two means.",
    },
    SURFACE_INCLUDE_BACKGROUND,
    METRIC_SPACING,
  ],
  references: [
    'MONAI 1.5.0 monai.metrics.compute_average_surface_distance; medpy.metric.binary.assd',
    'Heimann et al. 2009, "Comparison and evaluation of methods for liver segmentation from CT datasets", IEEE TMI',
  ],
  higherIsBetter: false,
  loss: 'boundaryLoss',
});

export const SURFACE_DICE = entry({
  id: 'surfaceDice',
  aliases: ['surface_dice', 'nsd', 'normalized_surface_dice', 'normalised_surface_dice', 'SurfaceDiceMetric'],
  task: 'segmentation',
  summary:
    'Fraction of both surfaces lying within a tolerance τ of the other surface: a boundary Dice that forgives ' +
    'deviations smaller than the acceptable error.',
  formula: 'NSD = (#{a ∈ A: a ≤ τ} + #{g ∈ G: g ≤ τ}) / (|A| + |G|), A, G directed surface distances',
  whenToUse:
    'Evaluating contours against a clinically acceptable tolerance (radiotherapy organs at risk, with τ from ' +
    `inter-observer variation); bounded in [0, 1], higher is better. ${LAYOUT} (NSD: 0 if one is empty.)`,
  params: [
    {
      name: 'tolerance',
      type: ['number', 'number[]'],
      default: 1,
      range: [0, Infinity],
      doc: 'τ in spacing units: one for every channel, or one per reported channel (MONAI class_thresholds).',
    },
    SURFACE_INCLUDE_BACKGROUND,
    METRIC_SPACING,
  ],
  references: [
    'Nikolov et al. 2021, "Clinically applicable segmentation of head and neck anatomy for radiotherapy", ' +
      'JMIR, arXiv:1809.04430',
    'MONAI 1.5.0 monai.metrics.compute_surface_dice (use_subvoxels=False)',
  ],
  higherIsBetter: true,
  loss: 'boundaryLoss',
});

// ------------------------------------------------------------------------------------------ lookup

/** Every metric's entry, in catalog order (the order of `listMetrics`). */
export const METRIC_ENTRIES: readonly MetricEntry[] = [
  DICE_COEFFICIENT,
  IOU,
  TVERSKY_INDEX,
  SENSITIVITY,
  SPECIFICITY,
  PRECISION,
  HAUSDORFF_DISTANCE,
  AVERAGE_SURFACE_DISTANCE,
  SURFACE_DICE,
];

const table = entryTable(METRIC_ENTRIES);

/** How `metricInfo` looks a name up. */
export interface MetricLookupOptions {
  /**
   * Also try the name with a `_loss` suffix removed or added, as `getMetric` does (default true). false looks the
   * name up as given only: a tool that also searches the losses needs that, since `iou_loss` names a loss before
   * its suffix is dropped to name the metric `iou`.
   */
  readonly lossSuffix?: boolean;
}

/**
 * The catalog entry of the metric that `getMetric(name)` returns, or undefined when no metric has that name.
 * Names ignore case, `_`, `-` and spaces; ids, their snake_case and aliases (`hd`, `nsd`, `f1_score`) all work.
 * The entry is the very object the tensor metric's `.info` and `listMetrics()` give, without loading TensorFlow.js.
 *
 * @param name a metric's id, snake_case id or alias, in any spelling
 * @param options `lossSuffix: false` to look the name up as given only (no `_loss` suffix added or removed)
 * @returns the metric's entry (id, aliases, params with defaults and ranges, …), or undefined
 * @example
 * import { metricInfo } from 'losskit/distance';
 * metricInfo('HD')?.id; // 'hausdorffDistance'
 * metricInfo('hausdorff_distance')?.params.map((p) => p.name);
 * // ['percentile', 'directed', 'convention', 'includeBackground', 'spacing']
 * metricInfo('dice'); // undefined: `dice` is a loss (getLoss)
 */
export function metricInfo(name: string, options: MetricLookupOptions = {}): MetricInfo | undefined {
  const found = options.lossSuffix === false ? table.get(name) : findLossName(table, name);
  return found?.info;
}

/**
 * The options `getMetric(name, options)` would bind, resolved without loading TensorFlow.js: the `preset` row
 * merged under the explicit options, aliases mapped to their canonical names, enum values in canonical spelling,
 * every default filled in: equal to `getMetric(name, options).options`, and frozen like it.
 * Throws the same Errors as `getMetric` for an unknown option (with the closest names), a value of the wrong type
 * or out of range, and for an unknown name `Unknown metric '…'` with the closest metric names (`getMetric` names
 * the loss instead when the name is a loss's: this module does not know the losses).
 *
 * @param name a metric's name, as `metricInfo` takes it
 * @param options the options as a user gives them (camelCase keys or their aliases)
 * @returns every option of the metric, resolved
 * @example
 * import { resolveMetricOptions } from 'losskit/distance';
 * resolveMetricOptions('hd', { percentile: 95 });
 * // { percentile: 95, directed: false, convention: 'monai', includeBackground: false, spacing: null }
 * resolveMetricOptions('dice_coefficient', { preset: 'jadon' }).smoothNr; // 1e-7 (its own jadon row)
 * resolveMetricOptions('hd', { percentile: 101 });
 * // throws "hausdorffDistance: option 'percentile' must be a finite number in [0, 100] or null, got 101"
 * resolveMetricOptions('hd95'); // throws "Unknown metric 'hd95'. Did you mean 'hd'?"
 */
export function resolveMetricOptions(name: string, options?: Options): Readonly<Record<string, unknown>> {
  if (typeof name !== 'string')
    throw new Error(`resolveMetricOptions: name must be a string, got ${typeof name}`);
  const metric = findLossName(table, name) ?? table.require(name, 'metric');
  return resolveWithPresets(metric.info, options, metric.presets);
}

/**
 * Every metric's catalog entry, in catalog order: the same objects as `listMetrics()` of the main entry, without
 * loading TensorFlow.js.
 *
 * @returns a new array of the entries
 * @example
 * import { metricInfos } from 'losskit/distance';
 * metricInfos().map((m) => m.id);
 * // ['diceCoefficient', 'iou', 'tverskyIndex', 'sensitivity', 'specificity', 'precision',
 * //  'hausdorffDistance', 'averageSurfaceDistance', 'surfaceDice']
 */
export function metricInfos(): MetricInfo[] {
  return METRIC_ENTRIES.map((m) => m.info);
}
