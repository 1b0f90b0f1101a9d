import { epsilon } from '../core/numerics.ts';
import { checkLayout, type RegionLossOptions, type SmoothOptions } from '../segmentation/index.ts';
import type { Tensor } from '../tf.ts';
import { regionKernel, type RegionKernelArgs } from './region-kernel.ts';
import { defineFusedKernel } from './registry.ts';

/** The region kernel as tfjs kernel 'LosskitRegion' on cpu and wasm (registered on first use of this module). */
const regionOp = defineFusedKernel<RegionKernelArgs>('LosskitRegion', (x, t, a, g) =>
  regionKernel(a, x, t, g),
);

/** What a region loss adds to the shared options: its score's coefficients and its extras. */
export interface RegionFusedSpec {
  /** Score `(kn·TP + s_nr) / (kt·TP + kp·Σp^k + kg·Σg^k + s_dr)`. */
  readonly score: { readonly kn: number; readonly kt: number; readonly kp: number; readonly kg: number };
  /** Whether `squaredPred` applies (Dice, Jaccard); Tversky-type scores never square. */
  readonly squaredAllowed: boolean;
  readonly power?: { readonly gamma: number; readonly afterMean: boolean };
  readonly combo?: { readonly alpha: number; readonly ceRatio: number; readonly eps: number };
  /** Generalized Dice with these class weights instead of the per-group score (`score` is then unused). */
  readonly generalized?: RegionKernelArgs['weightType'];
  /** log cosh of the reduced loss (log-cosh Dice). */
  readonly logCosh?: boolean;
}

/**
 * The fused path of a region loss, or null outside its subset: float32 yPred; dense or sparse yTrue; activation
 * none, sigmoid or softmax; no ignoreIndex, no sample weight, reduction mean or sum, classWeights that fit. The
 * layout (and sparse labels) are checked by the pipeline's own `checkLayout` first, so errors are the composed
 * path's. Null too when an input holds NaN or ±Infinity: the composed path defines what they give.
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
    o.ignoreIndex !== null ||
    o.reduction === 'none' ||
    yPred.dtype !== 'float32' ||
    yPred.size === 0
  )
    return null;
  const L = checkLayout(id, yTrue, yPred, o);
  if (o.classWeights !== null && (o.reduceChannels || o.classWeights.length !== L.kept)) return null;
  const args: RegionKernelArgs = {
    B: L.B,
    S: L.spatial.reduce((a, d) => a * d, 1),
    C: L.C,
    c0: L.C - L.kept,
    activation: o.activation,
    sparse: o.sparseLabels,
    reduceBatch: o.reduceBatch,
    reduceChannels: spec.generalized ? false : o.reduceChannels,
    squared: spec.squaredAllowed && o.squaredPred,
    score: spec.generalized ? 'generalized' : 'ratio',
    ...spec.score,
    weightType: spec.generalized ?? 'uniform',
    smoothNr: o.smoothNr,
    smoothDr: o.smoothDr,
    epsClamp: o.epsClamp,
    logEps: o.logLoss ? (o.logEpsilon ?? epsilon()) : null,
    powerGamma: spec.power ? spec.power.gamma : null,
    powerAfterMean: spec.power?.afterMean ?? false,
    logCosh: spec.logCosh ?? false,
    maskEmptyClasses: o.maskEmptyClasses,
    classWeights: o.classWeights,
    reduction: o.reduction,
    combo: spec.combo !== undefined,
    comboAlpha: spec.combo?.alpha ?? 0,
    comboCeRatio: spec.combo?.ceRatio ?? 0,
    comboEps: spec.combo?.eps ?? 0,
  };
  // Null when the value is not finite: NaN or ±Infinity in an input (the kernel makes sure of it), or 0/0 scores.
  return regionOp(yPred, yTrue, args);
}
