#!/usr/bin/env node
// Fused value-and-gradient kernels against the composed tfjs losses, and the published PyTorch figures of
// ../shared/bench/README.md (same inputs, same protocol).
// Usage (after `npm run build`): node bench/fused.mjs [--quick] [--sizes 16,20,23] [--only bce,cce,dice]
//   [--write bench/RESULTS.md]   (--sizes: log2 of the sizes; --only: the loss names of the table below)
// Run with GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736, as the baselines were.
// One call = tf.valueAndGrad w.r.t. yPred, then reading the value. Contenders run round-robin in one process:
// composed on `cpu`, composed on `wasm`, fused on `wasm`, fused on `cpu`; each sample batches calls to last ≥ 3 ms;
// one warm-up call each (it also measures the tf.memory high-water through tf.profile), then ≥ 5 samples — except
// composed `cpu` at 2^23 (several seconds a call), which gets 3 samples and no separate warm-up.
import { execSync } from 'node:child_process';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { median, u, writeSection } from './common.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const outIdx = args.indexOf('--write');
const OUT = outIdx >= 0 ? args[outIdx + 1] : null;
const here = dirname(fileURLToPath(import.meta.url));
const lib = await import(pathToFileURL(resolve(here, '../dist/index.js')).href);
// Internal switch (not exported by the package): runs the fused kernels as plain JS loops, to show what SIMD buys.
const { setWasmKernels } = await import(pathToFileURL(resolve(here, '../dist/fused/wasm.js')).href);
// Internal meter of the backend's buffers (each counted once, tf.memory counts clones twice and misses raw blocks).
const { meterBuffers } = await import('./buffer-meter.mjs');

/** The value of flag `name` split at commas, or null when it is absent. */
function listFlag(name) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1].split(',').map((s) => s.trim()) : null;
}
const SIZES =
  listFlag('--sizes')?.map((e) => 2 ** Number(e)) ?? (QUICK ? [2 ** 16] : [2 ** 16, 2 ** 20, 2 ** 23]);
const ONLY = listFlag('--only');
const MIN_SAMPLES = 5;
const MIN_SAMPLE_MS = 3;

// ---- deterministic inputs (shared/bench/README.md) ---------------------------------------------------------
function inputs(n) {
  const logits = new Float32Array(n);
  const probs = new Float32Array(n);
  const binary = new Float32Array(n);
  const real = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    logits[i] = 8 * u(0, i) - 4;
    probs[i] = u(0, i);
    binary[i] = u(1, i) < 0.25 ? 1 : 0;
    real[i] = 4 * u(1, i) - 2;
  }
  const rows = n / 4;
  const oneHot = new Float32Array(n);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = Math.floor(4 * u(2, r));
    oneHot[4 * r + labels[r]] = 1;
  }
  return { logits, probs, binary, real, oneHot, labels };
}

// ---- the losses: [name, loss, options, yTrue key, yPred key, layout, PyTorch Melem/s by size] --------------
const seg = (n) => [1, n, 1];
const flat = (n) => [n, 1];
const rows4 = (n) => [n / 4, 4];
const PT = {
  bce: { 16: 228, 20: 182, 23: 164 },
  cce: { 16: 28.1, 20: 28.9, 23: 27.4 },
  dice: { 16: 445, 20: 432, 23: 455 },
  tversky: { 16: 258, 20: 213, 23: 215 },
  focal: { 16: 80.4, 20: 80.5, 23: 57.5 },
  mse: { 16: 1469, 20: 1401, 23: 902 },
};
const LOSSES = [
  ['bce', lib.binaryCrossentropy, { fromLogits: true }, 'binary', 'logits', flat],
  ['cce', lib.categoricalCrossentropy, { fromLogits: true }, 'oneHot', 'logits', rows4],
  ['dice', lib.dice, { activation: 'sigmoid' }, 'binary', 'logits', seg],
  ['tversky', lib.tversky, { activation: 'sigmoid' }, 'binary', 'logits', seg],
  ['focal', lib.binaryFocalCrossentropy, { fromLogits: true }, 'binary', 'logits', flat],
  ['mse', lib.meanSquaredError, {}, 'real', 'logits', flat],
  ['mae', lib.meanAbsoluteError, {}, 'real', 'logits', flat],
  ['huber', lib.huber, {}, 'real', 'logits', flat],
  ['bce (probs)', lib.binaryCrossentropy, {}, 'binary', 'probs', flat],
  ['focal (probs)', lib.binaryFocalCrossentropy, {}, 'binary', 'probs', flat],
  ['scce', lib.sparseCategoricalCrossentropy, { fromLogits: true }, 'labels', 'logits', rows4],
  ['jaccard', lib.jaccard, { activation: 'sigmoid' }, 'binary', 'logits', seg],
  ['focalTversky', lib.focalTversky, { activation: 'sigmoid' }, 'binary', 'logits', seg],
  ['combo', lib.combo, { activation: 'sigmoid' }, 'binary', 'logits', seg],
];

const CONTENDERS = [
  { id: 'composed cpu', backend: 'cpu', fused: false },
  { id: 'composed wasm', backend: 'wasm', fused: false },
  { id: 'fused wasm', backend: 'wasm', fused: true },
  { id: 'fused cpu', backend: 'cpu', fused: true },
  { id: 'fused JS loops cpu', backend: 'cpu', fused: true, js: true },
];

await tf.setBackend('wasm');
await tf.ready();
await tf.setBackend('cpu');
await tf.ready();

const results = [];
for (const n of SIZES) {
  const data = inputs(n);
  const log2 = Math.log2(n);
  for (const [name, loss, options, tKey, pKey, layout] of LOSSES) {
    if (ONLY && !ONLY.includes(name)) continue;
    const shape = layout(n);
    const bound = loss.bind(options);
    // Inputs live on each backend (a tensor used on another backend would be moved on every switch).
    const state = CONTENDERS.map((c) => {
      tf.setBackend(c.backend);
      const yt = tKey === 'labels' ? tf.tensor(data.labels, [n / 4]) : tf.tensor(data[tKey], shape);
      const yp = tf.tensor(data[pKey], shape);
      const vg = tf.valueAndGrad((x) => bound(yt, x));
      const call = () => {
        const { value, grad } = vg(yp);
        const v = value.dataSync()[0];
        tf.dispose([value, grad]);
        return v;
      };
      return { c, yt, yp, vg, call, times: [], value: NaN, peak: 0, buffers: NaN, batch: 1 };
    });
    const slow = (c) => c.id === 'composed cpu' && n >= 2 ** 23;
    const enter = (s) => {
      tf.setBackend(s.c.backend);
      lib.setFusedKernels(s.c.fused);
      setWasmKernels(!s.c.js);
    };
    // Warm-up, which also measures the tf.memory high-water of one call and sizes the batches. The profiler's
    // snapshots are taken between kernels, and a fused call's gradient buffer outlives its kernels: what a call
    // leaves alive (value and gradient) is measured as well.
    for (const s of state) {
      enter(s);
      const start = tf.memory().numBytes;
      let held = 0;
      if (s.c.fused) {
        const { value, grad } = s.vg(s.yp);
        held = tf.memory().numBytes - start;
        tf.dispose([value, grad]);
      }
      const t0 = performance.now();
      const info = await tf.profile(() => {
        s.value = s.call();
        return tf.scalar(0);
      });
      const dt = performance.now() - t0;
      s.peak = Math.max(held, info.peakBytes - start);
      if (!slow(s.c)) s.buffers = meterBuffers(() => s.call()).peak;
      s.batch = Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(dt, 1e-3)));
      if (slow(s.c)) s.times.push(dt / 1); // the warm-up counts as a sample here (stated in the header)
    }
    const samples = (s) => (slow(s.c) ? 3 : MIN_SAMPLES);
    for (let round = 0; state.some((s) => s.times.length < samples(s)); round++) {
      for (const s of state) {
        if (s.times.length >= samples(s)) continue;
        enter(s);
        const t0 = performance.now();
        for (let k = 0; k < s.batch; k++) s.value = s.call();
        s.times.push((performance.now() - t0) / s.batch);
      }
    }
    lib.setFusedKernels(true);
    setWasmKernels(true);
    for (const s of state) {
      tf.setBackend(s.c.backend);
      tf.dispose([s.yt, s.yp]);
    }
    const row = { name, n, log2, pt: PT[name]?.[log2] ?? null, by: {} };
    for (const s of state) {
      const med = median(s.times);
      row.by[s.c.id] = {
        med,
        min: Math.min(...s.times),
        max: Math.max(...s.times),
        samples: s.times.length,
        melem: n / med / 1e3,
        value: s.value,
        peak: s.peak,
        buffers: s.buffers,
      };
    }
    const ref = row.by['composed cpu'].value;
    const rel = (id) => Math.abs(row.by[id].value - ref) / Math.max(Math.abs(ref), 1e-12);
    row.fusedDiff = Math.max(rel('fused wasm'), rel('fused cpu'), rel('fused JS loops cpu'));
    row.wasmDiff = rel('composed wasm');
    results.push(row);
    const f = row.by['fused wasm'];
    console.error(
      `${name} 2^${log2}: fused wasm ${f.melem.toFixed(1)} Melem/s, ×${(row.by['composed cpu'].med / f.med).toFixed(1)} ` +
        `vs composed cpu, ×${(row.by['composed wasm'].med / f.med).toFixed(1)} vs composed wasm`,
    );
  }
}

// ---- report --------------------------------------------------------------------------------------------------
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rng = (r) => `${fmt(r.melem)} (${fmt(r.n / r.max / 1e3)}–${fmt(r.n / r.min / 1e3)})`;
const mib = (b) => (b / 2 ** 20).toFixed(b < 2 ** 20 ? 2 : 1);
const lines = [];
lines.push(
  '| loss | n | composed cpu | composed wasm | fused wasm | fused cpu | fused JS loops (cpu) | fused/cpu | ' +
    'fused/wasm | fused/PyTorch | tf.memory MiB composed (wasm) | tf.memory MiB fused (wasm) | ' +
    'buffers MiB composed (wasm) | buffers MiB fused (wasm) | Δvalue fused | Δvalue wasm |',
);
lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const b = r.by;
  const withN = (k) => ({ ...b[k], n: r.n });
  const f = b['fused wasm'];
  lines.push(
    `| ${r.name} | 2^${r.log2} | ${rng(withN('composed cpu'))} | ${rng(withN('composed wasm'))} | ` +
      `${rng(withN('fused wasm'))} | ${rng(withN('fused cpu'))} | ${rng(withN('fused JS loops cpu'))} | ` +
      `×${fmt(b['composed cpu'].med / f.med)} | ×${fmt(b['composed wasm'].med / f.med)} | ` +
      `${r.pt ? `${(f.melem / r.pt).toFixed(2)}` : '—'} | ${mib(b['composed wasm'].peak)} | ${mib(f.peak)} | ` +
      `${mib(b['composed wasm'].buffers)} | ${mib(f.buffers)} | ` +
      `${r.fusedDiff.toExponential(1)} | ${r.wasmDiff.toExponential(1)} |`,
  );
}
const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const summary = [];
const withPt = results.filter((r) => r.pt);
for (const key of ['fused wasm', 'fused cpu', 'fused JS loops cpu']) {
  const perSize = SIZES.map((n) => {
    const rs = withPt.filter((r) => r.n === n);
    return `2^${Math.log2(n)}: ${geo(rs.map((r) => r.by[key].melem / r.pt)).toFixed(2)}`;
  }).join(', ');
  summary.push(
    `- Geometric mean of ${key} / PyTorch 1 thread (throughput, > 1 = faster) over the six published losses: ` +
      `${geo(withPt.map((r) => r.by[key].melem / r.pt)).toFixed(2)} (${perSize}).`,
  );
}
const minOf = (key) => Math.min(...results.map((r) => r.by[key].med / r.by['fused wasm'].med));
summary.push(
  `- Smallest speed-up of fused wasm over composed cpu: ×${fmt(minOf('composed cpu'))}; over composed wasm: ` +
    `×${fmt(minOf('composed wasm'))} (all losses and sizes).`,
);
const table = lines.join('\n');
console.log(table);
console.log(summary.join('\n'));

if (OUT) {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let date = new Date().toString();
  try {
    date = execSync('date').toString().trim();
  } catch {
    // keep the JS date
  }
  cpu = `${cpu}, ${os.cpus().length} vCPU, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const text = [
    '# Fused loss kernels: benchmark results',
    '',
    `- Machine: ${cpu}, ${os.type()} ${os.release()}`,
    `- Date: ${date}`,
    `- Node ${process.version}, @tensorflow/tfjs ${tf.version.tfjs}`,
    `- Command: \`GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'} node bench/fused.mjs ${args.join(' ')}\` (after \`npm run build\`)`,
    '- One call: `tf.valueAndGrad` w.r.t. yPred, then reading the value. Throughput in Melem/s (yPred elements), ' +
      'median and (min–max) over ≥ 5 samples of ≥ 3 ms, contenders round-robin in one process; composed `cpu` at 2^23: ' +
      '3 samples of one call, the first doubling as warm-up. Ratios are time ratios composed/fused (fused on the wasm ' +
      'backend); "fused/PyTorch" is fused wasm throughput over the published PyTorch single-thread figure ' +
      '(../shared/bench/README.md, measured on another day in another process: ±10–15 %). tf.memory MiB: tf.memory ' +
      'high-water of one call above its inputs (tf.profile, plus what the call leaves alive); it counts a clone, which ' +
      "shares its buffer, as a second buffer. buffers MiB: the high-water of the backend's live buffers during one call, " +
      "each counted once from allocation to release (the wasm module's malloc/free, bench/buffer-meter.mjs). Δvalue: relative difference of the loss " +
      'value from composed `cpu`: the largest over the fused contenders, and composed `wasm` (which sums in float32). ' +
      '"fused JS loops" is the fused path with the SIMD module switched off (plain JS loops, Math.exp/log).',
    '- Inputs: the lowbias32 recipe of ../shared/bench/README.md; bce/focal/cce/scce on logits, mse/mae/huber ' +
      'logits vs real targets, "probs" rows use p = u₀; region losses `[1, n, 1]` with activation sigmoid (one global group).',
    '',
    table,
    '',
    ...summary,
    '',
  ].join('\n');
  // Only the generated head: the hand-written reading below it and the other benchmarks' sections stay.
  writeSection(OUT, '# Fused loss kernels: benchmark results', text);
}
