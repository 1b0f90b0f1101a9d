#!/usr/bin/env node
// Atlas-scale evaluation benchmark (issue #13): the AAL parcellation (181×217×181, 116 labels) against itself shifted
// by one voxel, all 116 labels, 11 metrics, in ONE `losskit eval` process of the built CLI, timed wall-clock from
// process start (file reading included). Side by side, when python3 with numpy and scipy is present, a scipy
// reference (EDT based, per-label bounding boxes) computing the same 11 metrics, also timed as one process.
//
// Usage (from the repository root, after `npm run build -w losskit && npm run build -w losskit-cli`):
//   node packages/losskit/bench/atlas.mjs [--runs N] [--aal /usr/share/mricron/templates/aal.nii.gz] [--no-scipy]
//     [--cli path/to/main.js]
// The AAL file comes from Debian's mricron-data package; the pair is regenerated into a temporary folder (never
// committed) and removed afterwards. Prints the median, min and max of N ≥ 3 runs of each command.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const RUNS = Math.max(3, Number(opt('--runs', '3')));
const AAL = opt('--aal', '/usr/share/mricron/templates/aal.nii.gz');
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
// --cli: another build of the CLI (e.g. of an older commit) to time on the same pair, under the same load.
const main = resolve(opt('--cli', join(root, 'packages/cli/dist/main.js')));
if (!existsSync(AAL)) {
  console.error(`${AAL}: not found (apt-get install mricron-data)`);
  process.exit(2);
}
if (!existsSync(main)) {
  console.error(`${main}: not built (npm run build -w losskit && npm run build -w losskit-cli)`);
  process.exit(2);
}

// ---- the pair: true = AAL, pred = AAL shifted by one voxel along i (NIfTI's fastest axis) --------------------------
const bytes = gunzipSync(readFileSync(AAL));
const dims = [1, 2, 3].map((k) => bytes.readInt16LE(40 + 2 * k));
const datatype = bytes.readInt16LE(70);
const bitpix = bytes.readInt16LE(72);
const offset = Math.round(bytes.readFloatLE(108));
if (datatype !== 2 || bitpix !== 8)
  throw new Error(`${AAL}: expected uint8 labels (datatype 2), got ${datatype}`);
const [nx, ny, nz] = dims;
const data = bytes.subarray(offset, offset + nx * ny * nz);
const shifted = new Uint8Array(data.length);
for (let row = 0; row < ny * nz; row++) shifted.set(data.subarray(row * nx, row * nx + nx - 1), row * nx + 1);
const dir = mkdtempSync(join(tmpdir(), 'losskit-atlas-'));
const truePath = join(dir, 'aal_true.nii.gz');
const predPath = join(dir, 'aal_pred.nii.gz');
writeFileSync(truePath, gzipSync(bytes));
writeFileSync(predPath, gzipSync(Buffer.concat([bytes.subarray(0, offset), shifted])));
const labels = Array.from({ length: 116 }, (_, i) => i + 1).join(',');

const METRICS = [
  'dice_coefficient',
  'iou',
  'sensitivity',
  'specificity',
  'precision',
  'hausdorff_distance',
  'hausdorff_distance:percentile=95',
  'average_surface_distance:symmetric=true',
  'average_surface_distance:symmetric=false',
  'surface_dice:tolerance=1',
  'surface_dice:tolerance=2',
].join(',');

// ---- timing -----------------------------------------------------------------------------------------------------
// CPU time (user + system, all threads) through GNU time when it is there: less sensitive than wall clock to other
// work on a shared machine.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function time(cmd, argv) {
  const [c, a] = GNU_TIME ? [GNU_TIME, ['-f', '@@cpu %U %S', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { s, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, out: r.stdout };
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

function runs(cmd, argv) {
  const t = [];
  const cpu = [];
  let out = '';
  for (let i = 0; i < RUNS; i++) {
    const r = time(cmd, argv);
    t.push(r.s);
    cpu.push(r.cpu);
    out = r.out;
  }
  t.sort((a, b) => a - b);
  return { median: median(t), min: t[0], max: t[t.length - 1], cpu: median(cpu), out };
}

const SCIPY = `
import gzip, struct, sys, time, json
import numpy as np
from scipy import ndimage as ndi
t0 = time.perf_counter()
def load(p):
    b = gzip.open(p).read()
    dim = struct.unpack('<8h', b[40:56]); off = int(struct.unpack('<f', b[108:112])[0])
    sp = struct.unpack('<8f', b[76:108])[1:4]
    return np.frombuffer(b[off:], np.uint8)[:dim[1]*dim[2]*dim[3]].reshape(dim[3], dim[2], dim[1]).transpose(2, 1, 0), sp
gt, sp = load(sys.argv[1]); pr, _ = load(sys.argv[2])
which = sys.argv[3]
cross = ndi.generate_binary_structure(3, 1)
def edges(m):
    return m & ~ndi.binary_erosion(m, cross, border_value=0)
out = {}
N = gt.size
boxes_g = ndi.find_objects(gt.astype(np.int32)); boxes_p = ndi.find_objects(pr.astype(np.int32))
for L in range(1, 117):
    g = gt == L if which == 'all' else None
    bg, bp = boxes_g[L-1], boxes_p[L-1]
    sl = tuple(slice(min(a.start, b.start), max(a.stop, b.stop)) for a, b in zip(bg, bp))
    G = gt[sl] == L; P = pr[sl] == L
    row = {}
    if which == 'all':
        tp = np.count_nonzero(G & P); fp = np.count_nonzero(P & ~G); fn = np.count_nonzero(G & ~P); tn = N - tp - fp - fn
        s = 1e-5
        row.update(dice=(2*tp+s)/(2*tp+fp+fn+s), iou=(tp+s)/(tp+fp+fn+s), sens=(tp+s)/(tp+fn+s), spec=(tn+s)/(tn+fp+s), prec=(tp+s)/(tp+fp+s))
    eg, ep = edges(G), edges(P)
    A = ndi.distance_transform_edt(~eg, sampling=sp)[ep]
    B = ndi.distance_transform_edt(~ep, sampling=sp)[eg]
    row['hd95'] = max(np.percentile(A, 95), np.percentile(B, 95))
    if which == 'all':
        row.update(hd=max(A.max(), B.max()), assd=(A.sum()+B.sum())/(len(A)+len(B)), asd=A.mean(),
                   nsd1=((A<=1).sum()+(B<=1).sum())/(len(A)+len(B)), nsd2=((A<=2).sum()+(B<=2).sum())/(len(A)+len(B)))
    out[L] = row
print(json.dumps(out))
`;

function hasScipy() {
  if (args.includes('--no-scipy')) return false;
  const r = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  return r.status === 0;
}

// The machine is shared: say how loaded it was when the runs started (and, below, when they ended).
const load = () =>
  `${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')} (${availableParallelism()} cores)`;
const loadAtStart = load();

try {
  const cli = (m, extra = []) =>
    runs(process.execPath, [
      main,
      'eval',
      m,
      '--true',
      truePath,
      '--pred',
      predPath,
      '--labels',
      labels,
      '--json',
      ...extra,
    ]);
  const rows = [];
  const all = cli(METRICS);
  rows.push(['losskit eval, 11 metrics × 116 labels', all]);
  const hd95 = cli('hausdorff_distance:percentile=95');
  rows.push(['losskit eval, HD95 × 116 labels', hd95]);
  const dice = cli('dice_coefficient');
  rows.push(['losskit eval, Dice × 116 labels', dice]);
  // Start-up alone: the commands load their modules (and TensorFlow.js) only when they run.
  rows.push(['losskit --help', runs(process.execPath, [main, '--help'])]);
  let sAll;
  let sHd;
  if (hasScipy()) {
    const py = join(dir, 'ref.py');
    writeFileSync(py, SCIPY);
    sAll = runs('python3', [py, truePath, predPath, 'all']);
    sHd = runs('python3', [py, truePath, predPath, 'hd95']);
    rows.push(['scipy reference, 11 metrics × 116 labels', sAll]);
    rows.push(['scipy reference, HD95 × 116 labels', sHd]);
    // Agreement of the two on HD95 and surface Dice (a sanity check, not a timing).
    const ours = JSON.parse(all.out);
    const ref = JSON.parse(sAll.out);
    let worst = 0;
    for (let L = 1; L <= 116; L++) {
      const pairs = [
        [ours['hausdorffDistance(percentile=95)'].labels[L], ref[L].hd95],
        [ours.hausdorffDistance.labels[L], ref[L].hd],
        [ours['surfaceDice(tolerance=2)'].labels[L], ref[L].nsd2],
        [ours['averageSurfaceDistance(symmetric=true)'].labels[L], ref[L].assd],
        [ours['diceCoefficient'].labels[L], ref[L].dice],
      ];
      for (const [a, b] of pairs) worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
    }
    console.log(
      `largest relative difference losskit vs scipy over 116 labels (HD95, HD, NSD@2, ASSD, Dice): ${worst.toExponential(2)}`,
    );
  }
  const f = (x) => `${x.toFixed(2)} s`;
  console.log(
    `\nAAL ${nx}×${ny}×${nz}, 116 labels, median of ${RUNS} runs (wall clock, process start and file reading included)`,
  );
  console.log(`load average at the start: ${loadAtStart}; at the end: ${load()}`);
  console.log('| command | wall median | min | max | CPU median (user + sys, all threads) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, r] of rows)
    console.log(
      `| ${name} | ${f(r.median)} | ${f(r.min)} | ${f(r.max)} | ${Number.isNaN(r.cpu) ? '-' : f(r.cpu)} |`,
    );
  if (sAll) {
    console.log(
      `\nratio losskit / scipy: 11 metrics ${(all.median / sAll.median).toFixed(2)}, HD95 ${(hd95.median / sHd.median).toFixed(2)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
