/**
 * losskit: exact, differentiable, documented loss functions and segmentation metrics for TensorFlow.js.
 * The public surface is spec/api.md; nothing internal is exported here.
 */
export { getLoss, getMetric, listLosses, listMetrics } from './catalog/catalog.ts';
export type { Loss, Metric, CallOptions } from './core/define-loss.ts';
export type {
  LossFn,
  LossInfo,
  LossProperty,
  MetricFn,
  MetricInfo,
  OptionValue,
  Options,
  ParamInfo,
  ParamType,
  Reduction,
  SegReduction,
  Task,
} from './core/types.ts';
export * from './losses/classification/index.ts';
export * from './losses/regression/index.ts';
export * from './losses/segmentation/index.ts';
export * from './metrics/index.ts';
export {
  edt,
  signedDistance,
  perChannel,
  averageSurfaceDistanceArrays,
  hausdorffDistanceArrays,
  surfaceDiceArrays,
} from './distance/index.ts';
export type {
  EdtOptions,
  SignedDistanceConvention,
  SignedDistanceOptions,
  PerChannelOptions,
  AverageSurfaceDistanceArrayOptions,
  HausdorffArrayOptions,
  SurfaceDiceArrayOptions,
} from './distance/index.ts';
export { compileWithLoss, restoreLoss, readLossSpec } from './keras/layers-compat.ts';
export type { CompileArgs, LossSpec } from './keras/layers-compat.ts';
export { setFusedKernels, fusedKernelsEnabled } from './fused/switch.ts';
