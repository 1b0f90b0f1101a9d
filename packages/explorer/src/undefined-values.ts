/**
 * A short word beside values that look wrong but follow from the formulas: NaN and ∞ (a surface distance with
 * no surface to measure from), and the finite but surprising values of an empty pair (MCC, combo) or of Dice's
 * gradient on an empty truth. Text only; no DOM, no tfjs.
 */
import type { OptionValue } from 'losskit';

export interface Emptiness {
  readonly truth: boolean;
  /** No predicted probability ≥ 0.5. */
  readonly prediction: boolean;
}

const SURFACE = new Set(['hausdorffDistance', 'averageSurfaceDistance']);
const DICE_FAMILY = new Set([
  'dice',
  'jaccard',
  'tversky',
  'focalTversky',
  'logCoshDice',
  'generalizedDice',
  'combo',
]);

/** Why a row shows what it shows, or `undefined` when the value needs no word. */
export function explain(id: string, value: number, empty: Emptiness): string | undefined {
  const both = empty.truth && empty.prediction;
  const one = empty.truth !== empty.prediction;
  if (SURFACE.has(id) && !Number.isFinite(value)) {
    if (both)
      return 'Both masks are empty: there is no surface to measure a distance from, so it is undefined.';
    if (one)
      return `The ${empty.truth ? 'truth' : 'prediction'} is empty: the distance from a surface to no surface is undefined (no nearest point).`;
  }
  if (id === 'surfaceDice' && !Number.isFinite(value))
    return 'No boundary in either mask: the share of boundary within tolerance is 0/0.';
  if (both && id === 'mcc')
    return 'Both masks empty: TP = FP = FN = 0, so the correlation is 0/0; the value comes from eps alone.';
  if (both && id === 'combo')
    return 'Both empty: the smoothed Dice is s/s = 1, so combo = α·CE − (1 − α)·Dice sits at its minimum, −(1 − α).';
  if (Number.isNaN(value)) return 'NaN: a 0/0 in the formula (an empty class or mask).';
  if (!Number.isFinite(value)) return '∞: a division by zero in the formula (an empty class or mask).';
  return undefined;
}

/** A note under the gradient heatmap when an empty truth makes a Dice-type gradient explode. */
export function gradientNote(
  id: string,
  max: number,
  gt: Uint8Array,
  options: Record<string, OptionValue> | undefined,
): string | null {
  if (!DICE_FAMILY.has(id) || gt.some((v) => v) || max < 100) return null;
  const s = typeof options?.smoothDr === 'number' ? options.smoothDr : 1e-5;
  return (
    ` · The truth is empty: Dice = 1 − s/(Σp + s), so ∂ℓ/∂p = s/(Σp + s)², which is 1/s = ${String(1 / s)} ` +
    'at an empty prediction, the same at every pixel. Use reduceBatch: true or smoothing 1.'
  );
}
