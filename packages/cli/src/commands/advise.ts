/**
 * `losskit advise --masks PATH`: statistics of a set of masks and a ranked list of losses to try, each with
 * the reason it is there.
 *
 * The rules (thresholds are rules of thumb, stated in the output):
 * - balanced (foreground ≥ 20% of pixels) → binary cross-entropy first: its gradients are well behaved and its
 *   probabilities calibrated when neither class is rare;
 * - mildly skewed (2%–20%) → Dice first: an overlap ratio does not care how many background pixels there are;
 * - heavily imbalanced (< 2%) or tiny objects (half the foreground in objects under 0.2% of the image or under
 *   10 pixels) → the focal family in its region form (focal Tversky) and Tversky with β > α (a missed
 *   foreground pixel costs more than a false alarm), then Dice; plain focal loss ranks below them, as it failed
 *   at 1% foreground in the measured comparison (docs/choosing-a-loss.md);
 * - thin structures (objects at least 3× the area of a disk as thick as they are, more than 30% of the
 *   foreground on a boundary, objects not tiny) → boundary-aware losses (boundary loss, Hausdorff-DT), combined
 *   with a region loss;
 * - many empty images (> 20%) → combo gains: per-image Dice has no good answer for an empty mask (with the default
 *   1e-5 smoothing its gradient there is huge, and it collapsed on the brain slices), while pixel-wise terms do;
 *   Dice with `reduceBatch: true` or a larger smoothing is the other remedy.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Cli } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatOf, readVolume, type Volume } from '../io.ts';
import { toJson } from '../json.ts';
import { lookup, snakeName } from '../lookup.ts';
import { classStats, maskStats, quantile } from '../mask-stats.ts';
import { fmt, table } from '../table.ts';

export interface AdviseOptions {
  readonly masks: string;
  readonly json?: boolean;
}

export interface ImageStats {
  readonly file: string;
  readonly shape: readonly number[];
  readonly pixels: number;
  readonly foreground: number;
  readonly foregroundFraction: number;
  readonly boundary: number;
  readonly labels: number[];
  readonly objects: number;
  readonly objectSizes: number[];
  /** Per object, area over that of a disk of its largest inscribed radius (see mask-stats.ts). */
  readonly objectElongation: number[];
  readonly boundaryFraction: number;
  /** Values that are NaN or ±Infinity (a mask has none). */
  readonly nonFinite: number;
  /** Per class, when the file is a label map (integers other than 0/1, a PNG's maximum value excepted). */
  readonly classes?: readonly ClassImageStats[];
}

export interface ClassImageStats {
  readonly label: number;
  readonly pixels: number;
  readonly objectSizes: number[];
}

/** One class over the data set (label maps). */
export interface ClassDatasetStats {
  readonly label: number;
  /** Its voxels over all voxels of all images. */
  readonly fraction: number;
  /** Images it appears in. */
  readonly images: number;
  readonly objects: number;
  readonly medianObject: number;
}

export interface DatasetStats {
  readonly images: number;
  readonly foregroundFraction: number;
  readonly perImageForeground: { min: number; median: number; mean: number; max: number };
  readonly emptyImages: number;
  readonly objects: number;
  readonly objectsPerImage: { median: number; mean: number; max: number };
  /** Object sizes in pixels (voxels for 3-D masks). */
  readonly objectSize: { min: number; p10: number; median: number; p90: number; max: number };
  /** Median object size as a fraction of its image. */
  readonly medianObjectFraction: number;
  /**
   * The size-weighted median object: half of all foreground pixels lie in objects at least this large. Unlike
   * the plain median it is not pulled down by specks of noise next to one large object.
   */
  readonly typicalObject: { pixels: number; fraction: number };
  /** Foreground pixels on an object boundary, over all foreground pixels. */
  readonly boundaryFraction: number;
  /** Object elongation averaged with the objects' sizes as weights: ~1 for blobs, ≫ 1 for lines. */
  readonly elongation: number;
  readonly labels: number[];
  /** Label maps: per class, ascending label; absent for binary masks. */
  readonly classes?: readonly ClassDatasetStats[];
  /** Images whose values are all NaN or ±Infinity (not masks). */
  readonly notMasks: number;
}

export interface Profile {
  readonly balance: 'balanced' | 'mildly skewed' | 'heavily imbalanced' | 'no foreground' | 'not a mask';
  readonly tinyObjects: boolean;
  readonly thinStructures: boolean;
  readonly manyEmpty: boolean;
  /** Present (true) for label maps with more than one foreground class: the advice is for a multi-class loss. */
  readonly multiClass?: true;
}

export interface Recommendation {
  readonly rank: number;
  readonly loss: string;
  readonly options: Record<string, unknown>;
  readonly reason: string;
}

/** The mask files under `path`: the file itself, the files in a folder, or in its `masks/` subfolder. */
/** `0.0879` → `'8.79%'` (fixed decimals; `-` for NaN). */
function percent(x: number, digits: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '-';
}

export function maskFiles(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) return [path];
  const inDir = (d: string) =>
    readdirSync(d)
      .filter((f) => formatOf(f) !== undefined && statSync(join(d, f)).isFile())
      .sort()
      .map((f) => join(d, f));
  let files = inDir(path);
  if (files.length === 0 && existsSync(join(path, 'masks'))) files = inDir(join(path, 'masks'));
  if (files.length === 0)
    throw new UsageError(`${path}: no .png, .nii, .nii.gz or .json masks in it (or in masks/)`);
  return files;
}

/** Whether a file is a label map: integers other than 0 and 1 (a PNG's maximum value, a 0/255 mask, excepted). */
function isLabelMap(v: Volume): boolean {
  let other = false;
  for (const x of v.data) {
    if (x !== Math.floor(x) || !Number.isFinite(x)) return false;
    if (x !== 0 && x !== 1 && !(v.format === 'png' && x === v.maxValue)) other = true;
  }
  return other;
}

export function imageStats(file: string): ImageStats {
  return statsOf(readVolume(file));
}

function statsOf(v: Volume): ImageStats {
  const file = v.path;
  let nonFinite = 0;
  for (const x of v.data) if (!Number.isFinite(x)) nonFinite++;
  const s = maskStats(v.data, v.shape);
  return {
    file,
    shape: v.shape,
    pixels: s.pixels,
    foreground: s.foreground,
    foregroundFraction: s.foreground / s.pixels,
    boundary: s.boundary,
    labels: s.labels,
    objects: s.objects.length,
    objectSizes: s.objects,
    objectElongation: s.elongation,
    boundaryFraction: s.foreground ? s.boundary / s.foreground : NaN,
    nonFinite,
    ...(isLabelMap(v)
      ? {
          classes: classStats(v.data, v.shape).map((c) => ({
            label: c.label,
            pixels: c.pixels,
            objectSizes: c.objects,
          })),
        }
      : {}),
  };
}

const withClasses = (classes: ClassDatasetStats[] | undefined) => (classes ? { classes } : {});

/** Per class over the images (label maps only; binary masks in the set count as class 1). */
function classesOf(images: readonly ImageStats[], pixels: number): ClassDatasetStats[] | undefined {
  if (!images.some((s) => s.classes)) return undefined;
  const all = new Map<number, { pixels: number; images: number; sizes: number[] }>();
  for (const s of images) {
    const cls =
      s.classes ?? (s.foreground ? [{ label: 1, pixels: s.foreground, objectSizes: s.objectSizes }] : []);
    for (const c of cls) {
      const a = all.get(c.label) ?? { pixels: 0, images: 0, sizes: [] };
      a.pixels += c.pixels;
      a.images++;
      a.sizes.push(...c.objectSizes);
      all.set(c.label, a);
    }
  }
  return [...all]
    .sort(([a], [b]) => a - b)
    .map(([label, a]) => ({
      label,
      fraction: a.pixels / pixels,
      images: a.images,
      objects: a.sizes.length,
      medianObject: quantile(a.sizes, 0.5),
    }));
}

export function datasetStats(images: readonly ImageStats[]): DatasetStats {
  const ext = images;
  const pixels = ext.reduce((a, s) => a + s.pixels, 0);
  const fg = ext.reduce((a, s) => a + s.foreground, 0);
  const boundary = ext.reduce((a, s) => a + s.boundary, 0);
  const fractions = images.map((s) => s.foregroundFraction);
  const sizes = images.flatMap((s) => s.objectSizes);
  const relSizes = images.flatMap((s) => s.objectSizes.map((o) => o / s.pixels));
  const counts = images.map((s) => s.objects);
  return {
    images: images.length,
    foregroundFraction: fg / pixels,
    perImageForeground: {
      min: Math.min(...fractions),
      median: quantile(fractions, 0.5),
      mean: fractions.reduce((a, b) => a + b, 0) / fractions.length,
      max: Math.max(...fractions),
    },
    emptyImages: images.filter((s) => s.objects === 0).length,
    objects: sizes.length,
    objectsPerImage: {
      median: quantile(counts, 0.5),
      mean: sizes.length / images.length,
      max: Math.max(...counts),
    },
    objectSize: {
      min: sizes.length ? Math.min(...sizes) : NaN,
      p10: quantile(sizes, 0.1),
      median: quantile(sizes, 0.5),
      p90: quantile(sizes, 0.9),
      max: sizes.length ? Math.max(...sizes) : NaN,
    },
    medianObjectFraction: quantile(relSizes, 0.5),
    typicalObject: weightedMedianObject(images),
    boundaryFraction: fg ? boundary / fg : NaN,
    elongation: fg
      ? images.reduce((a, s) => a + s.objectSizes.reduce((b, o, k) => b + o * s.objectElongation[k], 0), 0) /
        fg
      : NaN,
    labels: [...new Set(ext.flatMap((s) => s.labels))].sort((a, b) => a - b).slice(0, 64),
    ...withClasses(classesOf(images, pixels)),
    notMasks: images.filter((s) => s.nonFinite === s.pixels).length,
  };
}

/** The object that the median foreground pixel belongs to: its size in pixels and as a share of its image. */
function weightedMedianObject(images: readonly ImageStats[]): { pixels: number; fraction: number } {
  const objs = images
    .flatMap((s) => s.objectSizes.map((o) => ({ pixels: o, fraction: o / s.pixels })))
    .sort((a, b) => a.pixels - b.pixels);
  const total = objs.reduce((a, o) => a + o.pixels, 0);
  let acc = 0;
  for (const o of objs) {
    acc += o.pixels;
    if (acc >= total / 2) return o;
  }
  return { pixels: NaN, fraction: NaN };
}

export function profileOf(s: DatasetStats): Profile {
  const f = s.foregroundFraction;
  const balance =
    s.notMasks === s.images
      ? 'not a mask'
      : !(f > 0)
        ? 'no foreground'
        : f >= 0.2
          ? 'balanced'
          : f >= 0.02
            ? 'mildly skewed'
            : 'heavily imbalanced';
  const tinyObjects = s.objects > 0 && (s.typicalObject.fraction < 0.002 || s.typicalObject.pixels < 10);
  const thinStructures = !tinyObjects && s.elongation >= 3 && s.boundaryFraction > 0.3;
  return {
    balance,
    tinyObjects,
    thinStructures,
    manyEmpty: s.emptyImages > 0.2 * s.images,
    ...((s.classes?.length ?? 0) > 1 ? { multiClass: true as const } : {}),
  };
}

interface Candidate {
  name: string;
  options: Record<string, unknown>;
  score: number;
  reasons: string[];
}

/** The ranked recommendations for a profile (losses missing from the catalog are left out). */
export function recommend(p: Profile, s: DatasetStats): Recommendation[] {
  const pct = (x: number) => percent(x, 2);
  const cands = new Map<string, Candidate>();
  const add = (name: string, score: number, reason: string, options: Record<string, unknown> = {}) => {
    const c = cands.get(name) ?? { name, options: {}, score: 0, reasons: [] };
    c.score += score;
    c.reasons.push(reason);
    Object.assign(c.options, options);
    cands.set(name, c);
  };
  const f = pct(s.foregroundFraction);
  if (p.balance === 'no foreground' || p.balance === 'not a mask') return []; // nothing to learn
  if (p.multiClass) {
    multiClassAdvice(s, add);
    return [...cands.values()].sort(byScore).map(ranked);
  }
  switch (p.balance) {
    case 'balanced':
      add(
        'binary_crossentropy',
        10,
        `classes are balanced (${f} foreground): cross-entropy has smooth, well-scaled gradients and calibrated probabilities`,
      );
      add('dice', 7, 'optimises the overlap that is usually reported; a good second choice or partner');
      add(
        'combo',
        6,
        'cross-entropy plus Dice: the stability of the first and the overlap focus of the second',
      );
      break;
    case 'mildly skewed':
      add(
        'dice',
        10,
        `foreground is a minority (${f}): Dice is a ratio of overlaps and ignores the number of background pixels`,
      );
      add('combo', 8, 'cross-entropy plus Dice: keeps per-pixel gradients while Dice handles the skew');
      add(
        'log_cosh_dice',
        6,
        'a smoothed Dice loss, less erratic when the overlap is small early in training',
      );
      add('tversky', 5, 'Dice with a heavier weight on missed foreground (β > α) if recall matters', {
        alpha: 0.3,
        beta: 0.7,
      });
      add('binary_crossentropy', 3, 'works, but the many easy background pixels dominate its mean');
      break;
    case 'heavily imbalanced':
      add(
        'focal_tversky',
        10,
        `foreground is rare (${f}): Tversky with β > α penalises missed foreground, and the focal exponent emphasises hard, poorly segmented images`,
        { alpha: 0.3, beta: 0.7, gamma: 0.75 },
      );
      add(
        'tversky',
        9,
        'β > α weights false negatives above false positives, countering the pull towards predicting background',
        { alpha: 0.3, beta: 0.7 },
      );
      add('dice', 7, 'handles imbalance from the first epoch, but treats misses and false alarms alike');
      add(
        'focal',
        4,
        'down-weights the many easy background pixels by (1 − p_t)^γ, but without an α on the foreground it can ' +
          'still settle on "all background" (it did at 1% foreground in docs/choosing-a-loss.md)',
        { gamma: 2 },
      );
      add(
        'combo',
        4,
        'a cross-entropy term keeps per-pixel gradients, but it starts slowly at this imbalance',
      );
      add('binary_crossentropy', 1, 'tends to predict all background when the foreground is this rare');
      break;
  }
  if (p.tinyObjects) {
    add(
      'focal_tversky',
      4,
      `objects are tiny (half the foreground is in objects of ${fmt(s.typicalObject.pixels, 1)} pixels or less, ` +
        `${pct(s.typicalObject.fraction)} of an image): a few missed pixels lose a whole object`,
      { alpha: 0.3, beta: 0.7, gamma: 0.75 },
    );
    add('tversky', 3, 'recall-weighted (β > α) so that small objects are not dropped', {
      alpha: 0.3,
      beta: 0.7,
    });
    add('focal', 1, 'focuses on the hard pixels, which tiny objects mostly are', { gamma: 2 });
  }
  if (p.thinStructures) {
    const why =
      `thin, elongated structures (objects ${fmt(s.elongation, 1)}× the area of a disk as thick as they are; ` +
      `${pct(s.boundaryFraction)} of foreground pixels on a boundary): region losses barely notice a one-pixel shift`;
    add(
      'boundary_loss',
      14,
      `${why}; the boundary loss integrates the signed distance to the true boundary (use it together with Dice, ramping its weight up)`,
    );
    add(
      'hausdorff_dt_loss',
      11,
      'penalises errors by their distance to the true boundary, targeting the Hausdorff distance',
    );
    add('dice', 2, 'as the region partner of a boundary loss');
  }
  if (p.manyEmpty) {
    add(
      'combo',
      3,
      `${s.emptyImages} of ${s.images} images are empty: per-image Dice has no good answer for an empty mask ` +
        '(with 1e-5 smoothing its gradient there is huge), a cross-entropy term does; or use Dice with ' +
        'reduceBatch: true or smoothNr = smoothDr = 1',
    );
  }
  const present = [...cands.values()].filter((c) => {
    try {
      lookup(c.name);
      return true;
    } catch {
      return false;
    }
  });
  return present.sort(byScore).map(ranked);
}

const byScore = (a: Candidate, b: Candidate) => b.score - a.score;
const ranked = (c: Candidate, i: number): Recommendation => ({
  rank: i + 1,
  loss: snakeName(lookup(c.name).info.id),
  options: c.options,
  reason: c.reasons.join('; '),
});

/**
 * Label maps with several foreground classes: softmax over C channels (one-hot or sparse labels), scored per
 * class. Generalized Dice first when the classes' sizes differ tenfold or more, Dice + cross-entropy (nnU-Net's
 * default) and Tversky with β > α when some classes are rare (under 0.1% of the voxels).
 */
function multiClassAdvice(
  s: DatasetStats,
  add: (name: string, score: number, reason: string, options?: Record<string, unknown>) => void,
): void {
  const cls = s.classes ?? [];
  const soft = { activation: 'softmax', sparseLabels: true, includeBackground: false };
  const fr = cls.map((c) => c.fraction);
  const [small, large] = [Math.min(...fr), Math.max(...fr)];
  const spread = large / small;
  const rare = cls.filter((c) => c.fraction < 0.001);
  const pct = (x: number) => percent(x, 3);
  const sizes = `${cls.length} classes from ${pct(small)} to ${pct(large)} of the voxels`;
  add(
    'generalized_dice',
    spread >= 10 ? 10 : 6,
    `${sizes} (${fmt(spread, 1)}× apart): generalized Dice weights each class by 1/volume², so small classes ` +
      'count as much as large ones in one ratio',
    { ...soft, weightType: 'square' },
  );
  add(
    'dice',
    spread >= 10 ? 8 : 10,
    'softmax Dice, one score per class averaged over the classes: every class counts the same whatever its size, ' +
      'and the background channel is left out',
    soft,
  );
  add(
    'combo',
    7,
    'Dice + cross-entropy (the nnU-Net default for multi-class): cross-entropy gives every voxel a smooth gradient ' +
      'from the first epoch, Dice keeps the classes balanced',
    soft,
  );
  if (rare.length)
    add(
      'tversky',
      rare.length === cls.length ? 9 : 5,
      `${rare.length} class${rare.length === 1 ? '' : 'es'} under 0.1% of the voxels (${rare
        .slice(0, 5)
        .map((c) => c.label)
        .join(
          ', ',
        )}${rare.length > 5 ? ', …' : ''}): softmax Tversky with β > α penalises their missed voxels more`,
      { ...soft, alpha: 0.3, beta: 0.7 },
    );
}

/** Whether a `.json` file is JSON whose top level is not an array (a manifest, a config): not a mask at all. */
function notArrayJson(file: string): boolean {
  try {
    return !Array.isArray(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return false; // unreadable or invalid JSON: let the reader report it
  }
}

/**
 * The statistics of each file; in a folder, a `.json` file that is not a mask (a manifest) is skipped, with a note
 * printed once every mask has been read (so that an error stays the only line on stderr).
 */
function readAll(cli: Cli, path: string): ImageStats[] {
  const files = maskFiles(path);
  const folder = statSync(path).isDirectory();
  const skipped = folder ? files.filter((f) => formatOf(f) === 'json' && notArrayJson(f)) : [];
  const images = files.filter((f) => !skipped.includes(f)).map(imageStats);
  if (images.length === 0)
    throw new UsageError(`${path}: no masks in it (every .json file was something else)`);
  for (const f of skipped) cli.err(`losskit: note: skipped ${f}: JSON that is not an array, so not a mask`);
  return images;
}

export function adviseCommand(cli: Cli, opts: AdviseOptions): void {
  const images = readAll(cli, opts.masks);
  const stats = datasetStats(images);
  const profile = profileOf(stats);
  const recs = recommend(profile, stats);
  if (opts.json) {
    cli.out(toJson({ masks: opts.masks, stats, profile, recommendations: recs, perImage: images }));
    return;
  }
  const pct = (x: number) => percent(x, 3);
  const lines = [
    `${stats.images} mask${stats.images === 1 ? '' : 's'} in ${opts.masks}` +
      (stats.labels.length > 10
        ? ` (${stats.labels.length >= 64 ? 'over 64' : stats.labels.length} distinct non-zero values, all foreground)`
        : stats.labels.length > 1
          ? ` (labels ${stats.labels.join(', ')}; all non-zero labels count as foreground)`
          : ''),
    '',
    table(
      ['statistic', 'value'],
      [
        ['foreground fraction (all pixels)', pct(stats.foregroundFraction)],
        [
          'foreground per image: min / median / max',
          `${pct(stats.perImageForeground.min)} / ${pct(stats.perImageForeground.median)} / ${pct(stats.perImageForeground.max)}`,
        ],
        ['empty images', `${stats.emptyImages} of ${stats.images}`],
        [
          'objects (connected components)',
          `${stats.objects}, median ${fmt(stats.objectsPerImage.median, 1)} per image, max ${stats.objectsPerImage.max}`,
        ],
        [
          'object size in pixels: min / p10 / median / p90 / max',
          [
            stats.objectSize.min,
            stats.objectSize.p10,
            stats.objectSize.median,
            stats.objectSize.p90,
            stats.objectSize.max,
          ]
            .map((x) => fmt(x, 1))
            .join(' / '),
        ],
        ['median object, share of its image', pct(stats.medianObjectFraction)],
        [
          'typical object (half the foreground is in objects ≤ this)',
          `${fmt(stats.typicalObject.pixels, 1)} pixels, ${pct(stats.typicalObject.fraction)} of its image`,
        ],
        ['boundary pixels / foreground pixels', pct(stats.boundaryFraction)],
        ['elongation (area / disk of the same thickness; 1 = blob)', fmt(stats.elongation, 2)],
      ],
    ),
    '',
    ...classLines(stats),
    `Profile: ${profile.balance}` +
      (profile.multiClass ? `, multi-class (${stats.classes?.length} classes)` : '') +
      (profile.tinyObjects ? ', tiny objects' : '') +
      (profile.thinStructures ? ', thin structures' : '') +
      (profile.manyEmpty ? ', many empty images' : ''),
    '  (balanced ≥ 20% foreground; mildly skewed 2–20%; heavily imbalanced < 2%; tiny: the typical object is under 0.2%',
    '   of the image or 10 pixels; thin: elongation ≥ 3 and > 30% of foreground pixels on a boundary; many empty: > 20%',
    '   of images)',
    '',
    'Recommended losses, best first:',
  ];
  if (recs.length === 0)
    lines.push(
      profile.balance === 'not a mask'
        ? '  none: the input is not a mask (every value is NaN or infinite)'
        : '  none: the masks have no foreground at all',
    );
  for (const r of recs) {
    const o = Object.keys(r.options).length ? ` --options '${JSON.stringify(r.options)}'` : '';
    lines.push(`  ${r.rank}. ${r.loss}${o}`, `     ${r.reason}`);
  }
  if (images.length <= 20 && images.length > 1) {
    lines.push(
      '',
      table(
        ['file', 'foreground', 'objects', 'boundary share'],
        images.map((s) => [
          s.file,
          pct(s.foregroundFraction),
          s.objects,
          Number.isNaN(s.boundaryFraction) ? '-' : pct(s.boundaryFraction),
        ]),
      ),
    );
  }
  cli.out(lines.join('\n'));
}

/** The per-class table of a label map (and a blank line), or nothing for binary masks. */
function classLines(s: DatasetStats): string[] {
  if (!s.classes || s.classes.length < 2) return [];
  return [
    `Classes (label map; all non-zero labels together are the foreground above):`,
    table(
      ['label', 'share of voxels', 'images', 'objects', 'median object'],
      s.classes.map((c) => [
        String(c.label),
        percent(c.fraction, 3),
        c.images,
        c.objects,
        fmt(c.medianObject, 1),
      ]),
    ),
    '',
  ];
}
