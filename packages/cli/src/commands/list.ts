/** `losskit list`: every loss and metric in the catalog. */
import type { Task } from 'losskit';
import type { Cli } from '../context.ts';
import { toJson } from '../json.ts';
import { allEntries, snakeName } from '../lookup.ts';
import { table } from '../table.ts';

export interface ListOptions {
  readonly task?: Task;
  readonly json?: boolean;
}

export function listCommand(cli: Cli, opts: ListOptions): void {
  const entries = allEntries().filter((e) => !opts.task || e.info.task === opts.task);
  if (opts.json) {
    cli.out(
      toJson({
        losses: entries.filter((e) => e.kind === 'loss').map((e) => e.info),
        metrics: entries.filter((e) => e.kind === 'metric').map((e) => e.info),
      }),
    );
    return;
  }
  const rows = entries.map((e) => [snakeName(e.info.id), e.kind, e.info.task, e.info.summary]);
  cli.out(table(['name', 'kind', 'task', 'summary'], rows));
  const losses = entries.filter((e) => e.kind === 'loss').length;
  cli.out(
    `\n${losses} losses, ${entries.length - losses} metrics${opts.task ? ` for ${opts.task}` : ''}. ` +
      `Names ignore case, '_', '-' and spaces; 'losskit explain <name>' shows the details.`,
  );
}
