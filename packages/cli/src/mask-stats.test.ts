import { describe, expect, it } from 'vitest';
import { foregroundOf, maskStats, quantile } from './mask-stats.ts';

describe('maskStats', () => {
  it('counts 4-connected components and boundary pixels of a 2-D mask (hand-counted)', () => {
    // A: 2×2 block at the top-left corner; B: 3×3 block; C: a lone pixel at the top-right; D: a pixel touching
    // B only diagonally, which is a separate object under 4-connectivity (scipy.ndimage.label's default).
    const rows = [
      [1, 1, 0, 0, 0, 1],
      [1, 1, 0, 0, 0, 0],
      [0, 0, 1, 1, 1, 0],
      [0, 0, 1, 1, 1, 0],
      [0, 0, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 1],
    ];
    const s = maskStats(Float32Array.from(rows.flat()), [6, 6]);
    expect(s.pixels).toBe(36);
    expect(s.foreground).toBe(15);
    expect(s.objects).toEqual([9, 4, 1, 1]);
    // Only B's centre has four foreground neighbours: 15 − 1 boundary pixels.
    expect(s.boundary).toBe(14);
    expect(s.labels).toEqual([1]);
    // Largest inscribed distance r: B's centre is 2 from the background, A's pixels 1 (the image border counts as
    // background), single pixels 1. Elongation = area / (π r²).
    const e = s.elongation;
    expect(e[0]).toBeCloseTo(9 / (4 * Math.PI), 5);
    expect(e[1]).toBeCloseTo(4 / Math.PI, 5);
    expect(e[2]).toBeCloseTo(1 / Math.PI, 5);
    expect(e[3]).toBeCloseTo(1 / Math.PI, 5);
  });

  it('measures a one-pixel line as elongated (L / π) and a disk as about 1', () => {
    const line = new Float32Array(5 * 20);
    for (let x = 0; x < 20; x++) line[2 * 20 + x] = 1;
    expect(maskStats(line, [5, 20]).elongation[0]).toBeCloseTo(20 / Math.PI, 5);
    const disk = Float32Array.from({ length: 21 * 21 }, (_, i) =>
      ((i % 21) - 10) ** 2 + (Math.floor(i / 21) - 10) ** 2 <= 64 ? 1 : 0,
    );
    const d = maskStats(disk, [21, 21]).elongation[0];
    expect(d).toBeGreaterThan(0.8);
    expect(d).toBeLessThan(1.3);
  });

  it('treats the image border as background', () => {
    const s = maskStats(new Float32Array(9).fill(1), [3, 3]);
    expect(s.objects).toEqual([9]);
    expect(s.boundary).toBe(8); // all but the centre
  });

  it('uses 6-connectivity in 3-D', () => {
    // A 3×3×3 cube in the middle of a 5×5×5 volume plus a voxel at a corner of the volume.
    const v = new Float32Array(125);
    const at = (i: number, j: number, k: number) => (i * 5 + j) * 5 + k;
    for (let i = 1; i <= 3; i++) for (let j = 1; j <= 3; j++) for (let k = 1; k <= 3; k++) v[at(i, j, k)] = 2;
    v[at(0, 0, 0)] = 5;
    const s = maskStats(v, [5, 5, 5]);
    expect(s.foreground).toBe(28);
    expect(s.objects).toEqual([27, 1]);
    expect(s.boundary).toBe(27); // 26 cube voxels around the centre, plus the lone voxel
    expect(s.labels).toEqual([2, 5]);
    // The cube's centre is 2 from the background: 27 / (4/3·π·8).
    expect(s.elongation[0]).toBeCloseTo(27 / ((4 / 3) * Math.PI * 8), 5);
  });

  it('binarises integer masks at > 0 and soft masks at ≥ 0.5', () => {
    expect(Array.from(foregroundOf(Float32Array.from([0, 1, 255, 3])))).toEqual([0, 1, 1, 1]);
    expect(Array.from(foregroundOf(Float32Array.from([0.2, 0.5, 0.9, 0])))).toEqual([0, 1, 1, 0]);
  });
});

describe('quantile', () => {
  it('interpolates linearly like numpy', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
