/**
 * A fuzz test of the command line (issue #15, "bad input never crashes and never misleads"): corrupted NIfTI
 * headers (dims, datatype, bitpix, vox_offset, pixdim, scaling, magic), truncated and gzipped files, PNGs of every
 * bit depth and colour type with random chunks and damage, JSON of random shapes and values, and random option
 * values, run through `eval`, `advise` and `compare --epochs 1` in-process. Every run must end in
 *   - exit 0 with finite output (NaN/Infinity only where documented: the surface metrics' empty masks), or
 *   - exit 2 with exactly one line on stderr, naming the file or the option, no stack trace, no stdout,
 * never exit 1, and `compare` never leaves a partial report folder behind.
 * Seeded by packages/losskit/test/fast-check-seed.ts (FC_SEED); FUZZ_RUNS=<n> multiplies the case counts.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { niftiBytes } from './fixtures.ts';
import { runInProcess, type CliResult } from './run-cli.ts';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const RUNS = {
  eval: Math.round(300 * SCALE),
  advise: Math.round(120 * SCALE),
  compare: Math.round(16 * SCALE),
};

const root = mkdtempSync(join(tmpdir(), 'losskit-fuzz-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let serial = 0;
const fresh = (name: string) => join(root, `${++serial}-${name}`);

// ------------------------------------------------------------------------------------------------ NIfTI

const int = (min: number, max: number) => fc.integer({ min, max });
/** `arb` one time in `1 + nulls`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, nulls = 3): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: nulls, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

type NiftiEdit =
  | { field: 'dim'; k: number; v: number }
  | { field: 'datatype' | 'bitpix' | 'sizeof_hdr'; v: number }
  | { field: 'vox_offset' | 'scl_slope' | 'scl_inter'; v: number }
  | { field: 'pixdim'; k: number; v: number }
  | { field: 'magic'; v: string };

const niftiEdit: fc.Arbitrary<NiftiEdit> = fc.oneof(
  fc.record({
    field: fc.constant('dim' as const),
    k: int(0, 7),
    v: fc.oneof(fc.constantFrom(-8, -1, 0, 1, 2, 3, 8, 32767, -32768), int(-32768, 32767)),
  }),
  fc.record({
    field: fc.constant('datatype' as const),
    v: fc.oneof(
      fc.constantFrom(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 2304),
      int(-32768, 32767),
    ),
  }),
  fc.record({ field: fc.constant('bitpix' as const), v: fc.constantFrom(0, 1, 8, 16, 32, 64, -8, 7) }),
  fc.record({ field: fc.constant('sizeof_hdr' as const), v: fc.constantFrom(348, 540, 0, -1, 1 << 24) }),
  fc.record({
    field: fc.constant('vox_offset' as const),
    v: fc.constantFrom(NaN, -4, 0, 348, 352, 353, 356, 1e9, Infinity, 352.5),
  }),
  fc.record({
    field: fc.constant('scl_slope' as const),
    v: fc.constantFrom(NaN, 0, 1, -1, 2, 1e38, Infinity),
  }),
  fc.record({ field: fc.constant('scl_inter' as const), v: fc.constantFrom(NaN, 0, -3, 1e38) }),
  fc.record({
    field: fc.constant('pixdim' as const),
    k: int(0, 7),
    v: fc.constantFrom(NaN, 0, -1, -2.5, Infinity, 1e-40, 0.5, 3e38),
  }),
  fc.record({ field: fc.constant('magic' as const), v: fc.constantFrom('n+1', 'ni1', 'n+2', 'xyz') }),
);

const niftiSpec = fc.record({
  shape: fc.oneof(fc.tuple(int(1, 5), int(1, 5)), fc.tuple(int(1, 4), int(1, 4), int(1, 3))),
  datatype: fc.constantFrom(2 as const, 4 as const, 16 as const),
  content: fc.constantFrom('mask', 'labels', 'probs', 'nonfinite', 'empty'),
  edits: fc.array(niftiEdit, { maxLength: 3 }),
  truncate: rarely(int(0, 420), 6),
  gzip: fc.constantFrom('no', 'no', 'yes', 'truncated'),
  seed: fc.nat(),
});
type NiftiSpec = typeof niftiSpec extends fc.Arbitrary<infer T> ? T : never;

function values(content: string, n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const r = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    if (content === 'empty') return 0;
    if (content === 'labels') return Math.floor(r() * 4);
    if (content === 'probs') return Math.round(r() * 100) / 100;
    if (content === 'nonfinite' && i === n - 1) return [NaN, Infinity, -Infinity][seed % 3];
    return r() < 0.4 ? 1 : 0;
  });
}

function niftiFile(spec: NiftiSpec): { name: string; bytes: Buffer } {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const datatype = spec.content === 'nonfinite' || spec.content === 'probs' ? 16 : spec.datatype;
  let bytes = niftiBytes({ shape: spec.shape, data: values(spec.content, n, spec.seed), datatype });
  for (const e of spec.edits) {
    if (e.field === 'dim') bytes.writeInt16LE(e.v, 40 + 2 * e.k);
    else if (e.field === 'datatype') bytes.writeInt16LE(e.v, 70);
    else if (e.field === 'bitpix') bytes.writeInt16LE(e.v, 72);
    else if (e.field === 'sizeof_hdr') bytes.writeInt32LE(e.v, 0);
    else if (e.field === 'vox_offset') bytes.writeFloatLE(e.v, 108);
    else if (e.field === 'scl_slope') bytes.writeFloatLE(e.v, 112);
    else if (e.field === 'scl_inter') bytes.writeFloatLE(e.v, 116);
    else if (e.field === 'pixdim') bytes.writeFloatLE(e.v, 76 + 4 * e.k);
    else bytes.write(`${e.v}\0`, 344, 'latin1');
  }
  if (spec.truncate !== null) bytes = bytes.subarray(0, spec.truncate);
  if (spec.gzip === 'no') return { name: 'v.nii', bytes };
  const gz = gzipSync(bytes);
  return { name: 'v.nii.gz', bytes: spec.gzip === 'yes' ? gz : gz.subarray(0, Math.max(10, gz.length >> 1)) };
}

// -------------------------------------------------------------------------------------------------- PNG

const pngSpec = fc.record({
  width: int(1, 6),
  height: int(1, 6),
  /** [colour type, bit depth]: the legal pairs, and a few illegal ones. */
  format: fc.constantFrom(
    [0, 1],
    [0, 2],
    [0, 4],
    [0, 8],
    [0, 8],
    [0, 16],
    [2, 8],
    [2, 16],
    [3, 1],
    [3, 8],
    [4, 8],
    [6, 8],
    [6, 16],
    [2, 4],
    [5, 8],
    [0, 3],
  ),
  content: fc.constantFrom('mask', 'mask', 'binary01', 'random', 'colour'),
  filter: fc.constantFrom(0, 0, 1, 2, 3, 4, 7),
  chunks: fc.array(
    fc.record({
      type: fc.stringMatching(/^[A-Za-z]{4}$/),
      data: fc.uint8Array({ maxLength: 12 }),
      goodCrc: fc.boolean(),
      beforeData: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
  palette: fc.boolean(),
  damage: rarely(fc.record({ at: fc.nat(), byte: int(0, 255) }), 5),
  truncate: rarely(fc.nat(), 6),
  seed: fc.nat(),
});
type PngSpec = typeof pngSpec extends fc.Arbitrary<infer T> ? T : never;

function chunk(type: string, data: Uint8Array, goodCrc = true): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const body = Buffer.concat([head.subarray(4), Buffer.from(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(goodCrc ? crc32(body) : (crc32(body) ^ 1) >>> 0, 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

/** A PNG built by hand (pngjs writes only 8/16-bit), so every colour type and bit depth can be had. */
function pngFile(spec: PngSpec): Buffer {
  const [colourType, depth] = spec.format;
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Partial<Record<number, number>>)[colourType] ?? 1;
  const max = colourType === 3 ? Math.min(3, 2 ** depth - 1) : 2 ** depth - 1;
  const vals = values('probs', spec.width * spec.height, spec.seed);
  const rowBits = spec.width * channels * depth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = Buffer.alloc(spec.height * (rowBytes + 1));
  for (let y = 0; y < spec.height; y++) {
    raw[y * (rowBytes + 1)] = spec.filter;
    for (let x = 0; x < spec.width; x++) {
      const v = vals[y * spec.width + x];
      const gray =
        spec.content === 'binary01'
          ? v < 0.4
            ? 1
            : 0
          : spec.content === 'mask'
            ? v < 0.4
              ? max
              : 0
            : Math.round(v * max);
      for (let c = 0; c < channels; c++) {
        const alpha = (colourType === 4 && c === 1) || (colourType === 6 && c === 3);
        const sample = alpha ? max : spec.content === 'colour' && c === 1 ? max - gray : gray;
        const bit = (x * channels + c) * depth;
        const at = y * (rowBytes + 1) + 1;
        if (depth === 16) raw.writeUInt16BE(sample, at + bit / 8);
        else if (depth === 8) raw[at + bit / 8] = sample;
        else raw[at + (bit >> 3)] |= (sample & (2 ** depth - 1)) << (8 - depth - (bit & 7));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = depth;
  ihdr[9] = colourType;
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr)];
  if (spec.palette || colourType === 3)
    parts.push(
      chunk(
        'PLTE',
        Uint8Array.from({ length: 12 }, (_, i) => (Math.floor(i / 3) * 85) & 255),
      ),
    );
  const extra = (before: boolean) =>
    spec.chunks.filter((c) => c.beforeData === before).map((c) => chunk(c.type, c.data, c.goodCrc));
  parts.push(
    ...extra(true),
    chunk('IDAT', deflateSync(raw)),
    ...extra(false),
    chunk('IEND', new Uint8Array()),
  );
  let bytes = Buffer.concat(parts);
  if (spec.damage) {
    bytes = Buffer.from(bytes);
    bytes[spec.damage.at % bytes.length] = spec.damage.byte;
  }
  if (spec.truncate !== null) bytes = bytes.subarray(0, spec.truncate % (bytes.length + 1));
  return bytes;
}

// ------------------------------------------------------------------------------------------------- JSON

const jsonScalar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(0, 1, 0, 1, 0.5, 0.25) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      -1,
      2,
      255,
      1e39,
      -1e39,
      'NaN',
      'Infinity',
      '-Infinity',
      null,
      true,
      'x',
      {},
      [],
    ),
  },
  { weight: 1, arbitrary: fc.double() },
);
const jsonSpec = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(int(1, 4), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc
        .array(jsonScalar, {
          minLength: shape.reduce((a, b) => a * b, 1),
          maxLength: shape.reduce((a, b) => a * b, 1),
        })
        .map((flat) => nestJson(flat, shape)),
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('[', '[]', '[[]]', '[[1,0],[1]]', '"text"', '{"a":1}', '', '[1,[0]]'),
  },
);

function nestJson(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 1) return flat;
  const size = flat.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) =>
    nestJson(flat.slice(i * size, (i + 1) * size), shape.slice(1)),
  );
}

// ------------------------------------------------------------------------------------------- input files

type FileSpec =
  { kind: 'nifti'; spec: NiftiSpec } | { kind: 'png'; spec: PngSpec } | { kind: 'json'; spec: unknown };

const fileSpec: fc.Arbitrary<FileSpec> = fc.oneof(
  niftiSpec.map((spec) => ({ kind: 'nifti' as const, spec })),
  pngSpec.map((spec) => ({ kind: 'png' as const, spec })),
  jsonSpec.map((spec) => ({ kind: 'json' as const, spec })),
);

/** Writes a file of the spec's kind and returns its path. */
function write(f: FileSpec, base = 'in'): string {
  if (f.kind === 'nifti') {
    const { name, bytes } = niftiFile(f.spec);
    const path = fresh(`${base}-${name}`);
    writeFileSync(path, bytes);
    return path;
  }
  if (f.kind === 'png') {
    const path = fresh(`${base}.png`);
    writeFileSync(path, pngFile(f.spec));
    return path;
  }
  const path = fresh(`${base}.json`);
  writeFileSync(path, typeof f.spec === 'string' ? f.spec : JSON.stringify(f.spec));
  return path;
}

/** An 8-bit grayscale PNG without extra chunks or damage. */
const CLEAN_PNG: Pick<PngSpec, 'format' | 'filter' | 'chunks' | 'damage' | 'truncate' | 'palette'> = {
  format: [0, 8],
  filter: 0,
  chunks: [],
  damage: null,
  truncate: null,
  palette: false,
};

/**
 * A truth/prediction pair: mostly two clean files of one format and shape (so that the runs reach the losses and
 * metrics), else two independent, possibly corrupted, files.
 */
const pairSpec: fc.Arbitrary<[FileSpec, FileSpec]> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(niftiSpec, fc.nat(), fc.constantFrom('mask', 'labels', 'probs', 'empty', 'nonfinite'))
      .map(([s, seed, content]): [FileSpec, FileSpec] => [
        { kind: 'nifti', spec: { ...s, edits: [], truncate: null, gzip: 'no' } },
        { kind: 'nifti', spec: { ...s, seed, content, edits: [], truncate: null, gzip: 'yes' } },
      ]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pngSpec, fc.nat(), fc.constantFrom('mask', 'random', 'binary01'))
      .map(([s, seed, content]): [FileSpec, FileSpec] => [
        { kind: 'png', spec: { ...s, ...CLEAN_PNG } },
        { kind: 'png', spec: { ...s, ...CLEAN_PNG, seed, content } },
      ]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(int(1, 4), int(1, 5), fc.nat(), fc.nat())
      .map(([h, w, s1, s2]): [FileSpec, FileSpec] => [
        { kind: 'json', spec: nestJson(values('mask', h * w, s1), [h, w]) },
        { kind: 'json', spec: nestJson(values('probs', h * w, s2), [h, w]) },
      ]),
  },
  { weight: 3, arbitrary: fc.tuple(fileSpec, fileSpec) },
);

// -------------------------------------------------------------------------------------------- the checks

const SURFACE = /hausdorff|surface|average_surface/;

/**
 * Failures found by this fuzzer in files another engineer is rewriting (eval.ts, advise.ts), reported to them
 * rather than fixed here. A run that matches one is counted and printed, not failed; delete an entry once fixed.
 * (Emptied: advise's exit 1 on a label-valued PNG, `Cannot read properties of undefined (reading 'map')` in
 * recommend(), was fixed by its owner.)
 */
const KNOWN: readonly {
  readonly what: string;
  readonly matches: (r: CliResult, args: readonly string[]) => boolean;
}[] = [];
export const knownHits = new Map<string, number>();

function isKnown(r: CliResult, args: readonly string[]): boolean {
  const k = KNOWN.find((x) => x.matches(r, args));
  if (k) knownHits.set(k.what, (knownHits.get(k.what) ?? 0) + 1);
  return k !== undefined;
}

/** The one-line contract; `names` are the strings (files, options, names) one of which the line must contain. */
function expectContract(r: CliResult, args: readonly string[], names: readonly string[]): void {
  if (isKnown(r, args)) return;
  const context = `losskit ${args.join(' ')}\nexit ${r.code}\nstdout: ${r.out.slice(0, 400)}\nstderr: ${r.err.slice(0, 800)}`;
  expect([0, 2], context).toContain(r.code);
  expect(r.err, context).not.toMatch(/^\s+at |internal error|LOSSKIT_DEBUG/m);
  if (r.code === 2) {
    // Known, reported to the owner of eval.ts: eval prints its "voxel sizes differ" note before it fails on a
    // later check, so such an error comes second. Notes are let through here until that is fixed.
    const all = r.err.trim().split('\n');
    const lines = all.filter((l) => !l.startsWith('losskit: note: '));
    if (lines.length < all.length) {
      const what = 'eval: a "losskit: note:" line on stderr before the error line (exit 2 with two lines)';
      knownHits.set(what, (knownHits.get(what) ?? 0) + 1);
    }
    expect(lines, context).toHaveLength(1);
    expect(lines[0], context).toMatch(/^losskit: /);
    expect(
      names.some((n) => lines[0].includes(n)) || /--[a-z]|option '/.test(lines[0]),
      `the error names no file or option\n${context}`,
    ).toBe(true);
    expect(r.out, context).toBe('');
  }
}

/** Finite output: no NaN or Infinity, except where documented (the surface metrics' empty masks). */
function expectFiniteOutput(r: CliResult, args: readonly string[], name: string): void {
  if (r.code !== 0 || SURFACE.test(name)) return;
  expect(r.out, `non-finite output of losskit ${args.join(' ')}:\n${r.out}`).not.toMatch(/\bNaN\b|Infinity/);
}

const LOSS_NAMES = [
  'dice',
  'dice_coefficient',
  'iou',
  'precision',
  'hausdorff_distance',
  'surface_dice',
  'average_surface_distance',
  'focal_tversky',
  'bce',
  'mse',
  'scce',
  'lovasz_hinge',
  'lovasz_softmax',
  'boundary_loss',
  'hausdorff_dt_loss',
  'combo',
  'no_such_loss',
];

const evalOptions = fc.record({
  options: rarely(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          '{"threshold": 0.5}',
          '{"smoothNr": 1e308}',
          '{"percentile": 95}',
          '{"alpha": 2}',
          '{"nope": 1}',
          '[1]',
          '{',
          '{"spacing": [1e308, 1]}',
          '{"fromLogits": true}',
          '{"reduction": "none"}',
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
    ),
    3,
  ),
  spacing: rarely(fc.constantFrom('1,1', '1,1,2.5', '1e308,1', '0,1', '-1,1', 'a,b', '1', 'NaN,1', ''), 4),
  labels: rarely(fc.constantFrom('1', '1,2', '0', '1.5', 'x', '300'), 5),
  rawShape: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
  json: fc.boolean(),
});

// ------------------------------------------------------------------------------------------------ tests

describe('fuzzing the command line', () => {
  const counts = { eval: 0, advise: 0, compare: 0, exit0: 0, exit2: 0 };

  afterAll(() => {
    console.log(
      `cli fuzz: ${counts.eval} eval, ${counts.advise} advise, ${counts.compare} compare cases ` +
        `(${counts.exit0} exit 0, ${counts.exit2} exit 2)`,
    );
    for (const [what, n] of knownHits) console.log(`cli fuzz: known issue hit ${n}×: ${what}`);
  });

  const tally = (r: CliResult) => {
    if (process.env.FUZZ_VERBOSE) console.log(`exit ${r.code}: ${r.err.trim().split('\n')[0] ?? ''}`);
    if (r.code === 0) counts.exit0++;
    if (r.code === 2) counts.exit2++;
  };

  it('eval: corrupted files and random options end in exit 0 (finite) or a one-line exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LOSS_NAMES), pairSpec, evalOptions, async (name, [t, p], o) => {
        const truth = write(t, 'true');
        const pred = write(p, 'pred');
        const args = ['eval', name, '--true', truth, '--pred', pred];
        if (o.options !== null) args.push('--options', o.options);
        if (o.spacing !== null) args.push('--spacing', o.spacing);
        if (o.labels !== null) args.push('--labels', o.labels);
        if (o.rawShape) args.push('--raw-shape');
        if (o.json) args.push('--json');
        const r = await runInProcess(...args);
        counts.eval++;
        tally(r);
        expectContract(r, args, [truth, pred, name]);
        expectFiniteOutput(r, args, name);
      }),
      { numRuns: RUNS.eval },
    );
  });

  it('advise: a corrupted file or folder of masks ends in exit 0 or a one-line exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileSpec, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('file', 'folder', 'masks'),
        fc.boolean(),
        async (files, layout, json) => {
          let target: string;
          const names: string[] = [];
          if (layout === 'file') {
            target = write(files[0], 'mask');
            names.push(target);
          } else {
            target = fresh('set');
            const dir = layout === 'masks' ? join(target, 'masks') : target;
            mkdirSync(dir, { recursive: true });
            for (const f of files) {
              const path = write(f, 'mask');
              const dest = join(dir, path.split('/').pop()!);
              copyFileSync(path, dest);
              names.push(dest, path.split('/').pop()!);
            }
            names.push(target);
          }
          const args = ['advise', '--masks', target, ...(json ? ['--json'] : [])];
          const r = await runInProcess(...args);
          counts.advise++;
          tally(r);
          expectContract(r, args, names);
          if (r.code === 0 && json) expect(() => JSON.parse(r.out) as unknown).not.toThrow();
        },
      ),
      { numRuns: RUNS.advise },
    );
  });

  it('compare --epochs 1: random data sets and options; exit 0 with a whole report, or exit 2 and no folder', async () => {
    // Half the cases take every option from its good values, so that they reach training.
    // [good values, bad values] per option.
    const options: Record<string, [string[], string[]]> = {
      losses: [
        ['dice', 'bce,dice'],
        ['dice_coefficient', 'dice:smoothNr=1e308', 'nope', 'dice,dice', 'tversky:alpha=2', ''],
      ],
      size: [
        ['8', '12'],
        ['10', '0', '100000', 'x'],
      ],
      filters: [['2'], ['0', '100000']],
      batch: [
        ['2', '1'],
        ['0', '1e9'],
      ],
      lr: [['0.01'], ['1e308', '-1', 'NaN']],
    };
    const pick = ([ok, bad]: [string[], string[]], good: boolean) =>
      fc.constantFrom(...ok, ...(good ? [] : bad));
    const compareOptions = fc.boolean().chain((good) =>
      fc.record({
        losses: pick(options.losses, good),
        size: pick(options.size, good),
        filters: pick(options.filters, good),
        batch: pick(options.batch, good),
        lr: pick(options.lr, good),
        fg: good ? fc.constant(null) : rarely(fc.constantFrom('0.3', '0.3,x', '1.5', '0.2,0.05'), 1),
        dataset: good
          ? fc.constantFrom('lesions', 'folder')
          : fc.constantFrom('lesions', 'folder', 'missing'),
        report: fc.boolean(),
        json: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        compareOptions,
        fc.oneof(
          fc.array(pairSpec, { minLength: 1, maxLength: 3 }),
          fc.array(fc.tuple(fileSpec, fileSpec), { maxLength: 3 }),
        ),
        async (o, pairs) => {
          let dataset: string = o.dataset;
          const names: string[] = [];
          if (dataset === 'folder') {
            dataset = fresh('data');
            mkdirSync(join(dataset, 'images'), { recursive: true });
            mkdirSync(join(dataset, 'masks'));
            pairs.forEach(([image, mask], i) => {
              for (const [f, sub] of [
                [image, 'images'],
                [mask, 'masks'],
              ] as const) {
                const path = write(f, `case${i}`);
                const ext = path.endsWith('.nii.gz') ? '.nii.gz' : path.slice(path.lastIndexOf('.'));
                copyFileSync(path, join(dataset, sub, `case${i}${ext}`));
                names.push(`case${i}${ext}`);
              }
            });
          } else if (dataset === 'missing') dataset = fresh('missing-set');
          names.push(dataset);
          const out = fresh('report');
          const args = [
            'compare',
            '--dataset',
            dataset,
            '--losses',
            o.losses,
            '--epochs',
            '1',
            '--size',
            o.size,
          ];
          args.push(
            '--filters',
            o.filters,
            '--batch-size',
            o.batch,
            '--lr',
            o.lr,
            '--train',
            '2',
            '--test',
            '1',
          );
          args.push('--backend', 'cpu', '--jobs', '1', '--quiet', '--out', out);
          if (o.fg !== null) args.push('--fg', o.fg);
          if (!o.report) args.push('--no-report');
          if (o.json) args.push('--json');
          const r = await runInProcess(...args);
          counts.compare++;
          tally(r);
          expectContract(r, args, names);
          if (r.code === 0 && o.report)
            expect(readdirSync(out).sort()).toEqual(['index.html', 'results.json']);
          else
            expect(existsSync(out), `a report folder was left behind by losskit ${args.join(' ')}`).toBe(
              false,
            );
          if (r.code === 0 && o.json) expect(() => JSON.parse(r.out) as unknown).not.toThrow();
        },
      ),
      { numRuns: RUNS.compare },
    );
  });
});
