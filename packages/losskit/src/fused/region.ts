import { epsilon } from '../core/numerics.ts';
import { checkLayout, type RegionLossOptions, type SmoothOptions } from '../segmentation/index.ts';
import type { Tensor } from '../tf.ts';
import { floatSource, fusedLoss } from './fused-loss.ts';
import { regionKernel, type RegionKernelArgs } from './region-kernel.ts';

/** What a region loss adds to the shared options: its score's coefficients and its extras. */
export interface RegionFusedSpec {
  /** Score `(kn·TP + s_nr) / (kt·TP + kp·Σp^k + kg·Σg^k + s_dr)`. */
  readonly score: { readonly kn: number; readonly kt: number; readonly kp: number; readonly kg: number };
  /** Whether `squaredPred` applies (Dice, Jaccard); Tversky-type scores never square. */
  readonly squaredAllowed: boolean;
  readonly power?: RegionKernelArgs['power'];
  readonly combo?: RegionKernelArgs['combo'];
}

/**
 * The fused path of a region loss, or null outside its subset: float32 yPred, dense yTrue, activation none or
 * sigmoid, no ignoreIndex, no sample weight, reduction mean or sum, classWeights that fit. The layout is checked
 * by the pipeline's own `checkLayout` first, so errors are the composed path's.
 */
export function regionFused(
  id: string,
  yTrue: Tensor,
  yPred: Tensor,
  sampleWeight: Tensor | undefined,
  o: RegionLossOptions & SmoothOptions,
  spec: RegionFusedSpec,
): Tensor | null {
  if (
    sampleWeight ||
    o.sparseLabels ||
    o.activation === 'softmax' ||
    o.ignoreIndex !== null ||
    o.reduction === 'none' ||
    yPred.dtype !== 'float32' ||
    yPred.size === 0
  )
    return null;
  const L = checkLayout(id, yTrue, yPred, o);
  if (o.classWeights !== null && (o.reduceChannels || o.classWeights.length !== L.kept)) return null;
  const x = floatSource(yPred);
  const t = floatSource(yTrue);
  const args: Omit<RegionKernelArgs, 'x' | 't'> = {
    B: L.B,
    S: L.spatial.reduce((a, d) => a * d, 1),
    C: L.C,
    c0: L.C - L.kept,
    reduceBatch: o.reduceBatch,
    reduceChannels: o.reduceChannels,
    sigmoid: o.activation === 'sigmoid',
    squared: spec.squaredAllowed && o.squaredPred,
    ...spec.score,
    smoothNr: o.smoothNr,
    smoothDr: o.smoothDr,
    epsClamp: o.epsClamp,
    logEps: o.logLoss ? (o.logEpsilon ?? epsilon()) : null,
    power: spec.power ?? null,
    maskEmptyClasses: o.maskEmptyClasses,
    classWeights: o.classWeights,
    reduction: o.reduction,
    combo: spec.combo ?? null,
  };
  // Channels the loss drops keep a zero gradient, which the kernel leaves unwritten.
  return fusedLoss(yPred, (g) => regionKernel({ ...args, x: x(), t: t() }, g), L.C !== L.kept);
}
