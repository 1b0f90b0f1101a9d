/**
 * `losskit compare`: trains the same small U-Net once per loss (and per foreground level on the synthetic
 * set) and ranks the losses on held-out data. Tables or JSON on stdout, progress on stderr, and a
 * self-contained HTML report in `--out`.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brainLevel, folderLevel, lesionLevels, type Level } from '../compare/datasets.ts';
import { renderReport, bestPerLevel } from '../compare/report.ts';
import {
  checkMemory,
  estimateMemory,
  LIMITS,
  machineMemory,
  prepareOutDir,
  type MachineMemory,
  type OutDir,
} from '../compare/guards.ts';
import { workerPool, workerScript } from '../compare/parallel.ts';
import { compareLosses, sequential, type Executor, type LossChoice, type RunResult } from '../compare/run.ts';
import { fusedKernelsEnabled, getLoss, setFusedKernels } from 'losskit';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '../backend.ts';
import type { Cli } from '../context.ts';
import { UsageError, firstLine } from '../errors.ts';
import { toJson } from '../json.ts';
import { snakeName } from '../lookup.ts';
import { makeProgress } from '../progress.ts';
import { fixed, table } from '../table.ts';
import { DEFAULT_FG, DEFAULTS } from './compare-defaults.ts';

export interface CompareOptions {
  readonly dataset: string;
  readonly losses: string;
  readonly fg?: string;
  readonly epochs: number;
  readonly size?: number;
  readonly seed: number;
  readonly backend: BackendName;
  /** false with `--no-fused`: the composed tfjs losses instead of the fused kernels. */
  readonly fused: boolean;
  readonly out: string;
  readonly report: boolean;
  readonly train: number;
  readonly test: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly filters: number;
  readonly jobs: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/**
 * Parses `--losses`: comma-separated names, each optionally followed by `:key=value` options, e.g.
 * `dice,tversky:alpha=0.2:beta=0.8`. Values are JSON (numbers, booleans, null, quoted strings) or bare strings.
 */
export function parseLosses(text: string): LossChoice[] {
  // Split on commas outside brackets, so that array values (classWeights=[1,2]) stay whole.
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else cur += ch;
  }
  items.push(cur);
  for (let i = items.length - 1; i >= 0; i--) {
    items[i] = items[i].trim();
    if (!items[i]) items.splice(i, 1);
  }
  if (items.length === 0) throw new UsageError('--losses: empty list');
  const seen = new Set<string>();
  return items.map((item) => {
    const [name, ...pairs] = item.split(':');
    const options: Record<string, unknown> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--losses: '${item}': expected name:key=value, got ':${pair}'`);
      const key = pair.slice(0, eq);
      const raw = pair.slice(eq + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // a bare string such as an enum value
      }
      options[key] = value;
    }
    let id: string;
    try {
      const fn = getLoss(name, options);
      id = fn.id;
    } catch (e) {
      throw new UsageError(`--losses: ${firstLine(e)}`);
    }
    const opt = Object.entries(options).map(([k, v]) => `${k}=${String(v)}`);
    const label = snakeName(id) + (opt.length ? `(${opt.join(',')})` : '');
    if (seen.has(label)) throw new UsageError(`--losses: '${label}' is listed twice`);
    seen.add(label);
    return { name, options, label };
  });
}

/** Parses `--fg`: comma-separated foreground fractions in (0, 1). */
export function parseFractions(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const i = parts.findIndex((s) => !(s !== '' && Number(s) > 0 && Number(s) < 1));
  if (i >= 0)
    throw new UsageError(`--fg: '${parts[i]}' is not a fraction in (0, 1); expected e.g. ${DEFAULT_FG}`);
  return parts.map(Number);
}

function levelsFor(opts: CompareOptions, size: number): Level[] {
  if (opts.dataset === 'lesions')
    return lesionLevels(parseFractions(opts.fg ?? DEFAULT_FG), size, opts.train, opts.test, opts.seed);
  if (opts.fg !== undefined)
    throw new UsageError(`--fg applies to --dataset lesions only (got --dataset ${opts.dataset})`);
  if (opts.dataset === 'brain') return [brainLevel(size)];
  return [folderLevel(opts.dataset, size, opts.seed)];
}

function leaderboard(runs: readonly RunResult[], levels: readonly string[]): string {
  const best = bestPerLevel(runs);
  const labels = [...new Set(runs.map((r) => r.label))];
  const rows = labels.map((label) => [
    label,
    ...levels.map((level) => {
      const r = runs.find((x) => x.label === label && x.level === level);
      if (!r) return '';
      return `${fixed(r.metrics.dice, 3)}${r.metrics.dice === best.get(level) ? '*' : ' '}`;
    }),
  ]);
  return table(['test Dice', ...levels], rows);
}

function metricsTable(runs: readonly RunResult[]): string {
  return table(
    ['level', 'loss', 'Dice', 'IoU', 'sens', 'spec', 'prec', 'HD95', 'seconds'],
    runs.map((r) => [
      r.level,
      r.label,
      fixed(r.metrics.dice, 3),
      fixed(r.metrics.iou, 3),
      fixed(r.metrics.sensitivity, 3),
      fixed(r.metrics.specificity, 4),
      fixed(r.metrics.precision, 3),
      Number.isFinite(r.metrics.hd95)
        ? fixed(r.metrics.hd95, 2) + (r.metrics.hd95Undefined ? ` (${r.metrics.hd95Undefined} undef.)` : '')
        : `- (${r.metrics.hd95Undefined} undef.)`,
      r.seconds.toFixed(1),
    ]),
  );
}

/**
 * Runs `losskit compare`. Everything that can be checked is checked before training: option ranges (also
 * enforced by the option parsers), the memory estimate (`machine`, the machine's memory, is a parameter for
 * tests), the data set and the report folder; a failure leaves no report folder behind.
 */
export async function compareCommand(
  cli: Cli,
  opts: CompareOptions,
  argv: readonly string[],
  machine: MachineMemory = machineMemory(),
): Promise<void> {
  const started = performance.now();
  const losses = parseLosses(opts.losses);
  const size = opts.size ?? (opts.dataset === 'lesions' ? DEFAULTS.lesionSize : DEFAULTS.imageSize);
  const [minSize, maxSize] = LIMITS.size;
  if (size % 4 !== 0 || size < minSize || size > maxSize)
    throw new UsageError(`--size: ${size} must be a multiple of 4 in [${minSize}, ${maxSize}]`);
  const fgCount = opts.dataset === 'lesions' ? parseFractions(opts.fg ?? DEFAULT_FG).length : 0;
  const memoryNote = checkMemory(
    estimateMemory({
      size,
      filters: opts.filters,
      batchSize: opts.batchSize,
      jobs: opts.jobs,
      images: fgCount * (opts.train + opts.test),
    }),
    machine,
    `compare at --size ${size} --filters ${opts.filters} --batch-size ${opts.batchSize} --jobs ${opts.jobs}`,
  );
  const levels = levelsFor(opts, size);
  const out = opts.report ? prepareOutDir(opts.out) : undefined;
  try {
    await compareAndReport(cli, opts, argv, { started, losses, size, levels, out, memoryNote });
  } catch (e) {
    out?.discard();
    throw e;
  }
}

interface Prepared {
  readonly started: number;
  readonly losses: LossChoice[];
  readonly size: number;
  readonly levels: Level[];
  readonly out: OutDir | undefined;
  readonly memoryNote: string | undefined;
}

async function compareAndReport(
  cli: Cli,
  opts: CompareOptions,
  argv: readonly string[],
  { started, losses, size, levels, out, memoryNote }: Prepared,
): Promise<void> {
  const progress = makeProgress(cli.errStream, cli.errIsTTY, opts.quiet);
  if (memoryNote) progress.note(`losskit: note: ${memoryNote}`);
  // Runs go to worker threads when the compiled worker exists (not when running from sources under vitest).
  const script = opts.jobs > 1 ? workerScript() : undefined;
  const jobs = script ? opts.jobs : 1;
  let backend: BackendName = opts.backend;
  let executor: Executor = sequential;
  const warnOnce = (() => {
    const said = new Set<string>();
    return (m: string) => {
      if (!said.has(m)) progress.note(`losskit: note: ${m}`);
      said.add(m);
    };
  })();
  if (script) {
    executor = workerPool(script, jobs, opts.backend, opts.fused, (b) => {
      backend = b;
    });
    // This thread only builds a model to count its parameters.
    await useBackend('cpu', warnOnce);
  } else {
    backend = await useBackend(opts.backend, warnOnce);
    tf.enableProdMode();
  }
  // The main thread trains too when there are no workers; restored below so in-process callers are unaffected.
  const fusedBefore = fusedKernelsEnabled();
  setFusedKernels(opts.fused);
  const cfg = {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    learningRate: opts.lr,
    filters: opts.filters,
    seed: opts.seed,
  };
  let done = 0;
  let totalRuns = 0;
  let outcome;
  try {
    outcome = await compareLosses(
      levels,
      losses,
      cfg,
      {
        onStart(runs, totalEpochs) {
          totalRuns = runs;
          progress.note(
            `losskit compare: ${opts.dataset}, ${levels.length} level${levels.length > 1 ? 's' : ''} × ${losses.length} losses, ` +
              `${opts.epochs} epochs at ${size}×${size}, backend ${opts.backend}` +
              (jobs > 1 ? `, ${jobs} runs at a time` : ''),
          );
          progress.start(totalEpochs, { what: 'starting' });
        },
        onEpoch(e) {
          done++;
          progress.update(done, {
            what: `${e.level} ${e.label} epoch ${e.epoch}: test Dice ${fixed(e.testDice, 3)}`,
          });
        },
        onRun(r, run) {
          progress.note(
            `[${run}/${totalRuns}] ${r.level.padEnd(8)} ${r.label.padEnd(20)} test Dice ${fixed(r.metrics.dice, 3)}  (${r.seconds.toFixed(1)} s)` +
              (r.diverged ? '  diverged' : ''),
          );
        },
        warn: warnOnce,
      },
      executor,
    );
  } finally {
    setFusedKernels(fusedBefore);
  }
  progress.stop();
  const totalSeconds = (performance.now() - started) / 1000;
  const levelLabels = outcome.levels.map((l) => l.label);
  const config = {
    dataset: opts.dataset,
    losses: losses.map((l) => l.label),
    size,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    optimizer: `adam, learning rate ${opts.lr} with cosine decay to ${opts.lr * 0.05}`,
    filters: opts.filters,
    parameters: outcome.parameters,
    seed: opts.seed,
    backend,
    fusedKernels: opts.fused,
    jobs,
    ...(opts.dataset === 'lesions' ? { train: opts.train, test: opts.test } : {}),
  };
  let reportPath: string | null = null;
  const best = bestPerLevel(outcome.runs);
  const result = {
    dataset: opts.dataset,
    config,
    levels: outcome.levels,
    leaderboard: Object.fromEntries(
      [...new Set(outcome.runs.map((r) => r.label))].map((label) => [
        label,
        Object.fromEntries(
          outcome.runs.filter((r) => r.label === label).map((r) => [r.level, r.metrics.dice]),
        ),
      ]),
    ),
    best: Object.fromEntries(
      levelLabels.map((l) => [
        l,
        outcome.runs.find((r) => r.level === l && r.metrics.dice === best.get(l))?.label ?? null,
      ]),
    ),
    runs: outcome.runs,
    totalSeconds,
    report: null as string | null,
  };
  if (out) {
    const dir = out.dir;
    const written: string[] = [];
    try {
      const html = renderReport(outcome, {
        title: `losskit compare — ${opts.dataset}`,
        dataset: opts.dataset,
        config,
        totalSeconds,
        command: ['losskit', ...argv].join(' '),
      });
      reportPath = join(dir, 'index.html');
      result.report = reportPath;
      for (const [name, text] of [
        ['index.html', html],
        ['results.json', toJson(result)],
      ] as const) {
        written.push(join(dir, name));
        writeFileSync(join(dir, name), text);
      }
    } catch (e) {
      for (const f of written) rmSync(f, { force: true });
      throw new UsageError(`${opts.out}: cannot write the report (${firstLine(e)})`);
    }
  }
  if (opts.json) {
    cli.out(toJson(result));
    return;
  }
  const testCounts = [...new Set(outcome.levels.map((l) => l.test))].join('/');
  cli.out(
    `losskit compare: ${opts.dataset}, ${levels.length} level${levels.length > 1 ? 's' : ''} × ${losses.length} losses, ` +
      `${opts.epochs} epochs, ${size}×${size}, ${outcome.parameters}-parameter U-Net, backend ${backend}, ${totalSeconds.toFixed(0)} s\n`,
  );
  cli.out(`Test Dice (mean over ${testCounts} held-out images; * best per level)`);
  cli.out(leaderboard(outcome.runs, levelLabels));
  cli.out('');
  cli.out(metricsTable(outcome.runs));
  if (reportPath) cli.out(`\nReport: ${reportPath}`);
}
