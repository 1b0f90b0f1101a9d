/**
 * `losskit eval <names> --true DIR --pred DIR`: every file pair of two folders, matched by name (extension
 * ignored: `case1.nii.gz` matches `case1.nii`), one row per file and label, then the mean, standard deviation
 * (population, as numpy's default) and median per metric and label over the files. NaN values (a label absent
 * from both files) are left out of the summary and its count `n`; Infinity (a label missing from one file) is
 * kept, so it shows in the mean. A progress bar is drawn on stderr when it is a terminal.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Cli } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatOf, readVolume, stem } from '../io.ts';
import { toJson } from '../json.ts';
import { table } from '../table.ts';
import { evaluatePair, labelNote, valueText, writeCsv, type EvalOptions, type Spec } from './eval.ts';

/** The mask files of a folder by stem, sorted. */
function filesOf(dir: string, flag: string): Map<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(
      `${dir}: ${existsSync(dir) ? 'not a folder' : 'no such folder'}; --true and --pred must both be files or both folders (${flag})`,
    );
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort())
    if (formatOf(f) !== undefined && statSync(join(dir, f)).isFile()) out.set(stem(f), join(dir, f));
  return out;
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly median: number;
}

/** Mean, population standard deviation and median of the non-NaN values. */
export function summarise(values: readonly number[]): Summary {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { n, mean: NaN, std: NaN, median: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = Number.isFinite(mean) ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : NaN;
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return { n, mean, std, median };
}

export async function evalFolders(cli: Cli, specs: readonly Spec[], opts: EvalOptions): Promise<void> {
  const truths = filesOf(opts.true, '--true');
  const preds = filesOf(opts.pred, '--pred');
  const names = [...truths.keys()].filter((n) => preds.has(n));
  const onlyTrue = [...truths.keys()].filter((n) => !preds.has(n));
  const onlyPred = [...preds.keys()].filter((n) => !truths.has(n));
  const show = (l: string[]) => `${l.slice(0, 10).join(', ')}${l.length > 10 ? `, … (${l.length})` : ''}`;
  if (names.length === 0)
    throw new UsageError(
      `${opts.pred}: no file matches one in ${opts.true} by name (--true has ${show([...truths.keys()]) || 'no masks'}; --pred has ${show([...preds.keys()]) || 'no masks'})`,
    );

  const bar =
    cli.errIsTTY && names.length > 1
      ? new SingleBar({
          stream: cli.errStream,
          format: ' {bar} {value}/{total} file pairs | eta {eta_formatted} | {file}',
          clearOnComplete: true,
          hideCursor: true,
        })
      : undefined;
  bar?.start(names.length, 0, { file: '' });
  const rows: unknown[][] = [];
  const files: Record<string, unknown>[] = [];
  let options: Record<string, unknown> = {};
  const byLabel: Map<string, number[]>[] = specs.map(() => new Map<string, number[]>());
  try {
    for (const [i, name] of names.entries()) {
      bar?.update(i, { file: name });
      const r = await evaluatePair(
        cli,
        specs,
        opts,
        readVolume(truths.get(name)!),
        readVolume(preds.get(name)!),
      );
      if (!bar) labelNote(cli, r, name);
      if (i === 0) options = Object.fromEntries(specs.map((s) => [s.key, r.results.get(s.key)!.options]));
      const labels = r.labels ? r.labels.map(String) : ['value'];
      const per = (s: Spec, l: string) => {
        const v = r.results.get(s.key)!.value;
        return r.labels ? (v as Record<string, unknown>)[l] : v;
      };
      for (const l of labels) {
        rows.push([name, l, ...specs.map((s) => per(s, l))]);
        specs.forEach((s, k) => {
          const v = per(s, l);
          if (typeof v === 'number') byLabel[k].set(l, [...(byLabel[k].get(l) ?? []), v]);
        });
      }
      files.push({
        name,
        true: truths.get(name),
        pred: preds.get(name),
        shape: r.shape,
        spacing: r.spacing,
        ...(r.labels
          ? {
              labels: Object.fromEntries(
                labels.map((l) => [l, Object.fromEntries(specs.map((s) => [s.key, per(s, l)]))]),
              ),
            }
          : { value: Object.fromEntries(specs.map((s) => [s.key, per(s, 'value')])) }),
      });
    }
  } finally {
    bar?.stop();
  }
  // After the pairs, so that an error in one of them stays the only line on stderr.
  if (onlyTrue.length)
    cli.err(`losskit: note: no --pred file for ${onlyTrue.length} in ${opts.true}: ${show(onlyTrue)}`);
  if (onlyPred.length)
    cli.err(`losskit: note: no --true file for ${onlyPred.length} in ${opts.pred}: ${show(onlyPred)}`);
  const label = (l: string) => (l === 'value' ? '' : l);
  const summary = specs.map(
    (s, k) => [s.key, [...byLabel[k]].map(([l, v]) => [l, summarise(v)] as const)] as const,
  );
  const stats = ['mean', 'std', 'median'] as const;
  if (opts.csv) {
    const header = ['file', 'label', ...specs.map((s) => s.key)];
    const labelsSeen = [...new Set(rows.map((r) => r[1] as string))];
    const summaryRows = stats.flatMap((st) =>
      labelsSeen.map((l) => [
        `(${st})`,
        label(l),
        ...summary.map(([, per]) => per.find(([x]) => x === l)?.[1][st] ?? NaN),
      ]),
    );
    writeCsv(opts.csv, [
      header,
      ...rows.map((r) => [r[0], label(r[1] as string), ...r.slice(2)]),
      ...summaryRows,
    ]);
  }
  if (opts.json) {
    cli.out(
      toJson({
        true: opts.true,
        pred: opts.pred,
        metrics: Object.fromEntries(
          specs.map((s) => [s.key, { [s.entry.kind]: s.entry.info.id, options: options[s.key] }]),
        ),
        unmatched: { true: onlyTrue, pred: onlyPred },
        files,
        summary: Object.fromEntries(summary.map(([key, per]) => [key, Object.fromEntries(per)])),
      }),
    );
    return;
  }
  cli.out(
    `${specs.map((s) => s.key).join(', ')}: ${names.length} file pair${names.length === 1 ? '' : 's'} (${opts.true} vs ${opts.pred})`,
  );
  cli.out(
    table(
      ['file', 'label', ...specs.map((s) => s.key)],
      rows.map(([f, l, ...v]) => [f as string, label(l as string), ...v.map(valueText)]),
    ),
  );
  cli.out('');
  cli.out(`Summary over the files (NaN left out; n = values counted)`);
  cli.out(
    table(
      ['metric', 'label', 'n', ...stats],
      summary.flatMap(([key, per]) =>
        per.map(([l, s]) => [key, label(l), s.n, ...stats.map((st) => valueText(s[st]))]),
      ),
    ),
  );
}
