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
    // On the arcsinh scale keep only 0 and whole decades: the 2…9 minor lines crowd the tails.
    const onlyDecades = spec.asinh
      ? { filter: (_u: uPlot, splits: number[]) => splits.map((v) => (decade(v) ? v : null)) }
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
          grid: { stroke: '#e2e8f0', ...onlyDecades },
          ticks: { stroke: '#cbd5e1', ...onlyDecades },
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

function decade(v: number): boolean {
  if (v === 0) return true;
  const e = Math.log10(Math.abs(v));
  return Math.abs(e - Math.round(e)) < 1e-9;
}

/** Aligns series sampled on different grids (a slow-path curve has fewer points) onto one x axis. */
export function join(tables: uPlot.AlignedData[]): uPlot.AlignedData {
  if (tables.length === 1) return tables[0];
  return uPlot.join(tables);
}
