/**
 * The self-contained HTML report of `losskit compare`: the leaderboard, every metric, learning curves as
 * inline SVG, and example predictions as PNG data URLs. No scripts, no external resources.
 */
import { encodePng } from '../io.ts';
import type { CompareOutcome, Examples, RunResult } from './run.ts';

export interface ReportMeta {
  readonly title: string;
  readonly dataset: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly totalSeconds: number;
  readonly command: string;
}

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A metric cell: undefined values (NaN, e.g. HD95 when no test image has both masks) print `-`, as the CLI's table. */
function num(x: number, d = 3): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return x.toFixed(d);
}

/** A line chart as inline SVG: one series per label, x = epoch. */
export function lineChart(
  title: string,
  series: readonly { label: string; x: readonly number[]; y: readonly number[] }[],
  yLabel: string,
  yRange?: readonly [number, number],
): string {
  // The legend sits to the right of the plot, so it never hides a curve.
  const legendWidth = 12 + 6.2 * Math.max(...series.map((s) => s.label.length), 4);
  const W = 340 + legendWidth;
  const H = 240;
  const m = { l: 44, r: 12 + legendWidth, t: 26, b: 36 };
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter((v) => Number.isFinite(v));
  const x0 = Math.min(...xs, 1);
  const x1 = Math.max(...xs, x0 + 1);
  let [y0, y1] = yRange ?? [Math.min(...ys, 0), Math.max(...ys, 1)];
  if (!(y1 > y0)) [y0, y1] = [0, 1];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const cx = (m.l + W - m.r) / 2;
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${(44 + 340 - 12) / 2 + 6}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = y0 + ((y1 - y0) * k) / 4;
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${m.l - 4}" y="${py(y) + 4}" text-anchor="end" font-size="10">${num(y, 2)}</text>`,
    );
  }
  const ticks = Math.min(6, x1 - x0);
  for (let k = 0; k <= ticks; k++) {
    const x = Math.round(x0 + ((x1 - x0) * k) / ticks);
    parts.push(`<text x="${px(x)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${x}</text>`);
  }
  parts.push(
    `<text x="${cx}" y="${H - 6}" text-anchor="middle" font-size="11">epoch</text>`,
    `<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.x
      .map((x, j) => [x, s.y[j]] as const)
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y]) => `${px(x).toFixed(1)},${py(Math.max(y0, Math.min(y1, y))).toFixed(1)}`);
    const color = COLORS[i % COLORS.length];
    if (pts.length)
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    parts.push(
      `<rect x="${W - m.r + 8}" y="${m.t + 6 + i * 14}" width="10" height="3" fill="${color}"/>`,
      `<text x="${W - m.r + 22}" y="${m.t + 11 + i * 14}" font-size="10">${esc(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function dataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** An image normalised to 8-bit gray for display (1st–99th percentile stretch). */
function grayTile(img: Float32Array, size: number): string {
  const sorted = Float32Array.from(img).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))];
  const data = img.map((v) => (255 * (v - lo)) / (hi - lo || 1));
  return dataUrl(encodePng({ width: size, height: size, data }));
}

/**
 * The prediction over the image: true positives green, false positives red, false negatives blue, on the
 * dimmed image; threshold 0.5.
 */
function overlayTile(
  img: Float32Array,
  truth: Float32Array | undefined,
  pred: Float32Array | undefined,
  size: number,
): string {
  const sorted = Float32Array.from(img).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))];
  const rgb = new Uint8Array(3 * size * size);
  for (let i = 0; i < size * size; i++) {
    const g = Math.max(0, Math.min(255, (160 * (img[i] - lo)) / (hi - lo || 1)));
    const t = truth ? truth[i] > 0.5 : false;
    const p = pred ? pred[i] >= 0.5 : t;
    let c: [number, number, number] = [g, g, g];
    if (t && p) c = pred ? [40, 200, 60] : [255, 220, 0];
    else if (p) c = [230, 40, 40];
    else if (t) c = [50, 90, 255];
    rgb.set(c, 3 * i);
  }
  return dataUrl(encodePng({ width: size, height: size, data: rgb, channels: 3 }));
}

function examplesHtml(ex: Examples): string {
  const labels = Object.keys(ex.predictions);
  const scale = Math.max(2, Math.round(128 / ex.size));
  const img = (src: string, alt: string) =>
    `<img src="${src}" alt="${esc(alt)}" width="${ex.size * scale}" height="${ex.size * scale}">`;
  const head = `<tr><th>image</th><th>truth</th>${labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`;
  const rows = ex.images.map((im, i) => {
    const cells = [
      img(grayTile(im, ex.size), 'image'),
      img(overlayTile(im, ex.masks[i], undefined, ex.size), 'truth'),
      ...labels.map((l) => img(overlayTile(im, ex.masks[i], ex.predictions[l][i], ex.size), l)),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="ex">${head}${rows.join('')}</table>`;
}

/** Best value per level (highest test Dice). */
export function bestPerLevel(runs: readonly RunResult[]): Map<string, number> {
  const best = new Map<string, number>();
  for (const r of runs) {
    const d = r.metrics.dice;
    if (Number.isFinite(d) && d > (best.get(r.level) ?? -Infinity)) best.set(r.level, d);
  }
  return best;
}

export function renderReport(outcome: CompareOutcome, meta: ReportMeta): string {
  const { runs, levels, examples } = outcome;
  const labels = [...new Set(runs.map((r) => r.label))];
  const best = bestPerLevel(runs);
  const cell = (level: string, label: string) => runs.find((r) => r.level === level && r.label === label);
  const leader = [
    `<table><tr><th>loss</th>${levels.map((l) => `<th>${esc(l.label)}</th>`).join('')}</tr>`,
    ...labels.map(
      (label) =>
        `<tr><td>${esc(label)}</td>${levels
          .map((l) => {
            const r = cell(l.label, label);
            if (!r) return '<td></td>';
            const isBest = r.metrics.dice === best.get(l.label);
            return `<td class="${isBest ? 'best' : ''}">${num(r.metrics.dice)}${isBest ? ' ★' : ''}</td>`;
          })
          .join('')}</tr>`,
    ),
    '</table>',
  ].join('');
  const metricRows = runs
    .map(
      (r) =>
        `<tr><td>${esc(r.level)}</td><td class="l">${esc(r.label)}</td><td>${num(r.metrics.dice)}</td><td>${num(r.metrics.iou)}</td>` +
        `<td>${num(r.metrics.sensitivity)}</td><td>${num(r.metrics.specificity, 4)}</td><td>${num(r.metrics.precision)}</td>` +
        `<td>${num(r.metrics.hd95, 2)}</td><td>${r.metrics.hd95Undefined}</td><td>${r.seconds.toFixed(1)}</td>` +
        `<td>${r.diverged ? 'yes' : ''}</td></tr>`,
    )
    .join('');
  const curves = levels
    .map((l) => {
      const rs = runs.filter((r) => r.level === l.label);
      const dice = lineChart(
        `${l.label}: test Dice per epoch`,
        rs.map((r) => ({ label: r.label, x: r.curve.epoch, y: r.curve.testDice })),
        'test Dice',
        [0, 1],
      );
      // Losses live on different scales (combo goes negative), so each curve is rescaled to [0, 1]: the chart
      // compares how fast each loss converged, not their values.
      const loss = lineChart(
        `${l.label}: training loss, rescaled per loss`,
        rs.map((r) => {
          const v = r.curve.trainLoss;
          const finite = v.filter((x) => Number.isFinite(x));
          const lo = Math.min(...finite);
          const hi = Math.max(...finite);
          return { label: r.label, x: r.curve.epoch, y: v.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0)) };
        }),
        '(loss − min) / (max − min)',
        [0, 1],
      );
      return `<div class="charts">${dice}${loss}</div>`;
    })
    .join('');
  const levelList = levels.map((l) => `<li><b>${esc(l.label)}</b>: ${esc(l.description)}</li>`).join('');
  const config = Object.entries(meta.config)
    .map(
      ([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`,
    )
    .join('');
  const exHtml = examples.map((ex) => `<h3>${esc(ex.level)}</h3>${examplesHtml(ex)}`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child,.l{text-align:left}.best{font-weight:bold;background:#e8f5e9}
.charts{display:flex;flex-wrap:wrap;gap:12px}.ex img{image-rendering:pixelated;display:block}
.ex td{padding:2px}.ex th{font-size:11px;font-weight:normal;max-width:100px;overflow-wrap:anywhere}
.cfg td{text-align:left}code{background:#f4f4f4;padding:1px 4px}
</style></head><body>
<h1>${esc(meta.title)}</h1>
<p>Produced by <code>${esc(meta.command)}</code> in ${meta.totalSeconds.toFixed(0)} s. Each loss trains the same U-Net
(${outcome.parameters} parameters) from the same initial weights, on the same images in the same order, with the same
optimiser and budget; the numbers are for the held-out test images, thresholded at 0.5.</p>
<ul>${levelList}</ul>
<h2>Leaderboard: test Dice (mean over test images)</h2>${leader}
<h2>All metrics</h2>
<table><tr><th>level</th><th>loss</th><th>Dice</th><th>IoU</th><th>sensitivity</th><th>specificity</th><th>precision</th>
<th>HD95 (px)</th><th>HD95 undefined</th><th>seconds</th><th>diverged</th></tr>${metricRows}</table>
<p>HD95 is the mean over test images where both masks are non-empty; "undefined" counts the others (an empty
prediction gives an infinite distance).</p>
<h2>Learning curves</h2>${curves}
<h2>Example test predictions</h2>
<p>Green: true positive; red: false positive; blue: false negative (missed); yellow in the truth column: the true mask.</p>
${exHtml}
<h2>Configuration</h2><table class="cfg">${config}</table>
</body></html>
`;
}
