/**
 * Float64 oracles of the compound losses of segmentation-region.md §2.12 (combo, Taghanaki 2019) and §2.13
 * (exponential logarithmic, Wong 2018), as plain loops over channels-last arrays.
 */
import {
  activate64,
  type Activation64,
  clip64,
  clipBounds,
  diceGroups64,
  expandBinary64,
  grid64,
  type Grid64,
  keptChannels,
  labels64,
  mean64,
  softplus64,
} from './pixel-common.ts';
import { binaryNegLogs64, categoricalNegLog64 } from './pixel-crossentropy.ts';

export interface Combo64 {
  readonly activation?: Activation64;
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly includeBackground?: boolean;
  readonly reduceBatch?: boolean;
  readonly reduceChannels?: boolean;
  readonly smoothNr?: number;
  readonly smoothDr?: number;
  readonly alpha?: number;
  readonly ceRatio?: number;
  readonly eps?: number | null;
}

/**
 * Combo loss, the paper's form: `ceRatio·L_mbce − (1 − ceRatio)·mean Dice`, with
 * `L_mbce = −mean[α·y·log p + (1−α)(1−y)·log(1−p)]` over valid elements of the kept channels and the soft Dice
 * per group (§1.3) with `smoothNr`/`smoothDr`.
 */
export function combo64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: Combo64 = {},
): number {
  const g = grid64(predShape);
  const act = o.activation ?? 'none';
  const { g: gt, valid } = labels64(yTrue, g, { sparse: o.sparseLabels, ignoreIndex: o.ignoreIndex });
  const channels = keptChannels(g.C, o.includeBackground ?? true);
  const alpha = o.alpha ?? 0.5;
  const ceRatio = o.ceRatio ?? 0.5;
  const { nlp, nl1p } = binaryNegLogs64(yPred, g, act, o.eps);
  let ce = 0;
  let count = 0;
  for (let px = 0; px < g.B * g.S; px++) {
    for (const c of channels) {
      const i = px * g.C + c;
      ce += valid[i] * (alpha * gt[i] * nlp[i] + (1 - alpha) * (1 - gt[i]) * nl1p[i]);
      count += valid[i];
    }
  }
  const p = activate64(yPred, g, act).map((v, i) => v * valid[i]);
  const dice = diceGroups64(p, gt, g, {
    reduceBatch: o.reduceBatch,
    reduceChannels: o.reduceChannels,
    smoothNr: o.smoothNr ?? 1e-5,
    smoothDr: o.smoothDr ?? 1e-5,
    channels,
  });
  return ceRatio * (count ? ce / count : 0) - (1 - ceRatio) * mean64(dice);
}

export interface ExpLog64 {
  readonly activation?: Activation64;
  readonly sparseLabels?: boolean;
  readonly ignoreIndex?: number | null;
  readonly reduceBatch?: boolean;
  readonly smoothNr?: number;
  readonly smoothDr?: number;
  readonly wDice?: number;
  readonly wCross?: number;
  readonly gammaDice?: number;
  readonly gammaCross?: number;
  readonly classFrequencies?: 'auto' | readonly number[];
  readonly eps?: number | null;
}

/**
 * Exponential logarithmic loss (Wong et al. 2018): `wDice·mean_(b,c)[(−ln Dice_bc)^γD] +
 * wCross·mean_x[w_l·(−ln p_l(x))^γC]`, `w_l = (Σ_k f_k / f_l)^0.5` (0 for f_l = 0), f the label counts of the
 * batch ('auto') or given; one channel is expanded to `[1 − p, p]`.
 */
export function exponentialLogarithmic64(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predShape: readonly number[],
  o: ExpLog64 = {},
): number {
  const g0 = grid64(predShape);
  const act = o.activation ?? 'none';
  const { g: gt0, valid: valid0 } = labels64(yTrue, g0, {
    sparse: o.sparseLabels,
    ignoreIndex: o.ignoreIndex,
  });
  let p = activate64(yPred, g0, act);
  let gt = gt0;
  let valid = valid0;
  let nlp: Float64Array;
  let g: Grid64 = g0;
  if (g0.C === 1) {
    g = { ...g0, C: 2 };
    p = expandBinary64(p, valid0);
    gt = expandBinary64(gt0, valid0);
    valid = Float64Array.from({ length: 2 * valid0.length }, (_, i) => valid0[Math.floor(i / 2)]);
    nlp = new Float64Array(p.length);
    const bounds = clipBounds(o.eps);
    for (let i = 0; i < yPred.length; i++) {
      const x = yPred[i];
      if (act === 'sigmoid') {
        nlp[2 * i] = softplus64(x);
        nlp[2 * i + 1] = softplus64(-x);
      } else {
        nlp[2 * i] = -Math.log(clip64(1 - x, bounds));
        nlp[2 * i + 1] = -Math.log(clip64(x, bounds));
      }
    }
  } else {
    nlp = categoricalNegLog64(yPred, g0, act, o.eps).nlp;
    p = p.map((v, i) => v * valid[i]);
  }
  const C = g.C;
  const channels = keptChannels(C);
  const dice = diceGroups64(p, gt, g, {
    reduceBatch: o.reduceBatch,
    smoothNr: o.smoothNr ?? 1,
    smoothDr: o.smoothDr ?? 1,
    channels,
  });
  const floor = o.eps ?? 1e-7;
  const diceTerm = mean64(
    dice.map((d) => Math.max(-Math.log(Math.max(d, floor)), 0) ** (o.gammaDice ?? 0.3)),
  );
  const f = new Float64Array(C);
  const given = o.classFrequencies ?? 'auto';
  if (given === 'auto') for (let i = 0; i < gt.length; i++) f[i % C] += valid[i] * gt[i];
  else given.forEach((v, c) => (f[c] = v));
  const total = f.reduce((a, v) => a + v, 0);
  const w = Array.from(f, (v) => (v > 0 ? Math.sqrt(total / v) : 0));
  let cross = 0;
  let count = 0;
  for (let i = 0; i < gt.length; i++) {
    cross += valid[i] * w[i % C] * gt[i] * Math.max(nlp[i], 0) ** (o.gammaCross ?? 0.3);
    count += valid[i];
  }
  count /= C;
  return (o.wDice ?? 0.8) * diceTerm + (o.wCross ?? 0.2) * (count ? cross / count : 0);
}
