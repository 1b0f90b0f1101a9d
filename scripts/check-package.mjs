#!/usr/bin/env node
// Checks what `npm publish` would ship, after `npm run build`: the file lists of the library, the command line and
// the explorer page (dry runs), then the library's real tarball installed into two empty projects: one with
// @tensorflow/tfjs, where `losskit` computes known values, and one without it, where `losskit/distance` still
// works. Prints each check and a summary line; exits 1 when a check failed, 2 when it could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = join(ROOT, 'packages/losskit');
const CLI = join(ROOT, 'packages/cli');
const EXPLORER = join(ROOT, 'packages/explorer');
const TFJS = '@tensorflow/tfjs@4.22.0';
const INSTALL_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'];

const started = performance.now();
let passed = 0;
const failures = [];

function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`  ok    ${name}`);
  } else {
    failures.push(name);
    console.log(`  FAIL  ${name}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

const section = (title) => {
  console.log(`\n${title}`);
};

/**
 * The environment for child npm and node processes. `npm run` exports its own settings as npm_* variables
 * (npm_config_local_prefix points at this repository, npm_config_workspace at a workspace), which would make an
 * npm started in a temporary project act on the repository instead; keep only registry, cache and TLS settings.
 */
const KEEP_NPM =
  /^npm_config_(cache|userconfig|globalconfig|registry|cafile|ca|cert|key|strict_ssl|https?_proxy|proxy|no_?proxy|offline|prefer_(offline|online)|fetch_.*|.*:registry|.*_authtoken)$/i;
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEEP_NPM.test(key)),
);

/** Runs a command; throws with its output when it fails. Returns stdout. */
function run(cmd, args, cwd, { allowFail = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: childEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${out}`);
  }
  return r.stdout;
}

const npm = (args, cwd, opts) => run('npm', args, cwd, opts);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** `npm pack --dry-run` of a workspace: the packed file paths. */
function dryRunFiles(workspace) {
  const [info] = JSON.parse(npm(['pack', '--json', '--dry-run', '-w', workspace], ROOT));
  console.log(`  (${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB packed)`);
  return info.files.map((f) => f.path);
}

// Test code, test helpers and oracles, benchmarks, build scripts and the AssemblyScript sources stay out.
const FORBIDDEN = [
  [/\.test\./, '*.test.*'],
  [/(^|\/)(test|tests|bench|scripts|assembly)\//, 'test/, bench/, scripts/ or assembly/'],
  [/(^|\/)(reference|helpers)(\/|\.|$)/, 'reference or helpers'],
  [/buffer-meter/, 'buffer-meter'],
];

function checkNoForbidden(files) {
  for (const [re, what] of FORBIDDEN) {
    const hits = files.filter((f) => re.test(f));
    check(`no ${what} in the package`, hits.length === 0, hits.slice(0, 5).join(', '));
  }
}

/** Every path a package.json `exports` map points at (conditions and subpaths flattened). */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

const normalize = (path) => path.replace(/^\.\//, '');

function checkLibraryFiles() {
  section('losskit: package.json and the packed file list (npm pack --dry-run)');
  const pkg = readJson(join(LIB, 'package.json'));
  check(
    'package.json has no "dependencies" (TensorFlow.js is a peer)',
    pkg.dependencies === undefined,
    JSON.stringify(pkg.dependencies),
  );
  check('@tensorflow/tfjs is a peer dependency', Boolean(pkg.peerDependencies?.['@tensorflow/tfjs']));
  const files = dryRunFiles('losskit');
  checkNoForbidden(files);
  const required = [
    'package.json',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/distance/index.js',
  ];
  const missing = required.filter((f) => !files.includes(f));
  check(`contains ${required.join(', ')}`, missing.length === 0, `missing ${missing.join(', ')}`);
  const targets = [...new Set(exportTargets(pkg.exports).map(normalize))];
  const dangling = targets.filter((t) => !files.includes(t));
  check(`every "exports" target is packed (${targets.length})`, dangling.length === 0, dangling.join(', '));
  const maps = files.filter((f) => f.endsWith('.map')).length;
  if (maps > 0 && !files.some((f) => f.startsWith('src/'))) {
    console.log(`  note  ${maps} source maps point at src/*.ts, which is not packed`);
  }
}

function checkCliFiles() {
  section('losskit-cli and losskit-explorer: packed file lists (npm pack --dry-run)');
  const pkg = readJson(join(CLI, 'package.json'));
  const bins = Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}));
  check('losskit-cli has a "bin"', bins.length > 0, 'no bin in packages/cli/package.json');
  const files = dryRunFiles('losskit-cli');
  const unpacked = bins.map(normalize).filter((b) => !files.includes(b));
  check(`its bin (${bins.join(', ')}) is packed`, unpacked.length === 0, unpacked.join(', '));
  const bin = bins[0] && join(CLI, bins[0]);
  check(
    'the bin starts with a #! line',
    Boolean(bin) && existsSync(bin) && readFileSync(bin, 'utf8').startsWith('#!'),
  );
  checkNoForbidden(files);
  for (const [dep, dir] of [
    ['losskit', LIB],
    ['losskit-explorer', EXPLORER],
  ]) {
    const wanted = pkg.dependencies?.[dep];
    const actual = readJson(join(dir, 'package.json')).version;
    check(`depends on ${dep} ${actual} (the workspace's version)`, wanted === actual, `wants ${wanted}`);
  }
  const page = dryRunFiles('losskit-explorer');
  check(
    'losskit-explorer packs its built page (dist/index.html, for `losskit serve`)',
    page.includes('dist/index.html'),
  );
  checkNoForbidden(page);
}

/** An empty ESM project in `dir` (what `npm init -y` and `npm pkg set type=module` write, minus the noise). */
function emptyProject(dir, name) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
}

/** Runs `source` as an ES module in `dir` and returns the JSON document it prints last. */
function runModule(dir, source) {
  writeFileSync(join(dir, 'check.mjs'), source);
  const out = run('node', ['check.mjs'], dir).trim().split('\n');
  return JSON.parse(out[out.length - 1]);
}

const close = (a, b, tol) => typeof a === 'number' && Math.abs(a - b) <= tol;

const WITH_TFJS = `
import * as tf from '@tensorflow/tfjs';
import { binaryCrossentropy, getLoss, listLosses, listMetrics } from 'losskit';
import { mulberry32 } from 'losskit/random';
await tf.setBackend('cpu');
const yTrue = tf.tensor2d([[0, 1], [0, 0]]);
const yPred = tf.tensor2d([[0.6, 0.4], [0.4, 0.6]]);
const g = tf.tensor4d([0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
const p = tf.tensor4d([0, 0.9, 0.8, 0, 0, 0.7, 0.1, 0, 0, 0.2, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
const before = tf.memory().numTensors;
const bce = binaryCrossentropy(yTrue, yPred);
const dice = getLoss('dice')(g, p);
const left = tf.memory().numTensors - before;
console.log(JSON.stringify({
  backend: tf.getBackend(),
  bce: bce.dataSync()[0],
  dice: dice.dataSync()[0],
  left,
  losses: listLosses().length,
  metrics: listMetrics().length,
  random: typeof mulberry32,
}));
`;

function checkWithTfjs(tarball, dir) {
  section(`losskit installed with ${TFJS} into an empty project`);
  emptyProject(dir, 'losskit-check-with-tfjs');
  npm(['install', tarball, TFJS, ...INSTALL_FLAGS, '--prefix', dir], dir);
  const r = runModule(dir, WITH_TFJS);
  check(
    `binaryCrossentropy([[0,1],[0,0]], [[0.6,0.4],[0.4,0.6]]) = 0.8149245 ± 1e-6 (got ${r.bce})`,
    close(r.bce, 0.8149245, 1e-6),
  );
  // Dice per sample and class, s_nr = s_dr = 1e-5: TP = 2.5, Σg = 4, Σp = 2.7.
  const dice = 1 - (2 * 2.5 + 1e-5) / (4 + 2.7 + 1e-5);
  check(
    `getLoss('dice') on a 4×4 mask = ${dice.toFixed(7)} ± 1e-6 (got ${r.dice})`,
    close(r.dice, dice, 1e-6),
  );
  check(`each call leaves only its result tensor (${r.left} new)`, r.left === 2);
  check(`the catalog loads (${r.losses} losses, ${r.metrics} metrics)`, r.losses > 0 && r.metrics > 0);
  check(`losskit/random resolves (mulberry32 is a ${r.random})`, r.random === 'function');
}

const WITHOUT_TFJS = `
import { createRequire } from 'node:module';
let tfjs = 'absent';
try { createRequire(import.meta.url).resolve('@tensorflow/tfjs'); tfjs = 'present'; } catch {}
const { edt, hausdorffDistanceArrays, metricInfo, resolveMetricOptions } = await import('losskit/distance');
const mask = [0, 1, 1, 1, 0, 1, 1, 1, 1];
console.log(JSON.stringify({
  tfjs,
  edt: Array.from(edt(mask, [3, 3])),
  spaced: Array.from(edt(mask, [3, 3], { spacing: [2, 1] })),
  hd: Array.from(hausdorffDistanceArrays([0, 1, 1, 0], [0, 1, 0, 0], [1, 4, 1])),
  hd95: [metricInfo('dice')?.id ?? null, metricInfo('HD')?.id, resolveMetricOptions('hd', { percentile: 95 })],
}));
`;

function checkWithoutTfjs(tarball, dir) {
  section('losskit installed alone (--legacy-peer-deps, no TensorFlow.js)');
  emptyProject(dir, 'losskit-check-without-tfjs');
  npm(['install', tarball, '--legacy-peer-deps', ...INSTALL_FLAGS, '--prefix', dir], dir);
  const r = runModule(dir, WITHOUT_TFJS);
  check(`@tensorflow/tfjs cannot be resolved there (${r.tfjs})`, r.tfjs === 'absent');
  // scipy's distance_transform_edt: the distance to the nearest 0, at (0,0) and (1,1).
  const s2 = Math.SQRT2;
  const expected = [0, 1, s2, 1, 0, 1, s2, 1, s2];
  check(
    `import('losskit/distance'): edt of a 3×3 mask = [${expected.map((v) => +v.toFixed(4))}]`,
    r.edt.length === 9 && r.edt.every((v, i) => close(v, expected[i], 1e-6)),
    `got [${r.edt}]`,
  );
  // Rows 2 apart: (0,2) is 2 from (0,0) and √5 from (1,1); (2,0), (2,2) are √5 from (1,1); (1,0), (1,2) are 1.
  const s5 = Math.sqrt(5);
  const spaced = [0, 1, 2, 1, 0, 1, s5, 2, s5];
  check(
    'edt with spacing [2, 1]',
    r.spaced.length === 9 && r.spaced.every((v, i) => close(v, spaced[i], 1e-6)),
    `got [${r.spaced}]`,
  );
  check(
    `hausdorffDistanceArrays of two 1-D masks = [1] (got [${r.hd}])`,
    r.hd.length === 1 && close(r.hd[0], 1, 1e-9),
  );
  const [none, hd, options] = r.hd95;
  check(
    `metricInfo finds 'HD' (${hd}) and not the loss 'dice'; resolveMetricOptions('hd', { percentile: 95 }) fills defaults`,
    none === null &&
      hd === 'hausdorffDistance' &&
      JSON.stringify(options) ===
        '{"percentile":95,"directed":false,"convention":"monai","includeBackground":false,"spacing":null}',
    JSON.stringify(r.hd95),
  );
}

function main() {
  const built = ['dist/index.js', 'dist/distance/index.js'].every((f) => existsSync(join(LIB, f)));
  if (!built) {
    console.log('packages/losskit/dist is missing: run `npm run build` first');
    return 2;
  }
  checkLibraryFiles();
  checkCliFiles();

  const tmp = mkdtempSync(join(tmpdir(), 'losskit-check-'));
  const cleanup = () => {
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    section('losskit: the real tarball (npm pack)');
    const [info] = JSON.parse(npm(['pack', '--json', '-w', 'losskit', '--pack-destination', tmp], ROOT));
    const tarball = join(tmp, info.filename);
    check(`packed ${info.filename} (${(info.size / 1024).toFixed(0)} kB)`, existsSync(tarball));
    checkWithTfjs(tarball, join(tmp, 'with-tfjs'));
    checkWithoutTfjs(tarball, join(tmp, 'without-tfjs'));
  } finally {
    cleanup();
  }
  return 0;
}

let code;
try {
  code = main();
} catch (e) {
  console.log(`\ncould not run the checks: ${e instanceof Error ? e.message : String(e)}`);
  code = 2;
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (code === 0 && failures.length > 0) code = 1;
console.log(
  `\ncheck-package: ${passed} passed, ${failures.length} failed${code === 2 ? ', stopped early' : ''} (${seconds} s)`,
);
process.exit(code);
