/**
 * `losskit eval` at atlas scale: several metrics in one call, label maps through the engine (same values as the
 * per-label tensor path, checked against a brute-force float64 oracle), folders of file pairs, CSV.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getMetric } from 'losskit';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNifti } from '../../test/fixtures.ts';
import { labelOracle } from '../../test/label-oracle.ts';
import { expectUsageError, runInProcess as run } from '../../test/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-eval-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

function json(r: { code: number; out: string; err: string }): Record<string, unknown> {
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
}
/** `losskit eval NAMES --true t.nii.gz --pred p.nii ...more`. */
const evalTP = (names: string, ...more: string[]) =>
  run('eval', names, '--true', file('t.nii.gz'), '--pred', file('p.nii'), ...more);
const num = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));

// A 9×8×6 label volume: labels 1–5 in both (shifted or reshaped in the prediction), 6 only in the truth,
// 7 only in the prediction; voxel size 1.5 × 1 × 2.5.
const SHAPE = [9, 8, 6];
const SPACING = [1.5, 1, 2.5];
function volume(shift: number): number[] {
  const out: number[] = [];
  for (let x = 0; x < 9; x++)
    for (let y = 0; y < 8; y++)
      for (let z = 0; z < 6; z++) {
        let v = 0;
        if (x + shift < 4 && y < 3) v = 1;
        if ((x - 5) ** 2 + (y - 4 - shift) ** 2 + (z - 3) ** 2 <= 5) v = 2;
        if (z === 5 && y >= 5 + shift) v = 3;
        if (x === 8 && z < 3 + shift) v = 4;
        if (y === 7 && x < 2 && z < 2) v = 5;
        if (shift === 0 && x === 0 && y === 7 && z === 5) v = 6;
        if (shift === 1 && x === 4 && y === 0 && z === 0) v = 7;
        out.push(v);
      }
  return out;
}
const T = volume(0);
const P = volume(1);
const LABELS = [1, 2, 3, 4, 5, 6, 7];
writeNifti(file('t.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });
writeNifti(file('p.nii'), { shape: SHAPE, data: P, spacing: SPACING, datatype: 2 });

/** Today's per-label path: the tensor metric on `[1, ...shape, 1]` binary masks of one label. */
function tensorValue(metric: string, options: Record<string, unknown>, label: number): number {
  const fn = getMetric(metric, options);
  const mask = (d: number[]) =>
    tf.tensor(
      Float32Array.from(d, (v) => (v === label ? 1 : 0)),
      [1, ...SHAPE, 1],
    );
  return tf.tidy(() => fn(mask(T), mask(P)).dataSync()[0]);
}

const CASES: [string, string, Record<string, unknown>, keyof ReturnType<typeof labelOracle>][] = [
  ['dice_coefficient', 'diceCoefficient', {}, 'dice'],
  ['iou', 'iou', {}, 'iou'],
  ['hausdorff_distance', 'hausdorffDistance', { spacing: SPACING }, 'hd'],
  ['hausdorff_distance:percentile=95', 'hausdorffDistance', { spacing: SPACING, percentile: 95 }, 'hd95'],
  [
    'average_surface_distance:symmetric=true',
    'averageSurfaceDistance',
    { spacing: SPACING, symmetric: true },
    'assd',
  ],
  ['surface_dice', 'surfaceDice', { spacing: SPACING }, 'nsd1'],
];

describe('losskit eval on label maps (the engine)', () => {
  it.each(CASES)(
    '%s: per label as the tensor path bit for bit, and as the brute-force oracle',
    async (name, id, options, key) => {
      const r = await evalTP(name, '--json');
      const doc = json(r);
      expect(doc.metric).toBe(id);
      expect(doc.spacing).toEqual(SPACING);
      expect(r.err).toMatch(/evaluated 7 labels found in the files: 1, 2, 3, 4, 5, 6, 7/);
      const labels = doc.labels as Record<string, unknown>;
      expect(Object.keys(labels)).toEqual(LABELS.map(String));
      for (const l of LABELS) {
        const got = num(labels[String(l)]);
        expect(got, `label ${l}`).toBe(tensorValue(id, options, l));
        const want = labelOracle(T, P, SHAPE, SPACING, l)[key];
        if (Number.isFinite(want)) expect(got).toBeCloseTo(want, 5);
        else expect(got).toBe(want);
      }
    },
  );

  // The process the user runs: the built binary, its compiled modules and its own start-up.
  const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
  it.skipIf(!existsSync(main))(
    'the built binary gives every label the oracle value, as the command run in-process does',
    async () => {
      const names = CASES.map((c) => c[0]).join(',');
      const args = ['eval', names, '--true', file('t.nii.gz'), '--pred', file('p.nii'), '--json'];
      const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const built = JSON.parse(r.stdout) as Record<string, { labels: Record<string, unknown> }>;
      expect(built).toEqual(json(await run(...args)));
      CASES.forEach(([name, id, , key], i) => {
        const values = built[Object.keys(built)[i]].labels;
        expect(Object.keys(values), name).toEqual(LABELS.map(String));
        for (const l of LABELS) {
          const want = labelOracle(T, P, SHAPE, SPACING, l)[key];
          const got = num(values[String(l)]);
          if (Number.isFinite(want)) expect(got, `${id} label ${l}`).toBeCloseTo(want, 5);
          else expect(got, `${id} label ${l}`).toBe(want);
        }
      });
    },
  );

  it('accepts NIfTI label maps with more than 100 labels and says which were evaluated', async () => {
    const many = Array.from({ length: 300 }, (_, i) => 1 + (i % 150));
    writeNifti(file('many-t.nii'), { shape: [300], data: many, datatype: 4 });
    writeNifti(file('many-p.nii'), { shape: [300], data: [0, ...many.slice(1)], datatype: 4 });
    const r = await run(
      'eval',
      'dice_coefficient',
      '--true',
      file('many-t.nii'),
      '--pred',
      file('many-p.nii'),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/evaluated 150 labels found in the files: 1, 2, 3, .*, 150\n/);
    expect(r.out.trim().split('\n')).toHaveLength(3 + 150);
  });

  it('blames the file with non-integer values, --true or --pred', async () => {
    writeNifti(file('soft.nii'), { shape: SHAPE, data: T.map((v) => v / 4), spacing: SPACING, datatype: 16 });
    expectUsageError(
      await run('eval', 'iou', '--true', file('soft.nii'), '--pred', file('p.nii'), '--labels', '1,2'),
      /soft\.nii: label mode .* needs integer labels in --true, found 0\.25/,
    );
    expectUsageError(
      await run('eval', 'iou', '--true', file('t.nii.gz'), '--pred', file('soft.nii')),
      /soft\.nii: label mode .* needs integer labels in --pred, found 0\.25/,
    );
  });
});

describe('losskit eval with several metrics', () => {
  const names = CASES.map((c) => c[0]).join(',');
  const keys = [
    'diceCoefficient',
    'iou',
    'hausdorffDistance',
    'hausdorffDistance(percentile=95)',
    'averageSurfaceDistance(symmetric=true)',
    'surfaceDice',
  ];

  it('JSON: an object keyed by metric, each in the one-metric form, with the same values', async () => {
    const doc = json(await evalTP(names, '--json'));
    expect(Object.keys(doc)).toEqual(keys);
    for (const [k, [name]] of keys.map((key, i) => [key, CASES[i]] as const)) {
      const one = json(await evalTP(name, '--json'));
      expect(doc[k]).toEqual(one);
    }
    expect(
      (doc['hausdorffDistance(percentile=95)'] as { options: { percentile: number } }).options.percentile,
    ).toBe(95);
  });

  it('text: one table with labels as rows and metrics as columns; --csv writes it', async () => {
    const csv = file('one.csv');
    const r = await evalTP(names, '--csv', csv);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^diceCoefficient, iou, .* per label \(.*t\.nii\.gz vs .*p\.nii, shape \[9,8,6\]/,
    );
    expect(lines[1].split(/\s+/)).toEqual(['label', ...keys]);
    expect(lines).toHaveLength(3 + LABELS.length);
    expect(lines[3 + 5]).toMatch(/^6\s+0\.0000\d+\s+.*Infinity\s+Infinity\s+Infinity\s+0$/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe(`label,${keys.map((k) => (k.includes(',') ? `"${k}"` : k)).join(',')}`);
    expect(rows).toHaveLength(1 + LABELS.length);
    const o = labelOracle(T, P, SHAPE, SPACING, 2);
    const two = rows[2].split(',').map(Number);
    expect(two[0]).toBe(2);
    expect(two[1]).toBeCloseTo(o.dice, 6);
    expect(two[4]).toBeCloseTo(o.hd95, 5);
    expect(rows[7]).toMatch(/^7,.*,Infinity,Infinity,Infinity,0$/);
  });

  it('--options goes to every metric that takes it, or per metric; --spacing is fine with a region metric', async () => {
    const both = json(
      await evalTP(
        'dice_coefficient,hausdorff_distance',
        '--options',
        '{"smoothNr": 0, "smoothDr": 0, "percentile": 95}',
        '--spacing',
        '1,1,1',
        '--labels',
        '2',
        '--json',
      ),
    ) as Record<string, { options: Record<string, unknown>; labels: Record<string, number> }>;
    expect(both.diceCoefficient.options).toMatchObject({ smoothNr: 0, smoothDr: 0 });
    expect(both.hausdorffDistance.options).toMatchObject({ percentile: 95, spacing: [1, 1, 1] });
    expect(both.hausdorffDistance.labels['2']).toBeCloseTo(labelOracle(T, P, SHAPE, [1, 1, 1], 2).hd95, 5);
    const keyed = json(
      await evalTP(
        'iou,hausdorff_distance',
        '--options',
        '{"hausdorff_distance": {"percentile": 50}, "iou": {"smoothNr": 1}}',
        '--json',
      ),
    ) as Record<string, { options: Record<string, unknown> }>;
    expect(keyed.hausdorffDistance.options.percentile).toBe(50);
    expect(keyed.iou.options.smoothNr).toBe(1);
    expectUsageError(
      await evalTP('iou,dice_coefficient', '--options', '{"percentile": 5}'),
      /--options: no listed metric takes option 'percentile'/,
    );
    expectUsageError(
      await evalTP('iou,dice_coefficient', '--spacing', '1,1,1'),
      /--spacing: none of iou, diceCoefficient takes a spacing/,
    );
  });

  it('binary masks: one row of values', async () => {
    writeFileSync(file('bt.json'), JSON.stringify([[1, 1, 0, 0]]));
    writeFileSync(file('bp.json'), JSON.stringify([[0, 1, 1, 0]]));
    const doc = json(
      await run(
        'eval',
        'dice_coefficient,hausdorff_distance',
        '--true',
        file('bt.json'),
        '--pred',
        file('bp.json'),
        '--json',
      ),
    ) as Record<string, { value: number }>;
    expect(doc.diceCoefficient.value).toBeCloseTo(0.5, 5);
    expect(doc.hausdorffDistance.value).toBe(1);
  });
});

describe('losskit eval on folders', () => {
  const td = file('truths');
  const pd = file('preds');
  mkdirSync(td);
  mkdirSync(pd);
  writeNifti(join(td, 'a.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });
  writeNifti(join(pd, 'a.nii'), { shape: SHAPE, data: P, spacing: SPACING, datatype: 4 });
  writeNifti(join(td, 'b.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });
  writeNifti(join(pd, 'b.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });
  writeNifti(join(td, 'c.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });
  writeNifti(join(pd, 'd.nii.gz'), { shape: SHAPE, data: T, spacing: SPACING, datatype: 4 });

  it('matches files by name, notes the unmatched, writes rows and a summary (JSON and CSV)', async () => {
    const csv = file('folders.csv');
    const r = await run(
      'eval',
      'dice_coefficient,hausdorff_distance',
      '--true',
      td,
      '--pred',
      pd,
      '--json',
      '--csv',
      csv,
    );
    const doc = json(r) as {
      files: { name: string; labels: Record<string, Record<string, unknown>> }[];
      unmatched: { true: string[]; pred: string[] };
      summary: Record<string, Record<string, { n: number; mean: unknown; std: unknown; median: unknown }>>;
    };
    expect(r.err).toMatch(/no --pred file for 1 in .*truths: c/);
    expect(r.err).toMatch(/no --true file for 1 in .*preds: d/);
    expect(doc.files.map((f) => f.name)).toEqual(['a', 'b']);
    expect(doc.unmatched).toEqual({ true: ['c'], pred: ['d'] });
    // Label 2: Dice d on a, 1 on b (identical files; smoothing makes it exactly 1).
    const d = num(doc.files[0].labels['2'].diceCoefficient);
    const s2 = doc.summary.diceCoefficient['2'];
    expect(s2.n).toBe(2);
    expect(num(s2.mean)).toBeCloseTo((d + 1) / 2, 6);
    expect(num(s2.median)).toBeCloseTo((d + 1) / 2, 6);
    expect(num(s2.std)).toBeCloseTo((1 - d) / 2, 6);
    // Label 7 exists only in a's prediction: b scores NaN for its distance and is left out (n = 1).
    expect(doc.summary.hausdorffDistance['7']).toMatchObject({ n: 1, mean: 'Infinity' });
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,label,diceCoefficient,hausdorffDistance');
    expect(rows.filter((l) => l.startsWith('a,'))).toHaveLength(7);
    expect(rows.filter((l) => l.startsWith('b,'))).toHaveLength(6);
    expect(rows.filter((l) => l.startsWith('(mean),'))).toHaveLength(7);
    expect(rows).toContain(`(median),2,${(d + 1) / 2},${num(doc.summary.hausdorffDistance['2'].median)}`);
  });

  it('prints the per-file table and the summary table', async () => {
    const r = await run('eval', 'iou', '--true', td, '--pred', pd);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^iou: 2 file pairs/);
    expect(r.out).toMatch(/^a\s+1\s+/m);
    expect(r.out).toMatch(/Summary over the files/);
    expect(r.out).toMatch(/^iou\s+2\s+2\s+/m);
  });

  it('fails when no file matches', async () => {
    const other = file('other');
    mkdirSync(other);
    writeNifti(join(other, 'z.nii'), { shape: SHAPE, data: T, datatype: 4 });
    expectUsageError(
      await run('eval', 'iou', '--true', td, '--pred', other),
      /no file matches one in .*truths by name/,
    );
  });
});

describe('losskit eval sparse_categorical_crossentropy', () => {
  it('takes labels [N] against predictions [N, C]', async () => {
    writeFileSync(file('sy.json'), JSON.stringify([0, 2]));
    writeFileSync(
      file('sp.json'),
      JSON.stringify([
        [0.5, 0.25, 0.25],
        [0.1, 0.1, 0.8],
      ]),
    );
    const sce = (pred: string, ...more: string[]) =>
      run(
        'eval',
        'sparse_categorical_crossentropy',
        '--true',
        file('sy.json'),
        '--pred',
        file(pred),
        ...more,
      );
    const doc = json(await sce('sp.json', '--json'));
    expect(doc.value).toBeCloseTo(-(Math.log(0.5) + Math.log(0.8)) / 2, 5);
    expectUsageError(await sce('bt.json'), /shape/);
  });
});
