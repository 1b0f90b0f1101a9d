/**
 * The data sets of `losskit compare`: the embedded synthetic lesions, a real MRI skull-stripping set built
 * from Debian's `mricron-data` (the Colin27 "ch2" T1 volume and its brain mask), and a user's folder of
 * image/mask pairs. Every set is a list of splits ("levels"), each with disjoint train and test images of one
 * size, `[n, height, width, 1]` row-major, images normalised to zero mean and unit variance.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { formatOf, readVolume, stem, type Volume } from '../io.ts';
import { mulberry32 } from 'losskit/random';
import { makeLesions } from './lesions.ts';

/** Images and binary masks, `[n, height, width, 1]` row-major. */
export interface SegmentationSet {
  readonly images: Float32Array;
  readonly masks: Float32Array;
  readonly n: number;
  readonly height: number;
  readonly width: number;
}

/** One column of the leaderboard: a train/test pair. */
export interface Level {
  /** Short label for tables, e.g. `fg 5%` or `brain`. */
  readonly label: string;
  readonly train: SegmentationSet;
  readonly test: SegmentationSet;
  /** The foreground fraction asked for (synthetic data only). */
  readonly targetForeground?: number;
  /** Where the data came from and how it was split. */
  readonly description: string;
}

/** Mean of a mask array (the foreground fraction). */
export function foregroundFraction(masks: Float32Array): number {
  let s = 0;
  for (const v of masks) s += v;
  return masks.length ? s / masks.length : 0;
}

function percent(x: number): string {
  const p = x * 100;
  return p >= 1 ? `${+p.toFixed(1)}%` : `${+p.toPrecision(2)}%`;
}

// ------------------------------------------------------------------------------------------ lesions

/** The synthetic lesion set at each foreground fraction: `nTrain` and `nTest` fresh images per level. */
export function lesionLevels(
  fgs: readonly number[],
  size: number,
  nTrain: number,
  nTest: number,
  seed: number,
): Level[] {
  return fgs.map((fg, i) => {
    const base = (seed >>> 0) * 7919 + i * 104_729;
    const train = makeLesions(nTrain, size, fg, base + 1);
    const test = makeLesions(nTest, size, fg, base + 2);
    return {
      label: `fg ${percent(fg)}`,
      train,
      test,
      targetForeground: fg,
      description:
        `synthetic lesions, ${size}×${size}, target foreground ${percent(fg)} (train ${percent(foregroundFraction(train.masks))}, ` +
        `test ${percent(foregroundFraction(test.masks))}); ${nTrain} train and ${nTest} test images generated with different seeds`,
    };
  });
}

// -------------------------------------------------------------------------------- resampling, slices

/**
 * Area-weighted resampling of a `h`×`w` image to `oh`×`ow` (exact box integration; for downsampling this is
 * the average of the covered input pixels, partial pixels weighted by their overlap).
 */
export function resampleArea(
  src: ArrayLike<number>,
  h: number,
  w: number,
  oh: number,
  ow: number,
): Float32Array {
  const weights = (n: number, on: number): { lo: number; w: number[] }[] => {
    const scale = n / on;
    return Array.from({ length: on }, (_, o) => {
      const a = o * scale;
      const b = (o + 1) * scale;
      const lo = Math.floor(a);
      const hi = Math.min(n, Math.ceil(b));
      const ws: number[] = [];
      for (let i = lo; i < hi; i++) ws.push((Math.min(b, i + 1) - Math.max(a, i)) / scale);
      return { lo, w: ws };
    });
  };
  const wy = weights(h, oh);
  const wx = weights(w, ow);
  const tmp = new Float32Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let o = 0; o < ow; o++) {
      let s = 0;
      const { lo, w: ws } = wx[o];
      for (let k = 0; k < ws.length; k++) s += ws[k] * src[y * w + lo + k];
      tmp[y * ow + o] = s;
    }
  }
  const out = new Float32Array(oh * ow);
  for (let o = 0; o < oh; o++) {
    const { lo, w: ws } = wy[o];
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < ws.length; k++) s += ws[k] * tmp[(lo + k) * ow + x];
      out[o * ow + x] = s;
    }
  }
  return out;
}

/** Pads a `h`×`w` image to a centred square with `fill`, then resamples it to `size`×`size`. */
export function squareResize(
  src: ArrayLike<number>,
  h: number,
  w: number,
  size: number,
  fill: number,
): Float32Array {
  const n = Math.max(h, w);
  const sq = new Float32Array(n * n).fill(fill);
  const oy = Math.floor((n - h) / 2);
  const ox = Math.floor((n - w) / 2);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sq[(y + oy) * n + x + ox] = src[y * w + x];
  return n === size ? sq : resampleArea(sq, n, n, size, size);
}

/** A 2-D slice of a volume, as an image `[rows, cols]`. */
interface Slice {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/**
 * The axial slices of a 3-D volume `[i, j, k]` (slices along the last array axis). Each slice is shown with
 * rows = j reversed and columns = i, which puts anterior up for RAS-oriented data such as MNI templates.
 * A 2-D volume is one slice with rows = its first axis.
 */
function slicesOf(v: Volume): Slice[] {
  if (v.shape.length === 2) return [{ data: v.data, rows: v.shape[0], cols: v.shape[1] }];
  const [ni, nj, nk] = v.shape;
  const out: Slice[] = [];
  for (let k = 0; k < nk; k++) {
    const data = new Float32Array(ni * nj);
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) data[(nj - 1 - j) * ni + i] = v.data[(i * nj + j) * nk + k];
    out.push({ data, rows: nj, cols: ni });
  }
  return out;
}

interface Pair {
  readonly image: Float32Array;
  readonly mask: Float32Array;
  /** Which file (or volume) it came from, for splits by file. */
  readonly group: number;
  /** Its slice number within the volume, for splits by slice block. */
  readonly index: number;
}

/** z-scores `data` in place with the given statistics. */
function zscore(data: Float32Array, mean: number, sd: number): void {
  const s = sd > 1e-12 ? sd : 1;
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - mean) / s;
}

function stats(values: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    s2 += values[i] * values[i];
  }
  const mean = s / values.length;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / values.length - mean * mean)) };
}

/**
 * Slices an image volume and its mask into `size`×`size` pairs. Slices whose image is almost empty (under 5%
 * of pixels above a tenth of the volume's maximum) are skipped. Images are z-scored with the volume's
 * statistics; masks are `> 0`, resampled by area and thresholded at 0.5.
 */
function volumePairs(image: Volume, mask: Volume, size: number, group: number): Pair[] {
  if (image.shape.length !== mask.shape.length || image.shape.some((d, i) => d !== mask.shape[i]))
    throw new UsageError(
      `${mask.path}: mask shape [${mask.shape.join(',')}] does not match image ${image.path} shape [${image.shape.join(',')}]`,
    );
  if (image.shape.length < 2)
    throw new UsageError(
      `${image.path}: shape [${image.shape.join(',')}]; expected a 2-D image or a 3-D volume`,
    );
  const imgSlices = slicesOf(image);
  const maskSlices = slicesOf({ ...mask, data: mask.data.map((v) => (v > 0 ? 1 : 0)) });
  let max = -Infinity;
  for (const v of image.data) if (v > max) max = v;
  const { mean, sd } = stats(image.data);
  const out: Pair[] = [];
  imgSlices.forEach((s, index) => {
    let on = 0;
    for (const v of s.data) if (v > 0.1 * max) on++;
    if (imgSlices.length > 1 && on < 0.05 * s.data.length) return;
    let lo = Infinity;
    for (const v of s.data) if (v < lo) lo = v;
    const img = squareResize(s.data, s.rows, s.cols, size, lo);
    zscore(img, mean, sd);
    const m = squareResize(maskSlices[index].data, s.rows, s.cols, size, 0).map((v) => (v >= 0.5 ? 1 : 0));
    out.push({ image: img, mask: m, group, index });
  });
  return out;
}

function toSet(pairs: readonly Pair[], size: number): SegmentationSet {
  const px = size * size;
  const images = new Float32Array(pairs.length * px);
  const masks = new Float32Array(pairs.length * px);
  pairs.forEach((p, i) => {
    images.set(p.image, i * px);
    masks.set(p.mask, i * px);
  });
  return { images, masks, n: pairs.length, height: size, width: size };
}

/**
 * Splits the slices of one volume by disjoint blocks of `block` consecutive slices: every fourth block goes
 * to the test set, and the slice on either side of a test block is dropped, so that no training slice is a
 * direct neighbour of a test slice.
 */
export function splitBySliceBlocks<T extends { index: number }>(
  items: readonly T[],
  block = 8,
): { train: T[]; test: T[] } {
  const isTest = (index: number) => Math.floor(index / block) % 4 === 2;
  const train: T[] = [];
  const test: T[] = [];
  for (const it of items) {
    if (isTest(it.index)) test.push(it);
    else if (!isTest(it.index - 1) && !isTest(it.index + 1)) train.push(it);
  }
  return { train, test };
}

// --------------------------------------------------------------------------------------------- brain

export const BRAIN_DIR = '/usr/share/mricron/templates';

/**
 * Skull stripping on the Colin27 T1 template: axial slices of `ch2.nii.gz`, mask `ch2bet.nii.gz > 0`,
 * downsampled to `size`×`size` and split by disjoint slice blocks.
 */
export function brainLevel(size: number, dir = BRAIN_DIR): Level {
  const imagePath = join(dir, 'ch2.nii.gz');
  const maskPath = join(dir, 'ch2bet.nii.gz');
  for (const p of [imagePath, maskPath])
    if (!existsSync(p))
      throw new UsageError(
        `${p}: missing; the brain data set needs Debian's mricron-data package ` +
          `(sudo apt-get install mricron-data), or point --dataset at a folder of image/mask pairs`,
      );
  const pairs = volumePairs(readVolume(imagePath), readVolume(maskPath), size, 0);
  const { train, test } = splitBySliceBlocks(pairs);
  return {
    label: 'brain',
    train: toSet(train, size),
    test: toSet(test, size),
    description:
      `Colin27 T1 (mricron-data ch2.nii.gz), brain mask ch2bet.nii.gz > 0; axial slices downsampled to ${size}×${size}; ` +
      `${train.length} train and ${test.length} test slices from disjoint blocks of 8 slices (every fourth block is test, ` +
      `neighbouring slices dropped)`,
  };
}

// ------------------------------------------------------------------------------------------- folders

const EXTS = ['.png', '.nii', '.nii.gz', '.json'];

function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => formatOf(f) !== undefined && statSync(join(dir, f)).isFile())
    .sort();
}

function findMask(maskDir: string, name: string): string | undefined {
  for (const ext of EXTS) {
    const p = join(maskDir, name + ext);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function readPairs(root: string, size: number, firstGroup: number): Pair[] {
  const imageDir = join(root, 'images');
  const maskDir = join(root, 'masks');
  if (!existsSync(imageDir) || !existsSync(maskDir))
    throw new UsageError(
      `${root}: expected subfolders images/ and masks/ (same file names; see losskit compare --help)`,
    );
  const files = listImages(imageDir);
  if (files.length === 0) throw new UsageError(`${imageDir}: no .png, .nii, .nii.gz or .json images`);
  const pairs: Pair[] = [];
  files.forEach((f, g) => {
    const maskPath = findMask(maskDir, stem(f));
    if (!maskPath)
      throw new UsageError(`${join(imageDir, f)}: no mask ${join(maskDir, stem(f))}.{png,nii,nii.gz,json}`);
    const image = readVolume(join(imageDir, f));
    const mask = readVolume(maskPath);
    pairs.push(...volumePairs(image, mask, size, firstGroup + g));
  });
  return pairs;
}

/**
 * A folder of image/mask pairs:
 * `DIR/images/<name>.{png,nii,nii.gz,json}` with `DIR/masks/<name>.<any of those>` (mask > 0 is foreground),
 * or `DIR/train/{images,masks}` and `DIR/test/{images,masks}` for a fixed split. Without a fixed split, whole
 * files are held out (a quarter of them, at least one, chosen with the seed); a single volume is split by
 * slice blocks as the brain set is.
 */
export function folderLevel(dir: string, size: number, seed: number): Level {
  if (!existsSync(dir))
    throw new UsageError(`${dir}: no such data set or folder (use lesions, brain or a folder)`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);
  const name =
    dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? dir;
  if (existsSync(join(dir, 'train')) && existsSync(join(dir, 'test'))) {
    const train = readPairs(join(dir, 'train'), size, 0);
    const test = readPairs(join(dir, 'test'), size, 1_000_000);
    if (!train.length || !test.length) throw new UsageError(`${dir}: train/ or test/ holds no usable images`);
    return {
      label: name,
      train: toSet(train, size),
      test: toSet(test, size),
      description: `${dir}: fixed split, ${train.length} train and ${test.length} test images at ${size}×${size}`,
    };
  }
  const pairs = readPairs(dir, size, 0);
  const groups = [...new Set(pairs.map((p) => p.group))];
  let train: Pair[];
  let test: Pair[];
  let how: string;
  if (groups.length >= 2) {
    const rand = mulberry32(seed);
    const order = groups
      .map((g) => ({ g, r: rand() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.g);
    const held = new Set(order.slice(0, Math.max(1, Math.round(groups.length / 4))));
    train = pairs.filter((p) => !held.has(p.group));
    test = pairs.filter((p) => held.has(p.group));
    how = `${held.size} of ${groups.length} files held out`;
  } else {
    ({ train, test } = splitBySliceBlocks(pairs));
    how = 'one volume, split by disjoint slice blocks';
  }
  if (train.length < 2 || test.length < 1)
    throw new UsageError(`${dir}: too few images to split into train and test (${pairs.length} found)`);
  return {
    label: name,
    train: toSet(train, size),
    test: toSet(test, size),
    description: `${dir}: ${how}; ${train.length} train and ${test.length} test images at ${size}×${size}`,
  };
}
