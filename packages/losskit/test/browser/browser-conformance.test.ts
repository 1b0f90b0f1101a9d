/**
 * Every golden case (test/golden/, read by test/helpers/golden.ts) through the public API in real Chromium on the
 * GPU backends: WebGL with float32 textures, WebGL with float16 textures (WEBGL_FORCE_F16_TEXTURES) and WebGPU,
 * values and gradients. Debian's /usr/bin/chromium is driven by playwright-core (no browser download); WebGL and
 * WebGPU run on SwiftShader (software Vulkan), so no GPU is needed. The page (index.html + entry.ts, bundled by
 * vite from the library's sources) is served from 127.0.0.1, which gives WebGPU its secure context.
 *
 * Pass rules (README "Backends and precision"):
 * - webgl (float32) and webgpu: every case at its own golden tolerance, as on cpu and wasm; on webgpu no case may
 *   lose the device (a synchronous readback of a tensor on the GPU does, in Chromium on SwiftShader).
 * - webgl-f16: float16 storage keeps 11 significant bits, so the golden tolerances (down to 1e-6) cannot hold;
 *   at least 95 % of the checks (values and gradients) must be within 1e-2·max(1, |want|), and none may be NaN or
 *   ±Infinity where the reference is finite and inside the float16 range (|want| ≤ 65504, inputs too:
 *   nonFiniteInRange). The cases outside 1e-2 are listed with their cause in docs/backends.md.
 * Each backend runs in its own page; the test checks that the requested backend is the active one (tf.getBackend(),
 * and the texture flags for WebGL). It is skipped, with a printed reason, only when /usr/bin/chromium is absent;
 * the WebGPU part is skipped (loudly) only when Chromium offers no WebGPU adapter.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_FILES, flat, goldenCases, type GoldenCase, type GoldenFamily } from '../helpers/golden.ts';
import { expectedGrad, expectedValue, goldenMiss } from '../helpers/golden-case.ts';
import type { BrowserBackend, CaseResult, SetupInfo } from './entry.ts';
import { OUT_DIR } from './vite.config.ts';

const CHROMIUM = '/usr/bin/chromium';
/** SwiftShader for WebGL (ANGLE) and WebGPU (Dawn on SwiftShader Vulkan); no --disable-gpu, which would turn both off. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];
const HERE = fileURLToPath(new URL('.', import.meta.url));
const LIBRARY_SRC = join(HERE, '..', '..', 'src');
const REPO = join(HERE, '..', '..', '..', '..');
/** float16: the loose rule's tolerance, the share of checks that must meet it, and the largest finite value. */
const F16_TOL = 1e-2;
const F16_SHARE = 0.95;
const F16_MAX = 65504;

/**
 * `LOSSKIT_BROWSER_CASES=<regex>` runs only the cases whose `family/id` matches, to investigate one case in a fresh
 * page (e.g. `LOSSKIT_BROWSER_CASES='distance/shape-aware'`); the pass rules then apply to that subset.
 */
const FILTER = process.env.LOSSKIT_BROWSER_CASES ? new RegExp(process.env.LOSSKIT_BROWSER_CASES) : null;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `browser conformance: SKIPPED, ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`,
  );
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|html)$/.test(e.name) && !e.name.endsWith('.test.ts'))
      t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function buildPageIfStale(): void {
  const index = join(OUT_DIR, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built > Math.max(newest(LIBRARY_SRC), newest(HERE))) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(HERE, 'vite.config.ts')],
    { cwd: HERE, stdio: 'pipe' },
  );
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

function serveOut(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(OUT_DIR, decodeURIComponent((req.url ?? '/').split('?')[0])));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(OUT_DIR) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${addr.port}/index.html` });
    }),
  );
}

const ALL: readonly GoldenCase[] = (Object.keys(GOLDEN_FILES) as GoldenFamily[])
  .flatMap((f) => goldenCases(f))
  .filter((c) => FILTER === null || FILTER.test(`${c.family}/${c.id}`));
if (FILTER) console.warn(`browser conformance: FILTERED to ${ALL.length} case(s) matching ${FILTER}`);

/** float16 hard rule: a non-finite result where the reference and the inputs are finite and inside float16 range. */
function nonFiniteInRange(
  c: GoldenCase,
  got: readonly number[] | null,
  want: readonly number[],
): string | null {
  if (got === null) return null;
  const inputs = c.family === 'distance' && c.kind === 'edt' ? [] : [...flat(c.y_true!), ...flat(c.y_pred!)];
  // Inputs beyond float16's range are stored as infinity: no finite result can be asked of such a case.
  if (inputs.some((v) => !(Math.abs(v) <= F16_MAX))) return null;
  for (let i = 0; i < want.length; i++) {
    if (Number.isFinite(want[i]) && Math.abs(want[i]) <= F16_MAX && !Number.isFinite(got[i]))
      return `[${i}] got ${got[i]} want ${want[i]}`;
  }
  return null;
}

interface Tally {
  passed: number;
  failed: number;
  gradPassed: number;
  gradFailed: number;
  failures: string[];
  nonFinite: string[];
}

function tally(backend: BrowserBackend, results: readonly CaseResult[]): Tally {
  const t: Tally = { passed: 0, failed: 0, gradPassed: 0, gradFailed: 0, failures: [], nonFinite: [] };
  const byId = new Map(results.map((r) => [r.id, r]));
  const f16 = backend === 'webgl-f16';
  for (const c of ALL) {
    const r = byId.get(c.id)!;
    const want = expectedValue(c);
    const vMiss =
      r.error ??
      (f16
        ? goldenMiss(r.value, want, F16_TOL, true)
        : goldenMiss(r.value, want, c.tol, c.family !== 'keras'));
    if (vMiss) {
      t.failed++;
      t.failures.push(`${c.family}/${c.id}: ${vMiss}`);
    } else t.passed++;
    const g = expectedGrad(c);
    if (f16) {
      const nf = nonFiniteInRange(c, r.value, want) ?? (g ? nonFiniteInRange(c, r.grad, g) : null);
      if (nf) t.nonFinite.push(`${c.family}/${c.id}: ${nf}`);
    }
    if (g === null) continue;
    const gMiss = r.gradError ?? goldenMiss(r.grad, g, f16 ? F16_TOL : Math.max(c.tol, 1e-4), true);
    if (gMiss) {
      t.gradFailed++;
      t.failures.push(`${c.family}/${c.id} gradient: ${gMiss}`);
    } else t.gradPassed++;
  }
  return t;
}

describe.skipIf(!hasChromium)('golden cases in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    buildPageIfStale();
    ({ server, url } = await serveOut());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await browser.close();
    server.close();
  });

  /**
   * Runs every case on `backend`, in a fresh page per backend. A case that loses the WebGPU device ends its page;
   * the rest go on in a new one, so each case is judged on its own and the losses are all reported.
   */
  async function runOn(
    backend: BrowserBackend,
  ): Promise<{ info: SetupInfo; results: CaseResult[]; lost: string[] }> {
    const results: CaseResult[] = [];
    const lost: string[] = [];
    let info: SetupInfo = { ok: false, reason: 'not started' };
    while (results.length < ALL.length) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(url);
        await page.waitForSelector('body[data-status="ready"]', { state: 'attached' });
        info = await page.evaluate<SetupInfo, BrowserBackend>(
          (b) =>
            (
              globalThis as unknown as { losskitConformance: { setup(b: string): Promise<SetupInfo> } }
            ).losskitConformance.setup(b),
          backend,
        );
        if (!info.ok) return { info, results, lost };
        const part = await page.evaluate<CaseResult[], unknown>(
          (cases) =>
            (
              globalThis as unknown as { losskitConformance: { run(c: unknown): Promise<CaseResult[]> } }
            ).losskitConformance.run(cases),
          ALL.slice(results.length),
        );
        results.push(...part);
        const last = part[part.length - 1];
        if (part.length > 0 && last.deviceLost !== undefined) lost.push(`${last.id}: ${last.deviceLost}`);
        else expect(errors, 'page errors').toEqual([]);
      } finally {
        await context.close();
      }
    }
    return { info, results, lost };
  }

  function report(backend: BrowserBackend, t: Tally, ms: number): void {
    const total = t.passed + t.failed;
    const gTotal = t.gradPassed + t.gradFailed;
    console.log(
      `browser conformance ${backend}: values ${t.passed}/${total} · gradients ${t.gradPassed}/${gTotal}; ` +
        `${t.passed + t.gradPassed} passed, ${t.failed + t.gradFailed} failed (${(ms / 1000).toFixed(1)} s)`,
    );
    for (const f of t.failures) console.log(`  ${backend}: ${f}`);
    for (const f of t.nonFinite) console.log(`  ${backend}: NON-FINITE ${f}`);
  }

  it('webgl, float32 textures: every case at its golden tolerance', async () => {
    const start = Date.now();
    const { info, results } = await runOn('webgl');
    expect(info.ok, info.reason).toBe(true);
    expect(info.backend).toBe('webgl');
    expect(info.forceF16Textures).toBe(false);
    expect(info.renderFloat32, 'float32 render targets').toBe(true);
    const t = tally('webgl', results);
    report('webgl', t, Date.now() - start);
    expect(t.failures).toEqual([]);
  }, 600_000);

  it('webgl, float16 textures: ≥ 95 % within 1e-2, no NaN/Infinity where the reference is finite', async () => {
    const start = Date.now();
    const { info, results } = await runOn('webgl-f16');
    expect(info.ok, info.reason).toBe(true);
    expect(info.backend).toBe('webgl');
    expect(info.forceF16Textures).toBe(true);
    expect(info.renderFloat32, 'float16 render targets').toBe(false);
    const t = tally('webgl-f16', results);
    report('webgl-f16', t, Date.now() - start);
    const checks = t.passed + t.failed + t.gradPassed + t.gradFailed;
    expect((t.passed + t.gradPassed) / checks).toBeGreaterThanOrEqual(F16_SHARE);
    expect(t.nonFinite).toEqual([]);
  }, 600_000);

  it('webgpu: every case at its golden tolerance, and the device never lost', async (ctx) => {
    const start = Date.now();
    const { info, results, lost } = await runOn('webgpu');
    if (!info.ok && /adapter|navigator\.gpu/.test(info.reason ?? '')) {
      console.warn(`\n!!!!! browser conformance webgpu: SKIPPED, ${info.reason} !!!!!\n`);
      ctx.skip();
      return;
    }
    expect(info.ok, info.reason).toBe(true);
    expect(info.backend).toBe('webgpu');
    console.log(`browser conformance webgpu: adapter ${info.adapter ?? '?'}`);
    const t = tally('webgpu', results);
    report('webgpu', t, Date.now() - start);
    for (const l of lost) console.log(`  webgpu: DEVICE LOST ${l}`);
    expect(lost, 'cases that lost the WebGPU device').toEqual([]);
    expect(t.failures).toEqual([]);
  }, 600_000);
});
