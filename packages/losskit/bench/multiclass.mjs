#!/usr/bin/env node
// Multi-class region losses (issue 12): losskit on the tfjs `wasm` backend against PyTorch on one thread, measured
// side by side in one run. Usage (after `npm run build`):
//   node bench/multiclass.mjs [--samples 7] [--only dice-softmax,gdl-softmax-3d] [--no-torch] [--write bench/RESULTS.md]
// (--only: case keys of CASES below; --write replaces or appends the "Multi-class" section of that file.)
// One call = the loss value and its gradient with respect to the logits, then reading the value. losskit runs
// through its public API (the built dist/index.js): fused kernels on, and the composed path (setFusedKernels(false))
// as a second column. PyTorch runs MONAI's formulas by hand in bench/multiclass_torch.py, a persistent worker
// spawned once; the three contenders are interleaved round-robin so the ratio is measured under one load, each
// sample batching calls to last ≥ 3 ms, median (min–max) of ≥ 5 samples after a warm-up call. Both processes need
// GLIBC_TUNABLES as in ../shared/bench/README.md: when it is unset this script starts itself again with it,
// and the worker inherits it. Without a python3 that imports torch, only the losskit columns are printed.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, u, writeSection } from './common.mjs';

const TUNABLES = 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736';
// glibc reads the variable at start-up only, so setting it now would not change this process's allocator.
if (!process.env.GLIBC_TUNABLES) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: TUNABLES },
  });
  process.exit(again.status ?? 1);
}

const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');

const args = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const lib = await import(pathToFileURL(resolve(here, '../dist/index.js')).href);

/** The value of flag `name`, or null when it is absent. */
function flag(name) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : null;
}
const OUT = flag('--write');
const ONLY = flag('--only')
  ?.split(',')
  .map((s) => s.trim());
const SAMPLES = Math.max(5, Number(flag('--samples') ?? 7));
const MIN_SAMPLE_MS = 3;
const TVERSKY = { alpha: 0.3, beta: 0.7 };
// losskit's default exponent (its focal Tversky is (1 − TI)^γ per group, Abraham's code); MONAI has no focal Tversky.
const GAMMA = 0.75;

// ---- the cases of issue 12; `torch` is what the worker needs to build the same loss ---------------------------
const IMG = [4, 256, 256, 4];
const VOL = [2, 64, 64, 64, 4];
const CASES = [
  { key: 'dice-softmax', label: 'Dice, softmax', shape: IMG, torch: { loss: 'dice', activation: 'softmax' } },
  {
    key: 'dice-sigmoid',
    label: 'Dice, sigmoid, 4 channels',
    shape: IMG,
    torch: { loss: 'dice', activation: 'sigmoid' },
  },
  {
    key: 'tversky-softmax',
    label: 'Tversky (α 0.3, β 0.7), softmax',
    shape: IMG,
    torch: { loss: 'tversky', activation: 'softmax', ...TVERSKY },
  },
  {
    key: 'focal-tversky-softmax',
    label: `focal Tversky (0.3/0.7, γ ${GAMMA}), softmax`,
    shape: IMG,
    torch: { loss: 'focalTversky', activation: 'softmax', ...TVERSKY, gamma: GAMMA },
  },
  {
    key: 'gdl-softmax-3d',
    label: 'generalized Dice, softmax, 3-D',
    shape: VOL,
    torch: { loss: 'generalizedDice', activation: 'softmax' },
  },
  {
    key: 'dice-ce-softmax',
    label: 'Dice + categorical CE, softmax',
    shape: IMG,
    torch: { loss: 'diceCe', activation: 'softmax' },
  },
  {
    key: 'dice-softmax-sparse',
    label: 'Dice, softmax, integer labels',
    shape: IMG,
    torch: { loss: 'dice', activation: 'softmax', sparse: true },
  },
];

/** The losskit function of a case, through the public API only: `(yTrue, yPred) => scalar`. */
function losskitFn({ torch: t }) {
  const activation = t.activation;
  switch (t.loss) {
    case 'dice':
      return lib.dice.bind({ activation, sparseLabels: t.sparse === true });
    case 'tversky':
      return lib.tversky.bind({ activation, alpha: t.alpha, beta: t.beta });
    case 'focalTversky':
      return lib.focalTversky.bind({ activation, alpha: t.alpha, beta: t.beta, gamma: t.gamma });
    case 'generalizedDice':
      return lib.generalizedDice.bind({ activation });
    case 'diceCe': {
      // MONAI DiceCELoss with its default weights 1 and 1, on the same logits.
      const d = lib.dice.bind({ activation });
      const ce = lib.categoricalCrossentropy.bind({ fromLogits: true });
      return (yt, x) => tf.add(d(yt, x), ce(yt, x));
    }
    default:
      throw new Error(`unknown loss ${t.loss}`);
  }
}

// ---- deterministic inputs (shared/bench/README.md): logits 8·u0 − 4, labels ⌊C·u1(pixel)⌋ ---------------------
function inputs(shape) {
  const C = shape[shape.length - 1];
  const n = shape.reduce((a, d) => a * d, 1);
  const logits = new Float32Array(n);
  for (let i = 0; i < n; i++) logits[i] = 8 * u(0, i) - 4;
  const labels = new Int32Array(n / C);
  const oneHot = new Float32Array(n);
  for (let p = 0; p < labels.length; p++) {
    labels[p] = Math.floor(C * u(1, p));
    oneHot[p * C + labels[p]] = 1;
  }
  return { n, logits, labels, oneHot };
}

// ---- the PyTorch worker ----------------------------------------------------------------------------------------
/** A python3 that imports torch: $PYTHON, then Debian's (where python3-torch installs), then the one on PATH. */
function findPython() {
  const tried = [];
  for (const py of [process.env.PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py || tried.includes(py)) continue;
    tried.push(py);
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return { py, tried };
  }
  return { py: null, tried };
}

/** Starts the worker; `ask(request)` resolves with its one-line JSON answer (requests are never concurrent). */
function startWorker(py) {
  const child = spawn(py, [resolve(here, 'multiclass_torch.py')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`PyTorch worker exited with code ${code}`));
  });
  const ask = (req) =>
    new Promise((res, reject) => {
      waiting.push({
        resolve: (a) => (a.error ? reject(new Error(`PyTorch worker: ${a.error}`)) : res(a)),
        reject,
      });
      child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  const stop = () => {
    child.stdin.end();
    return new Promise((res) => (child.exitCode !== null ? res() : child.on('exit', res)));
  };
  return { ask, stop };
}

const { py, tried } = args.includes('--no-torch') ? { py: null, tried: ['none (--no-torch)'] } : findPython();
const worker = py ? startWorker(py) : null;
const torchInfo = worker ? await worker.ask({ op: 'hello' }) : null;
if (!worker) {
  console.error(`No python3 with torch (tried ${tried.join(', ')}): printing the losskit columns only.`);
}

await tf.setBackend('wasm');
await tf.ready();

const batchFor = (ms) => Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(ms, 1e-3)));

const LOAD_START = os.loadavg()[0];
const results = [];
for (const [id, c] of CASES.entries()) {
  if (ONLY && !ONLY.includes(c.key)) continue;
  const data = inputs(c.shape);
  const sparse = c.torch.sparse === true;
  const yt = sparse ? tf.tensor(data.labels, c.shape.slice(0, -1), 'int32') : tf.tensor(data.oneHot, c.shape);
  const x = tf.tensor(data.logits, c.shape);
  const fn = losskitFn(c);
  const vg = tf.valueAndGrad((logits) => fn(yt, logits));
  const local = (fused) => ({
    id: fused ? 'fused' : 'composed',
    enter: () => lib.setFusedKernels(fused),
    run(calls) {
      this.enter();
      let v = NaN;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let k = 0; k < calls; k++) {
        const { value, grad } = vg(x);
        v = value.dataSync()[0];
        tf.dispose([value, grad]);
      }
      const ms = (performance.now() - t0) / calls;
      const cu = process.cpuUsage(c0);
      return { ms, cpu: (cu.user + cu.system) / 1e3 / calls, value: v };
    },
  });
  const contenders = [local(true), local(false)];
  if (worker) {
    await worker.ask({ op: 'setup', id, case: { ...c.torch, shape: c.shape } }).then((a) => {
      contenders.push({
        id: 'torch',
        warm: a,
        run: (calls) => worker.ask({ op: 'run', id, calls }),
      });
    });
  }
  // Warm-up (its time sizes the batches); whether the fused path was taken is read from the public counter.
  const taken0 = lib.fusedCallCount();
  for (const k of contenders) {
    const w = k.warm ?? (await k.run(1));
    k.batch = batchFor(w.ms);
    k.value = w.value;
    k.times = [];
    k.cpu = [];
  }
  const fusedTaken = lib.fusedCallCount() > taken0;
  for (let round = 0; round < SAMPLES; round++) {
    for (const k of contenders) {
      const r = await k.run(k.batch);
      k.times.push(r.ms);
      k.cpu.push(r.cpu);
      k.value = r.value;
    }
  }
  lib.setFusedKernels(true);
  tf.dispose([yt, x]);
  if (worker) await worker.ask({ op: 'drop', id });
  const by = Object.fromEntries(
    contenders.map((k) => [
      k.id,
      {
        med: median(k.times),
        min: Math.min(...k.times),
        max: Math.max(...k.times),
        cpu: median(k.cpu),
        batch: k.batch,
        value: k.value,
      },
    ]),
  );
  const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  const row = {
    ...c,
    n: data.n,
    by,
    fusedTaken,
    ratio: by.torch ? by.torch.med / by.fused.med : null,
    ratioCpu: by.torch ? by.torch.cpu / by.fused.cpu : null,
    dTorch: by.torch ? rel(by.fused.value, by.torch.value) : null,
    dComposed: rel(by.fused.value, by.composed.value),
    ref64: by.torch ? contenders.at(-1).warm.ref64 : null,
  };
  if (row.ref64 !== null) {
    row.d64 = { losskit: rel(by.fused.value, row.ref64), torch: rel(by.torch.value, row.ref64) };
  }
  results.push(row);
  console.error(
    `${c.label}: fused ${by.fused.med.toFixed(1)} ms (CPU ${by.fused.cpu.toFixed(1)}), composed ` +
      `${by.composed.med.toFixed(1)} ms (CPU ${by.composed.cpu.toFixed(1)})` +
      (by.torch
        ? `, PyTorch ${by.torch.med.toFixed(2)} ms (CPU ${by.torch.cpu.toFixed(2)}), ratio ${row.ratio.toFixed(2)}`
        : '') +
      `, value ${by.fused.value.toPrecision(7)}` +
      (by.torch ? ` (PyTorch ${by.torch.value.toPrecision(7)}, Δ ${row.dTorch.toExponential(1)})` : ''),
  );
}
if (worker) await worker.stop();

// ---- report ------------------------------------------------------------------------------------------------------
const f3 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ms = (r) => `${f3(r.med)} (${f3(r.min)}–${f3(r.max)})`;
const head = ['case', 'shape', 'fused path taken', 'losskit fused wasm ms', 'Melem/s', 'composed wasm ms'];
if (worker) {
  head.push(
    'PyTorch-1t ms',
    'ratio PyTorch/losskit',
    'ratio by CPU time',
    'Δvalue vs PyTorch',
    'Δ from float64: losskit / PyTorch',
  );
}
head.push('Δvalue fused vs composed');
const lines = [`| ${head.join(' | ')} |`, `|---|---|---|${'---:|'.repeat(head.length - 3)}`];
for (const r of results) {
  const cells = [
    r.label,
    r.shape.join('×'),
    r.fusedTaken ? 'yes' : 'no (composed)',
    ms(r.by.fused),
    f3(r.n / r.by.fused.med / 1e3),
    ms(r.by.composed),
  ];
  if (worker) {
    cells.push(
      ms(r.by.torch),
      `${r.ratio.toFixed(2)}×`,
      `${r.ratioCpu.toFixed(2)}×`,
      r.dTorch.toExponential(1),
      `${r.d64.losskit.toExponential(1)} / ${r.d64.torch.toExponential(1)}`,
    );
  }
  cells.push(r.dComposed.toExponential(1));
  lines.push(`| ${cells.join(' | ')} |`);
}
const geo = (xs) => Math.exp(xs.reduce((a, v) => a + Math.log(v), 0) / xs.length);
const summary = [];
const loadEnd = os.loadavg()[0];
if (worker && Math.max(LOAD_START, loadEnd) > os.cpus().length) {
  // Measured here at load 8–10 on 2 cores: a 9 ms PyTorch call took 2–5× its CPU time in wall time, a 100 ms
  // losskit call ~2×, and the wall-time geometric mean moved between 0.13× and 0.19× from run to run while the
  // CPU-time one stayed at 0.10×.
  summary.push(
    `- The machine was busy with other work (load average ${LOAD_START.toFixed(1)} at the start, ` +
      `${loadEnd.toFixed(1)} at the end, on ${os.cpus().length} cores): waiting stretches short calls more than ` +
      'long ones, so the wall-time ratios drift from run to run; the CPU-time ratios are the steadier of the two.',
  );
}
if (worker && results.length) {
  const ratios = results.map((r) => r.ratio);
  const worst = results.reduce((a, r) => (r.ratio < a.ratio ? r : a));
  summary.push(
    `- Geometric mean of the ratios (PyTorch time / losskit fused-wasm time, > 1 = losskit faster): ` +
      `**${geo(ratios).toFixed(2)}×** over ${ratios.length} cases; lowest ${worst.ratio.toFixed(2)}× (${worst.label}). ` +
      `By CPU time (process CPU per call, median; less sensitive to other work on the machine): ` +
      `${geo(results.map((r) => r.ratioCpu)).toFixed(2)}×.`,
  );
  const dMax = Math.max(...results.map((r) => r.dTorch));
  const worstL = Math.max(...results.map((r) => r.d64.losskit));
  const worstT = Math.max(...results.map((r) => r.d64.torch));
  summary.push(
    `- Loss values: largest relative difference losskit vs PyTorch ${dMax.toExponential(1)}; from the float64 ` +
      `value of the same formula (PyTorch, double) at most ${worstL.toExponential(1)} for losskit and ` +
      `${worstT.toExponential(1)} for PyTorch float32` +
      // Checked on the 3-D generalized Dice: the same loss on the `cpu` backend is 3.7e-8 from float64.
      (worstL > 1e-6 ? ' (the composed path on `wasm` accumulates its sums in float32).' : '.'),
  );
} else if (!worker) {
  summary.push(`- PyTorch columns omitted: no python3 with torch found (tried ${tried.join(', ')}).`);
}
const table = lines.join('\n');
console.log(table);
console.log(summary.join('\n'));

/** The commit the measured build came from: $LOSSKIT_REV, else git's description of this folder. */
function revision() {
  if (process.env.LOSSKIT_REV) return process.env.LOSSKIT_REV;
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: here, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

if (OUT) {
  const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} vCPU, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  const versions =
    `Node ${process.version}, @tensorflow/tfjs ${tf.version.tfjs} (\`wasm\` backend, single-threaded in Node)` +
    (torchInfo
      ? `; Python ${torchInfo.python} (${py}), PyTorch ${torchInfo.torch}, numpy ${torchInfo.numpy}, ` +
        `${torchInfo.threads} thread`
      : '; PyTorch: not available');
  const section = [
    '## Multi-class: region losses against PyTorch (issue 12): `node packages/losskit/bench/multiclass.mjs`',
    '',
    `- Machine: ${cpu}, ${os.type()} ${os.release()}; load average at the start ${LOAD_START.toFixed(1)}, at the ` +
      `end ${load} (1/5/15 min)`,
    `- Date: ${new Date().toUTCString()}`,
    `- ${versions}`,
    `- Command: \`node bench/multiclass.mjs ${args.join(' ')}\` (after \`npm run build\`), run with ` +
      `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES} (the PyTorch worker inherits it); code: ${revision()}`,
    '- One call: value and gradient with respect to the logits, value read back. losskit through its public API ' +
      'on `wasm`, channels-last, with fused kernels on ("fused") and off ("composed", `setFusedKernels(false)`); ' +
      '"fused path taken" says whether a fused kernel ran (`fusedCallCount`), else the fused column measures the ' +
      'composed path too. PyTorch: MONAI formulas written out with autograd (bench/multiclass_torch.py), ' +
      'channels-first, `torch.set_num_threads(1)`, a persistent worker timed inside Python. The three contenders ' +
      `alternate round-robin in one run: median (min–max) of ${SAMPLES} samples of ≥ ${MIN_SAMPLE_MS} ms after a ` +
      'warm-up call. Melem/s counts logits elements. Ratio = PyTorch time / losskit fused time (> 1: losskit faster), ' +
      'by wall time and by CPU time of each process (both single-threaded) over the same samples.',
    '- Losses: per sample and class, smoothing 1e-5/1e-5, mean over the groups (MONAI DiceLoss, TverskyLoss with ' +
      `α = 0.3 on FP and β = 0.7 on FN); focal Tversky (1 − TI)^${GAMMA} per group (losskit's default exponent; ` +
      'MONAI has none); generalized Dice with w = 1/V² (MONAI GeneralizedDiceLoss); Dice + CE = dice + ' +
      'categoricalCrossentropy(fromLogits) against MONAI DiceCELoss (CE on the one-hot target as class ' +
      'probabilities, mean over pixels); integer labels: `sparseLabels: true` against MONAI `to_onehot_y=True` ' +
      '(the one-hot encoding timed on both sides). Inputs: the lowbias32 recipe of ../shared/bench/README.md, ' +
      'logits 8·u₀(i) − 4 in channels-last order, labels ⌊C·u₁(pixel)⌋, generated on both sides.',
    '',
    table,
    '',
    ...summary,
    '',
  ].join('\n');
  writeSection(OUT, '## Multi-class', section);
}
