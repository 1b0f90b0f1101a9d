/**
 * The user's own masks, read in the browser (nothing is uploaded): PNG (8-bit through the browser's decoder,
 * 16-bit gray by a small decoder here, since canvases hold 8 bits), NIfTI-1/-2 (`.nii`, `.nii.gz`, gunzipped with
 * `DecompressionStream`) and JSON nested arrays. Every reader returns a row-major volume of rank 2 or 3; a NIfTI
 * volume's axes are (i, j, k), as the CLI reads it, so that slice k of a 3-D file is the `[ni, nj]` image.
 */

export interface Volume {
  /** `[rows, cols]` or `[rows, cols, slices]`. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly name: string;
  readonly format: 'png' | 'nifti' | 'json';
}

/** What the user did wrong, in words meant for them. */
export class MaskFileError extends Error {}

/** The largest side the playground accepts: a 512 × 512 pair still evaluates every loss in a few seconds. */
export const MAX_SIDE = 512;

const fail = (name: string, why: string): never => {
  throw new MaskFileError(`${name}: ${why}`);
};

export async function readMaskFile(file: File): Promise<Volume> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const name = file.name;
  const lower = name.toLowerCase();
  const png = bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
  let vol: Volume;
  if (png || lower.endsWith('.png')) vol = await readPng(name, bytes);
  else if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) vol = await readNifti(name, bytes);
  else if (lower.endsWith('.json')) vol = readJson(name, bytes);
  else return fail(name, 'not a mask file: use .png, .nii, .nii.gz or .json');
  const [rows, cols] = vol.shape;
  if (rows > MAX_SIDE || cols > MAX_SIDE)
    fail(
      name,
      `${rows} × ${cols} is too large: the playground takes masks up to ${MAX_SIDE} × ${MAX_SIDE} (crop it first)`,
    );
  return vol;
}

/** 0/1 masks stay as they are; any other value v becomes v / (2^bits − 1), so 0/255 masks become 0/1. */
function fromGray(values: ArrayLike<number>, bits: number): Float32Array {
  const binary = Array.prototype.every.call(values, (v: number) => v === 0 || v === 1);
  const scale = binary ? 1 : 2 ** bits - 1;
  return Float32Array.from(values, (v) => v / scale);
}

async function inflate(data: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function readPng(name: string, bytes: Uint8Array): Promise<Volume> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || view.getUint32(12) !== 0x49484452) fail(name, 'not a PNG file');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bits = bytes[24];
  const colour = bytes[25];
  if (width > MAX_SIDE || height > MAX_SIDE)
    return { shape: [height, width], data: new Float32Array(), name, format: 'png' };
  if (bits === 16 && (colour === 0 || colour === 4)) {
    if (bytes[28] !== 0) fail(name, 'interlaced 16-bit PNG: save it without interlacing');
    return {
      shape: [height, width],
      data: await gray16(bytes, width, height, colour === 4 ? 4 : 2),
      name,
      format: 'png',
    };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    return fail(name, 'the browser could not decode this PNG');
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    if (r !== g || g !== b)
      fail(
        name,
        `a colour image (pixel ${i % width}, ${Math.floor(i / width)} is rgb(${r}, ${g}, ${b})): save the mask as grayscale`,
      );
    gray[i] = r;
  }
  return { shape: [height, width], data: fromGray(gray, 8), name, format: 'png' };
}

/** A non-interlaced 16-bit gray (or gray + alpha) PNG: inflate the IDAT stream and undo the row filters. */
async function gray16(bytes: Uint8Array, width: number, height: number, bpp: number): Promise<Float32Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = view.getUint32(o);
    if (view.getUint32(o + 4) === 0x49444154) parts.push(bytes.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const idat = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (idat.set(p, at), at + p.length), 0);
  const raw = await inflate(idat, 'deflate');
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = up[x];
      const c = x >= bpp ? up[x - bpp] : 0;
      const p = a + b - c;
      const pred =
        [
          0,
          a,
          b,
          (a + b) >> 1,
          Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
            ? a
            : Math.abs(p - b) <= Math.abs(p - c)
              ? b
              : c,
        ][filter] ?? 0;
      row[x] = (src[x] + pred) & 0xff;
    }
  }
  const values = new Uint16Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = (out[i * bpp] << 8) | out[i * bpp + 1];
  return fromGray(values, 16);
}

/** NIfTI datatype code → bytes per voxel and reader. */
const NIFTI_TYPES: Record<number, [number, (v: DataView, o: number, le: boolean) => number]> = {
  2: [1, (v, o) => v.getUint8(o)],
  256: [1, (v, o) => v.getInt8(o)],
  4: [2, (v, o, le) => v.getInt16(o, le)],
  512: [2, (v, o, le) => v.getUint16(o, le)],
  8: [4, (v, o, le) => v.getInt32(o, le)],
  768: [4, (v, o, le) => v.getUint32(o, le)],
  16: [4, (v, o, le) => v.getFloat32(o, le)],
  64: [8, (v, o, le) => v.getFloat64(o, le)],
};

async function readNifti(name: string, input: Uint8Array): Promise<Volume> {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await inflate(bytes, 'gzip');
    } catch {
      fail(name, 'a broken gzip stream');
    }
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 348) fail(name, 'too short for a NIfTI header');
  const size = (le: boolean) => v.getInt32(0, le);
  const le = size(true) === 348 || size(true) === 540;
  const two = size(le) === 540;
  if (size(le) !== 348 && !two) fail(name, 'not a NIfTI file (sizeof_hdr is neither 348 nor 540)');
  const magic = String.fromCharCode(...bytes.subarray(two ? 4 : 344, two ? 7 : 347));
  if (magic === 'ni1' || magic === 'ni2')
    fail(name, 'a two-file NIfTI (.hdr + .img): save it as a single .nii');
  if (magic !== 'n+1' && magic !== 'n+2') fail(name, `no NIfTI magic (found "${magic}")`);
  const dim = (a: number) => (two ? Number(v.getBigInt64(16 + 8 * a, le)) : v.getInt16(40 + 2 * a, le));
  const datatype = v.getInt16(two ? 12 : 70, le);
  const offset = two ? Number(v.getBigInt64(168, le)) : v.getFloat32(108, le);
  const slope = two ? v.getFloat64(176, le) : v.getFloat32(112, le);
  const inter = two ? v.getFloat64(184, le) : v.getFloat32(116, le);
  const rank = dim(0);
  if (!(rank >= 2 && rank <= 7)) fail(name, `dim[0] = ${rank}: expected a 2-D or 3-D image`);
  let dims = Array.from({ length: rank }, (_, a) => dim(a + 1));
  while (dims.length > 2 && dims[dims.length - 1] === 1) dims = dims.slice(0, -1);
  if (dims.length > 3) fail(name, `${dims.length}-D image [${dims.join(', ')}]: expected 2-D or 3-D`);
  const type = NIFTI_TYPES[datatype] as (typeof NIFTI_TYPES)[number] | undefined;
  if (!type) return fail(name, `unsupported NIfTI datatype ${datatype} (RGB or complex?)`);
  const [bytesPer, get] = type;
  const [ni, nj, nk = 1] = dims;
  const count = ni * nj * nk;
  if (offset + count * bytesPer > bytes.length)
    fail(name, `truncated: ${count} voxels of ${bytesPer} bytes need ${offset + count * bytesPer} bytes`);
  const scaled = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0);
  // The file stores i fastest; the volume is row-major [ni, nj, nk].
  const data = new Float32Array(count);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const x = get(v, offset + bytesPer * (i + ni * (j + nj * k)), le);
        data[(i * nj + j) * nk + k] = scaled ? x * slope + (Number.isFinite(inter) ? inter : 0) : x;
      }
  return { shape: dims, data, name, format: 'nifti' };
}

function readJson(name: string, bytes: Uint8Array): Volume {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return fail(name, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const shape: number[] = [];
  for (let x = value; Array.isArray(x); x = x[0]) shape.push(x.length);
  if (shape.length < 2 || shape.length > 3 || shape.includes(0))
    fail(name, 'expected nested arrays of numbers, 2-D ([rows][cols]) or 3-D ([rows][cols][slices])');
  const flat = (value as unknown[]).flat(shape.length - 1);
  if (
    flat.length !== shape.reduce((a, b) => a * b, 1) ||
    !flat.every((x) => typeof x === 'number' && Number.isFinite(x))
  )
    fail(name, `the nested arrays are not a rectangular ${shape.join(' × ')} block of finite numbers`);
  return { shape, data: Float32Array.from(flat as number[]), name, format: 'json' };
}

/** Slice `k` (along the last axis) of a 3-D volume; a 2-D volume is its own only slice. */
export function sliceOf(vol: Volume, k: number): Float32Array {
  if (vol.shape.length === 2) return vol.data;
  const [rows, cols, slices] = vol.shape;
  return Float32Array.from({ length: rows * cols }, (_, i) => vol.data[i * slices + k]);
}

/** The ground truth of a slice: non-zero labels for integer values, ≥ 0.5 for probabilities. */
export function truthOf(values: Float32Array): Uint8Array {
  const integer = values.every((v) => Number.isInteger(v));
  return Uint8Array.from(values, (v) => ((integer ? v > 0 : v >= 0.5) ? 1 : 0));
}

/** A prediction: probabilities in [0, 1] as they are, integer labels as 0/1. */
export function predictionOf(vol: Volume, values: Float32Array): Float32Array {
  if (values.every((v) => v >= 0 && v <= 1)) return values;
  if (values.every((v) => Number.isInteger(v))) return Float32Array.from(values, (v) => (v > 0 ? 1 : 0));
  return fail(
    vol.name,
    'values outside [0, 1] that are not integer labels: give probabilities (apply the sigmoid first)',
  );
}

/** Checks that the two files fit together, and says how if not. */
export function checkPair(truth: Volume, pred: Volume): void {
  const a = truth.shape.join(' × ');
  const b = pred.shape.join(' × ');
  if (a !== b)
    throw new MaskFileError(
      `sizes differ: truth ${truth.name} is ${a}, prediction ${pred.name} is ${b} (nothing is resampled: give masks of one size)`,
    );
}
