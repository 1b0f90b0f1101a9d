/**
 * The segmentation playground: a 32×32 ground truth and prediction, from presets or drawn with the mouse; a live
 * table of every segmentation loss and metric of the catalog on the pair; and a heatmap of the chosen loss's
 * gradient over the predicted probabilities.
 */
import type { LossInfo, MetricInfo, OptionValue } from 'losskit';
import { paramControls } from './controls.ts';
import { h, numberAttr, perFrame, replace } from './dom.ts';
import {
  GT_LABELS,
  GT_PRESETS,
  groundTruth,
  PRED_LABELS,
  PRED_PRESETS,
  PRED_TITLES,
  prediction,
  SIZE,
  type GtPreset,
  type PredPreset,
} from './masks.ts';
import { formatNumber } from './params.ts';
import { evaluateAll, lossGradient, type Entry, type SegLayout, type SegRow } from './seg.ts';

const CELL = 8;
const PX = SIZE * CELL;

const LAYOUT_TEXT: Record<SegLayout, string> = {
  '1ch': '1 channel',
  '2ch': '2 channels',
  sparse: 'int labels',
};

export class PlaygroundView {
  private gtPreset: GtPreset | 'drawn' = 'objects';
  private predPreset: PredPreset | 'drawn' = 'shifted';
  private k = 2;
  private confidence = 1;
  private brush = 1;
  private sqrtColours = false;
  private gt = groundTruth('objects');
  private pred = prediction(this.gt, 'shifted', 2);
  private heat: string | undefined;
  private version = 0;
  private rows: SegRow[] = [];
  private readonly entries: Entry[];
  private readonly user = new Map<string, Record<string, OptionValue>>();
  private readonly known = new Map<string, SegLayout>();
  private readonly gtCanvas = h('canvas', {
    width: PX,
    height: PX,
    'data-canvas': 'gt',
    class: 'grid-canvas',
  });
  private readonly predCanvas = h('canvas', {
    width: PX,
    height: PX,
    'data-canvas': 'pred',
    class: 'grid-canvas',
  });
  private readonly heatCanvas = h('canvas', {
    width: PX,
    height: PX,
    'data-canvas': 'heat',
    class: 'grid-canvas',
  });
  private readonly heatCaption = h('div', { class: 'small muted caption' });
  private heatScale: HTMLElement | undefined;
  private readonly heatParams = h('div', { class: 'heat-params' });
  private readonly tableBody = h('tbody');
  private readonly status = h('span', { class: 'muted small' });
  private readonly gtButtons = h('div', { class: 'seg wrap' });
  private readonly predButtons = h('div', { class: 'seg wrap' });
  private readonly kOut = h('output', { class: 'pvalue' });
  private readonly update = perFrame(() => {
    this.recompute();
  });

  private readonly root: HTMLElement;

  constructor(root: HTMLElement, losses: readonly LossInfo[], metrics: readonly MetricInfo[]) {
    this.root = root;
    this.entries = [
      ...losses.filter((l) => l.task === 'segmentation').map((info) => ({ kind: 'loss' as const, info })),
      ...metrics.filter((m) => m.task === 'segmentation').map((info) => ({ kind: 'metric' as const, info })),
    ];
    const losses0 = this.entries.filter((e) => e.kind === 'loss');
    this.heat = (losses0.find((e) => /^dice$/i.test(e.info.id)) ?? losses0.at(0))?.info.id;
    this.build();
  }

  show(): void {
    this.recompute();
  }

  private build(): void {
    for (const p of GT_PRESETS) {
      const b = h('button', { 'data-gt-preset': p, type: 'button' }, GT_LABELS[p]);
      b.addEventListener('click', () => {
        this.gtPreset = p;
        this.gt = groundTruth(p);
        if (this.predPreset !== 'drawn')
          this.pred = prediction(this.gt, this.predPreset, this.k, this.confidence);
        this.recompute();
      });
      this.gtButtons.append(b);
    }
    for (const p of PRED_PRESETS) {
      const b = h('button', { 'data-pred-preset': p, type: 'button', title: PRED_TITLES[p] }, PRED_LABELS[p]);
      b.addEventListener('click', () => {
        this.predPreset = p;
        this.pred = prediction(this.gt, p, this.k, this.confidence);
        this.recompute();
      });
      this.predButtons.append(b);
    }
    const kSlider = h('input', { type: 'range', min: 1, max: 6, step: 1, value: this.k, 'data-k': '' });
    kSlider.addEventListener('input', () => {
      this.k = Number(kSlider.value);
      if (this.predPreset !== 'drawn')
        this.pred = prediction(this.gt, this.predPreset, this.k, this.confidence);
      this.update();
    });
    const confidence = h('input', {
      type: 'range',
      min: 0.5,
      max: 1,
      step: 0.01,
      value: this.confidence,
      'data-confidence': '',
    });
    const confidenceOut = h('output', { class: 'pvalue' }, String(this.confidence));
    confidence.addEventListener('input', () => {
      this.confidence = Number(confidence.value);
      confidenceOut.textContent = this.confidence.toFixed(2);
      if (this.predPreset !== 'drawn' && this.predPreset !== 'noisy') {
        this.pred = prediction(this.gt, this.predPreset, this.k, this.confidence);
      }
      this.update();
    });
    const brush = h('input', { type: 'range', min: 0, max: 3, step: 1, value: this.brush, 'data-brush': '' });
    const brushOut = h('output', { class: 'pvalue' }, String(this.brush));
    brush.addEventListener('input', () => {
      this.brush = Number(brush.value);
      brushOut.textContent = String(this.brush);
    });
    const sqrt = h('input', { type: 'checkbox', checked: this.sqrtColours, 'data-heat-sqrt': '' });
    sqrt.addEventListener('change', () => {
      this.sqrtColours = sqrt.checked;
      this.drawHeat();
    });
    this.heatScale = h('label', { class: 'inline small' }, sqrt, '√ colour scale');
    this.paintable(this.gtCanvas, 'gt');
    this.paintable(this.predCanvas, 'pred');

    replace(
      this.root,
      h(
        'div',
        { class: 'pg-left' },
        h('div', { class: 'pg-controls' }, h('span', { class: 'tlabel' }, 'Ground truth'), this.gtButtons),
        h('div', { class: 'pg-controls' }, h('span', { class: 'tlabel' }, 'Prediction'), this.predButtons),
        h(
          'div',
          { class: 'pg-controls' },
          h(
            'label',
            { class: 'inline', title: 'Pixels of shift, dilation or erosion; noise level' },
            h('span', { class: 'tlabel' }, 'k'),
            kSlider,
            this.kOut,
          ),
          h(
            'label',
            {
              class: 'inline',
              title: 'A mask preset predicts this probability inside and 1 − it outside (1: hard 0/1)',
            },
            h('span', { class: 'tlabel' }, 'confidence'),
            confidence,
            confidenceOut,
          ),
        ),
        h(
          'div',
          { class: 'pg-controls' },
          h('label', { class: 'inline' }, h('span', { class: 'tlabel' }, 'brush radius'), brush, brushOut),
          h('span', { class: 'muted small' }, 'Draw: left button paints, right button (or Shift) erases.'),
        ),
        h(
          'div',
          { class: 'canvases' },
          h('figure', {}, this.gtCanvas, h('figcaption', {}, 'Ground truth g')),
          h('figure', {}, this.predCanvas, h('figcaption', {}, 'Prediction p (outline: g)')),
          h('figure', {}, this.heatCanvas, h('figcaption', {}, this.heatCaption, this.heatScale)),
        ),
        this.heatParams,
      ),
      h(
        'div',
        { class: 'pg-right' },
        h(
          'div',
          { class: 'table-title' },
          'Every segmentation loss and metric of the catalog on this pair ',
          this.status,
        ),
        h(
          'table',
          { class: 'values seg-table', 'data-seg-table': '' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { title: 'Show this loss’s gradient' }, '∇'),
              h('th', {}, 'name'),
              h('th', {}, 'value'),
              h('th', {}, ''),
              h('th', {}, 'input'),
              h('th', {}, 'ms'),
            ),
          ),
          this.tableBody,
        ),
      ),
    );
  }

  /** Mouse drawing: paint 1 (left button) or 0 (right button, Shift) under a disk brush. */
  private paintable(canvas: HTMLCanvasElement, which: 'gt' | 'pred'): void {
    canvas.addEventListener('contextmenu', (e) => {
      e.preventDefault();
    });
    const paint = (e: PointerEvent) => {
      const rect = canvas.getBoundingClientRect();
      const c = Math.floor(((e.clientX - rect.left) / rect.width) * SIZE);
      const r = Math.floor(((e.clientY - rect.top) / rect.height) * SIZE);
      const erase = e.shiftKey || (e.buttons & 2) !== 0;
      const v = erase ? 0 : 1;
      const R = this.brush;
      for (let dr = -R; dr <= R; dr++) {
        for (let dc = -R; dc <= R; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (dr * dr + dc * dc > R * R + R || rr < 0 || rr >= SIZE || cc < 0 || cc >= SIZE) continue;
          if (which === 'gt') this.gt[rr * SIZE + cc] = v;
          else this.pred[rr * SIZE + cc] = v;
        }
      }
      if (which === 'gt') {
        this.gtPreset = 'drawn';
        if (this.predPreset !== 'drawn')
          this.pred = prediction(this.gt, this.predPreset, this.k, this.confidence);
      } else this.predPreset = 'drawn';
      this.update();
    };
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      paint(e);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (e.buttons) paint(e);
    });
  }

  private recompute(): void {
    const t0 = performance.now();
    this.rows = evaluateAll(this.entries, this.user, this.gt, this.pred, this.known);
    const evalMs = performance.now() - t0;
    this.renderTable();
    this.drawMask(this.gtCanvas, Float32Array.from(this.gt), false);
    this.drawMask(this.predCanvas, this.pred, true);
    this.drawHeat();
    this.status.textContent = `· ${this.entries.length} entries in ${evalMs.toFixed(0)} ms`;
    for (const b of this.gtButtons.querySelectorAll<HTMLElement>('button'))
      b.classList.toggle('on', b.dataset.gtPreset === this.gtPreset);
    for (const b of this.predButtons.querySelectorAll<HTMLElement>('button'))
      b.classList.toggle('on', b.dataset.predPreset === this.predPreset);
    this.kOut.textContent = String(this.k);
    const d = this.root.dataset;
    d.gt = Array.from(this.gt).join('');
    d.pred = JSON.stringify(Array.from(this.pred));
    d.gtPreset = this.gtPreset;
    d.predPreset = this.predPreset;
    d.k = String(this.k);
    d.heat = this.heat ?? '';
    d.version = String(++this.version);
    d.ready = 'true';
  }

  private renderTable(): void {
    const row = (r: SegRow) => {
      const isLoss = r.kind === 'loss';
      const radio = isLoss
        ? h('input', {
            type: 'radio',
            name: 'heat',
            'data-heat-loss': r.info.id,
            checked: r.info.id === this.heat,
            'aria-label': `Gradient of ${r.info.id}`,
          })
        : null;
      const better = isLoss ? '↓' : (r.info as MetricInfo).higherIsBetter ? '↑' : '↓';
      const tr = h(
        'tr',
        {
          'data-loss-id': r.info.id,
          'data-kind': r.kind,
          'data-value': numberAttr(r.value),
          'data-layout': r.layout,
          'data-options': JSON.stringify(r.options),
          'data-error': r.error,
          class: r.info.id === this.heat ? 'selected' : undefined,
          title: r.error ?? r.info.summary,
        },
        h('td', {}, radio),
        h(
          'td',
          {},
          r.info.id,
          Object.keys(this.user.get(r.info.id) ?? {}).length ? h('span', { class: 'badge' }, 'tuned') : null,
        ),
        h('td', { class: 'num' }, r.error ? h('span', { class: 'error' }, 'error') : formatNumber(r.value)),
        h(
          'td',
          {
            class: 'muted',
            title: isLoss ? 'lower is better' : better === '↑' ? 'higher is better' : 'lower is better',
          },
          better,
        ),
        h('td', { class: 'muted small' }, r.layout ? LAYOUT_TEXT[r.layout] : ''),
        h('td', { class: 'num muted small' }, r.ms.toFixed(1)),
      );
      // A click anywhere on a loss's row shows its gradient.
      if (isLoss) {
        tr.classList.add('clickable');
        tr.addEventListener('click', () => {
          if (this.heat === r.info.id) return;
          this.heat = r.info.id;
          this.recompute();
        });
      }
      return tr;
    };
    const losses = this.rows.filter((r) => r.kind === 'loss');
    const metrics = this.rows.filter((r) => r.kind === 'metric');
    replace(
      this.tableBody,
      h('tr', { class: 'group' }, h('td', { colspan: 6 }, `Losses (${losses.length})`)),
      losses.map(row),
      h('tr', { class: 'group' }, h('td', { colspan: 6 }, `Metrics (${metrics.length})`)),
      metrics.map(row),
      this.rows.length
        ? null
        : h(
            'tr',
            {},
            h('td', { colspan: 6, class: 'muted' }, 'The catalog has no segmentation losses or metrics yet.'),
          ),
    );
  }

  private drawMask(canvas: HTMLCanvasElement, values: Float32Array, outline: boolean): void {
    const ctx = canvas.getContext('2d')!;
    for (let i = 0; i < SIZE * SIZE; i++) {
      const v = Math.min(1, Math.max(0, values[i]));
      // White → deep blue.
      const r = Math.round(248 - v * (248 - 30));
      const g = Math.round(250 - v * (250 - 64));
      const b = Math.round(252 - v * (252 - 175));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect((i % SIZE) * CELL, Math.floor(i / SIZE) * CELL, CELL, CELL);
    }
    this.gridLines(ctx);
    if (outline) this.outline(ctx, '#f97316');
  }

  private gridLines(ctx: CanvasRenderingContext2D): void {
    ctx.strokeStyle = 'rgba(100,116,139,0.12)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < SIZE; i++) {
      ctx.moveTo(i * CELL + 0.5, 0);
      ctx.lineTo(i * CELL + 0.5, PX);
      ctx.moveTo(0, i * CELL + 0.5);
      ctx.lineTo(PX, i * CELL + 0.5);
    }
    ctx.stroke();
  }

  /** The ground truth's boundary, drawn along pixel edges. */
  private outline(ctx: CanvasRenderingContext2D, color: string): void {
    const at = (r: number, c: number) =>
      r >= 0 && r < SIZE && c >= 0 && c < SIZE ? this.gt[r * SIZE + c] : 0;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let r = 0; r <= SIZE; r++) {
      for (let c = 0; c <= SIZE; c++) {
        if (at(r, c) !== at(r - 1, c) && c < SIZE) {
          ctx.moveTo(c * CELL, r * CELL);
          ctx.lineTo((c + 1) * CELL, r * CELL);
        }
        if (at(r, c) !== at(r, c - 1) && r < SIZE) {
          ctx.moveTo(c * CELL, r * CELL);
          ctx.lineTo(c * CELL, (r + 1) * CELL);
        }
      }
    }
    ctx.stroke();
  }

  private drawHeat(): void {
    const ctx = this.heatCanvas.getContext('2d')!;
    ctx.fillStyle = '#f8fafc';
    ctx.fillRect(0, 0, PX, PX);
    const row = this.rows.find((r) => r.info.id === this.heat);
    const entry = this.entries.find((e) => e.info.id === this.heat);
    this.renderHeatParams(entry);
    if (!row || !entry || entry.kind !== 'loss') {
      replace(this.heatCaption, 'No segmentation loss in the catalog yet.');
      this.heatCanvas.dataset.max = '';
      return;
    }
    if (row.error || !row.layout) {
      replace(
        this.heatCaption,
        h('span', { class: 'error' }, `${entry.info.id}: ${row.error ?? 'no layout accepted'}`),
      );
      return;
    }
    let grad: Float32Array;
    try {
      grad = lossGradient(entry.info, this.user.get(entry.info.id) ?? {}, row.layout, this.gt, this.pred);
    } catch (e) {
      replace(
        this.heatCaption,
        h('span', { class: 'error' }, `${entry.info.id}: ${e instanceof Error ? e.message : String(e)}`),
      );
      return;
    }
    let max = 0;
    for (const g of grad) if (Number.isFinite(g)) max = Math.max(max, Math.abs(g));
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i];
      let color = '#f8fafc';
      if (!Number.isFinite(g)) color = '#a3a3a3';
      else if (max > 0 && g !== 0) {
        // |g|/max, or √(|g|/max) on request: small gradients stay visible next to a few large ones.
        const t = this.sqrtColours ? Math.sqrt(Math.abs(g) / max) : Math.abs(g) / max;
        const [r, gg, b] = g > 0 ? [220, 38, 38] : [37, 99, 235];
        color = `rgb(${Math.round(248 + (r - 248) * t)},${Math.round(250 + (gg - 250) * t)},${Math.round(252 + (b - 252) * t)})`;
      }
      ctx.fillStyle = color;
      ctx.fillRect((i % SIZE) * CELL, Math.floor(i / SIZE) * CELL, CELL, CELL);
    }
    this.gridLines(ctx);
    this.outline(ctx, '#0f172a');
    this.heatCanvas.dataset.max = numberAttr(max);
    replace(
      this.heatCaption,
      h('strong', {}, `∂ℓ/∂p of ${entry.info.id}`),
      h('br'),
      h('span', { class: 'legend-neg' }, '■'),
      ' raising p lowers ℓ ',
      h('span', { class: 'legend-pos' }, '■'),
      ' raises ℓ · max |∂ℓ/∂p| = ',
      formatNumber(max),
      max === 0
        ? h(
            'div',
            {},
            'Zero everywhere: e.g. a loss that clips p to [ε, 1 − ε] passes no gradient at p = 0 or 1; lower the confidence.',
          )
        : null,
    );
  }

  private renderHeatParams(entry: Entry | undefined): void {
    if (!entry || this.heatParams.dataset.for === entry.info.id) return;
    this.heatParams.dataset.for = entry.info.id;
    let values = this.user.get(entry.info.id);
    if (!values) {
      values = {};
      this.user.set(entry.info.id, values);
    }
    replace(
      this.heatParams,
      h(
        'h4',
        {},
        `Options of ${entry.info.id}`,
        h('span', { class: 'muted small' }, ' (its row and the heatmap)'),
      ),
      paramControls(entry.info, values, this.update),
    );
  }
}
