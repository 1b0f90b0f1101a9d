/**
 * Distance transforms and surface extraction on plain typed arrays (segmentation-distance.md §1, §3, §4), plus the
 * array forms of the surface metrics, and the metrics' catalog entries with their option resolution (from
 * metrics/info.ts, the one module outside distance/ this entry reaches). Nothing here imports TensorFlow.js.
 */
export { edt, type EdtOptions, type FloatOut } from './edt.ts';
export {
  signedDistance,
  resolveConvention,
  type SignedDistanceConvention,
  type SignedDistanceOptions,
} from './signed-distance.ts';
export {
  channelsLastLayout,
  extractMask,
  extractPlane,
  mapSpatial,
  perChannel,
  scatterPlane,
  type ChannelsLastLayout,
  type MapSpatialOptions,
  type PerChannelOptions,
} from './per-channel.ts';
export {
  boundingBox,
  directedSurfaceDistances,
  surfaceDistances,
  surfaceEdges,
  type BoundingBox,
  type SurfaceDistanceOptions,
  type SurfaceDistances,
} from './surface.ts';
export {
  averageSurfaceDistanceArrays,
  averageSurfaceDistancePair,
  bindSurfaceMetric,
  hausdorffDistanceArrays,
  hausdorffDistancePair,
  surfaceDiceArrays,
  surfaceDicePair,
  surfaceMetricChannels,
  type AverageSurfaceDistanceArrayOptions,
  type BoundSurfaceMetric,
  type AverageSurfaceDistancePairOptions,
  type HausdorffArrayOptions,
  type HausdorffPairOptions,
  type SurfaceArrayOptions,
  type SurfaceDiceArrayOptions,
  type SurfaceDicePairOptions,
  type SurfacePairOptions,
} from './surface-metrics.ts';
export {
  evaluateLabels,
  LABEL_METRICS,
  LabelMapError,
  type EvaluateLabelsOptions,
  type LabelEvaluation,
  type LabelMetricId,
  type LabelMetricSpec,
} from './evaluate-labels.ts';
export {
  metricInfo,
  metricInfos,
  resolveMetricOptions,
  type MetricInfo,
  type MetricLookupOptions,
  type ParamInfo,
} from '../metrics/info.ts';
