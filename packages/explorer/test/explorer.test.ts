/**
 * End-to-end test of the explorer page in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
 * no browser download). It builds the page if it is missing or older than its sources, serves `dist/` with
 * vite's preview server on 127.0.0.1, and checks what a user sees against the library computed here in Node:
 * - the page loads with no console errors and shows every loss and metric of the catalog;
 * - choosing losses and dragging a parameter slider changes the curves, and the values the page reports at the
 *   fixed point x0 (and its gradient) equal `getLoss(...)` and `tf.grad` on the same input in Node;
 * - the playground's table has one row per segmentation loss and metric of the catalog, with Node's values;
 * - screenshots of the three views go to `test-artifacts/`.
 * Skipped, with a message, only when /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLoss, getMetric, listLosses, listMetrics } from 'losskit';
import { preview, type PreviewServer } from 'vite';
import * as tf from '@tensorflow/tfjs';
import { controlFor } from '../src/params.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PAGE = fileURLToPath(new URL('../', import.meta.url));
const REPO = join(PAGE, '..', '..');
const LIBRARY_SRC = join(REPO, 'packages', 'losskit', 'src');
const WEB_OUT = join(PAGE, 'dist');
const CONFIG = join(PAGE, 'vite.config.ts');
const ARTIFACTS = join(REPO, 'test-artifacts');
const SIZE = 32;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`explorer e2e: SKIPPED, ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);
}

/** Newest modification time of the page's sources: its src/ and the library it bundles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|html|css)$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildPageIfStale(): void {
  const index = join(WEB_OUT, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = [join(PAGE, 'src'), LIBRARY_SRC].map(newestSource);
  if (built > Math.max(...sources, statSync(join(PAGE, 'index.html')).mtimeMs)) return;
  execFileSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', CONFIG], {
    cwd: PAGE,
    stdio: 'pipe',
  });
}

/** Every `data-*` attribute of the elements matching `selector`, as plain objects (no DOM types needed here). */
async function datasets(page: Page, selector: string): Promise<Record<string, string>[]> {
  const json = await page.evaluate(
    `JSON.stringify([...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => ({ ...e.dataset })))`,
  );
  return JSON.parse(json as string) as Record<string, string>[];
}

async function dataset(page: Page, selector: string): Promise<Record<string, string>> {
  const all = await datasets(page, selector);
  expect(all.length, `${selector} should exist`).toBeGreaterThan(0);
  return all[0];
}

function close(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: page ${actual}, Node ${expected}`).toBeLessThanOrEqual(
    1e-6 + 1e-5 * Math.abs(expected),
  );
}

interface TensorSpec {
  values: number[];
  shape: number[];
  dtype: 'float32' | 'int32';
}

/**
 * ℓ(x0) and ∂ℓ/∂x(x0) of a curve row, computed in Node from the input the row describes:
 * yTrue, and yPred = base + dir·x0. The gradient is ∂ℓ/∂yPred (tf.grad) contracted with dir.
 */
function nodeCurveValues(row: Record<string, string>): { loss: number; grad: number } {
  const fn = getLoss(row.lossId, JSON.parse(row.options) as Record<string, unknown>);
  const yt = JSON.parse(row.ytrue) as TensorSpec;
  const shape = JSON.parse(row.shape) as number[];
  const dir = JSON.parse(row.dir) as number[];
  return tf.tidy(() => {
    const yTrue = tf.tensor(yt.values, yt.shape, yt.dtype);
    const yPred = tf.add(
      tf.tensor(JSON.parse(row.base) as number[], shape),
      tf.mul(tf.tensor(dir, shape), Number(row.x0)),
    );
    const f = (p: tf.Tensor) => tf.mean(fn(yTrue, p));
    const loss = f(yPred).dataSync()[0];
    let grad = NaN; // as on the page: no differentiable path from yPred to the loss
    try {
      const g = tf.grad(f)(yPred).dataSync();
      grad = dir.reduce((s, d, i) => s + d * g[i], 0);
    } catch {
      // keep NaN
    }
    return { loss, grad };
  });
}

async function checkCurveRows(page: Page): Promise<Record<string, string>[]> {
  const rows = await datasets(page, '#view-curves tr[data-curve-row]');
  for (const row of rows) {
    const what = `${row.lossId} (${row.series}, ${row.layout}, ${row.domain}, options ${row.options})`;
    const x0 = Number(row.x0);
    // The input is the documented one (web/sweep.ts) for the simple layouts.
    if (row.layout === 'binary') {
      expect(JSON.parse(row.ytrue), what).toEqual({
        values: [Number(row.target)],
        shape: [1, 1],
        dtype: 'float32',
      });
      expect([JSON.parse(row.base), JSON.parse(row.dir)], what).toEqual([[0], [1]]);
    }
    if (row.layout === 'residual') expect(JSON.parse(row.base), what).toEqual([Number(row.target)]);
    expect(x0, what).toBe(row.domain === 'residual' ? 0.5 : row.domain === 'probability' ? 0.3 : -1);
    const node = nodeCurveValues(row);
    close(Number(row.lossAtX0), node.loss, `ℓ(x0) of ${what}`);
    close(Number(row.gradAtX0), node.grad, `∂ℓ/∂x(x0) of ${what}`);
  }
  return rows;
}

/** A playground row's value in Node: the same pair, the row's input layout and options, through the library. */
function nodeSegValue(row: Record<string, string>, gt: Uint8Array, pred: Float32Array): number {
  const layout = row.layout;
  const options = JSON.parse(row.options) as Record<string, unknown>;
  return tf.tidy(() => {
    const p = tf.tensor(pred, [1, SIZE, SIZE, 1]);
    const yPred = layout === '1ch' ? p : tf.concat([tf.sub(1, p), p], -1);
    const g = Float32Array.from(gt);
    const yTrue =
      layout === '1ch'
        ? tf.tensor(g, [1, SIZE, SIZE, 1])
        : layout === 'sparse'
          ? tf.tensor(Int32Array.from(gt), [1, SIZE, SIZE], 'int32')
          : tf.stack([tf.sub(1, tf.tensor(g, [1, SIZE, SIZE])), tf.tensor(g, [1, SIZE, SIZE])], -1);
    const fn = row.kind === 'loss' ? getLoss(row.lossId, options) : getMetric(row.lossId, options);
    const d = fn(yTrue, yPred).dataSync();
    return d[d.length - 1];
  });
}

async function checkPlayground(page: Page): Promise<number> {
  const section = await dataset(page, '#view-playground');
  const gt = Uint8Array.from(section.gt, (c) => Number(c));
  const pred = Float32Array.from(JSON.parse(section.pred) as number[]);
  expect(gt.length).toBe(SIZE * SIZE);
  expect(pred.length).toBe(SIZE * SIZE);
  const rows = await datasets(page, '#view-playground tr[data-loss-id]');
  for (const row of rows) {
    const what = `${row.kind} ${row.lossId} (${section.gtPreset} / ${section.predPreset}, ${(row.layout as string | undefined) ?? 'no layout'})`;
    if ((row.error as string | undefined) !== undefined) {
      // The page found no input layout the entry accepts: Node must reject the same pair.
      for (const layout of ['1ch', '2ch', 'sparse']) {
        expect(() => nodeSegValue({ ...row, layout, options: '{}' }, gt, pred), what).toThrow();
      }
      continue;
    }
    close(Number(row.value), nodeSegValue(row, gt, pred), what);
  }
  return rows.length;
}

async function waitVersionAbove(page: Page, selector: string, version: string): Promise<void> {
  await page.waitForFunction(
    `Number(document.querySelector(${JSON.stringify(selector)})?.dataset.version) > ${Number(version)}`,
  );
}

/** Drags with the mouse along a horizontal control, from one fraction of its width to another. */
async function drag(page: Page, selector: string, from: number, to: number): Promise<void> {
  // Centre it first: raw mouse events do not scroll, and the sticky header may cover the top of the page.
  await page.evaluate(
    `document.querySelector(${JSON.stringify(selector)}).scrollIntoView({ block: 'center' })`,
  );
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error('slider not visible');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (from + ((to - from) * i) / 10), y);
  await page.mouse.up();
}

describe.skipIf(!hasChromium)('explorer page in Chromium', () => {
  const losses = listLosses();
  const metrics = listMetrics();
  let server: PreviewServer | undefined;
  let context: BrowserContext | undefined;
  let url = '';
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    buildPageIfStale();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await preview({
      configFile: CONFIG,
      logLevel: 'silent',
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    url = server.resolvedUrls?.local[0] ?? '';
    profile = mkdtempSync(join(tmpdir(), 'losskit-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1440, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads with no console errors and shows the whole catalog', async () => {
    await page.goto(`${url}#catalog`);
    await page.waitForSelector('body[data-status="ready"]', { timeout: 30_000 });
    expect(await page.getAttribute('body', 'data-backend')).toBe('cpu');
    const entries = await datasets(page, '[data-catalog-entry]');
    expect(entries.map((e) => `${e.kind}:${e.id}`).sort()).toEqual(
      [...losses.map((l) => `loss:${l.id}`), ...metrics.map((m) => `metric:${m.id}`)].sort(),
    );
    // Search narrows the list; a task filter keeps only that task.
    const probe = losses[losses.length - 1];
    await page.fill('[data-catalog-search]', probe.id.toLowerCase());
    expect(await page.locator(`[data-catalog-entry][data-id="${probe.id}"]`).isVisible()).toBe(true);
    expect(Number(await page.getAttribute('#view-catalog', 'data-shown'))).toBeLessThan(entries.length);
    await page.fill('[data-catalog-search]', '');
    await page.click('[data-task-filter="regression"]');
    const shownRegression = Number(await page.getAttribute('#view-catalog', 'data-shown'));
    expect(shownRegression).toBe([...losses, ...metrics].filter((e) => e.task === 'regression').length);
    await page.click('[data-task-filter="all"]');
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-catalog.png'), fullPage: false });
    expect(consoleErrors).toEqual([]);
  });

  it('draws the chosen losses, redraws on a slider drag, and its values at x0 equal the library in Node', async () => {
    await page.goto(`${url}#curves`);
    await page.waitForSelector('#view-curves[data-ready="true"]');
    // A loss with a slider (the first classification one that has one), plus the first loss of each other task.
    // Binary cross-entropy's label smoothing visibly moves both curves; any other slider will do otherwise.
    const hasSlider = (l: (typeof losses)[number]) => l.params.some((p) => controlFor(p)?.kind === 'slider');
    const withSlider =
      losses.find((l) => l.id === 'binaryCrossentropy' && hasSlider(l)) ??
      losses.find((l) => l.task !== 'regression' && hasSlider(l));
    expect(withSlider, 'some classification or segmentation loss has a numeric parameter').toBeDefined();
    const sliderLoss = withSlider!;
    const slider =
      sliderLoss.params.find((p) => p.name === 'labelSmoothing' && controlFor(p)?.kind === 'slider') ??
      sliderLoss.params.find((p) => controlFor(p)?.kind === 'slider')!;
    const chosen = [
      sliderLoss.id,
      ...['regression', 'segmentation', 'classification'].map(
        (t) => losses.find((l) => l.task === t && l.id !== sliderLoss.id)?.id,
      ),
    ]
      .filter((id): id is string => id !== undefined)
      .slice(0, 4);

    // Choose them in the picker, as a user does: clear the default choice first.
    const checked = page.locator('input[data-pick-loss]:checked');
    while ((await checked.count()) > 0) await checked.first().click();
    for (const id of chosen) await page.click(`input[data-pick-loss="${id}"]`);
    await page.waitForFunction(
      `document.querySelector('#view-curves')?.dataset.selected === ${JSON.stringify(chosen.join(','))}`,
    );
    await page.waitForSelector(`tr[data-curve-row][data-loss-id="${sliderLoss.id}"]`);
    const before = await checkCurveRows(page);
    expect(new Set(before.map((r) => r.lossId))).toEqual(new Set(chosen));
    const plot = page.locator('[data-plot="probabilistic-loss"] canvas');
    const pixelsBefore = await plot.screenshot();

    // Drag the slider: the value at x0 and the drawn curve change, and still match Node.
    const pos = (rows: Record<string, string>[]) =>
      rows.find((r) => r.lossId === sliderLoss.id && r.series === 'pos')!;
    const version = (await dataset(page, '#view-curves')).version;
    const sliderSelector = `input[type="range"][data-loss-id="${sliderLoss.id}"][data-param="${slider.name}"]`;
    const input = page.locator(sliderSelector);
    if (await input.isDisabled()) {
      await page.selectOption(
        `select[data-param-alt="${slider.name}"][data-loss-id="${sliderLoss.id}"]`,
        '0',
      );
    }
    await drag(page, sliderSelector, 0.05, 0.6);
    await waitVersionAbove(page, '#view-curves', version);
    const after = await checkCurveRows(page);
    expect(JSON.parse(pos(after).options)).toHaveProperty(slider.name);
    expect(pos(after).lossAtX0).not.toBe(pos(before).lossAtX0);
    expect(Buffer.compare(await plot.screenshot(), pixelsBefore)).not.toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-curves.png'), fullPage: true });

    // Logits: the page sets fromLogits / activation itself; the values still match Node.
    const v2 = (await dataset(page, '#view-curves')).version;
    await page.click('label:has(input[data-domain="logit"])');
    await waitVersionAbove(page, '#view-curves', v2);
    const logits = await checkCurveRows(page);
    expect(logits.filter((r) => r.domain === 'logit').length).toBeGreaterThan(0);
    await page.click('label:has(input[data-domain="probability"])');
    expect(consoleErrors).toEqual([]);
  });

  it('has a playground row for every segmentation loss and metric, with the library’s values', async () => {
    await page.goto(`${url}#playground`);
    await page.waitForSelector('#view-playground[data-ready="true"]');
    const expected = [
      ...losses.filter((l) => l.task === 'segmentation').map((l) => `loss:${l.id}`),
      ...metrics.filter((m) => m.task === 'segmentation').map((m) => `metric:${m.id}`),
    ].sort();
    const rows = await datasets(page, '#view-playground tr[data-loss-id]');
    expect(rows.map((r) => `${r.kind}:${r.lossId}`).sort()).toEqual(expected);
    expect(await checkPlayground(page)).toBe(expected.length);

    // Soft predictions, then a ground truth drawn with the mouse.
    let version = (await dataset(page, '#view-playground')).version;
    await page.click('[data-pred-preset="noisy"]');
    await waitVersionAbove(page, '#view-playground', version);
    await checkPlayground(page);
    version = (await dataset(page, '#view-playground')).version;
    const canvas = page.locator('canvas[data-canvas="gt"]');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.8);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.9, { steps: 8 });
    await page.mouse.up();
    await waitVersionAbove(page, '#view-playground', version);
    expect((await dataset(page, '#view-playground')).gtPreset).toBe('drawn');
    await checkPlayground(page);

    await page.click('[data-gt-preset="objects"]');
    await page.click('[data-pred-preset="shifted"]');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-playground.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
