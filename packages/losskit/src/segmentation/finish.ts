/**
 * Steps 6–9 of the region pipeline (segmentation-region.md §1.2): loss from score, masking of empty classes, class
 * and sample weights, the group reduction; `regionLoss` runs steps 1–9 for a loss defined by its per-group score.
 */
import { epsilon, toFloat32 } from '../core/numerics.ts';
import { shapeText } from '../core/validate.ts';
import { tf, type Tensor } from '../tf.ts';
import { type Prepared, prepare } from './layout.ts';
import type { FinishOptions, GroupOptions, LayoutOptions, LogLossOptions } from './params.ts';
import { type GroupSums, groupSums, sumGroups } from './sums.ts';

/** What `regionLoss` reads: the options of a score-based region loss, resolved (explicit where not declared). */
export type RegionLossOptions = LayoutOptions &
  GroupOptions &
  FinishOptions &
  LogLossOptions & { readonly squaredPred: boolean };

/** Step 6 as `1 − score`, stated by the losses that have no logLoss option rather than defaulted for them. */
export const ONE_MINUS_SCORE: LogLossOptions = { logLoss: false, logEpsilon: null };

/** Step 6: `1 − score`, or `−log(max(score, logEpsilon))` with `logLoss`. */
export function lossFromScore(score: Tensor, o: LogLossOptions): Tensor {
  if (!o.logLoss) return tf.sub(1, score);
  return tf.neg(tf.log(tf.maximum(score, o.logEpsilon ?? epsilon())));
}

/**
 * Steps 7–9 on per-group values `[B', C']`: `maskEmptyClasses` (groups with Σg = 0 take `maskValue`: 0 for a loss,
 * 1 for a score) which still count; `classWeights[c]` multiplies; `sampleWeight` (a scalar, `[B]`, `[B, 1]` or
 * `[B, C']`; only a scalar with reduceBatch) multiplies; then `'mean'`, `'sum'` or `'none'` (`[B', C']`).
 */
export function finishGroups(
  id: string,
  values: Tensor,
  prep: Prepared,
  o: GroupOptions & FinishOptions,
  sampleWeight?: Tensor,
  maskValue = 0,
): Tensor {
  const L = prep.layout;
  const [Bg, Cg] = values.shape as [number, number];
  let v = values;
  if (o.maskEmptyClasses) {
    const present = toFloat32(tf.greater(sumGroups(prep.g, prep, o), 0));
    v = tf.mul(v, present);
    if (maskValue !== 0) v = tf.add(v, tf.mul(tf.sub(1, present), maskValue));
  }
  if (o.classWeights !== null) {
    const w = o.classWeights;
    if (o.reduceChannels) {
      throw new Error(
        `${id}: option 'classWeights' needs per-class groups; it cannot be used with reduceChannels`,
      );
    }
    if (w.length !== L.kept) {
      throw new Error(
        `${id}: option 'classWeights' has ${w.length} value(s) but yPred has ${L.kept} ${
          L.kept === L.C ? '' : 'kept '
        }channel(s) (C = ${L.C}, includeBackground ${prep.options.includeBackground})`,
      );
    }
    v = tf.mul(v, tf.tensor2d([...w], [1, L.kept]));
  }
  if (sampleWeight) {
    const s = sampleWeight.shape;
    let w = tf.cast(sampleWeight, 'float32');
    const B = L.B;
    if (s.length === 0) {
      // a scalar weights every group
    } else if (o.reduceBatch) {
      throw new Error(
        `${id}: sampleWeight shape ${shapeText(s)} cannot weight groups summed over the batch (reduceBatch); ` +
          'only a scalar can',
      );
    } else if (s.length === 1 && s[0] === B) {
      w = tf.reshape(w, [B, 1]);
    } else if (!(s.length === 2 && s[0] === B && (s[1] === 1 || s[1] === Cg))) {
      throw new Error(
        `${id}: sampleWeight shape ${shapeText(s)} cannot weight per-group values of shape ${shapeText([Bg, Cg])}; ` +
          `expected a scalar, [${B}], [${B},1] or [${B},${Cg}]`,
      );
    }
    v = tf.mul(v, w);
  }
  if (o.reduction === 'none') return v;
  return o.reduction === 'sum' ? tf.sum(v) : tf.mean(v);
}

/** What a score-based loss may add to the pipeline. */
export interface RegionHooks {
  /** Compute TN too. */
  readonly tn?: boolean;
  /** Applied to the per-group loss after step 6 (focal Tversky's power). */
  readonly perGroup?: (loss: Tensor) => Tensor;
  /** Applied after the reduction (log-cosh Dice, focal Tversky's power after the mean). */
  readonly afterReduction?: (loss: Tensor) => Tensor;
}

export type ScoreFn = (sums: GroupSums, prep: Prepared) => Tensor;

/** Steps 1–9 for a loss defined by its per-group score. */
export function regionLoss(
  id: string,
  yTrue: Tensor,
  yPred: Tensor,
  sampleWeight: Tensor | undefined,
  o: RegionLossOptions,
  score: ScoreFn,
  hooks: RegionHooks = {},
): Tensor {
  const prep = prepare(id, yTrue, yPred, o);
  const sums = groupSums(prep, o, { squared: o.squaredPred, tn: hooks.tn ?? false });
  let loss = lossFromScore(score(sums, prep), o);
  if (hooks.perGroup) loss = hooks.perGroup(loss);
  const out = finishGroups(id, loss, prep, o, sampleWeight);
  return hooks.afterReduction ? hooks.afterReduction(out) : out;
}

// Numerics.

/**
 * `max(x, 0)^γ` with a finite gradient everywhere: `γ·x^(γ−1)` for x > 0, and at x = 0 the exact derivative for
 * γ ≥ 1 (0 for γ > 1, 1 for γ = 1) and 0 for γ < 1, where the true derivative is infinite (the pinned
 * subgradient). The value at 0 is exactly 0 (1 for γ = 0).
 */
export function safePow(x: Tensor, gamma: number): Tensor {
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const base = tf.relu(input);
    save([input]);
    return {
      value: tf.pow(base, gamma),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const inp = saved[0];
        const upstream = dy as Tensor;
        if (gamma === 0) return [tf.zerosLike(inp)];
        // d/dx max(x, 0)^γ: 0 for x < 0; at x = 0 the exact value for γ ≥ 1, and 0 (pinned) for γ < 1.
        const inside = toFloat32(gamma >= 1 ? tf.greaterEqual(inp, 0) : tf.greater(inp, 0));
        const b = gamma >= 1 ? tf.relu(inp) : tf.maximum(inp, 1e-30);
        return [tf.mul(upstream, tf.mul(inside, tf.mul(gamma, tf.pow(b, gamma - 1))))];
      },
    };
  });
  return op(x);
}
