import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { writeGrayPng, writeNifti } from '../../test/fixtures.ts';
import {
  BRAIN_DIR,
  brainLevel,
  folderLevel,
  foregroundFraction,
  lesionLevels,
  resampleArea,
  splitBySliceBlocks,
} from './datasets.ts';
import { makeLesions } from './lesions.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-data-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('synthetic lesions', () => {
  it('are deterministic for a seed and differ between seeds', () => {
    const a = makeLesions(4, 16, 0.1, 7);
    const b = makeLesions(4, 16, 0.1, 7);
    const c = makeLesions(4, 16, 0.1, 8);
    expect(a.images).toEqual(b.images);
    expect(a.masks).toEqual(b.masks);
    expect(a.masks).not.toEqual(c.masks);
  });

  it.each([0.3, 0.05, 0.01])('reach a mean foreground fraction near %s', (fg) => {
    const s = makeLesions(200, 32, fg, 11);
    const got = foregroundFraction(s.masks);
    // Overlapping blobs lose area, pixelisation and the one-pixel minimum per blob add some.
    expect(got).toBeGreaterThan(0.6 * fg);
    expect(got).toBeLessThan(1.4 * fg);
    expect(s.masks.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('make brighter foreground than background (the task is learnable)', () => {
    const s = makeLesions(50, 32, 0.1, 3);
    let fg = 0;
    let bg = 0;
    let nf = 0;
    s.masks.forEach((m, i) => {
      if (m) {
        fg += s.images[i];
        nf++;
      } else bg += s.images[i];
    });
    expect(fg / nf - bg / (s.masks.length - nf)).toBeGreaterThan(0.4);
  });

  it('levels hold disjoint train and test images', () => {
    const [level] = lesionLevels([0.05], 16, 8, 4, 1);
    expect(level.label).toBe('fg 5%');
    expect(level.train.n).toBe(8);
    expect(level.test.n).toBe(4);
    expect(level.train.images.slice(0, 256)).not.toEqual(level.test.images.slice(0, 256));
  });
});

describe('resampleArea', () => {
  it('averages 2×2 blocks when halving (hand-computed)', () => {
    const src = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    expect(Array.from(resampleArea(src, 4, 4, 2, 2))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('weights partial pixels by overlap (3 → 2)', () => {
    // Output 0 covers input [0, 1.5): (1·a + 0.5·b) / 1.5.
    const out = resampleArea([3, 6, 9], 1, 3, 1, 2);
    expect(out[0]).toBeCloseTo((3 + 0.5 * 6) / 1.5, 6);
    expect(out[1]).toBeCloseTo((0.5 * 6 + 9) / 1.5, 6);
  });
});

describe('splitBySliceBlocks', () => {
  it('holds out every fourth block of 8 and drops the neighbours of test slices', () => {
    const items = Array.from({ length: 64 }, (_, index) => ({ index }));
    const { train, test } = splitBySliceBlocks(items);
    expect(test.map((t) => t.index)).toEqual([
      16, 17, 18, 19, 20, 21, 22, 23, 48, 49, 50, 51, 52, 53, 54, 55,
    ]);
    const trainIdx = new Set(train.map((t) => t.index));
    for (const t of test) {
      expect(trainIdx.has(t.index)).toBe(false);
      expect(trainIdx.has(t.index - 1) || trainIdx.has(t.index + 1)).toBe(false);
    }
    expect(train.length).toBe(64 - 16 - 4);
  });
});

describe('folder data sets', () => {
  it('pairs images/ and masks/ by name and holds out whole files', () => {
    const root = join(dir, 'pngs');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'), { recursive: true });
    for (let f = 0; f < 4; f++) {
      const img = Array.from({ length: 8 }, (_, y) =>
        Array.from({ length: 8 }, (_, x) => (x > y ? 200 : 20) + f),
      );
      const mask = img.map((r) => r.map((v) => (v > 100 ? 255 : 0)));
      writeGrayPng(join(root, 'images', `case${f}.png`), img);
      writeGrayPng(join(root, 'masks', `case${f}.png`), mask);
    }
    const level = folderLevel(root, 8, 1);
    expect(level.label).toBe('pngs');
    expect(level.train.n).toBe(3);
    expect(level.test.n).toBe(1);
    expect(level.test.masks.every((v) => v === 0 || v === 1)).toBe(true);
    // 28 of 64 pixels are above the diagonal (x > y).
    expect(foregroundFraction(level.test.masks)).toBeCloseTo(28 / 64, 6);
  });

  it('cuts a single NIfTI volume into slices and splits them by blocks', () => {
    const root = join(dir, 'vol');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'), { recursive: true });
    const shape = [8, 8, 40];
    const n = 8 * 8 * 40;
    const img = Array.from({ length: n }, (_, q) => 10 + (q % 7));
    const mask = img.map((v) => (v > 13 ? 1 : 0));
    writeNifti(join(root, 'images', 'sub.nii.gz'), { shape, data: img, datatype: 4 });
    writeNifti(join(root, 'masks', 'sub.nii.gz'), { shape, data: mask, datatype: 2 });
    const level = folderLevel(root, 8, 1);
    expect(level.test.n).toBe(8); // slices 16..23
    expect(level.train.n).toBe(40 - 8 - 2);
  });

  it('reports a missing folder, a missing mask and a shape mismatch', () => {
    expect(() => folderLevel(join(dir, 'absent'), 8, 1)).toThrow(UsageError);
    const root = join(dir, 'broken');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'), { recursive: true });
    writeGrayPng(join(root, 'images', 'a.png'), [[1, 2]]);
    expect(() => folderLevel(root, 8, 1)).toThrow(/a\.png: no mask/);
    writeGrayPng(join(root, 'masks', 'a.png'), [[1], [2]]);
    expect(() => folderLevel(root, 8, 1)).toThrow(
      /mask shape \[2,1\] does not match image .*a\.png shape \[1,2\]/,
    );
  });
});

describe('brain', () => {
  it('explains how to get the data when it is missing', () => {
    expect(() => brainLevel(32, join(dir, 'no-mricron'))).toThrow(/apt-get install mricron-data/);
  });

  it.runIf(existsSync(join(BRAIN_DIR, 'ch2bet.nii.gz')))(
    'slices Colin27 into disjoint train/test blocks with a plausible brain fraction',
    () => {
      const level = brainLevel(32);
      expect(level.train.height).toBe(32);
      expect(level.test.n).toBeGreaterThan(20);
      expect(level.train.n).toBeGreaterThan(2 * level.test.n);
      const fg = foregroundFraction(level.train.masks);
      expect(fg).toBeGreaterThan(0.1);
      expect(fg).toBeLessThan(0.6);
    },
  );
});
