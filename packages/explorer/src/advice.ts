/**
 * The mask statistics and loss advice of `losskit advise` (packages/cli/src/commands/advise.ts), for one 2-D
 * ground truth, computed in the page: the page cannot import the CLI (which reads files with node:fs), so this is
 * its own short version of the same rules and thresholds. No DOM, no tfjs.
 */

export interface MaskSummary {
  readonly pixels: number;
  readonly foreground: number;
  /** Connected components (4-connectivity, as the CLI), largest first. */
  readonly objects: number[];
  /** Foreground pixels with a background 4-neighbour (outside the image is background). */
  readonly boundary: number;
  /** Σ size·elongation / Σ size, elongation = area / (π r²), r the largest inscribed radius; 1 for a disk. */
  readonly elongation: number;
  /** Half of the foreground lies in objects at least this large (pixels). */
  readonly typicalObject: number;
}

/** Euclidean distance from each pixel to the nearest background pixel, the image padded with background. */
function depth(fg: Uint8Array, rows: number, cols: number): Float64Array {
  // Per column: distance to the nearest background row (padding rows −1 and `rows` are background).
  const vert = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let last = -1;
    for (let r = 0; r < rows; r++) {
      if (!fg[r * cols + c]) last = r;
      vert[r * cols + c] = r - last;
    }
    last = rows;
    for (let r = rows - 1; r >= 0; r--) {
      if (!fg[r * cols + c]) last = r;
      vert[r * cols + c] = Math.min(vert[r * cols + c], last - r);
    }
  }
  // Per row: the nearest background over all columns (and the padding columns at distance c + 1, cols − c).
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!fg[r * cols + c]) continue;
      let best = Math.min(c + 1, cols - c) ** 2;
      for (let c2 = 0; c2 < cols; c2++) {
        const dc = (c2 - c) ** 2;
        if (dc >= best) {
          if (c2 > c) break;
          continue;
        }
        best = Math.min(best, dc + vert[r * cols + c2] ** 2);
      }
      out[r * cols + c] = Math.sqrt(best);
    }
  }
  return out;
}

export function summarise(fg: Uint8Array, rows: number, cols: number): MaskSummary {
  const d = depth(fg, rows, cols);
  const seen = new Uint8Array(fg.length);
  const found: { size: number; elongation: number }[] = [];
  let foreground = 0;
  let boundary = 0;
  for (let s = 0; s < fg.length; s++) {
    if (!fg[s] || seen[s]) continue;
    const stack = [s];
    seen[s] = 1;
    let size = 0;
    let radius = 0;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      radius = Math.max(radius, d[i]);
      const r = Math.floor(i / cols);
      const c = i % cols;
      const near = [
        r > 0 ? i - cols : -1,
        r < rows - 1 ? i + cols : -1,
        c > 0 ? i - 1 : -1,
        c < cols - 1 ? i + 1 : -1,
      ];
      if (near.some((j) => j < 0 || !fg[j])) boundary++;
      for (const j of near)
        if (j >= 0 && fg[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
    }
    foreground += size;
    found.push({ size, elongation: size / (Math.PI * radius * radius) });
  }
  found.sort((a, b) => b.size - a.size);
  let acc = 0;
  let typicalObject = NaN;
  for (const o of [...found].reverse()) {
    acc += o.size;
    if (acc >= foreground / 2) {
      typicalObject = o.size;
      break;
    }
  }
  return {
    pixels: fg.length,
    foreground,
    objects: found.map((o) => o.size),
    boundary,
    elongation: foreground ? found.reduce((a, o) => a + o.size * o.elongation, 0) / foreground : NaN,
    typicalObject,
  };
}

export interface Advice {
  /** `balanced`, `mildly skewed`, `heavily imbalanced` or `no foreground`, then `tiny objects`, `thin structures`. */
  readonly profile: string[];
  /** Catalog ids, best first, with options and why. */
  readonly losses: { id: string; options: Record<string, number>; reason: string }[];
}

type Rule = readonly [id: string, score: number, reason: string, options?: Record<string, number>];
const TVERSKY = { alpha: 0.3, beta: 0.7 };

/** The CLI's rules (advise.ts), condensed: each matching rule adds its score to its loss. */
const RULES: Record<string, readonly Rule[]> = {
  balanced: [
    [
      'binaryCrossentropy',
      10,
      'classes are balanced: cross-entropy has smooth gradients and calibrated probabilities',
    ],
    ['dice', 7, 'optimises the overlap that is usually reported'],
    ['combo', 6, 'cross-entropy plus Dice: stable, and focused on overlap'],
  ],
  'mildly skewed': [
    ['dice', 10, 'foreground is a minority: Dice is a ratio of overlaps, blind to the background count'],
    ['combo', 8, 'keeps per-pixel gradients while Dice handles the skew'],
    ['logCoshDice', 6, 'a smoothed Dice, steadier while the overlap is small'],
    ['tversky', 5, 'β > α weighs missed foreground more, if recall matters', TVERSKY],
    ['binaryCrossentropy', 3, 'works, but the many easy background pixels dominate its mean'],
  ],
  'heavily imbalanced': [
    [
      'focalTversky',
      10,
      'foreground is rare: β > α penalises misses, γ emphasises hard images',
      { ...TVERSKY, gamma: 0.75 },
    ],
    ['tversky', 9, 'weights false negatives above false positives', TVERSKY],
    ['dice', 7, 'handles imbalance from the start, but treats misses and false alarms alike'],
    ['focal', 4, 'down-weights easy background pixels, but may still settle on all background', { gamma: 2 }],
    ['combo', 4, 'its cross-entropy term starts slowly at this imbalance'],
    ['binaryCrossentropy', 1, 'tends to predict all background when the foreground is this rare'],
  ],
  'tiny objects': [
    [
      'focalTversky',
      4,
      'objects are tiny: a few missed pixels lose a whole object',
      { ...TVERSKY, gamma: 0.75 },
    ],
    ['tversky', 3, 'recall-weighted so that small objects are not dropped', TVERSKY],
    ['focal', 1, 'focuses on the hard pixels, which tiny objects mostly are', { gamma: 2 }],
  ],
  'thin structures': [
    [
      'boundaryLoss',
      14,
      'thin, elongated structures: region losses barely notice a one-pixel shift; use with Dice',
    ],
    ['hausdorffDtLoss', 11, 'penalises errors by their distance to the true boundary'],
    ['dice', 2, 'as the region partner of a boundary loss'],
  ],
};

/** The CLI's profile thresholds (advise.ts `profileOf`) and recommendations, for the ids the catalog has. */
export function advise(s: MaskSummary, known: ReadonlySet<string>): Advice {
  const f = s.foreground / s.pixels;
  const balance =
    f === 0 ? 'no foreground' : f >= 0.2 ? 'balanced' : f >= 0.02 ? 'mildly skewed' : 'heavily imbalanced';
  const tiny = s.objects.length > 0 && (s.typicalObject / s.pixels < 0.002 || s.typicalObject < 10);
  const thin = !tiny && s.elongation >= 3 && s.boundary / s.foreground > 0.3;
  const profile = [balance, ...(tiny ? ['tiny objects'] : []), ...(thin ? ['thin structures'] : [])];
  const score = new Map<string, { score: number; reasons: string[]; options: Record<string, number> }>();
  for (const [id, points, reason, options = {}] of profile.flatMap((p) => RULES[p] ?? [])) {
    const c = score.get(id) ?? { score: 0, reasons: [], options: {} };
    c.score += points;
    c.reasons.push(reason);
    Object.assign(c.options, options);
    score.set(id, c);
  }
  const losses = [...score]
    .filter(([id]) => known.has(id))
    .sort((a, b) => b[1].score - a[1].score)
    .map(([id, c]) => ({ id, options: c.options, reason: c.reasons.join('; ') }));
  return { profile, losses };
}
