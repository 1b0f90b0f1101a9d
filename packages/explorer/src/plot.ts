/** uPlot charts of the curves view: re-created when the set of lines changes, `setData` on every redraw. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSpec {
  readonly label: string;
  readonly color: string;
  readonly dash?: readonly number[];
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** An arcsinh y scale: linear near 0, logarithmic in the tails (gradients of −log p reach −500). */
  readonly asinh: boolean;
  /** x of a dashed vertical marker (the fixed point x0). */
  readonly marker?: number;
}

const HEIGHT = 270;

export class Plot {
  private chart: uPlot | undefined;
  private signature = '';
  private readonly resize: ResizeObserver;

  private readonly el: HTMLElement;

  constructor(el: HTMLElement) {
    this.el = el;
    this.resize = new ResizeObserver(() => {
      if (this.chart && el.clientWidth > 0) this.chart.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    this.resize.observe(el);
  }

  draw(spec: PlotSpec, lines: readonly LineSpec[], data: uPlot.AlignedData): void {
    const signature = JSON.stringify([spec, lines]);
    if (this.chart && signature === this.signature) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.signature = signature;
    const marker = spec.marker;
    // On the arcsinh scale: 0 and whole decades, thinned so that no two labels overlap.
    const onlyDecades = spec.asinh
      ? {
          splits: (u: uPlot, _axis: number, min: number, max: number) =>
            asinhTicks(min, max, Math.max(80, u.bbox.height / devicePixelRatio || HEIGHT - 80)),
          values: (_u: uPlot, splits: number[]) => splits.map(tickLabel),
        }
      : {};
    const opts: uPlot.Options = {
      title: spec.title,
      width: Math.max(this.el.clientWidth, 200),
      height: HEIGHT,
      scales: {
        x: { time: false },
        y: spec.asinh ? { distr: 4, asinh: 1 } : {},
      },
      axes: [
        { label: spec.xLabel, stroke: '#475569', grid: { stroke: '#e2e8f0' }, ticks: { stroke: '#cbd5e1' } },
        {
          label: spec.yLabel,
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
          ticks: { stroke: '#cbd5e1' },
          size: 60,
          ...onlyDecades,
        },
      ],
      // One compact legend per panel (curves.ts) instead of one per chart.
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: spec.xLabel },
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 2,
          ...(l.dash ? { dash: [...l.dash] } : {}),
          spanGaps: true,
          points: { show: false },
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            if (marker === undefined) return;
            const x = u.valToPos(marker, 'x', true);
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = '#94a3b8';
            ctx.setLineDash([4, 4]);
            ctx.lineWidth = 1;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    this.chart = new uPlot(opts, data, this.el);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.signature = '';
    this.resize.disconnect();
  }
}

/** Minimum distance between two tick labels, in CSS pixels. */
const TICK_GAP = 18;

/**
 * Ticks of an arcsinh axis over [min, max] drawn `px` pixels tall: 0 and ±10^k, the largest first, each kept
 * only if it is at least TICK_GAP pixels from those already kept (1, 0 and −1 crowd together on a wide range).
 */
export function asinhTicks(min: number, max: number, px: number): number[] {
  const span = Math.asinh(max) - Math.asinh(min);
  if (!(span > 0)) return [min];
  const candidates = [0];
  for (let k = 6; k >= -3; k--) candidates.push(10 ** k, -(10 ** k));
  const kept: number[] = [];
  for (const v of candidates
    .filter((c) => c >= min && c <= max)
    .sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : Math.abs(b) - Math.abs(a)))) {
    const y = ((Math.asinh(v) - Math.asinh(min)) / span) * px;
    if (kept.every((k) => Math.abs(((Math.asinh(k) - Math.asinh(min)) / span) * px - y) >= TICK_GAP))
      kept.push(v);
  }
  return kept.sort((a, b) => a - b);
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e4 || a < 1e-2 ? `1e${Math.round(Math.log10(a))}` : String(a);
  return v < 0 ? `−${text}` : text;
}

/** Aligns series sampled on different grids (a slow-path curve has fewer points) onto one x axis. */
export function join(tables: uPlot.AlignedData[]): uPlot.AlignedData {
  if (tables.length === 1) return tables[0];
  return uPlot.join(tables);
}
