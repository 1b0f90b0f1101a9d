import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { niftiBytes, writeGrayPng, writeNifti } from '../test/fixtures.ts';
import { encodePng, formatOf, readVolume, stem } from './io.ts';
import { fromJsonNumber, toJson } from './json.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-io-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

function expectUsage(fn: () => unknown, ...patterns: RegExp[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UsageError);
  for (const p of patterns) expect((error as Error).message).toMatch(p);
}

describe('formats and names', () => {
  it('recognises extensions, including .nii.gz', () => {
    expect(formatOf('a/b.JSON')).toBe('json');
    expect(formatOf('x.png')).toBe('png');
    expect(formatOf('x.nii')).toBe('nifti');
    expect(formatOf('x.nii.gz')).toBe('nifti');
    expect(formatOf('x.tif')).toBeUndefined();
    expect(stem('/d/case_01.nii.gz')).toBe('case_01');
    expect(stem('c:\\d\\m.png')).toBe('m');
  });
});

describe('JSON', () => {
  it('reads nested arrays with their shape, row-major', () => {
    writeFileSync(file('a.json'), '[[1, 2, 3], [4, 5, 6]]');
    const v = readVolume(file('a.json'));
    expect(v.format).toBe('json');
    expect(v.shape).toEqual([2, 3]);
    expect(Array.from(v.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(v.spacing).toBeUndefined();
  });

  it('rejects NaN and ±Infinity (the strings the CLI writes, or numbers beyond float32), naming the first', () => {
    writeFileSync(file('nf.json'), '[[2, 1], ["NaN", "Infinity"]]');
    expectUsage(
      () => readVolume(file('nf.json')),
      /nf\.json: element \[1,0\] \(flat index 2\) is NaN; expected finite values/,
    );
    writeFileSync(file('big.json'), '[0, 1e39]');
    expectUsage(() => readVolume(file('big.json')), /big\.json: element \[1\] \(flat index 1\) is Infinity/);
  });

  it('names the problem: invalid JSON, ragged arrays, non-numbers', () => {
    writeFileSync(file('bad.json'), '[[1, 2], [3');
    expectUsage(() => readVolume(file('bad.json')), /bad\.json/, /invalid JSON/);
    writeFileSync(file('ragged.json'), '[[1, 2], [3]]');
    expectUsage(() => readVolume(file('ragged.json')), /ragged\.json/, /ragged array at \[1\]/);
    writeFileSync(file('str.json'), '[[1, "x"]]');
    expectUsage(() => readVolume(file('str.json')), /element \[0\]\[1\] is "x"/);
    writeFileSync(file('scalar.json'), '3');
    expectUsage(() => readVolume(file('scalar.json')), /expected nested arrays/);
  });
});

describe('PNG', () => {
  it('reads 8-bit grayscale values as stored, with max 255', () => {
    writeGrayPng(file('g8.png'), [
      [0, 128],
      [255, 7],
    ]);
    const v = readVolume(file('g8.png'));
    expect(v.shape).toEqual([2, 2]);
    expect(Array.from(v.data)).toEqual([0, 128, 255, 7]);
    expect(v.maxValue).toBe(255);
  });

  it('reads 16-bit grayscale without rescaling, with max 65535', () => {
    writeGrayPng(
      file('g16.png'),
      [
        [0, 1000, 65535],
        [300, 2, 40000],
      ],
      16,
    );
    const v = readVolume(file('g16.png'));
    expect(v.shape).toEqual([2, 3]);
    expect(Array.from(v.data)).toEqual([0, 1000, 65535, 300, 2, 40000]);
    expect(v.maxValue).toBe(65535);
  });

  it('accepts an RGB PNG whose channels agree, rejects a colour one', () => {
    const grayRgb = encodePng({ width: 2, height: 1, channels: 3, data: [9, 9, 9, 200, 200, 200] });
    writeFileSync(file('rgb-gray.png'), grayRgb);
    expect(Array.from(readVolume(file('rgb-gray.png')).data)).toEqual([9, 200]);
    const colour = encodePng({ width: 2, height: 1, channels: 3, data: [9, 9, 9, 200, 0, 0] });
    writeFileSync(file('colour.png'), colour);
    expectUsage(() => readVolume(file('colour.png')), /colour\.png/, /colour PNG \(pixel 1,0/);
  });

  it('reports an unreadable PNG and a missing file by path', () => {
    writeFileSync(file('junk.png'), 'not a png at all');
    expectUsage(() => readVolume(file('junk.png')), /junk\.png: unreadable PNG/);
    expectUsage(() => readVolume(file('nope.png')), /nope\.png: no such file/);
    expectUsage(() => readVolume(dir + '/x.tif'), /unknown file type/);
  });

  it('encodes PNGs that pngjs decodes to the same values', () => {
    const png = PNG.sync.read(encodePng({ width: 3, height: 1, data: [0, 127, 255] }));
    expect([png.data[0], png.data[4], png.data[8]]).toEqual([0, 127, 255]);
  });
});

describe('NIfTI', () => {
  // A 2×3×2 volume whose value encodes its array index: v = 100·i + 10·j + k.
  const shape = [2, 3, 2];
  const data = Array.from({ length: 12 }, (_, n) => {
    const i = Math.floor(n / 6);
    const j = Math.floor(n / 2) % 3;
    const k = n % 2;
    return 100 * i + 10 * j + k;
  });

  it.each(['v.nii', 'v.nii.gz'])('reads %s with the first array axis = i and spacing = pixdim', (name) => {
    writeNifti(file(name), { shape, data, spacing: [0.5, 2, 3], datatype: 4 });
    const v = readVolume(file(name));
    expect(v.format).toBe('nifti');
    expect(v.shape).toEqual([2, 3, 2]);
    expect(v.spacing).toEqual([0.5, 2, 3]);
    // Row-major [i, j, k]: element (i=1, j=2, k=1) is at (1·3 + 2)·2 + 1 = 11.
    expect(v.data[11]).toBe(121);
    expect(Array.from(v.data)).toEqual(data);
    // An integer datatype without scaling also keeps its own typed array (label maps are read from it).
    expect(v.integers).toBeInstanceOf(Int16Array);
    expect(Array.from(v.integers!)).toEqual(data);
  });

  it('reads a big-endian int16 file', () => {
    const le = niftiBytes({ shape, data, spacing: [0.5, 2, 3], datatype: 4 });
    // The same file with every field the reader uses, and every voxel, byte-swapped.
    const be = Buffer.from(le);
    be.writeInt32BE(le.readInt32LE(0), 0);
    for (let o = 40; o < 56; o += 2) be.writeInt16BE(le.readInt16LE(o), o);
    for (const o of [70, 72]) be.writeInt16BE(le.readInt16LE(o), o);
    for (let o = 76; o < 120; o += 4) be.writeFloatBE(le.readFloatLE(o), o);
    for (let o = 352; o < le.length; o += 2) be.writeInt16BE(le.readInt16LE(o), o);
    writeFileSync(file('be.nii'), be);
    const v = readVolume(file('be.nii'));
    expect(v.spacing).toEqual([0.5, 2, 3]);
    expect(Array.from(v.integers!)).toEqual(data);
    expect(Array.from(v.data)).toEqual(data);
  });

  it('applies scl_slope and scl_inter', () => {
    writeNifti(file('scaled.nii'), { shape: [2, 1], data: [1, 3], datatype: 2, sclSlope: 0.5, sclInter: 10 });
    const v = readVolume(file('scaled.nii'));
    expect(v.shape).toEqual([2, 1]);
    expect(Array.from(v.data)).toEqual([10.5, 11.5]);
    expect(v.integers).toBeUndefined();
  });

  it('rejects a NaN or infinite voxel, naming the voxel (array index and flat index)', () => {
    writeNifti(file('nan.nii'), { shape: [2, 2, 1], data: [0, 1, NaN, 0], datatype: 16 });
    expectUsage(() => readVolume(file('nan.nii')), /nan\.nii: voxel \[1,0,0\] \(flat index 2\) is NaN/);
    writeNifti(file('inf.nii.gz'), { shape: [2, 2], data: [0, -Infinity, 1, 0], datatype: 16 });
    expectUsage(
      () => readVolume(file('inf.nii.gz')),
      /inf\.nii\.gz: voxel \[0,1\] \(flat index 1\) is -Infinity/,
    );
    // A finite float32 voxel that scl_slope pushes beyond float32.
    writeNifti(file('over.nii'), { shape: [2, 1], data: [1, 3e38], datatype: 16, sclSlope: 10 });
    expectUsage(
      () => readVolume(file('over.nii')),
      /over\.nii: voxel \[1,0\].* is Infinity \(after scl_slope/,
    );
  });

  /** A valid 2×2×1 float32 NIfTI with the header patched by `edit`. */
  function patched(name: string, edit: (b: Buffer) => void): string {
    const bytes = niftiBytes({ shape: [2, 2, 1], data: [0, 1, 1, 0], datatype: 16 });
    edit(bytes);
    writeFileSync(file(name), bytes);
    return file(name);
  }

  it('rejects a negative or zero dimension, naming the file and the field', () => {
    const neg = patched('negdims.nii', (b) => b.writeInt16LE(-8, 42));
    expectUsage(
      () => readVolume(neg),
      /negdims\.nii: invalid NIfTI header: dim\[1\] = -8, expected a positive size/,
    );
    const zero = patched('zerodim.nii', (b) => b.writeInt16LE(0, 44));
    expectUsage(() => readVolume(zero), /zerodim\.nii: invalid NIfTI header: dim\[2\] = 0/);
  });

  it('rejects a bad vox_offset and reads the image size from the datatype, not bitpix', () => {
    for (const [name, v] of [
      ['nanoff.nii', NaN],
      ['negoff.nii', -4],
      ['faroff.nii', 1e9],
      ['fracoff.nii', 352.5],
    ] as const) {
      const p = patched(name, (b) => b.writeFloatLE(v, 108));
      expectUsage(
        () => readVolume(p),
        new RegExp(`${name.replace('.', '\\.')}: invalid NIfTI header: vox_offset = `),
      );
    }
    const bitpix = patched('bitpix.nii', (b) => b.writeInt16LE(8, 72));
    expect(Array.from(readVolume(bitpix).data)).toEqual([0, 1, 1, 0]);
    const short = patched('short.nii', (b) => b.writeFloatLE(356, 108));
    expectUsage(() => readVolume(short), /short\.nii: truncated NIfTI \(3 of 4 voxels/);
  });

  it('reports a file that is not NIfTI, and a truncated one', () => {
    writeFileSync(file('junk.nii'), Buffer.alloc(400, 7));
    expectUsage(() => readVolume(file('junk.nii')), /junk\.nii: unreadable NIfTI/);
    writeFileSync(file('junk.nii.gz'), 'plain text, not gzip');
    expectUsage(() => readVolume(file('junk.nii.gz')), /junk\.nii\.gz: unreadable NIfTI/);
  });
});

describe('JSON output', () => {
  it('writes non-finite numbers as strings, never null', () => {
    const text = toJson({ a: NaN, b: Infinity, c: -Infinity, d: [1.5, NaN], e: new Float32Array([0.5]) }, 0);
    expect(text).toBe('{"a":"NaN","b":"Infinity","c":"-Infinity","d":[1.5,"NaN"],"e":[0.5]}');
    const back = JSON.parse(text) as Record<string, unknown>;
    expect(fromJsonNumber(back.a)).toBeNaN();
    expect(fromJsonNumber(back.b)).toBe(Infinity);
    expect(fromJsonNumber(back.c)).toBe(-Infinity);
  });
});
