/**
 * Step 5 of the region pipeline (segmentation-region.md §1.3) and the scores built on its sums. The group options
 * are passed explicitly: a loss that does not declare reduceBatch/reduceChannels says which groups it means.
 */
import { ratio, toFloat32 } from '../core/numerics.ts';
import { tf, type Tensor } from '../tf.ts';
import type { Prepared } from './layout.ts';
import type { GroupOptions, SmoothOptions } from './params.ts';

/** The axes summed for one group (§1.3): spatial, plus 0 with reduceBatch, plus the channel axis with reduceChannels. */
export function groupAxes(rank: number, o: GroupOptions): number[] {
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  if (o.reduceBatch) axes.unshift(0);
  if (o.reduceChannels) axes.push(rank - 1);
  return axes;
}

/** Groups per sample and per kept channel, for losses that offer no reduceBatch/reduceChannels options. */
export const PER_SAMPLE_AND_CLASS: GroupOptions = { reduceBatch: false, reduceChannels: false };

/** Sums `t` (`[B, ...spatial, C']`, or with a broadcastable last axis of 1) over the group axes, as `[B', C']`. */
export function sumGroups(t: Tensor, prep: Prepared, o: GroupOptions): Tensor {
  const L = prep.layout;
  const x = t.shape[t.rank - 1] === L.kept ? t : tf.mul(t, tf.ones([...t.shape.slice(0, -1), L.kept]));
  const s = tf.sum(x, groupAxes(L.rank, o));
  return tf.reshape(s, [o.reduceBatch ? 1 : L.B, o.reduceChannels ? 1 : L.kept]);
}

/** Per-group sums, each `[B', C']`. */
export interface GroupSums {
  /** Σ p·g */
  readonly tp: Tensor;
  /** Σ p·(1 − g) */
  readonly fp: Tensor;
  /** Σ (1 − p)·g */
  readonly fn: Tensor;
  /** Σ p */
  readonly sumP: Tensor;
  /** Σ g */
  readonly sumG: Tensor;
  /** Σ p^k (k = 2 with `squared`, else Σ p) */
  readonly powP: Tensor;
  /** Σ g^k (k = 2 with `squared`, else Σ g) */
  readonly powG: Tensor;
  /** Σ (1 − p)·(1 − g) over valid elements, when asked for. */
  readonly tn?: Tensor;
  /** What the sums were taken over: the prepared p and g, and whether Σp^k, Σg^k are squares. */
  readonly source: { readonly p: Tensor; readonly g: Tensor; readonly squared: boolean };
}

/**
 * Step 5: the per-group sums. Ignored elements have p = g = 0, so they add nothing to TP, FP, FN, Σp, Σg; TN is
 * taken over valid elements only.
 */
export function groupSums(
  prep: Prepared,
  groups: GroupOptions,
  what: { readonly squared?: boolean; readonly tn?: boolean } = {},
): GroupSums {
  const { p, g, valid } = prep;
  const pg = tf.mul(p, g);
  const tp = sumGroups(pg, prep, groups);
  const sumP = sumGroups(p, prep, groups);
  const sumG = sumGroups(g, prep, groups);
  const fp = sumGroups(tf.sub(p, pg), prep, groups);
  const fn = sumGroups(tf.sub(g, pg), prep, groups);
  const powP = what.squared ? sumGroups(tf.square(p), prep, groups) : sumP;
  const powG = what.squared ? sumGroups(tf.square(g), prep, groups) : sumG;
  const source = { p, g, squared: what.squared ?? false };
  const base = { tp, fp, fn, sumP, sumG, powP, powG, source };
  if (!what.tn) return base;
  let neg = tf.mul(tf.sub(1, p), tf.sub(1, g));
  if (valid) neg = tf.mul(neg, valid);
  return { ...base, tn: sumGroups(neg, prep, groups) };
}

// Scores.

/**
 * `(num + smoothNr) / max(den + smoothDr, epsClamp)`, the smoothed ratio behind every score. The denominator
 * depends on p, so this is a plain division: with zero smoothing and zero clamp, 0/0 is NaN (Jadon's Jaccard).
 */
export function smoothedRatio(num: Tensor, den: Tensor, o: SmoothOptions): Tensor {
  let d = tf.add(den, o.smoothDr);
  if (o.epsClamp > 0) d = tf.maximum(d, o.epsClamp);
  // ratio: tf.div's gradient would square d, which float16 storage flushes to 0 for d = 1e-5 (README).
  return ratio(tf.add(num, o.smoothNr), d);
}

/**
 * The coefficients of a Dice-family score `(kn·TP + s_nr) / (kt·TP + kp·Σp^k + kg·Σg^k + s_dr)`, the same form the
 * fused region kernel takes: Dice (2, 0, 1, 1), Jaccard (1, −1, 1, 1), Tversky (1, 1 − α − β, α, β).
 */
export interface Fraction {
  readonly kn: number;
  readonly kt: number;
  readonly kp: number;
  readonly kg: number;
}

/** Tversky's score as a `Fraction`: TP + α·FP + β·FN = (1 − α − β)·TP + α·Σp + β·Σg. */
export function tverskyFusedScore(alpha: number, beta: number): Fraction {
  return { kn: 1, kt: 1 - alpha - beta, kp: alpha, kg: beta };
}

/**
 * A Dice-family score per group, `(num + s_nr) / max(den + s_dr, epsClamp)` with num and den the sums of `s` as
 * the caller writes them (so the value is the plain division of those sums), and a gradient taken per element:
 * `∂q/∂p = (kn·g − q·(kt·g + kp·∂p^k/∂p)) / den`, multiplied by dy first and divided last. The chain rule through
 * the sums would pass `∂L/∂TP = kn·dy/den` on the way, which for an empty mask with the default smoothing is 1e5:
 * beyond float16's range (65504), stored as infinity on float16 WebGL and turned into NaN by `g = 0`, although the
 * gradient itself (5e4) is representable. With epsClamp in force (den + s_dr < epsClamp; `maximum` passes the
 * gradient on ties) the denominator is a constant.
 */
function fractionScore(s: GroupSums, f: Fraction, num: Tensor, den: Tensor, o: SmoothOptions): Tensor {
  const { p, g, squared } = s.source;
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [pIn, gIn, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    const d0 = tf.add(den, o.smoothDr);
    const d = o.epsClamp > 0 ? tf.maximum(d0, o.epsClamp) : d0;
    const q = tf.div(tf.add(num, o.smoothNr), d);
    // q times "the denominator depends on p": 0 where the clamp holds it constant.
    const qFree = o.epsClamp > 0 ? tf.mul(q, toFloat32(tf.greaterEqual(d0, o.epsClamp))) : q;
    save([pIn, gIn, qFree, d]);
    return {
      value: q,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [pS, gS, qS, dS] = saved;
        // Per-group [B', C'] values viewed as [B', 1, …, 1, C'], which broadcast over the group's elements.
        const ones = pS.shape.slice(1, -1).map(() => 1);
        const view = (t: Tensor) => tf.reshape(t, [t.shape[0], ...ones, t.shape[1] as number]);
        const dyV = view(dy as Tensor);
        const qV = view(qS);
        const dV = view(dS);
        const part = (self: Tensor, other: Tensor, k: number) => {
          const dPow = squared ? tf.mul(self, 2) : tf.onesLike(self);
          const dDen = tf.add(tf.mul(other, f.kt), tf.mul(dPow, k));
          // + 0: a zero upstream gradient (a pinned subgradient) times a negative factor is −0; report +0.
          return tf.add(tf.div(tf.mul(dyV, tf.sub(tf.mul(other, f.kn), tf.mul(qV, dDen))), dV), 0);
        };
        return [part(pS, gS, f.kp), part(gS, pS, f.kg)];
      },
    };
  });
  return op(p, g);
}

/** Dice `(2TP + s_nr) / max(Σp^k + Σg^k + s_dr, epsClamp)`, per group. */
export function diceScore(s: GroupSums, options: SmoothOptions): Tensor {
  const f = { kn: 2, kt: 0, kp: 1, kg: 1 };
  return fractionScore(s, f, tf.mul(s.tp, 2), tf.add(s.powP, s.powG), options);
}

/** Jaccard `(TP + s_nr) / max(Σp^k + Σg^k − TP + s_dr, epsClamp)`, per group. */
export function jaccardScore(s: GroupSums, options: SmoothOptions): Tensor {
  const f = { kn: 1, kt: -1, kp: 1, kg: 1 };
  return fractionScore(s, f, s.tp, tf.sub(tf.add(s.powP, s.powG), s.tp), options);
}

/** Tversky `(TP + s_nr) / max(TP + α·FP + β·FN + s_dr, epsClamp)`, per group: α weighs FP, β weighs FN. */
export function tverskyScore(s: GroupSums, alpha: number, beta: number, options: SmoothOptions): Tensor {
  // Tversky's sums are never squared: FP and FN are linear in p.
  const plain = { ...s, source: { ...s.source, squared: false } };
  const den = tf.add(s.tp, tf.add(tf.mul(s.fp, alpha), tf.mul(s.fn, beta)));
  return fractionScore(plain, tverskyFusedScore(alpha, beta), s.tp, den, options);
}
