/**
 * losskit: exact, differentiable, documented loss functions and segmentation metrics for TensorFlow.js.
 * The public surface is spec/api.md plus the extensions the README documents; every runtime export is named
 * here, and test/api-surface.test.ts fails when one is added or lost without updating that list.
 */
export {
  findCatalogEntries,
  getLoss,
  getMetric,
  listLosses,
  listMetrics,
  type CatalogMatch,
} from './catalog/catalog.ts';
export type { Loss, LossFn, Metric, MetricFn, CallOptions } from './core/define-loss.ts';
export type {
  LossInfo,
  LossProperty,
  MetricInfo,
  OptionValue,
  Options,
  ParamInfo,
  ParamType,
  Reduction,
  SegReduction,
  Task,
} from './core/types.ts';

// Losses: one named export per catalog entry (the option types come with them).
export {
  cosineSimilarity,
  huber,
  klDivergence,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  poisson,
} from './losses/regression/index.ts';
export {
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  categoricalHinge,
  hinge,
  sparseCategoricalCrossentropy,
  squaredHinge,
} from './losses/classification/index.ts';
export {
  balancedCrossentropy,
  boundaryLoss,
  cmssLoss,
  combo,
  dice,
  distanceMapPenaltyBce,
  exponentialLogarithmic,
  focal,
  focalTversky,
  generalizedDice,
  hausdorffDtLoss,
  jaccard,
  logCoshDice,
  lovaszHinge,
  lovaszSoftmax,
  mcc,
  sensitivitySpecificity,
  shapeAwareLoss,
  tversky,
  unifiedFocal,
  weightedCrossentropy,
  // The ground-truth maps of the distance losses, precomputed outside the training step (`precomputedMaps`).
  distanceMaps,
  packDistanceMaps,
} from './losses/segmentation/index.ts';
export type * from './losses/regression/index.ts';
export type * from './losses/classification/index.ts';
export type * from './losses/segmentation/index.ts';

// Metrics: one named export per catalog entry, and the overlap scores on plain arrays.
export {
  averageSurfaceDistance,
  diceCoefficient,
  hausdorffDistance,
  iou,
  precision,
  sensitivity,
  specificity,
  surfaceDice,
  tverskyIndex,
  diceOfMasks,
  iouOfMasks,
  overlapCounts,
  overlapPerLabel,
  precisionOfMasks,
  sensitivityOfMasks,
  specificityOfMasks,
  tverskyOfMasks,
} from './metrics/index.ts';
export type * from './metrics/index.ts';

// Distance transforms and surface metrics on typed arrays (also `losskit/distance`, which loads no TensorFlow.js).
export {
  edt,
  signedDistance,
  perChannel,
  averageSurfaceDistanceArrays,
  hausdorffDistanceArrays,
  surfaceDiceArrays,
  evaluateLabels,
} from './distance/index.ts';
export type {
  EdtOptions,
  SignedDistanceConvention,
  SignedDistanceOptions,
  PerChannelOptions,
  AverageSurfaceDistanceArrayOptions,
  HausdorffArrayOptions,
  SurfaceDiceArrayOptions,
  EvaluateLabelsOptions,
  LabelEvaluation,
  LabelMetricSpec,
} from './distance/index.ts';

export { compileWithLoss, restoreLoss, readLossSpec } from './keras/layers-compat.ts';
export type { CompileArgs, LossSpec } from './keras/layers-compat.ts';
export { setFusedKernels, fusedKernelsEnabled, fusedCallCount } from './core/fused-switch.ts';
