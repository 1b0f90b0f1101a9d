/**
 * The segmentation playground: a 32×32 ground truth and prediction, from presets or drawn with the mouse or a
 * finger, or the user's own pair of mask files (PNG, NIfTI, JSON; up to 512×512, read in the browser); a live
 * table of every segmentation loss and metric of the catalog on the pair, with a word on values that are
 * undefined; a heatmap of the chosen loss's gradient over the predicted probabilities; and, for own masks, the
 * statistics and loss advice of `losskit advise`.
 */
import type { LossInfo, MetricInfo, OptionValue } from 'losskit';
import { advise, summarise } from './advice.ts';
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
import {
  checkPair,
  MaskFileError,
  predictionOf,
  readMaskFile,
  sliceOf,
  truthOf,
  type Volume,
} from './mask-files.ts';
import { formatNumber } from './params.ts';
import { storageNote } from './precision.ts';
import { evaluateAll, lossGradient, type Entry, type SegLayout, type SegRow, type Size } from './seg.ts';
import { explain, gradientNote } from './undefined-values.ts';

/** Drawn size of the canvases' longer side, in canvas pixels. */
const CANVAS = 256;

const LAYOUT_TEXT: Record<SegLayout, string> = {
  '1ch': '1 channel',
  '2ch': '2 channels',
  sparse: 'int labels',
};

export class PlaygroundView {
  private gtPreset: GtPreset | 'drawn' | 'file' = 'objects';
  private predPreset: PredPreset | 'drawn' | 'file' = 'shifted';
  private size: Size = [SIZE, SIZE];
  private cell = CANVAS / SIZE;
  private truthFile: Volume | undefined;
  private predFile: Volume | undefined;
  private slice = 0;
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
    width: CANVAS,
    height: CANVAS,
    'data-canvas': 'gt',
    class: 'grid-canvas',
  });
  private readonly predCanvas = h('canvas', {
    width: CANVAS,
    height: CANVAS,
    'data-canvas': 'pred',
    class: 'grid-canvas',
  });
  private readonly heatCanvas = h('canvas', {
    width: CANVAS,
    height: CANVAS,
    'data-canvas': 'heat',
    class: 'grid-canvas',
  });
  private readonly heatCaption = h('div', { class: 'small muted caption' });
  /** Beside the table: the float16 storage note, or nothing (precision.ts). */
  private readonly storageSlot = h('div', {});
  private heatScale: HTMLElement | undefined;
  private readonly heatParams = h('div', { class: 'heat-params' });
  private readonly tableBody = h('tbody');
  private readonly status = h('span', { class: 'muted small' });
  private readonly gtButtons = h('div', { class: 'seg wrap' });
  private readonly predButtons = h('div', { class: 'seg wrap' });
  private readonly kOut = h('output', { class: 'pvalue' });
  private readonly fileInputs = {
    truth: h('input', { type: 'file', accept: '.png,.nii,.gz,.json', 'data-file': 'truth' }),
    pred: h('input', { type: 'file', accept: '.png,.nii,.gz,.json', 'data-file': 'pred' }),
  };
  private readonly fileStatus = h('div', { class: 'small', 'data-file-status': '', role: 'status' });
  private readonly sliceInput = h('input', {
    type: 'range',
    min: 0,
    max: 0,
    step: 1,
    value: 0,
    'data-slice': '',
  });
  private readonly sliceOut = h('output', { class: 'pvalue' });
  private readonly sliceBox = h(
    'label',
    { class: 'inline', hidden: true },
    h('span', { class: 'tlabel' }, 'slice'),
    this.sliceInput,
    this.sliceOut,
  );
  private readonly advice = h('div', { class: 'advice small', 'data-advice': '' });
  private readonly update = perFrame(() => {
    this.recompute();
  });

  private readonly root: HTMLElement;

  private readonly allLosses: readonly LossInfo[];

  constructor(root: HTMLElement, losses: readonly LossInfo[], metrics: readonly MetricInfo[]) {
    this.root = root;
    this.allLosses = losses;
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

  /** Leaves the user's files: back to the 32 × 32 presets. */
  private usePresets(): void {
    if (this.gtPreset !== 'file' && this.predPreset !== 'file') return;
    this.truthFile = this.predFile = undefined;
    this.fileInputs.truth.value = this.fileInputs.pred.value = '';
    this.sliceBox.hidden = true;
    replace(this.fileStatus);
    replace(this.advice);
    this.resize([SIZE, SIZE]);
  }

  private resize(size: Size): void {
    this.size = size;
    this.cell = Math.max(1, Math.ceil(CANVAS / Math.max(...size)));
    for (const c of [this.gtCanvas, this.predCanvas, this.heatCanvas]) {
      c.width = size[1] * this.cell;
      c.height = size[0] * this.cell;
      c.style.aspectRatio = `${size[1]} / ${size[0]}`;
    }
  }

  /** Reads a dropped or chosen file as the truth or the prediction; evaluates once both are there. */
  private async load(which: 'truth' | 'pred', file: File): Promise<void> {
    let vol: Volume;
    try {
      vol = await readMaskFile(file);
    } catch (e) {
      // A file that cannot be read leaves the pair as it was.
      this.fileInputs[which].value = '';
      this.showFileError(
        e instanceof MaskFileError
          ? e.message
          : `${file.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
      return;
    }
    const before = (which === 'truth' ? this.truthFile : this.predFile)?.shape[2];
    if (which === 'truth') this.truthFile = vol;
    else this.predFile = vol;
    const depth = vol.shape[2] ?? 1;
    if (vol.shape[2] !== before || this.slice >= depth) this.slice = Math.floor(depth / 2);
    this.applyFiles();
  }

  private showFileError(text: string): void {
    this.fileStatus.querySelector('[data-file-error]')?.remove();
    this.fileStatus.append(h('div', { class: 'import-error', 'data-file-error': '' }, text));
    this.root.dataset.fileError = text;
  }

  /** Shows the files, the truth's statistics and advice, and evaluates the pair once both are there and fit. */
  private applyFiles(): void {
    const truth = this.truthFile;
    const pred = this.predFile;
    const vol = truth ?? pred;
    if (!vol) return;
    delete this.root.dataset.fileError;
    const depth = vol.shape[2] ?? 1;
    this.sliceBox.hidden = depth === 1;
    this.sliceInput.max = String(depth - 1);
    this.sliceInput.value = String(this.slice);
    this.sliceOut.textContent = `${this.slice} of ${depth}`;
    const describe = (v: Volume | undefined, what: string) =>
      v ? `${what}: ${v.name} (${v.shape.join(' × ')}, ${v.format})` : `${what}: drop or choose a file`;
    replace(
      this.fileStatus,
      h('div', {}, describe(truth, 'truth')),
      h('div', {}, describe(pred, 'prediction')),
      truth && pred
        ? null
        : h('div', { class: 'muted' }, 'Both files are needed; they must have the same size.'),
    );
    if (truth) this.renderAdvice(truthOf(sliceOf(truth, this.slice)), truth.shape[0], truth.shape[1]);
    if (!truth || !pred) return;
    try {
      checkPair(truth, pred);
      const p = predictionOf(pred, sliceOf(pred, this.slice));
      this.resize([truth.shape[0], truth.shape[1]]);
      this.gt = truthOf(sliceOf(truth, this.slice));
      this.pred = p;
      this.gtPreset = 'file';
      this.predPreset = 'file';
      this.recompute();
    } catch (e) {
      this.showFileError((e as Error).message);
    }
  }

  /** `losskit advise` on the truth: its statistics, profile and the losses to try. */
  private renderAdvice(fg: Uint8Array, rows: number, cols: number): void {
    const s = summarise(fg, rows, cols);
    const known = new Set(this.allLosses.map((l) => l.id));
    const a = advise(s, known);
    const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');
    this.advice.dataset.top = a.losses[0]?.id ?? '';
    this.advice.dataset.foreground = String(s.foreground);
    this.advice.dataset.objects = String(s.objects.length);
    replace(
      this.advice,
      h('h4', {}, 'Mask statistics and advice (as ', h('code', {}, 'losskit advise'), ')'),
      h(
        'table',
        {},
        h(
          'tbody',
          {},
          [
            ['foreground', `${s.foreground} of ${s.pixels} pixels (${pct(s.foreground / s.pixels)})`],
            [
              'objects (4-connected)',
              `${s.objects.length}${s.objects.length ? `, largest ${s.objects[0]} px` : ''}`,
            ],
            [
              'typical object (half the foreground is in objects ≥ it)',
              Number.isFinite(s.typicalObject) ? `${s.typicalObject} px` : '–',
            ],
            ['boundary pixels / foreground', pct(s.boundary / s.foreground)],
            ['elongation (1 = blob)', formatNumber(s.elongation)],
          ].map(([k, v]) => h('tr', {}, h('td', { class: 'muted' }, k), h('td', {}, v))),
        ),
      ),
      h('div', {}, h('strong', {}, 'Profile: '), a.profile.join(', ')),
      a.losses.length
        ? h(
            'ol',
            {},
            a.losses.map((l) =>
              h(
                'li',
                { 'data-advice-loss': l.id },
                h('code', {}, l.id),
                Object.keys(l.options).length
                  ? h('code', { class: 'muted' }, ` ${JSON.stringify(l.options)}`)
                  : null,
                ` — ${l.reason}`,
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No advice: the mask has no foreground.'),
    );
  }

  /** A way to the file inputs, which sit below the canvases. */
  private ownMasksLink(): HTMLElement {
    const b = h('button', { type: 'button', class: 'link own-masks' }, 'or your own mask files ↓');
    b.addEventListener('click', () => {
      this.fileInputs.truth.closest('.dropzone')?.scrollIntoView({ block: 'center' });
      this.fileInputs.truth.focus();
    });
    return b;
  }

  private fileBox(): HTMLElement {
    const pick = (which: 'truth' | 'pred') => {
      const input = this.fileInputs[which];
      input.addEventListener('change', () => {
        const f = input.files?.[0];
        if (f) void this.load(which, f);
      });
      return h(
        'label',
        {},
        h('span', { class: 'tlabel' }, which === 'truth' ? 'Ground truth file' : 'Prediction file'),
        input,
      );
    };
    this.sliceInput.addEventListener('input', () => {
      this.slice = Number(this.sliceInput.value);
      this.applyFiles();
    });
    const zone = h(
      'div',
      { class: 'dropzone', 'data-dropzone': '' },
      h('div', { class: 'tlabel' }, 'Your own masks'),
      h(
        'p',
        { class: 'small muted' },
        'Drop a truth and a prediction here (two files at once: the one whose name says “pred” is the prediction), or choose them. PNG (gray, 8/16-bit: 0/255 or 0/1 masks, probabilities as gray/255), NIfTI (.nii, .nii.gz; 2-D or a slice of 3-D) or JSON nested arrays; same size, up to 512 × 512. Read in your browser: nothing is uploaded.',
      ),
      h('div', { class: 'files' }, pick('truth'), pick('pred')),
      this.sliceBox,
      this.fileStatus,
      this.advice,
    );
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => {
      zone.classList.remove('over');
    });
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length >= 2) {
        const isPred = (f: File) => /pred|prob|seg|out/i.test(f.name);
        const pred = files.find(isPred) ?? files[1];
        const truth = files.find((f) => f !== pred)!;
        void this.load('truth', truth).then(() => this.load('pred', pred));
      } else if (files.length === 1) void this.load(this.truthFile ? 'pred' : 'truth', files[0]);
    });
    return zone;
  }

  private build(): void {
    for (const p of GT_PRESETS) {
      const b = h('button', { 'data-gt-preset': p, type: 'button' }, GT_LABELS[p]);
      b.addEventListener('click', () => {
        if (this.predPreset === 'file') this.predPreset = 'shifted';
        this.usePresets();
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
        if (this.gtPreset === 'file') return;
        this.predPreset = p;
        this.pred = prediction(this.gt, p, this.k, this.confidence);
        this.recompute();
      });
      this.predButtons.append(b);
    }
    const kSlider = h('input', { type: 'range', min: 1, max: 6, step: 1, value: this.k, 'data-k': '' });
    kSlider.addEventListener('input', () => {
      this.k = Number(kSlider.value);
      if (this.predPreset !== 'drawn' && this.predPreset !== 'file')
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
      if (this.predPreset !== 'drawn' && this.predPreset !== 'noisy' && this.predPreset !== 'file') {
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
        h(
          'div',
          { class: 'pg-controls' },
          h('span', { class: 'tlabel' }, 'Ground truth'),
          this.gtButtons,
          this.ownMasksLink(),
        ),
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
          h(
            'span',
            { class: 'muted small draw-hint' },
            h('span', { class: 'hint-fine' }, 'Draw: left button paints, right button (or Shift) erases.'),
            h(
              'span',
              { class: 'hint-coarse' },
              'Draw with a finger: a touch paints; with “erase” on, it erases.',
            ),
          ),
          this.eraseToggle(),
        ),
        h(
          'div',
          { class: 'canvases' },
          h('figure', {}, this.gtCanvas, h('figcaption', {}, 'Ground truth g')),
          h('figure', {}, this.predCanvas, h('figcaption', {}, 'Prediction p (outline: g)')),
          h('figure', {}, this.heatCanvas, h('figcaption', {}, this.heatCaption, this.heatScale)),
        ),
        this.heatParams,
        this.fileBox(),
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
        this.storageSlot,
        h(
          'table',
          {
            class: 'values seg-table',
            'data-seg-table': '',
            'aria-label': 'Losses and metrics on this pair',
          },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { title: 'Show this loss’s gradient' }, '∇'),
              h('th', {}, 'name'),
              h('th', {}, 'value'),
              h('th', { title: 'better is' }, h('span', { class: 'visually-hidden' }, 'better'), '↕'),
              h('th', {}, 'input'),
              h('th', {}, 'ms'),
            ),
          ),
          this.tableBody,
        ),
      ),
    );
  }

  private erase = false;

  /** Touch screens have no right button: a toggle makes the finger erase. */
  private eraseToggle(): HTMLElement {
    const box = h('input', { type: 'checkbox', 'data-erase': '' });
    box.addEventListener('change', () => {
      this.erase = box.checked;
    });
    return h('label', { class: 'inline small' }, box, 'erase');
  }

  /** Drawing: paint 1 (left button, a finger) or 0 (right button, Shift, “erase”) under a disk brush. */
  private paintable(canvas: HTMLCanvasElement, which: 'gt' | 'pred'): void {
    canvas.addEventListener('contextmenu', (e) => {
      e.preventDefault();
    });
    const paint = (e: PointerEvent) => {
      const rect = canvas.getBoundingClientRect();
      const [H, W] = this.size;
      const c = Math.floor(((e.clientX - rect.left) / rect.width) * W);
      const r = Math.floor(((e.clientY - rect.top) / rect.height) * H);
      const erase = this.erase || e.shiftKey || (e.buttons & 2) !== 0;
      const v = erase ? 0 : 1;
      const R = this.brush;
      for (let dr = -R; dr <= R; dr++) {
        for (let dc = -R; dc <= R; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (dr * dr + dc * dc > R * R + R || rr < 0 || rr >= H || cc < 0 || cc >= W) continue;
          if (which === 'gt') this.gt[rr * W + cc] = v;
          else this.pred[rr * W + cc] = v;
        }
      }
      if (which === 'gt') {
        this.gtPreset = 'drawn';
        if (this.predPreset !== 'drawn' && this.predPreset !== 'file')
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
    this.rows = evaluateAll(this.entries, this.user, this.gt, this.pred, this.known, this.size);
    const evalMs = performance.now() - t0;
    this.renderTable();
    this.drawMask(this.gtCanvas, Float32Array.from(this.gt), false);
    this.drawMask(this.predCanvas, this.pred, true);
    this.drawHeat();
    this.status.textContent = `· ${this.entries.length} entries in ${evalMs.toFixed(0)} ms`;
    for (const b of this.gtButtons.querySelectorAll<HTMLElement>('button')) {
      b.classList.toggle('on', b.dataset.gtPreset === this.gtPreset);
      b.setAttribute('aria-pressed', String(b.dataset.gtPreset === this.gtPreset));
    }
    for (const b of this.predButtons.querySelectorAll<HTMLButtonElement>('button')) {
      b.classList.toggle('on', b.dataset.predPreset === this.predPreset);
      b.setAttribute('aria-pressed', String(b.dataset.predPreset === this.predPreset));
      b.disabled = this.gtPreset === 'file';
      b.title = b.disabled
        ? 'Presets apply to the 32 × 32 masks: choose a ground-truth preset first'
        : PRED_TITLES[b.dataset.predPreset as PredPreset];
    }
    this.kOut.textContent = String(this.k);
    const d = this.root.dataset;
    d.gt = Array.from(this.gt).join('');
    d.pred = JSON.stringify(Array.from(this.pred));
    d.gtPreset = this.gtPreset;
    d.predPreset = this.predPreset;
    d.k = String(this.k);
    d.size = this.size.join('x');
    d.slice = String(this.slice);
    d.heat = this.heat ?? '';
    d.version = String(++this.version);
    d.ready = 'true';
  }

  private renderTable(): void {
    replace(this.storageSlot, storageNote());
    const empty = { truth: !this.gt.some((v) => v), prediction: !this.pred.some((v) => v >= 0.5) };
    const row = (r: SegRow) => {
      const why = r.error ? undefined : explain(r.info.id, r.value, empty);
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
      radio?.addEventListener('change', () => {
        this.heat = r.info.id;
        this.recompute();
        this.tableBody
          .querySelector<HTMLElement>(`input[data-heat-loss="${CSS.escape(r.info.id)}"]`)
          ?.focus();
      });
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
          { title: r.info.id },
          camelBreaks(r.info.id),
          Object.keys(this.user.get(r.info.id) ?? {}).length ? h('span', { class: 'badge' }, 'tuned') : null,
        ),
        h(
          'td',
          { class: 'num' },
          r.error ? h('span', { class: 'error' }, 'error') : formatNumber(r.value),
          why ? h('span', { class: 'why', 'data-why': '' }, why) : null,
        ),
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
    const [H, W] = this.size;
    const C = this.cell;
    for (let i = 0; i < H * W; i++) {
      const v = Math.min(1, Math.max(0, values[i]));
      // White → deep blue.
      const r = Math.round(248 - v * (248 - 30));
      const g = Math.round(250 - v * (250 - 64));
      const b = Math.round(252 - v * (252 - 175));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect((i % W) * C, Math.floor(i / W) * C, C, C);
    }
    this.gridLines(ctx);
    if (outline) this.outline(ctx, '#f97316');
  }

  private gridLines(ctx: CanvasRenderingContext2D): void {
    const [H, W] = this.size;
    const C = this.cell;
    if (C < 4) return;
    ctx.strokeStyle = 'rgba(100,116,139,0.12)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < W; i++) {
      ctx.moveTo(i * C + 0.5, 0);
      ctx.lineTo(i * C + 0.5, H * C);
    }
    for (let i = 1; i < H; i++) {
      ctx.moveTo(0, i * C + 0.5);
      ctx.lineTo(W * C, i * C + 0.5);
    }
    ctx.stroke();
  }

  /** The ground truth's boundary, drawn along pixel edges. */
  private outline(ctx: CanvasRenderingContext2D, color: string): void {
    const [H, W] = this.size;
    const C = this.cell;
    const at = (r: number, c: number) => (r >= 0 && r < H && c >= 0 && c < W ? this.gt[r * W + c] : 0);
    ctx.strokeStyle = color;
    ctx.lineWidth = C < 4 ? 1 : 2;
    ctx.beginPath();
    for (let r = 0; r <= H; r++) {
      for (let c = 0; c <= W; c++) {
        if (at(r, c) !== at(r - 1, c) && c < W) {
          ctx.moveTo(c * C, r * C);
          ctx.lineTo((c + 1) * C, r * C);
        }
        if (at(r, c) !== at(r, c - 1) && r < H) {
          ctx.moveTo(c * C, r * C);
          ctx.lineTo(c * C, (r + 1) * C);
        }
      }
    }
    ctx.stroke();
  }

  private drawHeat(): void {
    const ctx = this.heatCanvas.getContext('2d')!;
    ctx.fillStyle = '#f8fafc';
    ctx.fillRect(0, 0, this.heatCanvas.width, this.heatCanvas.height);
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
      grad = lossGradient(
        entry.info,
        this.user.get(entry.info.id) ?? {},
        row.layout,
        this.gt,
        this.pred,
        this.size,
      );
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
      const W = this.size[1];
      ctx.fillRect((i % W) * this.cell, Math.floor(i / W) * this.cell, this.cell, this.cell);
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
      gradientNote(entry.info.id, max, this.gt, this.user.get(entry.info.id)),
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

/** `weightedCrossentropy` → weighted·Cross·entropy with word-break opportunities, so names wrap between words. */
function camelBreaks(id: string): (string | HTMLElement)[] {
  return id.split(/(?=[A-Z])/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}
