import { describe, expect, it } from 'vitest';
import { expectAllClose, expectThrows } from '../../test/helpers/assert.ts';
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

  it('throws when the lengths differ', () => {
    expectThrows(() => diceOfMasks([1, 0], [1]), /overlapCounts/, /2 elements/, /1/);
  });
});
