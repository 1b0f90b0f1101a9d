/** `losskit advise` on label maps (multi-class advice), on folders with a manifest, on empty and NaN masks. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeGrayPng, writeNifti } from '../../test/fixtures.ts';
import { runInProcess as run } from '../../test/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-advise-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

interface Doc {
  stats: {
    images: number;
    classes?: { label: number; fraction: number; images: number; objects: number; medianObject: number }[];
  };
  profile: { balance: string; multiClass?: boolean };
  recommendations: { loss: string; options: Record<string, unknown>; reason: string }[];
}

function doc(r: { code: number; out: string; err: string }): Doc {
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Doc;
}

describe('losskit advise on a label map', () => {
  // 20×20×10 = 4000 voxels: label 1 a 10×10×10 block (25%), label 2 two 2×2×2 cubes (0.4%), label 5 one voxel.
  const data = new Array<number>(4000).fill(0);
  const at = (x: number, y: number, z: number) => (x * 20 + y) * 10 + z;
  for (let x = 0; x < 10; x++)
    for (let y = 0; y < 10; y++) for (let z = 0; z < 10; z++) data[at(x, y, z)] = 1;
  for (const [ox, oy] of [
    [12, 12],
    [16, 2],
  ])
    for (let x = 0; x < 2; x++)
      for (let y = 0; y < 2; y++) for (let z = 0; z < 2; z++) data[at(ox + x, oy + y, z)] = 2;
  data[at(19, 19, 9)] = 5;
  writeNifti(file('labels.nii.gz'), { shape: [20, 20, 10], data, datatype: 4 });

  it('gives per-class statistics and multi-class advice with reasons', async () => {
    const d = doc(await run('advise', '--masks', file('labels.nii.gz'), '--json'));
    expect(d.profile.multiClass).toBe(true);
    expect(d.stats.classes).toEqual([
      { label: 1, fraction: 0.25, images: 1, objects: 1, medianObject: 1000 },
      { label: 2, fraction: 16 / 4000, images: 1, objects: 2, medianObject: 8 },
      { label: 5, fraction: 1 / 4000, images: 1, objects: 1, medianObject: 1 },
    ]);
    // Class sizes 1000× apart: generalized Dice first, then softmax Dice, Dice + CE; label 5 is rare (< 0.1%).
    expect(d.recommendations.map((r) => r.loss)).toEqual(['generalized_dice', 'dice', 'combo', 'tversky']);
    for (const r of d.recommendations)
      expect(r.options).toMatchObject({ activation: 'softmax', sparseLabels: true });
    expect(d.recommendations[0].reason).toMatch(/3 classes .* \(1000× apart\)/);
    expect(d.recommendations[3].reason).toMatch(/1 class under 0\.1% of the voxels \(5\)/);
    expect(d.recommendations.map((r) => r.loss)).not.toContain('binary_crossentropy');
  });

  it('prints the class table', async () => {
    const r = await run('advise', '--masks', file('labels.nii.gz'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Classes \(label map/m);
    expect(r.out).toMatch(/^2\s+0\.400%\s+1\s+2\s+8$/m);
    expect(r.out).toMatch(/Profile: .*multi-class \(3 classes\)/);
    expect(r.out).toMatch(/1\. generalized_dice --options '\{"activation":"softmax"/);
  });
});

describe('losskit advise on folders and degenerate masks', () => {
  const grid = (f: (y: number, x: number) => boolean) =>
    Array.from({ length: 8 }, (_, y) => Array.from({ length: 8 }, (_, x) => (f(y, x) ? 255 : 0)));

  it('skips a .json file that is not a mask, with a note', async () => {
    const d = file('withManifest');
    mkdirSync(d);
    writeGrayPng(
      join(d, 'a.png'),
      grid((y, x) => y < 4 && x < 4),
    );
    writeFileSync(join(d, 'dataset.json'), JSON.stringify({ name: 'demo', training: ['a.png'] }));
    const r = await run('advise', '--masks', d, '--json');
    expect(doc(r).stats.images).toBe(1);
    expect(r.err).toMatch(/note: skipped .*dataset\.json: JSON that is not an array, so not a mask/);
  });

  it('all-empty masks: no foreground, nothing recommended', async () => {
    const d = file('empties');
    mkdirSync(d);
    for (const n of ['a', 'b', 'c'])
      writeGrayPng(
        join(d, `${n}.png`),
        grid(() => false),
      );
    const j = doc(await run('advise', '--masks', d, '--json'));
    expect(j.profile.balance).toBe('no foreground');
    expect(j.recommendations).toEqual([]);
    const r = await run('advise', '--masks', d);
    expect(r.out).toMatch(/Profile: no foreground/);
    expect(r.out).toMatch(/none: the masks have no foreground at all/);
    expect(r.out).not.toMatch(/combo/);
  });

  it('an all-NaN file is not a mask: refused on reading, or reported as not a mask with no advice', async () => {
    writeFileSync(
      file('nan.json'),
      JSON.stringify([
        ['NaN', 'NaN'],
        ['NaN', 'NaN'],
      ]),
    );
    const r = await run('advise', '--masks', file('nan.json'), '--json');
    // The reader may refuse NaN voxels outright (exit 2, naming the file); otherwise advise must say it.
    if (r.code === 2) expect(r.err).toMatch(/nan\.json: .*NaN/);
    else {
      const j = doc(r);
      expect(j.profile.balance).toBe('not a mask');
      expect(j.recommendations).toEqual([]);
    }
  });
});
