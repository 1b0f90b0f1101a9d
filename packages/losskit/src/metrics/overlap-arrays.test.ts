import { describe, expect, it } from 'vitest';
import { expectAllClose, expectThrows } from '../../test/helpers/assert.ts';
import { LabelMapError } from '../distance/evaluate-labels.ts';
import { mulberry32 } from '../util/random.ts';
import {
  diceOfMasks,
  iouOfMasks,
  overlapCounts,
  overlapPerLabel,
  precisionOfMasks,
  sensitivityOfMasks,
  specificityOfMasks,
  tverskyOfMasks,
} from './overlap-arrays.ts';

const exact = { smoothNr: 0, smoothDr: 0 };

describe('overlap metrics on arrays', () => {
  // truth [1, 1, 0, 0, 1], prediction [1, 0, 1, 0, 1]: TP 2, FP 1, FN 1, TN 1.
  const a = [1, 1, 0, 0, 1];
  const b = [1, 0, 1, 0, 1];

  it('counts TP, FP, FN, TN of binary masks (non-zero is foreground)', () => {
    expect(overlapCounts(a, b)).toEqual({ tp: 2, fp: 1, fn: 1, tn: 1 });
    expect(overlapCounts(Uint8Array.from([0, 255]), Float32Array.from([0.5, 0]))).toEqual({
      tp: 0,
      fp: 1,
      fn: 1,
      tn: 0,
    });
  });

  it('gives the hand-derived scores', () => {
    expect(diceOfMasks(a, b, exact)).toBe(4 / 6);
    expect(iouOfMasks(a, b, exact)).toBe(2 / 4);
    expect(tverskyOfMasks(a, b, exact)).toBeCloseTo(2 / (2 + 0.3 + 0.7), 12);
    expect(tverskyOfMasks(a, b, { ...exact, alpha: 0.5, beta: 0.5 })).toBe(diceOfMasks(a, b, exact));
    expect(sensitivityOfMasks(a, b, exact)).toBe(2 / 3);
    expect(specificityOfMasks(a, b, exact)).toBe(1 / 2);
    expect(precisionOfMasks(a, b, exact)).toBe(2 / 3);
    // Default smoothing 1e-5 on both sides.
    expectAllClose(diceOfMasks(a, b), (4 + 1e-5) / (6 + 1e-5), { rtol: 1e-12 });
  });

  it('scores two empty masks 1 with smoothing, NaN (0/0) without', () => {
    expect(diceOfMasks([0, 0], [0, 0])).toBe(1);
    expect(Number.isNaN(iouOfMasks([0, 0], [0, 0], exact))).toBe(true);
  });

  it('evaluates one label of integer label maps, or each label', () => {
    const t = [0, 1, 2, 2, 1];
    const p = [0, 1, 1, 2, 0];
    // label 1: truth {1, 4}, prediction {1, 2}: TP 1, FP 1, FN 1 → Dice 2/4. label 2: truth {2, 3}, pred {3} → 2/3.
    expect(diceOfMasks(t, p, { ...exact, label: 1 })).toBe(0.5);
    expect(overlapPerLabel(diceOfMasks, t, p, undefined, exact)).toEqual({ 1: 0.5, 2: 2 / 3 });
    expect(overlapPerLabel(iouOfMasks, t, p, [2, 5], exact)).toEqual({ 2: 0.5, 5: NaN });
  });

  it('scores every label from one pass over the elements, as the per-label counts give it', () => {
    const rand = mulberry32(3);
    const n = 2000;
    const t = Array.from({ length: n }, () => Math.floor(rand() * 6));
    const p = t.map((v) => (rand() < 0.3 ? Math.floor(rand() * 7) : v));
    // The oracle: each label's counts by a loop of its own, and the formulas written out.
    const oracle = (label: number) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = 0; i < n; i++) {
        if (t[i] === label && p[i] === label) tp++;
        else if (p[i] === label) fp++;
        else if (t[i] === label) fn++;
      }
      const tn = n - tp - fp - fn;
      return {
        dice: (2 * tp) / (2 * tp + fp + fn),
        tversky: tp / (tp + 0.2 * fp + 0.8 * fn),
        specificity: tn / (tn + fp),
      };
    };
    // Reads of the truth array: one pass when the labels are given (the per-label form read it once per label).
    let reads = 0;
    const counted = new Proxy(t, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const labels = [1, 2, 3, 4, 5, 6];
    const dice = overlapPerLabel(diceOfMasks, counted, p, labels, exact);
    expect(reads).toBe(n);
    const tversky = overlapPerLabel(tverskyOfMasks, t, p, undefined, { ...exact, alpha: 0.2, beta: 0.8 });
    const specificity = overlapPerLabel(specificityOfMasks, t, p, labels, exact);
    expect(Object.keys(tversky).map(Number)).toEqual(labels);
    for (const label of labels) {
      const want = oracle(label);
      expect(dice[label]).toBeCloseTo(want.dice, 14);
      expect(tversky[label]).toBeCloseTo(want.tversky, 14);
      expect(specificity[label]).toBeCloseTo(want.specificity, 14);
    }
  });

  it('calls a metric of its own once per label, and refuses NaN in a label map', () => {
    const seen: (number | null | undefined)[] = [];
    const own = (a: ArrayLike<number>, b: ArrayLike<number>, o?: { label?: number | null }) => {
      seen.push(o?.label);
      return a.length + b.length;
    };
    expect(overlapPerLabel(own, [0, 3, 1], [1, 0, 0])).toEqual({ 1: 6, 3: 6 });
    expect(seen).toEqual([1, 3]);
    expectThrows(() => overlapPerLabel(diceOfMasks, [0, 1], [NaN, 1]), /overlapPerLabel/, /pred/, /NaN/);
    expect(() => overlapPerLabel(diceOfMasks, [0, 1], [NaN, 1])).toThrow(LabelMapError);
    expectThrows(() => overlapPerLabel(diceOfMasks, [0, 1], [1]), /overlapPerLabel/, /2 elements/);
  });

  it('throws when the lengths differ', () => {
    expectThrows(() => diceOfMasks([1, 0], [1]), /overlapCounts/, /2 elements/, /1/);
  });
});
