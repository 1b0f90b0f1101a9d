/**
 * The curves view: up to four losses overlaid, ℓ and ∂ℓ/∂x as the prediction x sweeps its range, with a control
 * for every parameter (from the catalog) redrawn live. The values at the fixed point x0 are written into a table
 * whose rows carry the exact input in `data-*` attributes, for the end-to-end test.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossInfo, OptionValue } from 'losskit';
import type uPlot from 'uplot';
import { paramControls } from './controls.ts';
import { h, numberAttr, perFrame, replace } from './dom.ts';
import { formatNumber } from './params.ts';
import { join, Plot, type LineSpec } from './plot.ts';
import { storageNote } from './precision.ts';
import {
  affine,
  defaultLayout,
  evaluateCurve,
  grid,
  GRID_POINTS,
  imposedOptions,
  layoutsFor,
  RANGES,
  X0,
  type Affine,
  type CurveResult,
  type Domain,
  type Layout,
} from './sweep.ts';

export const MAX_CURVES = 4;
const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706'];
const TASKS = ['regression', 'classification', 'segmentation'] as const;

const LAYOUT_LABELS: Record<Layout, string> = {
  residual: 'scalar target',
  binary: 'one probability',
  onehot: 'one-hot, 2 classes',
  sparse: 'integer label, 2 classes',
  image: '4×4 mask, 1 channel',
  image2: '4×4 mask, 2 channels',
  imageSparse: '4×4 integer labels',
};

interface SeriesResult {
  readonly key: 'pos' | 'neg' | 'reg';
  readonly label: string;
  readonly target: number;
  readonly input: Affine;
  readonly result: CurveResult;
}

interface Pick {
  readonly info: LossInfo;
  readonly color: string;
  readonly values: Record<string, OptionValue>;
  layoutChoice: 'auto' | Layout;
  used: Layout | undefined;
  options: Record<string, OptionValue> | undefined;
  raw: boolean;
  series: SeriesResult[] | undefined;
  error: string | undefined;
  ms: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class CurvesView {
  private picks: Pick[] = [];
  private domain: Domain = 'probability';
  private target = 1;
  private gradAsinh = true;
  /** Each loss divided by its own largest |value| on the range, so a loss of scale 1/16 is not a flat line. */
  private normalise = true;
  private version = 0;
  private readonly picker = h('div', { class: 'picker-list' });
  private readonly cards = h('div', { class: 'cards' });
  private readonly panels = h('div', { class: 'panels' });
  private readonly table = h('div', {
    class: 'x0-table',
    tabindex: 0,
    role: 'region',
    'aria-label': 'Values at the fixed point x0',
  });
  private readonly status = h('span', { class: 'muted small', 'data-curves-status': '' });
  private readonly plots = new Map<string, Plot>();
  private readonly redraw = perFrame(() => {
    this.render();
  });
  private visible = false;

  private readonly root: HTMLElement;
  private readonly losses: readonly LossInfo[];

  constructor(root: HTMLElement, losses: readonly LossInfo[]) {
    this.root = root;
    this.losses = losses;
    this.build();
  }

  /** Replaces the chosen losses (unknown ids are ignored), e.g. from the catalog's "Plot" buttons. */
  select(ids: readonly string[]): void {
    this.picks = [];
    for (const id of ids.slice(0, MAX_CURVES)) {
      const info = this.losses.find((l) => l.id === id);
      if (info) this.add(info, false);
    }
    this.syncPicker();
    this.rebuildCards();
    this.recomputeAll();
  }

  /** The first loss of each task: something to look at on first visit. */
  selectDefaults(): void {
    const ids = TASKS.map((t) => this.losses.find((l) => l.task === t)?.id).filter(
      (id): id is string => id !== undefined,
    );
    this.select(ids);
  }

  show(): void {
    this.visible = true;
    this.render();
  }

  hide(): void {
    this.visible = false;
  }

  selectedIds(): string[] {
    return this.picks.map((p) => p.info.id);
  }

  private build(): void {
    const search = h('input', {
      type: 'search',
      placeholder: 'Filter losses…',
      class: 'search',
      'data-curves-search': '',
    });
    search.addEventListener('input', () => {
      const q = search.value.trim().toLowerCase();
      for (const item of this.picker.querySelectorAll<HTMLElement>('[data-pick-item]')) {
        item.hidden = q !== '' && !(item.dataset.search ?? '').includes(q);
      }
    });
    for (const task of TASKS) {
      const items = this.losses.filter((l) => l.task === task);
      if (!items.length) continue;
      this.picker.append(
        h('div', { class: 'picker-group' }, h('h4', {}, task)),
        ...items.map((info) => {
          const box = h('input', { type: 'checkbox', 'data-pick-loss': info.id });
          box.addEventListener('change', () => {
            if (box.checked) this.add(info, true);
            else this.remove(info.id);
          });
          return h(
            'label',
            {
              class: 'pick',
              'data-pick-item': '',
              'data-search': [info.id, ...info.aliases, info.summary].join(' ').toLowerCase(),
              title: `${info.id}: ${info.summary}`,
            },
            box,
            h('span', { class: 'swatch' }),
            h('span', {}, info.id),
          );
        }),
      );
    }

    const domainSel = h(
      'div',
      { class: 'seg', role: 'radiogroup', 'aria-label': 'x axis of classification and segmentation losses' },
      ...(['probability', 'logit'] as const).map((d) => {
        const r = h('input', {
          type: 'radio',
          name: 'domain',
          value: d,
          checked: d === this.domain,
          'data-domain': d,
        });
        r.addEventListener('change', () => {
          this.domain = d;
          this.recomputeAll();
        });
        return h('label', {}, r, d === 'probability' ? 'probability p' : 'logit z');
      }),
    );
    const tOut = h('output', { class: 'pvalue' }, String(this.target));
    const tSlider = h('input', {
      type: 'range',
      min: -2,
      max: 3,
      step: 0.05,
      value: this.target,
      'data-regression-target': '',
    });
    tSlider.addEventListener('input', () => {
      this.target = Number(tSlider.value);
      tOut.textContent = formatNumber(this.target);
      for (const p of this.picks) if (p.info.task === 'regression') this.compute(p);
      this.redraw();
    });
    const asinh = h('input', { type: 'checkbox', checked: this.gradAsinh, 'data-grad-asinh': '' });
    asinh.addEventListener('change', () => {
      this.gradAsinh = asinh.checked;
      this.redraw();
    });
    const normalise = h('input', { type: 'checkbox', checked: this.normalise, 'data-normalise': '' });
    normalise.addEventListener('change', () => {
      this.normalise = normalise.checked;
      this.redraw();
    });

    replace(
      this.root,
      h(
        'aside',
        { class: 'picker' },
        h('h3', {}, `Losses `, h('span', { class: 'muted small' }, `(up to ${MAX_CURVES})`)),
        search,
        this.picker,
      ),
      h(
        'div',
        { class: 'curves-main' },
        h(
          'div',
          { class: 'toolbar' },
          h('span', { class: 'tlabel' }, 'Classification & segmentation x:'),
          domainSel,
          h(
            'label',
            { class: 'inline' },
            h('span', { class: 'tlabel' }, 'Regression target y'),
            tSlider,
            tOut,
          ),
          h('label', { class: 'inline' }, asinh, 'asinh scale for the gradient'),
          h(
            'label',
            {
              class: 'inline',
              title: 'Divide each loss (and its gradient) by its largest |value| on the plotted range',
            },
            normalise,
            'normalise each loss',
          ),
          this.status,
        ),
        this.cards,
        this.panels,
        this.table,
      ),
    );
  }

  private add(info: LossInfo, recompute: boolean): void {
    if (this.picks.some((p) => p.info.id === info.id) || this.picks.length >= MAX_CURVES) return;
    const color = PALETTE.find((c) => !this.picks.some((p) => p.color === c)) ?? PALETTE[0];
    const pick: Pick = {
      info,
      color,
      values: {},
      layoutChoice: 'auto',
      used: undefined,
      options: undefined,
      raw: false,
      series: undefined,
      error: undefined,
      ms: 0,
    };
    this.picks.push(pick);
    if (recompute) {
      this.syncPicker();
      this.rebuildCards();
      this.compute(pick);
      this.redraw();
    }
  }

  private remove(id: string): void {
    this.picks = this.picks.filter((p) => p.info.id !== id);
    this.syncPicker();
    this.rebuildCards();
    this.redraw();
  }

  private syncPicker(): void {
    const full = this.picks.length >= MAX_CURVES;
    for (const box of this.picker.querySelectorAll<HTMLInputElement>('input[data-pick-loss]')) {
      const pick = this.picks.find((p) => p.info.id === box.dataset.pickLoss);
      box.checked = pick !== undefined;
      box.disabled = full && !pick;
      const swatch = box.nextElementSibling as HTMLElement | null;
      if (swatch) swatch.style.background = pick ? pick.color : 'transparent';
    }
  }

  private rebuildCards(): void {
    replace(
      this.cards,
      this.picks.length
        ? this.picks.map((pick) => this.card(pick))
        : h('p', { class: 'muted' }, 'Choose one to four losses on the left.'),
    );
  }

  private card(pick: Pick): HTMLElement {
    const layouts = layoutsFor(pick.info);
    const layoutSel = h(
      'select',
      {
        'data-layout-select': pick.info.id,
        title: 'How the sweep feeds the loss',
        'aria-label': `Input layout of ${pick.info.id}`,
      },
      h('option', { value: 'auto' }, 'layout: auto'),
      ...layouts.map((l) => h('option', { value: l, selected: pick.layoutChoice === l }, LAYOUT_LABELS[l])),
    );
    layoutSel.addEventListener('change', () => {
      pick.layoutChoice = layoutSel.value as 'auto' | Layout;
      this.compute(pick);
      this.redraw();
    });
    const close = h(
      'button',
      { class: 'icon', title: 'Remove', 'aria-label': `Remove ${pick.info.id}` },
      '×',
    );
    close.addEventListener('click', () => {
      this.remove(pick.info.id);
    });
    const onChange = () => {
      this.compute(pick);
      this.redraw();
    };
    return h(
      'div',
      { class: 'card curve-card', 'data-curve-card': pick.info.id, style: `--accent:${pick.color}` },
      h(
        'div',
        { class: 'card-head' },
        h('span', { class: 'swatch', style: `background:${pick.color}` }),
        h('strong', { title: `${pick.info.id}: ${pick.info.summary}` }, pick.info.id),
        h('span', { class: `badge task-${pick.info.task}` }, pick.info.task),
        close,
      ),
      h('div', { class: 'formula small' }, pick.info.formula),
      layouts.length > 1 ? layoutSel : null,
      paramControls(pick.info, pick.values, onChange),
      h('div', { class: 'card-note small', 'data-card-note': pick.info.id }),
    );
  }

  /** Recomputes every curve (after a backend switch). */
  refresh(): void {
    this.recomputeAll();
  }

  private recomputeAll(): void {
    for (const p of this.picks) this.compute(p);
    this.redraw();
  }

  /** Evaluates one pick on its sweeps; the first layout that the loss accepts wins under 'auto'. */
  private compute(pick: Pick): void {
    const t0 = performance.now();
    const info = pick.info;
    const order: Layout[] =
      pick.layoutChoice === 'auto'
        ? [defaultLayout(info), ...layoutsFor(info).filter((l) => l !== defaultLayout(info))]
        : [pick.layoutChoice];
    const regression = info.task === 'regression';
    const space = regression ? 'residual' : this.domain;
    const [lo, hi] = RANGES[space];
    const xs = grid(lo, hi, GRID_POINTS);
    const x0 = X0[space];
    const targets = regression
      ? [{ key: 'reg' as const, label: `y = ${formatNumber(this.target)}`, target: this.target }]
      : [
          { key: 'pos' as const, label: 'y = 1', target: 1 },
          { key: 'neg' as const, label: 'y = 0', target: 0 },
        ];
    let firstError: string | undefined;
    for (const layout of order) {
      try {
        const { options: imposed, raw } = imposedOptions(info, layout, this.domain);
        const options = { ...pick.values, ...imposed };
        pick.series = targets.map((t) => {
          const input = affine(layout, this.domain, t.target, raw);
          return { ...t, input, result: evaluateCurve(info, options, input, xs, x0) };
        });
        pick.used = layout;
        pick.options = options;
        pick.raw = raw;
        pick.error = undefined;
        pick.ms = performance.now() - t0;
        return;
      } catch (e) {
        firstError ??= message(e);
      }
    }
    pick.series = undefined;
    pick.used = undefined;
    pick.error = firstError;
    pick.ms = performance.now() - t0;
  }

  private render(): void {
    this.renderNotes();
    this.renderTable();
    if (this.visible) this.renderPlots();
    this.version++;
    this.root.dataset.version = String(this.version);
    this.root.dataset.selected = this.selectedIds().join(',');
    this.root.dataset.ready = 'true';
    const ms = this.picks.reduce((s, p) => s + p.ms, 0);
    this.status.textContent = this.picks.length
      ? `computed in ${ms.toFixed(0)} ms on tfjs ${tf.getBackend()}`
      : '';
  }

  private renderNotes(): void {
    for (const pick of this.picks) {
      const note = this.cards.querySelector<HTMLElement>(`[data-card-note="${CSS.escape(pick.info.id)}"]`);
      if (!note) continue;
      if (pick.error) {
        note.className = 'card-note small error';
        note.textContent = pick.error;
        continue;
      }
      note.className = 'card-note small muted';
      const mode = pick.series?.[0]?.result.mode === 'pointwise' ? ' · one call per point' : '';
      const raw = pick.raw ? ' · takes no logits: x fed raw' : '';
      note.textContent = `${pick.used ? LAYOUT_LABELS[pick.used] : ''}${raw}${mode} · ${pick.ms.toFixed(0)} ms`;
    }
  }

  private renderPlots(): void {
    const groups = [
      { key: 'regression', picks: this.picks.filter((p) => p.info.task === 'regression') },
      { key: 'probabilistic', picks: this.picks.filter((p) => p.info.task !== 'regression') },
    ].filter((g) => g.picks.length);
    const wanted = new Set(groups.flatMap((g) => [`${g.key}-loss`, `${g.key}-grad`]));
    for (const [k, plot] of this.plots) {
      if (!wanted.has(k)) {
        plot.destroy();
        this.plots.delete(k);
      }
    }
    // Panels are rebuilt only when the groups change, so the charts survive a slider drag.
    const signature = groups.map((g) => g.key).join(',');
    if (this.panels.dataset.groups !== signature) {
      for (const plot of this.plots.values()) plot.destroy();
      this.plots.clear();
      this.panels.dataset.groups = signature;
      replace(
        this.panels,
        groups.map((g) =>
          h(
            'section',
            { class: 'panel', 'data-panel': g.key },
            h('h3', { 'data-panel-title': g.key }),
            h('p', { class: 'scale-note small muted', 'data-scale-note': g.key }),
            h('div', { class: 'legend', 'data-panel-legend': g.key }),
            h(
              'div',
              { class: 'plot-pair' },
              h('div', { class: 'plot', 'data-plot': `${g.key}-loss` }),
              h('div', { class: 'plot', 'data-plot': `${g.key}-grad` }),
            ),
          ),
        ),
      );
    }
    for (const g of groups) {
      const regression = g.key === 'regression';
      const space = regression ? 'residual' : this.domain;
      const x = regression
        ? 'residual r = ŷ − y'
        : this.domain === 'probability'
          ? 'predicted probability p'
          : 'logit z';
      const title = this.panels.querySelector(`[data-panel-title="${g.key}"]`);
      if (title) {
        title.textContent = regression
          ? `Regression: loss against the residual (target y = ${formatNumber(this.target)})`
          : `Classification & segmentation: loss against the ${this.domain === 'probability' ? 'predicted probability' : 'logit'} of the positive class`;
      }
      const variable = regression ? 'ŷ' : this.domain === 'probability' ? 'p' : 'z';
      // Per loss: its largest |ℓ| and |∂ℓ/∂x| over both targets, the divisor when normalising.
      const peak = (p: Pick, kind: 'loss' | 'grad') => {
        let m = 0;
        for (const s of p.series ?? [])
          for (const v of s.result[kind]) if (v !== null) m = Math.max(m, Math.abs(v));
        return this.normalise && m > 0 ? m : 1;
      };
      const note = this.panels.querySelector(`[data-scale-note="${g.key}"]`);
      if (note) {
        note.textContent = this.normalise
          ? `Normalised: each loss and its gradient are divided by their own largest |value| on this range (given in the legend), so every selected loss is visible whatever its scale. Untick “normalise each loss” for raw values.`
          : 'Raw values: every loss on one shared axis.';
      }
      const legend = this.panels.querySelector(`[data-panel-legend="${g.key}"]`);
      if (legend) {
        replace(
          legend,
          g.picks.map((p) =>
            h(
              'span',
              { class: 'legend-item', title: `${p.info.id}: ${p.info.summary}` },
              h('span', { class: 'legend-line', style: `background:${p.color}` }),
              p.info.id,
              this.normalise
                ? h(
                    'span',
                    { class: 'muted small' },
                    ` max ℓ ${formatNumber(peak(p, 'loss'))}, max |∂ℓ/∂${variable}| ${formatNumber(peak(p, 'grad'))}`,
                  )
                : null,
            ),
          ),
          regression
            ? null
            : h(
                'span',
                { class: 'legend-item muted' },
                h('span', { class: 'legend-line solid' }),
                'y = 1',
                h('span', { class: 'legend-line dashed' }),
                'y = 0',
              ),
          h(
            'span',
            { class: 'legend-item muted' },
            h('span', { class: 'legend-x0' }),
            `x0 = ${formatNumber(X0[space])}`,
          ),
        );
      }
      const lines: LineSpec[] = [];
      const lossTables: [number[], (number | null)[]][] = [];
      const gradTables: [number[], (number | null)[]][] = [];
      for (const pick of g.picks) {
        for (const s of pick.series ?? []) {
          lines.push({
            label: `${pick.info.id}${regression ? '' : ` ${s.label}`}`,
            color: pick.color,
            ...(s.key === 'neg' ? { dash: [7, 5] } : {}),
          });
          const lossScale = peak(pick, 'loss');
          const gradScale = peak(pick, 'grad');
          lossTables.push([s.result.xs, s.result.loss.map((v) => (v === null ? null : v / lossScale))]);
          gradTables.push([s.result.xs, s.result.grad.map((v) => (v === null ? null : v / gradScale))]);
        }
      }
      for (const kind of ['loss', 'grad'] as const) {
        const key = `${g.key}-${kind}`;
        const el = this.panels.querySelector<HTMLElement>(`[data-plot="${key}"]`);
        if (!el) continue;
        let plot = this.plots.get(key);
        if (!plot) {
          plot = new Plot(el);
          this.plots.set(key, plot);
        }
        const tables = kind === 'loss' ? lossTables : gradTables;
        const data = tables.length
          ? join(tables)
          : ([grid(RANGES[space][0], RANGES[space][1], 2)] as uPlot.AlignedData);
        const yLabel = kind === 'loss' ? 'ℓ' : `∂ℓ/∂${variable}`;
        plot.draw(
          {
            title: kind === 'loss' ? 'loss ℓ' : `gradient ∂ℓ/∂${variable}`,
            xLabel: x,
            yLabel: this.normalise ? `${yLabel} ÷ its max |${yLabel}|` : yLabel,
            asinh: kind === 'grad' && this.gradAsinh,
            marker: X0[space],
          },
          lines,
          data,
        );
      }
    }
  }

  private renderTable(): void {
    const rows = this.picks.flatMap((pick) =>
      (pick.series ?? []).map((s) => {
        const space = pick.info.task === 'regression' ? 'residual' : this.domain;
        return h(
          'tr',
          {
            'data-curve-row': '',
            'data-loss-id': pick.info.id,
            'data-series': s.key,
            'data-target': numberAttr(s.target),
            'data-layout': pick.used,
            'data-domain': space,
            'data-x0': numberAttr(X0[space]),
            'data-options': JSON.stringify(pick.options ?? {}),
            'data-ytrue': JSON.stringify(s.input.yTrue),
            'data-base': JSON.stringify(s.input.base),
            'data-dir': JSON.stringify(s.input.dir),
            'data-shape': JSON.stringify(s.input.shape),
            'data-loss-at-x0': numberAttr(s.result.lossAtX0),
            'data-grad-at-x0': numberAttr(s.result.gradAtX0),
          },
          h('td', {}, h('span', { class: 'swatch', style: `background:${pick.color}` }), pick.info.id),
          h('td', {}, pick.info.task === 'regression' ? `y = ${formatNumber(s.target)}` : s.label),
          h(
            'td',
            { class: 'num' },
            `${space === 'residual' ? 'r' : space === 'probability' ? 'p' : 'z'} = ${formatNumber(X0[space])}`,
          ),
          h('td', { class: 'num' }, formatNumber(s.result.lossAtX0)),
          h('td', { class: 'num' }, formatNumber(s.result.gradAtX0)),
        );
      }),
    );
    replace(
      this.table,
      rows.length
        ? [
            h(
              'div',
              { class: 'table-title' },
              'Values at the fixed point x0: one plain call of the loss on the single input, and tf.grad of it',
            ),
            storageNote(),
            h(
              'table',
              { class: 'values' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'loss'),
                  h('th', {}, 'target'),
                  h('th', {}, 'x0'),
                  h('th', {}, 'ℓ(x0)'),
                  h('th', {}, '∂ℓ/∂x (x0)'),
                ),
              ),
              h('tbody', {}, rows),
            ),
          ]
        : null,
    );
  }
}
