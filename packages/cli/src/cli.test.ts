/**
 * The `losskit` commands, run in-process through `runCli` (and, when `npm run build` has produced it, through
 * the built binary). Fixture files are written by the tests into a temporary folder; expected values are
 * computed by hand in the comments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLosses } from './commands/compare.ts';
import { writeGrayPng, writeNifti } from '../test/fixtures.ts';
import { fusedCallCount, fusedKernelsEnabled } from 'losskit';
import { expectUsageError, runInProcess, type CliResult } from '../test/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

type Result = CliResult;
const run = runInProcess;

function json(r: Result): Record<string, unknown> {
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------ fixtures

// Truth: 6 foreground pixels; prediction: 4, of which 3 overlap.
// Dice = 2·3 / (6 + 4) = 0.6; IoU = 3 / (6 + 4 − 3) = 3/7; with 1e-5 smoothing on both sides within 1e-6.
const TRUTH = [
  [1, 1, 1, 0],
  [1, 1, 1, 0],
  [0, 0, 0, 0],
  [0, 0, 0, 0],
];
const PRED = [
  [1, 1, 0, 0],
  [1, 0, 0, 1],
  [0, 0, 0, 0],
  [0, 0, 0, 0],
];
const scale = (rows: number[][], k: number) => rows.map((r) => r.map((v) => v * k));
writeGrayPng(file('truth.png'), TRUTH);
writeGrayPng(file('pred.png'), PRED);
writeGrayPng(file('truth255.png'), scale(TRUTH, 255));
writeGrayPng(file('pred255.png'), scale(PRED, 255));
writeGrayPng(file('pred16.png'), scale(PRED, 65535), 16);
// A probability map: p = [1, 0.4, 0.2, 0] over a truth of [1, 1, 0, 0].
writeGrayPng(file('t2.png'), [[1, 1, 0, 0]]);
writeGrayPng(file('p2.png'), [[255, 102, 51, 0]]);
writeFileSync(file('truth.json'), JSON.stringify(TRUTH));
writeFileSync(file('pred.json'), JSON.stringify(PRED));
writeFileSync(file('wide.json'), JSON.stringify([[1, 0, 1, 0, 1]]));
writeFileSync(file('junk.png'), 'definitely not a PNG');
writeFileSync(file('junk.nii'), Buffer.alloc(400, 3));
writeFileSync(file('ragged.json'), '[[1, 0], [1]]');
writeFileSync(file('soft.json'), JSON.stringify([[0.5, 1, 0, 2]]));
writeFileSync(file('many.json'), JSON.stringify([Array.from({ length: 120 }, (_, i) => i)]));

// Label volumes 4×4×2 (32 voxels), flattened row-major. Truth: label 1 at 0–3, label 2 at 4–6.
// Prediction: label 1 at 2–5, label 2 at 6–8, label 3 at 9.
// Dice(1) = 2·|{2,3}| / (4 + 4) = 0.5; Dice(2) = 2·|{6}| / (3 + 3) = 1/3; Dice(3) = (0 + s) / (1 + s) ≈ 1e-5.
const labelsTrue = Array.from({ length: 32 }, (_, i) => (i < 4 ? 1 : i < 7 ? 2 : 0));
const labelsPred = Array.from({ length: 32 }, (_, i) =>
  i >= 2 && i <= 5 ? 1 : i >= 6 && i <= 8 ? 2 : i === 9 ? 3 : 0,
);
writeNifti(file('labels-true.nii.gz'), { shape: [4, 4, 2], data: labelsTrue, datatype: 2 });
writeNifti(file('labels-pred.nii'), { shape: [4, 4, 2], data: labelsPred, datatype: 4 });
writeNifti(file('soft-pred.nii'), { shape: [4, 4, 2], data: labelsPred.map((v) => v / 4), datatype: 16 });

// One voxel each, two voxels apart along i, with voxel size 2 along i: Hausdorff distance 2·2 = 4 mm.
const at = (i: number, j: number, k: number) => (i * 3 + j) * 3 + k;
const dotA = Array.from({ length: 27 }, (_, q) => (q === at(0, 1, 1) ? 1 : 0));
const dotB = Array.from({ length: 27 }, (_, q) => (q === at(2, 1, 1) ? 1 : 0));
writeNifti(file('dotA.nii'), { shape: [3, 3, 3], data: dotA, spacing: [2, 1, 1], datatype: 2 });
writeNifti(file('dotB.nii'), { shape: [3, 3, 3], data: dotB, spacing: [2, 1, 1], datatype: 2 });
writeNifti(file('empty.nii'), {
  shape: [3, 3, 3],
  data: new Array<number>(27).fill(0),
  spacing: [2, 1, 1],
  datatype: 2,
});

// ------------------------------------------------------------------------------------------- general

describe('losskit', () => {
  it.each(['', 'list', 'explain', 'eval', 'compare', 'advise'])(
    'losskit %s --help exits 0 with usage',
    async (cmd) => {
      const r = await run(...(cmd ? [cmd] : []), '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: losskit ${cmd}`));
    },
  );

  it('without a command prints the help on stderr and exits 2', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Usage: losskit/);
    expect(r.out).toBe('');
  });

  it('rejects an unknown command with a suggestion', async () => {
    expectUsageError(await run('evl'), /unknown command 'evl'/, /eval/);
  });
});

// ---------------------------------------------------------------------------------------------- list

describe('losskit list', () => {
  it('lists losses and metrics in a table', async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^mean_squared_error\s+loss\s+regression\s/m);
    expect(r.out).toMatch(/^binary_crossentropy\s+loss\s+classification\s/m);
    expect(r.out).toMatch(/^dice\s+loss\s+segmentation\s/m);
    expect(r.out).toMatch(/^dice_coefficient\s+metric\s+segmentation\s/m);
  });

  it('--json gives every catalog entry, with non-finite numbers as strings', async () => {
    const r = await run('list', '--json');
    const doc = json(r) as {
      losses: { id: string; params: { range?: unknown[] }[] }[];
      metrics: { id: string }[];
    };
    expect(doc.losses.map((l) => l.id)).toContain('meanSquaredError');
    expect(doc.metrics.map((m) => m.id)).toContain('diceCoefficient');
    const ranges = doc.losses.flatMap((l) => l.params.map((p) => p.range).filter(Boolean)) as unknown[][];
    expect(ranges.flat()).not.toContain(null);
    expect(ranges.flat()).toContain('Infinity');
  });

  it('--task filters', async () => {
    const doc = json(await run('list', '--task', 'regression', '--json')) as {
      losses: { task: string }[];
      metrics: unknown[];
    };
    expect(doc.losses.length).toBeGreaterThan(0);
    expect(doc.losses.every((l) => l.task === 'regression')).toBe(true);
    expect(doc.metrics).toEqual([]);
  });

  it('rejects an unknown task', async () => {
    expectUsageError(
      await run('list', '--task', 'vision'),
      /'vision' is invalid/,
      /regression, classification, segmentation/,
    );
  });
});

// ------------------------------------------------------------------------------------------- explain

describe('losskit explain', () => {
  it('shows formula, use, parameters with defaults and ranges, references', async () => {
    const r = await run('explain', 'Binary-Cross_Entropy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^binaryCrossentropy — loss, classification/);
    expect(r.out).toContain('Formula:');
    expect(r.out).toContain('When to use:');
    expect(r.out).toMatch(/labelSmoothing: number = 0, in \[0, 1\]/);
    expect(r.out).toMatch(/reduction: enum = 'sum_over_batch_size', one of sum_over_batch_size \| sum/);
    expect(r.out).toMatch(/References:\n {2}- /);
  });

  it('explains metrics too', async () => {
    const r = await run('explain', 'dice_coefficient');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/diceCoefficient — metric, segmentation/);
    expect(r.out).toContain('Higher is better: yes');
  });

  it('--json prints the catalog entry', async () => {
    const doc = json(await run('explain', 'tversky', '--json'));
    expect(doc.kind).toBe('loss');
    expect(doc.id).toBe('tversky');
    expect((doc.params as { name: string }[]).map((p) => p.name)).toEqual(
      expect.arrayContaining(['alpha', 'beta']),
    );
  });

  it('lists the old spellings of a renamed option as its aliases, in text and --json', async () => {
    const doc = json(await run('explain', 'focal', '--json'));
    const params = doc.params as { name: string; aliases: string[] }[];
    expect(params.find((p) => p.name === 'epsilon')?.aliases).toEqual(['eps']);
    expect(params.find((p) => p.name === 'gamma')?.aliases).toEqual([]);
    const r = await run('explain', 'dice');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/logEpsilon: number \| null = null, in \(0, 0\.5\)\n {6}also accepted as: eps\n/);
  });

  it('suggests close names for an unknown one', async () => {
    expectUsageError(
      await run('explain', 'binary_crosentropy'),
      /unknown loss or metric 'binary_crosentropy'/,
      /'binary_crossentropy'/,
    );
  });
});

// ---------------------------------------------------------------------------------------------- eval

describe('losskit eval', () => {
  it('Dice of two PNG masks equals the hand-computed 0.6', async () => {
    const doc = json(
      await run(
        'eval',
        'dice_coefficient',
        '--true',
        file('truth.png'),
        '--pred',
        file('pred.png'),
        '--json',
      ),
    );
    expect(doc.metric).toBe('diceCoefficient');
    expect(doc.value).toBeCloseTo(0.6, 5);
    expect(doc.spacing).toEqual([1, 1]);
    expect(doc.shape).toEqual([4, 4]);
    expect(doc.options).toHaveProperty('smoothNr');
  });

  it('reads 0/255 and 16-bit masks as the same binary masks', async () => {
    for (const [t, p] of [
      ['truth255.png', 'pred255.png'],
      ['truth.png', 'pred16.png'],
    ]) {
      const doc = json(await run('eval', 'dice_coefficient', '--true', file(t), '--pred', file(p), '--json'));
      expect(doc.value).toBeCloseTo(0.6, 5);
    }
    const iou = json(
      await run('eval', 'iou', '--true', file('truth.json'), '--pred', file('pred.json'), '--json'),
    );
    expect(iou.value).toBeCloseTo(3 / 7, 5);
  });

  it('prints a table without --json', async () => {
    const r = await run('eval', 'dice', '--true', file('truth.png'), '--pred', file('pred.png'));
    expect(r.code).toBe(0);
    // The Dice loss is 1 − 0.6.
    expect(r.out).toMatch(
      /^dice \(.*truth\.png vs .*pred\.png, shape \[4,4\], spacing \[1,1\]\)\n0\.4000\d\d\n$/,
    );
  });

  it('divides gray PNGs by 255: soft Dice and thresholded Dice of a probability map', async () => {
    // p = [1, 0.4, 0.2, 0], g = [1, 1, 0, 0]: soft Dice 2·1.4 / (1.6 + 2) = 0.7778; at p ≥ 0.5: 2·1 / (1 + 2) = 2/3.
    const soft = json(
      await run('eval', 'dice', '--true', file('t2.png'), '--pred', file('p2.png'), '--json'),
    );
    expect(soft.value).toBeCloseTo(1 - 2.8 / 3.6, 5);
    const hard = json(
      await run(
        'eval',
        'dice_coefficient',
        '--true',
        file('t2.png'),
        '--pred',
        file('p2.png'),
        '--options',
        '{"threshold": 0.5}',
        '--json',
      ),
    );
    expect(hard.value).toBeCloseTo(2 / 3, 5);
    expect((hard.options as { threshold: number }).threshold).toBe(0.5);
  });

  it('evaluates Keras-family losses on JSON arrays with their own shape', async () => {
    writeFileSync(file('yt.json'), '[[0, 1], [0, 0]]');
    writeFileSync(file('yp.json'), '[[0.6, 0.4], [0.4, 0.6]]');
    // Per row: −(log 0.4 + log 0.4)/2 = 0.9162907 and −(log 0.6 + log 0.4)/2 = 0.7135582; mean 0.8149245.
    const bce = json(
      await run('eval', 'bce', '--true', file('yt.json'), '--pred', file('yp.json'), '--json'),
    );
    expect(bce.loss).toBe('binaryCrossentropy');
    expect(bce.value).toBeCloseTo(((-2 * Math.log(0.4)) / 2 - (Math.log(0.6) + Math.log(0.4)) / 2) / 2, 5);
    writeFileSync(file('a.json'), '[[1, 2], [3, 4]]');
    writeFileSync(file('b.json'), '[[1, 1], [1, 1]]');
    // MSE per row (0+1)/2 = 0.5 and (4+9)/2 = 6.5, mean 3.5.
    const mse = json(await run('eval', 'mse', '--true', file('a.json'), '--pred', file('b.json'), '--json'));
    expect(mse.value).toBeCloseTo(3.5, 6);
    const none = json(
      await run(
        'eval',
        'mse',
        '--true',
        file('a.json'),
        '--pred',
        file('b.json'),
        '--options',
        '{"reduction": "none"}',
        '--json',
      ),
    );
    expect(none.value).toEqual([0.5, 6.5]);
  });

  it('evaluates each label of NIfTI label volumes (hand-computed Dice per label)', async () => {
    const doc = json(
      await run(
        'eval',
        'dice_coefficient',
        '--true',
        file('labels-true.nii.gz'),
        '--pred',
        file('labels-pred.nii'),
        '--json',
      ),
    );
    const labels = doc.labels as Record<string, number>;
    expect(Object.keys(labels)).toEqual(['1', '2', '3']);
    expect(labels['1']).toBeCloseTo(0.5, 5);
    expect(labels['2']).toBeCloseTo(1 / 3, 5);
    expect(labels['3']).toBeCloseTo(0, 4);
    expect(doc.spacing).toEqual([1, 1, 1]);
    const only = json(
      await run(
        'eval',
        'dice_coefficient',
        '--true',
        file('labels-true.nii.gz'),
        '--pred',
        file('labels-pred.nii'),
        '--labels',
        '2',
        '--json',
      ),
    );
    expect(Object.keys(only.labels as object)).toEqual(['2']);
    const table = await run(
      'eval',
      'dice_coefficient',
      '--true',
      file('labels-true.nii.gz'),
      '--pred',
      file('labels-pred.nii'),
    );
    expect(table.out).toMatch(/^1\s+0\.50000\d$/m);
  });

  it('reads NIfTI spacing from pixdim (axis order i, j, k) and lets --spacing override it', async () => {
    const doc = json(
      await run(
        'eval',
        'hausdorff_distance',
        '--true',
        file('dotA.nii'),
        '--pred',
        file('dotB.nii'),
        '--json',
      ),
    );
    expect(doc.spacing).toEqual([2, 1, 1]);
    expect(doc.value).toBeCloseTo(4, 5);
    const over = json(
      await run(
        'eval',
        'hausdorff_distance',
        '--true',
        file('dotA.nii'),
        '--pred',
        file('dotB.nii'),
        '--spacing',
        '1,1,1',
        '--json',
      ),
    );
    expect(over.value).toBeCloseTo(2, 5);
  });

  it('writes an infinite distance as the string "Infinity"', async () => {
    const r = await run(
      'eval',
      'hausdorff_distance',
      '--true',
      file('dotA.nii'),
      '--pred',
      file('empty.nii'),
      '--json',
    );
    expect(r.out).toMatch(/"value": "Infinity"/);
  });

  describe('user errors exit 2 with one line naming the file and the problem', () => {
    const t = file('truth.png');
    const p = file('pred.png');
    it.each([
      [
        'a missing file',
        ['eval', 'dice', '--true', file('nope.png'), '--pred', p],
        [/nope\.png: no such file/],
      ],
      [
        'an unreadable PNG',
        ['eval', 'dice', '--true', t, '--pred', file('junk.png')],
        [/junk\.png: unreadable PNG/],
      ],
      [
        'an unreadable NIfTI',
        ['eval', 'dice', '--true', file('junk.nii'), '--pred', p],
        [/junk\.nii: unreadable NIfTI/],
      ],
      [
        'a ragged JSON array',
        ['eval', 'mse', '--true', file('ragged.json'), '--pred', p],
        [/ragged\.json: ragged array/],
      ],
      [
        'a shape mismatch',
        ['eval', 'dice', '--true', t, '--pred', file('wide.json')],
        [/wide\.json: shape \[1,5\] does not match --true .*truth\.png shape \[4,4\]/],
      ],
      [
        'an unknown loss',
        ['eval', 'dcie', '--true', t, '--pred', p],
        [/unknown loss or metric 'dcie'/, /'dice'/],
      ],
      [
        'invalid --options JSON',
        ['eval', 'dice', '--true', t, '--pred', p, '--options', '{alpha:1}'],
        [/--options: invalid JSON/],
      ],
      [
        '--options that is not an object',
        ['eval', 'dice', '--true', t, '--pred', p, '--options', '[1]'],
        [/expected a JSON object/],
      ],
      [
        'an unknown option',
        ['eval', 'tversky', '--true', t, '--pred', p, '--options', '{"alpah": 0.3}'],
        [/unknown option 'alpah'/, /'alpha'/],
      ],
      [
        'an option out of range',
        ['eval', 'tversky', '--true', t, '--pred', p, '--options', '{"alpha": -1}'],
        [/option 'alpha' must be/],
      ],
      [
        '--spacing of the wrong length',
        ['eval', 'hausdorff_distance', '--true', t, '--pred', p, '--spacing', '1,1,1'],
        [/--spacing: expected 2 positive numbers/],
      ],
      [
        '--spacing for a metric without spacing',
        ['eval', 'dice_coefficient', '--true', t, '--pred', p, '--spacing', '1,2'],
        [/takes no spacing/],
      ],
      ['a missing --pred', ['eval', 'dice', '--true', t], [/required option '--pred <file>' not specified/]],
      [
        'non-integer predictions for label maps',
        ['eval', 'dice_coefficient', '--true', file('labels-true.nii.gz'), '--pred', file('soft-pred.nii')],
        [/soft-pred\.nii: label mode .* needs integer labels in --pred, found 0\.25/],
      ],
      [
        'a bad --labels list',
        ['eval', 'dice', '--true', t, '--pred', p, '--labels', '1,x'],
        [/--labels: 'x' is not an integer/],
      ],
      [
        'an intensity image given as a label map',
        ['eval', 'dice_coefficient', '--true', file('many.json'), '--pred', file('many.json')],
        [/many\.json: 119 distinct integer values; expected a mask or a label map/],
      ],
      [
        '--labels with a regression loss',
        ['eval', 'mse', '--true', file('truth.json'), '--pred', file('pred.json'), '--labels', '1'],
        [/--labels: meanSquaredError is not a segmentation loss/],
      ],
    ])('%s', async (_what, args, patterns) => {
      expectUsageError(await run(...args), ...patterns);
    });
  });
});

// -------------------------------------------------------------------------------------------- advise

function maskDir(name: string, masks: number[][][]): string {
  const d = file(name);
  mkdirSync(d, { recursive: true });
  masks.forEach((m, i) => {
    writeGrayPng(join(d, `m${i}.png`), m);
  });
  return d;
}

const grid = (n: number, f: (y: number, x: number) => boolean) =>
  Array.from({ length: n }, (_, y) => Array.from({ length: n }, (_, x) => (f(y, x) ? 255 : 0)));

describe('losskit advise', () => {
  it('balanced masks: statistics by hand, cross-entropy first', async () => {
    // Four 16×16 masks with an 8×8 square: 64/256 = 25% foreground, 1 object of 64 pixels each;
    // boundary = 64 − 6·6 interior pixels = 28, i.e. 43.75%.
    const d = maskDir(
      'balanced',
      [0, 1, 2, 3].map((o) => grid(16, (y, x) => y >= o && y < o + 8 && x >= 4 && x < 12)),
    );
    const doc = json(await run('advise', '--masks', d, '--json')) as {
      stats: Record<string, unknown>;
      profile: Record<string, unknown>;
      recommendations: { loss: string; reason: string }[];
      perImage: unknown[];
    };
    expect(doc.stats.images).toBe(4);
    expect(doc.stats.foregroundFraction).toBe(0.25);
    expect(doc.stats.objects).toBe(4);
    expect(doc.stats.emptyImages).toBe(0);
    expect((doc.stats.objectSize as { median: number }).median).toBe(64);
    expect(doc.stats.boundaryFraction).toBe(28 / 64);
    // The squares' centre pixels are 4 from the background: 64 / (16π).
    expect(doc.stats.elongation).toBeCloseTo(4 / Math.PI, 5);
    expect(doc.profile).toEqual({
      balance: 'balanced',
      tinyObjects: false,
      thinStructures: false,
      manyEmpty: false,
    });
    expect(doc.recommendations[0].loss).toBe('binary_crossentropy');
    expect(doc.recommendations[0].reason).toMatch(/balanced/);
    expect(doc.perImage).toHaveLength(4);
  });

  it('tiny rare objects: focal Tversky and Tversky with β > α first', async () => {
    // Four 32×32 masks with one 2×2 dot and one empty mask: 16 / 5120 = 0.3125% foreground, objects of 4 pixels.
    const masks = [0, 1, 2, 3].map((o) => grid(32, (y, x) => y >= 10 + o && y < 12 + o && x >= 5 && x < 7));
    const d = maskDir('tiny', [...masks, grid(32, () => false)]);
    const doc = json(await run('advise', '--masks', d, '--json')) as {
      stats: Record<string, unknown>;
      profile: Record<string, unknown>;
      recommendations: { loss: string; options: Record<string, number> }[];
    };
    expect(doc.stats.foregroundFraction).toBe(16 / 5120);
    expect(doc.stats.emptyImages).toBe(1);
    expect(doc.profile).toMatchObject({ balance: 'heavily imbalanced', tinyObjects: true });
    const top = doc.recommendations.slice(0, 3).map((r) => r.loss);
    expect(top).toEqual(['focal_tversky', 'tversky', 'dice']);
    expect(doc.recommendations[1].options.beta).toBeGreaterThan(doc.recommendations[1].options.alpha);
  });

  it('thin structures: boundary-aware losses first, in a readable table', async () => {
    // Three 1-pixel-thick lines of 30 pixels in a 32×32 mask: every foreground pixel is on the boundary.
    const d = maskDir('thin', [grid(32, (y, x) => (y === 5 || y === 15 || y === 25) && x >= 1 && x < 31)]);
    const r = await run('advise', '--masks', d);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/boundary pixels \/ foreground pixels\s+100\.000%/);
    expect(r.out).toMatch(/elongation .*\s9\.55$/m); // 30 / π
    expect(r.out).toMatch(/Profile: mildly skewed, thin structures/);
    expect(r.out).toMatch(/1\. boundary_loss\n/);
  });

  it('many empty images: says so and why combo helps', async () => {
    // 7 masks with a 6×6 square in 16×16 and 3 empty ones: 30% empty; 7·36 / (10·256) = 9.84% foreground.
    const full = grid(16, (y, x) => y >= 5 && y < 11 && x >= 5 && x < 11);
    const d = maskDir('empties', [
      ...Array<number[][]>(7).fill(full),
      ...Array<number[][]>(3).fill(grid(16, () => false)),
    ]);
    const doc = json(await run('advise', '--masks', d, '--json')) as {
      stats: Record<string, number>;
      profile: Record<string, unknown>;
      recommendations: { loss: string; reason: string }[];
    };
    expect(doc.stats.foregroundFraction).toBeCloseTo((7 * 36) / 2560, 12);
    expect(doc.profile).toMatchObject({ balance: 'mildly skewed', manyEmpty: true });
    expect(doc.recommendations.find((r) => r.loss === 'combo')?.reason).toMatch(/3 of 10 images are empty/);
  });

  it('reports a missing path, an empty folder and an unreadable mask', async () => {
    expectUsageError(await run('advise', '--masks', file('absent')), /absent: no such file or folder/);
    mkdirSync(file('emptydir'), { recursive: true });
    expectUsageError(await run('advise', '--masks', file('emptydir')), /emptydir: no \.png, \.nii/);
    expectUsageError(await run('advise', '--masks', file('junk.png')), /junk\.png: unreadable PNG/);
  });
});

// ------------------------------------------------------------------------------------------- compare

interface CompareDoc {
  config: Record<string, unknown>;
  levels: { label: string; test: number }[];
  runs: {
    loss: string;
    level: string;
    seconds: number;
    metrics: Record<string, number | string>;
    curve: { epoch: number[]; testDice: number[]; trainLoss: number[] };
  }[];
  best: Record<string, string>;
  report: string | null;
}

function checkRuns(doc: CompareDoc): void {
  for (const r of doc.runs) {
    for (const k of ['dice', 'iou', 'sensitivity', 'specificity', 'precision']) {
      const v = r.metrics[k];
      expect(typeof v, `${r.loss} ${k}`).toBe('number');
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const hd = r.metrics.hd95;
    // HD95 is NaN when no test image has a non-empty prediction (possible after one epoch).
    if (typeof hd === 'number') expect(hd).toBeGreaterThanOrEqual(0);
    else expect(hd).toBe('NaN');
    expect(r.seconds).toBeGreaterThan(0);
  }
}

describe('--losses parsing', () => {
  it('reads names with :key=value options, JSON values and arrays that contain commas', () => {
    const got = parseLosses('bce, tversky:alpha=0.2:beta=0.8,dice:classWeights=[1,2]:reduction=sum');
    expect(got.map((l) => l.label)).toEqual([
      'binary_crossentropy',
      'tversky(alpha=0.2,beta=0.8)',
      'dice(classWeights=1,2,reduction=sum)',
    ]);
    expect(got[1].options).toEqual({ alpha: 0.2, beta: 0.8 });
    expect(got[2].options).toEqual({ classWeights: [1, 2], reduction: 'sum' });
  });
});

describe('losskit compare', () => {
  it('lesions, bce and dice, one epoch: valid JSON with metrics in range, and an HTML report', async () => {
    const out = file('report');
    const doc = json(
      await run(
        'compare',
        '--dataset',
        'lesions',
        '--losses',
        'bce,dice',
        '--fg',
        '0.05',
        '--epochs',
        '1',
        '--size',
        '32',
        '--json',
        '--out',
        out,
      ),
    ) as unknown as CompareDoc;
    expect(doc.runs.map((r) => r.loss)).toEqual(['binaryCrossentropy', 'dice']);
    expect(doc.levels.map((l) => l.label)).toEqual(['fg 5%']);
    expect(doc.runs[0].curve.epoch).toEqual([1]);
    checkRuns(doc);
    expect(doc.config).toMatchObject({ size: 32, epochs: 1, parameters: 29617, fusedKernels: true });
    expect(Object.keys(doc.best)).toEqual(['fg 5%']);
    expect(doc.report).toBe(join(resolve(out), 'index.html'));
    const html = readFileSync(doc.report!, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('data:image/png;base64,');
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toHaveProperty('runs');
  }, 90_000);

  // The smallest comparison that still trains and evaluates: one epoch on 8 images of 16², 4 held out.
  const TINY_RUN = ['--epochs', '1', '--size', '16', '--train', '8', '--test', '4'];

  it('--no-fused trains with the composed losses and leaves the switch as it was', async () => {
    const before = fusedCallCount();
    const doc = json(
      await run(
        'compare',
        '--losses',
        'dice',
        '--fg',
        '0.3',
        ...TINY_RUN,
        '--no-fused',
        '--json',
        '--no-report',
      ),
    ) as unknown as CompareDoc;
    expect(doc.config).toMatchObject({ fusedKernels: false });
    expect(fusedCallCount()).toBe(before);
    expect(fusedKernelsEnabled()).toBe(true);
    checkRuns(doc);
  }, 60_000);

  // Debian's mricron-data ships the Colin27 volume; .ci/run installs it, so CI always runs this.
  it.runIf(existsSync('/usr/share/mricron/templates/ch2bet.nii.gz'))(
    'brain: a short skull-stripping comparison on Colin27 slices',
    async () => {
      const doc = json(
        await run(
          'compare',
          '--dataset',
          'brain',
          '--losses',
          'bce,dice',
          '--epochs',
          '1',
          '--size',
          '32',
          '--json',
          '--no-report',
        ),
      ) as unknown as CompareDoc;
      expect(doc.runs.map((r) => r.loss)).toEqual(['binaryCrossentropy', 'dice']);
      expect(doc.levels).toHaveLength(1);
      checkRuns(doc);
    },
    120_000,
  );

  it('prints a leaderboard table without --json', async () => {
    const r = await run(
      'compare',
      '--losses',
      'dice,tversky:alpha=0.2:beta=0.8',
      '--fg',
      '0.3',
      ...TINY_RUN,
      '--no-report',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^test Dice\s+fg 30%$/m);
    expect(r.out).toMatch(/^tversky\(alpha=0\.2,beta=0\.8\)\s+\d\.\d{3}[* ]?$/m);
    expect(r.out).toMatch(/\*/);
    expect(r.out).not.toMatch(/Report:/);
    expect(r.err).toMatch(/\[2\/2\] fg 30%/);
  }, 60_000);

  it('trains on a folder of PNG image/mask pairs', async () => {
    const root = file('pairs');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const mask = grid(16, (y, x) => (x - 8 + i) ** 2 + (y - 8) ** 2 < 20);
      writeGrayPng(
        join(root, 'images', `c${i}.png`),
        mask.map((r) => r.map((v) => (v ? 180 : 60) + ((r.length * 7 + i) % 11))),
      );
      writeGrayPng(join(root, 'masks', `c${i}.png`), mask);
    }
    const doc = json(
      await run(
        'compare',
        '--dataset',
        root,
        '--losses',
        'bce',
        '--epochs',
        '1',
        '--size',
        '16',
        '--json',
        '--no-report',
      ),
    ) as unknown as CompareDoc;
    expect(doc.levels).toMatchObject([{ label: 'pairs', test: 1 }]);
    checkRuns(doc);
    expect(doc.report).toBeNull();
  }, 60_000);

  it.each([
    ['an unknown loss', ['--losses', 'bce,dcie'], [/--losses: Unknown loss 'dcie'/, /'dice'/]],
    [
      'a foreground fraction out of range',
      ['--fg', '0.3,1.5'],
      [/--fg: '1\.5' is not a fraction in \(0, 1\)/],
    ],
    [
      '--fg with another data set',
      ['--dataset', 'brain', '--fg', '0.1'],
      [/--fg applies to --dataset lesions only/],
    ],
    ['a size that is not a multiple of 4', ['--size', '30'], [/--size: 30 must be a multiple of 4/]],
    ['a missing data folder', ['--dataset', file('nowhere')], [/nowhere: no such data set or folder/]],
    ['zero epochs', ['--epochs', '0'], [/'0' is invalid/, /integer in \[1, 10000\]/]],
    ['an unknown backend', ['--backend', 'gpu'], [/'gpu' is invalid/, /wasm, cpu/]],
    ['a loss listed twice', ['--losses', 'dice,Dice'], [/'dice' is listed twice/]],
    ['a bad loss option', ['--losses', 'tversky:alpha'], [/expected name:key=value/]],
  ])('rejects %s with exit 2', async (_what, args, patterns) => {
    expectUsageError(await run('compare', '--no-report', '--losses', 'dice', ...args), ...patterns);
  });
});

// ------------------------------------------------------------------------------------ built binary

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/main.js');

describe.runIf(existsSync(bin))('the built binary (packages/cli/dist/main.js)', () => {
  const exec = (args: string[], cwd = dir) =>
    spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

  it('starts with a shebang', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('keeps stdout to the JSON document (no tfjs banner)', () => {
    const r = exec([
      'eval',
      'dice_coefficient',
      '--true',
      file('truth.png'),
      '--pred',
      file('pred.png'),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { value: number }).value).toBeCloseTo(0.6, 5);
    expect(r.stdout + r.stderr).not.toMatch(/Hi, looks like you are running TensorFlow\.js/);
  });

  it('exits 2 with a one-line message and no stack trace on bad input', () => {
    const r = exec(['eval', 'dice', '--true', file('junk.png'), '--pred', file('pred.png')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^losskit: .*junk\.png: unreadable PNG/);
  });

  it('gives the same numbers with worker threads (--jobs 2) as in one thread', () => {
    const args = [
      'compare',
      '--losses',
      'dice,focal,tversky',
      '--fg',
      '0.1',
      '--epochs',
      '2',
      '--size',
      '16',
      '--train',
      '8',
    ];
    const one = exec([...args, '--test', '4', '--jobs', '1', '--json', '--no-report']);
    const two = exec([...args, '--test', '4', '--jobs', '2', '--json', '--no-report']);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const strip = (s: string) =>
      (JSON.parse(s) as CompareDoc).runs.map((r) => ({ loss: r.loss, metrics: r.metrics, curve: r.curve }));
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
    expect((JSON.parse(two.stdout) as CompareDoc).config).toMatchObject({ jobs: 2 });
  }, 120_000);

  it('runs the compare smoke test of the issue in well under a minute', () => {
    const cwd = file('cwd');
    mkdirSync(cwd, { recursive: true });
    const r = exec(
      [
        'compare',
        '--dataset',
        'lesions',
        '--losses',
        'bce,dice',
        '--fg',
        '0.05',
        '--epochs',
        '1',
        '--size',
        '32',
        '--json',
      ],
      cwd,
    );
    expect(r.status, r.stderr).toBe(0);
    checkRuns(JSON.parse(r.stdout) as CompareDoc);
    expect(existsSync(join(cwd, 'losskit-report', 'index.html'))).toBe(true);
  }, 120_000);
});
