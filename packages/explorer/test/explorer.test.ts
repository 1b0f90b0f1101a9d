/**
 * End-to-end test of the explorer page in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
 * no browser download). It builds the page if it is missing or older than its sources, serves `dist/` with
 * the CLI's server (`losskit serve`, packages/cli/src/serve/serve.ts) on 127.0.0.1, and checks what a user sees
 * against the library computed here in Node:
 * - the page loads with no console errors and shows every loss and metric of the catalog;
 * - choosing losses and dragging a parameter slider changes the curves, and the values the page reports at the
 *   fixed point x0 (and its gradient) equal `getLoss(...)` and `tf.grad` on the same input in Node;
 * - the playground's table has one row per segmentation loss and metric of the catalog, with Node's values;
 * - every view fits a 390 × 844 phone and a 1400 × 900 screen without sideways scrolling, and axe-core finds no
 *   serious or critical accessibility violation on it; the toggle, a slider and a preset work from the keyboard;
 * - a PNG pair and a NIfTI pair set through the file inputs give the values Node computes on the same arrays;
 * - the script is served compressed;
 * - after a switch to WebGL with float16 textures, both value tables carry the float16 storage note beside them,
 *   and on cpu and WebGL float32 they carry none (WebGL on SwiftShader, in a second browser without --disable-gpu);
 * - screenshots of the three views at both sizes go to `test-artifacts/`.
 * Skipped, with a message, only when /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLoss, getMetric, listLosses, listMetrics } from 'losskit';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { serve, type Served } from '../../cli/src/serve/serve.ts';
import { writeGrayPng, writeNifti } from '../../cli/test/fixtures.ts';
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
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = [
  { name: 'small-phone', width: 360, height: 740 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1400, height: 900 },
] as const;
const VIEWS = ['catalog', 'curves', 'playground'] as const;

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
function nodeSegValue(
  row: Record<string, string>,
  gt: Uint8Array,
  pred: Float32Array,
  [H, W]: readonly number[] = [SIZE, SIZE],
): number {
  const layout = row.layout;
  const options = JSON.parse(row.options) as Record<string, unknown>;
  return tf.tidy(() => {
    const p = tf.tensor(pred, [1, H, W, 1]);
    const yPred = layout === '1ch' ? p : tf.concat([tf.sub(1, p), p], -1);
    const g = Float32Array.from(gt);
    const yTrue =
      layout === '1ch'
        ? tf.tensor(g, [1, H, W, 1])
        : layout === 'sparse'
          ? tf.tensor(Int32Array.from(gt), [1, H, W], 'int32')
          : tf.stack([tf.sub(1, tf.tensor(g, [1, H, W])), tf.tensor(g, [1, H, W])], -1);
    const fn = row.kind === 'loss' ? getLoss(row.lossId, options) : getMetric(row.lossId, options);
    const d = fn(yTrue, yPred).dataSync();
    return d[d.length - 1];
  });
}

async function checkPlayground(page: Page): Promise<number> {
  const section = await dataset(page, '#view-playground');
  const gt = Uint8Array.from(section.gt, (c) => Number(c));
  const pred = Float32Array.from(JSON.parse(section.pred) as number[]);
  const size = section.size.split('x').map(Number);
  expect(gt.length).toBe(size[0] * size[1]);
  expect(pred.length).toBe(size[0] * size[1]);
  const rows = await datasets(page, '#view-playground tr[data-loss-id]');
  for (const row of rows) {
    const what = `${row.kind} ${row.lossId} (${section.gtPreset} / ${section.predPreset}, ${(row.layout as string | undefined) ?? 'no layout'})`;
    if ((row.error as string | undefined) !== undefined) {
      // The page found no input layout the entry accepts: Node must reject the same pair.
      for (const layout of ['1ch', '2ch', 'sparse']) {
        expect(() => nodeSegValue({ ...row, layout, options: '{}' }, gt, pred, size), what).toThrow();
      }
      continue;
    }
    close(Number(row.value), nodeSegValue(row, gt, pred, size), what);
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

/** Presses Tab until the focused element matches `selector`, as a keyboard user would; fails after `max`. */
async function tabTo(page: Page, selector: string, max = 250): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`!!document.activeElement?.matches(${JSON.stringify(selector)})`)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The focused element (or, for a visually hidden radio, its label) draws a visible outline. */
async function focusVisible(page: Page): Promise<boolean> {
  return await page.evaluate<boolean>(`(() => {
    const el = document.activeElement;
    const shown = (e) => e && getComputedStyle(e).outlineStyle !== 'none' && parseFloat(getComputedStyle(e).outlineWidth) > 0;
    return shown(el) || shown(el?.closest('label'));
  })()`);
}

/** axe-core's serious and critical violations on the page as it is, as `rule: target` strings. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ content: AXE });
  const json =
    await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => JSON.stringify(
    r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => v.id + ': ' + n.target.join(' ')))))`);
  return JSON.parse(json as string) as string[];
}

/** GET with an Accept-Encoding, headers and size only. */
function head(
  url: string,
  encoding: string,
): Promise<{ status: number; encoding: string | undefined; vary: string | undefined; bytes: number }> {
  return new Promise((ok, fail) => {
    httpGet(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        ok({
          status: res.statusCode ?? 0,
          encoding: res.headers['content-encoding'],
          vary: res.headers.vary,
          bytes,
        });
      });
    }).on('error', fail);
  });
}

describe.skipIf(!hasChromium)('explorer page in Chromium', () => {
  const losses = listLosses();
  const metrics = listMetrics();
  let server: Served | undefined;
  let context: BrowserContext | undefined;
  let url = '';
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    buildPageIfStale();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await serve({ root: WEB_OUT, port: 0 });
    url = server.url;
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
  it('serves the script compressed, through the CLI’s server', async () => {
    const html = await (await fetch(url)).text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'index.html names its script').toBeDefined();
    const plain = await head(`${url}${script}`, 'identity');
    const br = await head(`${url}${script}`, 'gzip, deflate, br');
    const gz = await head(`${url}${script}`, 'gzip');
    expect([br.status, br.encoding, br.vary]).toEqual([200, 'br', 'Accept-Encoding']);
    expect(gz.encoding).toBe('gzip');
    expect(plain.encoding).toBeUndefined();
    expect(br.bytes).toBeLessThan(plain.bytes / 3);
    // What Chromium itself received.
    const encodings: string[] = [];
    const onResponse = (r: { url(): string; headers(): Record<string, string> }) => {
      if (r.url().endsWith('.js')) encodings.push(r.headers()['content-encoding'] ?? 'none');
    };
    page.on('response', onResponse);
    await page.goto(`${url}?fresh=${Date.now()}#catalog`);
    await page.waitForSelector('body[data-status="ready"]');
    page.off('response', onResponse);
    expect(encodings.length).toBeGreaterThan(0);
    for (const e of encodings) expect(['br', 'gzip']).toContain(e);
    console.log(
      `explorer e2e: script ${script}: ${plain.bytes} bytes, ${br.bytes} with brotli, ${gz.bytes} with gzip`,
    );
  });

  for (const size of SIZES) {
    for (const view of VIEWS) {
      it(`${view} at ${size.width}×${size.height}: no sideways scroll, no serious axe violation`, async () => {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.goto(`${url}#${view}`);
        await page.waitForSelector('body[data-status="ready"]');
        await page.waitForSelector(`#view-${view}[data-ready="true"]`);
        await page.waitForTimeout(300); // charts settle to their width
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>(
          '[document.documentElement.scrollWidth, window.innerWidth]',
        );
        console.log(
          `explorer e2e: ${view} at ${size.width}×${size.height}: scrollWidth ${scrollWidth}, innerWidth ${innerWidth}`,
        );
        expect(scrollWidth, `${view} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
        const violations = await axeViolations(page);
        console.log(
          `explorer e2e: ${view} at ${size.width}×${size.height}: ${violations.length} serious/critical axe violations`,
        );
        expect(violations).toEqual([]);
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({
          path: join(ARTIFACTS, `explorer-${view}-${size.name}-${size.width}x${size.height}.png`),
          fullPage: false,
        });
        expect(consoleErrors).toEqual([]);
      });
    }
  }

  it('works from the keyboard: the probability/logit toggle, a slider and a preset, with visible focus', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${url}#curves?losses=binaryCrossentropy,meanSquaredError`);
    await page.waitForSelector('tr[data-curve-row][data-loss-id="binaryCrossentropy"]');
    await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
    // The toggle: Tab reaches the checked radio, an arrow key moves to "logit z".
    await tabTo(page, 'input[data-domain="probability"]');
    expect(await focusVisible(page)).toBe(true);
    let version = (await dataset(page, '#view-curves')).version;
    await page.keyboard.press('ArrowRight');
    await waitVersionAbove(page, '#view-curves', version);
    expect(await page.isChecked('input[data-domain="logit"]')).toBe(true);
    const rows = await datasets(page, 'tr[data-curve-row][data-loss-id="binaryCrossentropy"]');
    expect(rows.map((r) => r.domain)).toEqual(['logit', 'logit']);
    // A slider: the regression target moves with the arrow keys.
    await tabTo(page, 'input[data-regression-target]');
    expect(await focusVisible(page)).toBe(true);
    version = (await dataset(page, '#view-curves')).version;
    const target = (await dataset(page, 'tr[data-curve-row][data-loss-id="meanSquaredError"]')).target;
    await page.keyboard.press('ArrowRight');
    await waitVersionAbove(page, '#view-curves', version);
    expect(
      Number((await dataset(page, 'tr[data-curve-row][data-loss-id="meanSquaredError"]')).target),
    ).toBeCloseTo(Number(target) + 0.05, 6);
    // A view change starts at the top of the new view.
    await page.evaluate('window.scrollTo(0, 600)');
    await page.click('[data-nav="playground"]');
    await page.waitForSelector('#view-playground[data-ready="true"]');
    expect(await page.evaluate('window.scrollY')).toBe(0);
    // A preset, by Tab and Enter.
    await page.evaluate('document.activeElement?.blur()');
    await tabTo(page, '[data-gt-preset="blob"]');
    expect(await focusVisible(page)).toBe(true);
    version = (await dataset(page, '#view-playground')).version;
    await page.keyboard.press('Enter');
    await waitVersionAbove(page, '#view-playground', version);
    expect((await dataset(page, '#view-playground')).gtPreset).toBe('blob');
    // The gradient's loss is a radio in the table: Space on another one switches the heatmap.
    await page.click('[data-gt-preset="objects"]');
    expect(consoleErrors).toEqual([]);
  });

  it('ranks catalog search results and explains undefined values of an empty pair', async () => {
    await page.goto(`${url}#catalog`);
    await page.waitForSelector('#view-catalog[data-ready="true"]');
    await page.fill('[data-catalog-search]', 'dice');
    const shown = await page.evaluate(
      `[...document.querySelectorAll('[data-catalog-entry]')].filter((e) => !e.hidden).map((e) => e.dataset.id)`,
    );
    expect((shown as string[])[0]).toBe('dice');
    console.log(
      `explorer e2e: search "dice" shows ${(shown as string[]).length} entries: ${(shown as string[]).slice(0, 5).join(', ')}…`,
    );
    await page.fill('[data-catalog-search]', '');

    await page.goto(`${url}#playground`);
    await page.waitForSelector('#view-playground[data-ready="true"]');
    await page.click('[data-gt-preset="empty"]');
    await page.click('[data-pred-preset="empty"]');
    await page.waitForFunction(`document.querySelector('#view-playground').dataset.predPreset === 'empty'`);
    const why = await page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('#view-playground tr[data-loss-id]')]
        .filter((tr) => tr.querySelector('[data-why]'))
        .map((tr) => [tr.dataset.lossId, tr.querySelector('[data-why]').textContent]))`,
    );
    const explained = why as Record<string, string>;
    for (const row of await datasets(page, '#view-playground tr[data-loss-id]')) {
      if (!Number.isFinite(Number(row.value)) && !('error' in row))
        expect(explained[row.lossId], `${row.lossId} = ${row.value} has a word of explanation`).toBeDefined();
    }
    if ('hausdorffDistance' in explained) expect(explained.hausdorffDistance).toMatch(/no surface/);
    expect(await page.textContent('#view-playground .caption')).toMatch(/1\/s/);
    await page.click('[data-gt-preset="objects"]');
    await page.click('[data-pred-preset="shifted"]');
    expect(consoleErrors).toEqual([]);
  });

  it('scores a PNG pair and a NIfTI pair of the user’s own masks like the library in Node', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    const dir = mkdtempSync(join(tmpdir(), 'losskit-e2e-masks-'));
    try {
      const [H, W] = [24, 40];
      // Truth: a disk and a bar; prediction: probabilities that are high on a shifted copy.
      const truthAt = (r: number, c: number, k = 0) =>
        (r - 10) ** 2 + (c - 12 - k) ** 2 <= 36 || (r >= 16 && r < 20 && c >= 22 && c < 36) ? 1 : 0;
      const probAt = (r: number, c: number, k = 0) =>
        truthAt(r, c + 2, k) ? 200 + ((r * 7 + c) % 55) : (r * 13 + c * 3) % 60;
      const grid = <T>(f: (r: number, c: number) => T) =>
        Array.from({ length: H }, (_, r) => Array.from({ length: W }, (_, c) => f(r, c)));

      // PNG: a 16-bit 0/1 truth and an 8-bit probability map (gray / 255).
      writeGrayPng(join(dir, 'truth.png'), grid(truthAt), 16);
      writeGrayPng(join(dir, 'pred.png'), grid(probAt), 8);
      await page.goto(`${url}#playground`);
      await page.waitForSelector('#view-playground[data-ready="true"]');
      await page.setInputFiles('input[data-file="truth"]', join(dir, 'truth.png'));
      await page.setInputFiles('input[data-file="pred"]', join(dir, 'pred.png'));
      await page.waitForFunction(`document.querySelector('#view-playground').dataset.size === '${H}x${W}'`);
      const gt = Uint8Array.from(grid(truthAt).flat());
      const pred = Float32Array.from(grid(probAt).flat(), (v) => v / 255);
      const compare = async (what: string, g: Uint8Array, p: Float32Array) => {
        const section = await dataset(page, '#view-playground');
        expect(section.gtPreset, what).toBe('file');
        expect(section.gt, what).toBe(Array.from(g).join(''));
        for (const [id, kind] of [
          ['dice', 'loss'],
          ['diceCoefficient', 'metric'],
        ] as const) {
          const row = await dataset(page, `#view-playground tr[data-loss-id="${id}"]`);
          const fn = kind === 'loss' ? getLoss(id) : getMetric(id);
          const node = tf.tidy(
            () => fn(tf.tensor(Float32Array.from(g), [1, H, W, 1]), tf.tensor(p, [1, H, W, 1])).dataSync()[0],
          );
          expect(row.layout).toBe('1ch');
          close(Number(row.value), node, `${what}: ${id}`);
          console.log(`explorer e2e: ${what}: ${id} page ${row.value}, Node ${node}`);
        }
        expect(await checkPlayground(page)).toBeGreaterThan(0);
        const advice = await dataset(page, '[data-advice]');
        expect(advice.top, `${what}: advice`).not.toBe('');
        expect(Number(advice.foreground)).toBe(g.reduce((a, b) => a + b, 0));
      };
      await compare('PNG pair', gt, pred);
      await page.screenshot({
        path: join(ARTIFACTS, 'explorer-playground-own-masks-png.png'),
        fullPage: true,
      });

      // NIfTI: a 3-D gzipped truth and a plain .nii prediction, [H, W, 3] (slice k along the last axis).
      const depth = 3;
      const vol = (f: (r: number, c: number, k: number) => number) =>
        Array.from({ length: H * W * depth }, (_, i) =>
          f(Math.floor(i / (W * depth)), Math.floor(i / depth) % W, i % depth),
        );
      writeNifti(join(dir, 'truth.nii.gz'), {
        shape: [H, W, depth],
        data: vol((r, c, k) => truthAt(r, c, 3 * k)),
        datatype: 2,
      });
      writeNifti(join(dir, 'pred.nii'), {
        shape: [H, W, depth],
        data: vol((r, c, k) => probAt(r, c, 3 * k) / 255),
        datatype: 16,
      });
      await page.setInputFiles('input[data-file="truth"]', join(dir, 'truth.nii.gz'));
      await page.setInputFiles('input[data-file="pred"]', join(dir, 'pred.nii'));
      await page.waitForFunction(
        `document.querySelector('#view-playground [data-file-status]').textContent.includes('pred.nii')`,
      );
      const sliceOf = (k: number) => ({
        g: Uint8Array.from(grid((r, c) => truthAt(r, c, 3 * k)).flat()),
        p: Float32Array.from(grid((r, c) => Math.fround(probAt(r, c, 3 * k) / 255)).flat()),
      });
      expect((await dataset(page, '#view-playground')).slice).toBe('1');
      await compare('NIfTI pair, slice 1', sliceOf(1).g, sliceOf(1).p);
      // The slice slider, from the keyboard.
      await page.focus('input[data-slice]');
      const version = (await dataset(page, '#view-playground')).version;
      await page.keyboard.press('ArrowRight');
      await waitVersionAbove(page, '#view-playground', version);
      expect((await dataset(page, '#view-playground')).slice).toBe('2');
      await compare('NIfTI pair, slice 2', sliceOf(2).g, sliceOf(2).p);

      // Wrong files: a colour PNG, and sizes that differ.
      const colour = new PNG({ width: 4, height: 4 });
      colour.data.fill(255);
      colour.data[0] = 10;
      writeFileSync(join(dir, 'colour.png'), PNG.sync.write(colour, { colorType: 6 }));
      await page.setInputFiles('input[data-file="pred"]', join(dir, 'colour.png'));
      await page.waitForSelector('[data-file-error]');
      expect(await page.textContent('[data-file-error]')).toMatch(/colour image/);
      writeGrayPng(
        join(dir, 'small.png'),
        [
          [0, 255],
          [255, 0],
        ],
        8,
      );
      await page.setInputFiles('input[data-file="pred"]', join(dir, 'small.png'));
      await page.waitForFunction(
        `/sizes differ/.test(document.querySelector('[data-file-error]')?.textContent ?? '')`,
      );
      // JSON nested arrays: a 2 × 2 truth that fits the 2 × 2 PNG prediction.
      writeFileSync(
        join(dir, 'truth.json'),
        JSON.stringify([
          [0, 1],
          [1, 1],
        ]),
      );
      await page.setInputFiles('input[data-file="truth"]', join(dir, 'truth.json'));
      await page.waitForFunction(`document.querySelector('#view-playground').dataset.size === '2x2'`);
      expect((await dataset(page, '#view-playground')).gt).toBe('0111');
      const dice = await dataset(page, '#view-playground tr[data-loss-id="diceCoefficient"]');
      const nodeDice = tf.tidy(
        () =>
          getMetric('diceCoefficient')(
            tf.tensor([0, 1, 1, 1], [1, 2, 2, 1]),
            tf.tensor([0, 1, 1, 0], [1, 2, 2, 1]),
          ).dataSync()[0],
      );
      close(Number(dice.value), nodeDice, 'JSON truth + PNG prediction: diceCoefficient');
      expect(consoleErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('notes float16 storage beside the values on WebGL half-float textures, and nowhere on cpu or float32', async () => {
    // WebGL needs a browser without --disable-gpu: SwiftShader (software) renders it, as in the browser
    // conformance test. tfjs reads its flags from the URL (?tfjsflags=), which forces half-float textures.
    const gl = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...FLAGS.filter((f) => f !== '--disable-gpu'),
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
    const notes = (p: Page, view: string) => p.locator(`#view-${view} [data-storage-note]`).count();
    const switchTo = async (p: Page, backend: string, view: string) => {
      const before = await p.getAttribute(`#view-${view}`, 'data-version');
      await p.selectOption('#backend', backend);
      await p.waitForSelector(`body[data-backend="${backend}"]`, { state: 'attached' });
      await p.waitForFunction(
        `document.querySelector('#view-${view}').dataset.version !== ${JSON.stringify(before)}`,
      );
    };
    // Beside the numbers: each visible note of the view stands directly above its value table.
    const aboveTable = (p: Page, view: string) =>
      p.evaluate(`[...document.querySelectorAll('#view-${view} [data-storage-note]')].map((n) => {
        const next = n.nextElementSibling ?? n.parentElement.nextElementSibling;
        return n.offsetParent !== null && next.matches('table.values');
      })`);
    try {
      for (const [query, precision] of [
        ['', 'float32'],
        ['?tfjsflags=WEBGL_FORCE_F16_TEXTURES:true', 'float16'],
      ] as const) {
        const p = await gl.newPage();
        const errors: string[] = [];
        p.on('pageerror', (e) => errors.push(e.message));
        await p.goto(`${url}${query}#curves`);
        await p.waitForSelector('#view-curves[data-ready="true"]');
        expect(await p.getAttribute('body', 'data-precision')).toBe('float32');
        expect(await notes(p, 'curves')).toBe(0);
        await switchTo(p, 'webgl', 'curves');
        expect(await p.getAttribute('body', 'data-precision')).toBe(precision);
        expect(await p.textContent('#precision')).toContain(precision);
        if (precision === 'float32') {
          expect(await notes(p, 'curves')).toBe(0);
        } else {
          expect(await aboveTable(p, 'curves')).toEqual([true]);
          expect(await p.textContent('#view-curves [data-storage-note]')).toMatch(/float16 storage.*1e-2/);
          await p.locator('#view-curves [data-storage-note]').scrollIntoViewIfNeeded();
          await p.screenshot({ path: join(ARTIFACTS, 'explorer-webgl-float16.png'), fullPage: false });
          // The playground's table (a hash change: the page keeps its backend).
          await p.goto(`${url}${query}#playground`);
          await p.waitForSelector('#view-playground[data-ready="true"]');
          expect(await p.getAttribute('body', 'data-backend')).toBe('webgl');
          expect(await aboveTable(p, 'playground')).toEqual([true]);
          // Back on cpu, the note goes.
          await switchTo(p, 'cpu', 'playground');
          expect(await p.getAttribute('body', 'data-precision')).toBe('float32');
          expect(await notes(p, 'playground')).toBe(0);
        }
        expect(errors).toEqual([]);
        await p.close();
      }
    } finally {
      await gl.close();
    }
  }, 300_000);
});
