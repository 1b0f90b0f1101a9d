/**
 * Reading the files the CLI accepts: JSON nested arrays, PNG (8/16-bit grayscale) and NIfTI-1/2 (`.nii`,
 * `.nii.gz`) volumes; and writing PNG (fixtures, report images). Every failure is a `UsageError` whose
 * message starts with the file's path and names the problem.
 *
 * Array-axis order: PNG gives `[rows, columns]`; NIfTI gives `[i, j, k]` (the first array axis is NIfTI's
 * i/x, as in nibabel's `get_fdata()`), row-major in memory, and its spacing is `pixdim[1..n]` in that order.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as nifti from 'nifti-reader-js';
import { PNG } from 'pngjs';
import { UsageError, firstLine } from './errors.ts';

export type FileFormat = 'json' | 'png' | 'nifti';

/** The typed arrays of NIfTI's integer datatypes up to 32 bits. */
export type IntegerArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** One file's values, row-major, in array-axis order. */
export interface Volume {
  readonly path: string;
  readonly format: FileFormat;
  /** PNG `[rows, cols]`; NIfTI `[i, j, k]` (trailing axes of size 1 beyond the third dropped); JSON as nested. */
  readonly shape: readonly number[];
  /** The stored values: PNG integers as stored (not rescaled), NIfTI after `scl_slope`/`scl_inter`, JSON as is. */
  readonly data: Float32Array;
  /**
   * The same values in their stored integer type, for a NIfTI file of an integer datatype (8, 16 or 32 bits)
   * without scaling; `undefined` otherwise. Label maps are read from here: `data` is then built only when read.
   */
  readonly integers?: IntegerArray;
  /**
   * With `integers`: the same values in the file's own order (i fastest), which is row-major for the reversed shape
   * `[k, j, i]`. Statistics that do not depend on the voxel order (per-label counts and surface distances) read
   * them here and skip the transpose into `integers`, which is then built only when read.
   */
  readonly stored?: IntegerArray;
  /** NIfTI `pixdim[1..n]` (array-axis order); `undefined` for PNG and JSON. */
  readonly spacing: readonly number[] | undefined;
  /** PNG: the largest storable value, 2^bitDepth − 1 (255 or 65535); `undefined` otherwise. */
  readonly maxValue: number | undefined;
}

/** The format a path names, from its extension. */
export function formatOf(path: string): FileFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.png')) return 'png';
  if (p.endsWith('.nii') || p.endsWith('.nii.gz')) return 'nifti';
  return undefined;
}

/** The file's name without its (possibly double) extension: `a/b/case1.nii.gz` → `case1`. */
export function stem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.(nii\.gz|nii|png|json)$/i, '');
}

function readBytes(path: string): Buffer {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory, expected a file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${firstLine(e)})`);
  }
}

/**
 * Reads a JSON, PNG or NIfTI file; the format comes from the extension. Every value must be finite: a NaN or
 * ±Infinity (a JSON `"NaN"` string, a float NIfTI voxel, an overflowing `scl_slope`) is a `UsageError` naming the
 * first such element, since a loss or metric would otherwise print NaN or a meaningless finite number.
 */
export function readVolume(path: string): Volume {
  const format = formatOf(path);
  if (!format) throw new UsageError(`${path}: unknown file type; expected .json, .png, .nii or .nii.gz`);
  const bytes = readBytes(path);
  const volume =
    format === 'json'
      ? readJson(path, bytes)
      : format === 'png'
        ? readPng(path, bytes)
        : readNifti(path, bytes);
  checkFinite(volume);
  return volume;
}

/** The array index `[a,b,…]` of flat row-major index `flat` in `shape`. */
function indexText(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift(rest % shape[a]);
    rest = Math.floor(rest / shape[a]);
  }
  return `[${idx.join(',')}]`;
}

function checkFinite(v: Volume): void {
  // Integers are finite; reading `data` would build the float copy that label maps never need.
  if (v.stored ?? v.integers) return;
  const i = v.data.findIndex((x) => !Number.isFinite(x));
  if (i < 0) return;
  const what = v.format === 'json' ? 'element' : v.format === 'png' ? 'pixel' : 'voxel';
  const scaled = v.format === 'nifti' ? ' (after scl_slope/scl_inter)' : '';
  throw new UsageError(
    `${v.path}: ${what} ${indexText(i, v.shape)} (flat index ${i}) is ${v.data[i]}${scaled}; ` +
      'expected finite values (masks, probabilities or labels)',
  );
}

// ---------------------------------------------------------------------------------------------- JSON

type Nested = number | Nested[];

function readJson(path: string, bytes: Buffer): Volume {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UsageError(`${path}: invalid JSON (${firstLine(e)})`);
  }
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    if (v.length === 0) throw new UsageError(`${path}: empty array; expected nested arrays of numbers`);
    shape.push(v.length);
  }
  if (shape.length === 0)
    throw new UsageError(`${path}: expected nested arrays of numbers, got ${typeof value}`);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  const walk = (v: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      const n = typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || (typeof v === 'string' && !['NaN', 'Infinity', '-Infinity'].includes(v)))
        throw new UsageError(`${path}: element ${where} is ${JSON.stringify(v)}, expected a number`);
      data[k++] = n;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth])
      throw new UsageError(
        `${path}: ragged array at ${where || 'top level'} (expected ${shape[depth]} elements, as the first row)`,
      );
    (v as Nested[]).forEach((x, i) => {
      walk(x, depth + 1, `${where}[${i}]`);
    });
  };
  walk(value, 0, '');
  return { path, format: 'json', shape, data, spacing: undefined, maxValue: undefined };
}

// ----------------------------------------------------------------------------------------------- PNG

function readPng(path: string, bytes: Buffer): Volume {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(bytes, { skipRescale: true });
  } catch (e) {
    throw new UsageError(`${path}: unreadable PNG (${firstLine(e)})`);
  }
  const { width, height } = png;
  const depth = (png as unknown as { depth: number }).depth;
  const palette = (png as unknown as { palette: boolean }).palette;
  // RGBA, 4 samples per pixel; Uint16Array for 16-bit images read with skipRescale.
  const rgba = png.data as unknown as ArrayLike<number>;
  const data = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const r = rgba[4 * i];
    if (r !== rgba[4 * i + 1] || r !== rgba[4 * i + 2]) {
      throw new UsageError(
        `${path}: colour PNG (pixel ${i % width},${Math.floor(i / width)} has R,G,B = ` +
          `${r},${rgba[4 * i + 1]},${rgba[4 * i + 2]}); expected a grayscale mask or probability map`,
      );
    }
    data[i] = r;
  }
  const maxValue = palette ? 255 : 2 ** depth - 1;
  return { path, format: 'png', shape: [height, width], data, spacing: undefined, maxValue };
}

/** Options of {@link encodePng}. */
export interface PngImage {
  readonly width: number;
  readonly height: number;
  /** Gray: `width·height` values; RGB: `3·width·height` values (interleaved). Integers in the bit depth's range. */
  readonly data: ArrayLike<number>;
  readonly channels?: 1 | 3;
  readonly bitDepth?: 8 | 16;
}

/** Encodes a grayscale (8- or 16-bit) or RGB (8-bit) PNG. */
export function encodePng(img: PngImage): Buffer {
  const { width, height } = img;
  const channels = img.channels ?? 1;
  const bitDepth = img.bitDepth ?? 8;
  const n = width * height * channels;
  if (img.data.length !== n) throw new Error(`encodePng: expected ${n} values, got ${img.data.length}`);
  const max = 2 ** bitDepth - 1;
  const clampInt = (v: number) => Math.max(0, Math.min(max, Math.round(v)));
  let raw: Buffer;
  if (bitDepth === 16) {
    const u16 = new Uint16Array(n);
    for (let i = 0; i < n; i++) u16[i] = clampInt(img.data[i]);
    raw = Buffer.from(u16.buffer);
  } else {
    raw = Buffer.alloc(n);
    for (let i = 0; i < n; i++) raw[i] = clampInt(img.data[i]);
  }
  const png = new PNG({
    width,
    height,
    bitDepth,
    colorType: channels === 1 ? 0 : 2,
    inputColorType: channels === 1 ? 0 : 2,
    inputHasAlpha: false,
  });
  png.data = raw;
  return PNG.sync.write(png, {
    bitDepth,
    colorType: channels === 1 ? 0 : 2,
    inputColorType: channels === 1 ? 0 : 2,
    inputHasAlpha: false,
  });
}

// --------------------------------------------------------------------------------------------- NIfTI

/** Bytes per voxel of the NIfTI datatype codes read by {@link niftiArray}. */
const NIFTI_BYTES: Readonly<Partial<Record<number, number>>> = {
  2: 1,
  256: 1,
  4: 2,
  512: 2,
  8: 4,
  768: 4,
  16: 4,
  64: 8,
  1024: 8,
  1280: 8,
};

/** A typed array over `buf` (a copy starting at byte 0, so aligned) in the datatype's own element type. */
function niftiArray(
  code: number,
  buf: ArrayBuffer,
  little: boolean,
): IntegerArray | Float32Array | Float64Array | undefined {
  const view = new DataView(buf);
  // Typed arrays read in the machine's byte order: copy through a DataView only when the file's differs.
  const native = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const typed = <T extends IntegerArray | Float32Array | Float64Array>(
    make: (b: ArrayBuffer) => T,
    get: (o: number) => number,
  ): T => {
    const out = make(buf);
    if (little === native) return out;
    const size = out.BYTES_PER_ELEMENT;
    const swapped = make(new ArrayBuffer(buf.byteLength));
    for (let i = 0; i < swapped.length; i++) swapped[i] = get(i * size);
    return swapped;
  };
  const wide = (get: (o: number) => number): Float64Array => {
    const out = new Float64Array(Math.floor(buf.byteLength / 8));
    for (let i = 0; i < out.length; i++) out[i] = get(i * 8);
    return out;
  };
  switch (code) {
    case 2: // uint8
      return new Uint8Array(buf);
    case 256: // int8
      return new Int8Array(buf);
    case 4: // int16
      return typed(
        (b) => new Int16Array(b),
        (o) => view.getInt16(o, little),
      );
    case 512: // uint16
      return typed(
        (b) => new Uint16Array(b),
        (o) => view.getUint16(o, little),
      );
    case 8: // int32
      return typed(
        (b) => new Int32Array(b),
        (o) => view.getInt32(o, little),
      );
    case 768: // uint32
      return typed(
        (b) => new Uint32Array(b),
        (o) => view.getUint32(o, little),
      );
    case 16: // float32
      return typed(
        (b) => new Float32Array(b),
        (o) => view.getFloat32(o, little),
      );
    case 64: // float64
      return typed(
        (b) => new Float64Array(b),
        (o) => view.getFloat64(o, little),
      );
    case 1024: // int64
      return wide((o) => Number(view.getBigInt64(o, little)));
    case 1280: // uint64
      return wide((o) => Number(view.getBigUint64(o, little)));
    default:
      return undefined;
  }
}

/** `[ni, nj, nk]` in Fortran order (i fastest, as NIfTI stores it) into row-major `[i, j, k]` (k fastest). */
function fortranToRowMajor<T extends ArrayLike<number> & { [i: number]: number }>(
  values: ArrayLike<number>,
  dims: readonly number[],
  out: T,
): T {
  const [ni, nj = 1, nk = 1] = dims;
  const plane = nj * nk;
  for (let k = 0, src = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0, dst = j * nk + k; i < ni; i++, dst += plane) out[dst] = values[src++];
    }
  }
  return out;
}

function readNifti(path: string, bytes: Buffer): Volume {
  // node:zlib rather than the reader's JavaScript inflater: 2–3× faster on an atlas-sized volume.
  let raw: Buffer = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new UsageError(`${path}: unreadable NIfTI (${firstLine(e)})`);
    }
  }
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
  let header: ReturnType<typeof nifti.readHeader>;
  try {
    if (!nifti.isNIFTI(buf)) throw new Error('no NIfTI-1 or NIfTI-2 magic in the header');
    header = nifti.readHeader(buf);
  } catch (e) {
    throw new UsageError(`${path}: unreadable NIfTI (${firstLine(e)})`);
  }
  const ndim = header.dims[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new UsageError(`${path}: unreadable NIfTI (dim[0] = ${ndim})`);
  const badDim = header.dims.slice(1, ndim + 1).findIndex((d) => !(Number.isInteger(d) && d >= 1));
  if (badDim >= 0)
    throw new UsageError(
      `${path}: invalid NIfTI header: dim[${badDim + 1}] = ${header.dims[badDim + 1]}, expected a positive size`,
    );
  let dims = header.dims.slice(1, ndim + 1);
  // A 4-D file with one volume is 3-D; more volumes (time series) are not masks.
  while (dims.length > 3 && dims[dims.length - 1] === 1) dims = dims.slice(0, -1);
  if (dims.length > 3)
    throw new UsageError(
      `${path}: ${dims.length}-D NIfTI [${dims.join(',')}]; expected one 2-D or 3-D volume`,
    );
  const count = dims.reduce((a, b) => a * b, 1);
  const bytesPer = NIFTI_BYTES[header.datatypeCode];
  if (bytesPer === undefined)
    throw new UsageError(
      `${path}: unsupported NIfTI datatype ${header.datatypeCode} (${header.getDatatypeCodeString(header.datatypeCode)})`,
    );
  // The image starts at vox_offset; its size comes from the datatype (not the header's bitpix, which may disagree).
  const offset = header.vox_offset;
  if (!(Number.isInteger(offset) && offset >= 0 && offset <= buf.byteLength))
    throw new UsageError(
      `${path}: invalid NIfTI header: vox_offset = ${offset}, expected an integer byte offset in [0, ${buf.byteLength}]`,
    );
  const available = Math.floor((buf.byteLength - offset) / bytesPer);
  if (available < count)
    throw new UsageError(
      `${path}: truncated NIfTI (${available} of ${count} voxels of shape [${dims.join(',')}] after vox_offset ${offset})`,
    );
  const values = niftiArray(
    header.datatypeCode,
    buf.slice(offset, offset + count * bytesPer),
    header.littleEndian,
  );
  if (!values) throw new UsageError(`${path}: unsupported NIfTI datatype ${header.datatypeCode}`);
  const slope = header.scl_slope;
  const inter = header.scl_inter;
  const scale = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0);
  // The file stores i fastest (Fortran order); losskit's arrays are row-major with the first axis = i,
  // so the data is transposed: out[((i·nj)+j)·nk + k] = file[i + ni·(j + nj·k)].
  let stored: IntegerArray | undefined;
  let floats: Float32Array | undefined;
  if (!scale && !(values instanceof Float32Array || values instanceof Float64Array)) {
    // Label maps stay in their integer type: a quarter of the memory for uint8 atlases, and no float copy.
    stored = values;
  } else {
    const offsetValue = Number.isFinite(inter) ? inter : 0;
    const scaled = scale ? Float64Array.from(values, (v) => v * slope + offsetValue) : values;
    floats = fortranToRowMajor(scaled, dims, new Float32Array(count));
  }
  const spacing = dims.map((_, a) => {
    const s = Math.abs(header.pixDims[a + 1]);
    return Number.isFinite(s) && s > 0 ? s : 1;
  });
  const common = { path, format: 'nifti' as const, shape: dims, spacing, maxValue: undefined };
  if (floats) return { ...common, data: floats };
  const fileOrder = stored!;
  let integers: IntegerArray | undefined;
  let data: Float32Array | undefined;
  const rowMajor = (): IntegerArray => {
    const Ctor = fileOrder.constructor as new (n: number) => IntegerArray;
    integers ??= fortranToRowMajor(fileOrder, dims, new Ctor(count));
    return integers;
  };
  return {
    ...common,
    stored: fileOrder,
    get integers() {
      return rowMajor();
    },
    get data() {
      data ??= Float32Array.from(rowMajor());
      return data;
    },
  };
}
