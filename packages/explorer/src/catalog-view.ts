/** The catalog view: every loss and metric of `listLosses()` / `listMetrics()`, searchable and filtered by task. */
import type { LossInfo, MetricInfo, ParamInfo } from 'losskit';
import { h, replace } from './dom.ts';
import { formatValue, typesOf } from './params.ts';

type Kind = 'loss' | 'metric';
type Item = { readonly kind: Kind; readonly info: LossInfo | MetricInfo };

const TASKS = ['all', 'regression', 'classification', 'segmentation'] as const;
const KINDS = ['all', 'loss', 'metric'] as const;

function range(p: ParamInfo): string {
  if (!p.range) return p.values ? p.values.join(' | ') : '';
  const [lo, hi] = p.range;
  const ex = p.exclusive;
  const fmt = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x));
  return `${ex === 'min' || ex === 'both' ? '(' : '['}${fmt(lo)}, ${fmt(hi)}${ex === 'max' || ex === 'both' ? ')' : ']'}`;
}

/** A reference as text, with arXiv ids and URLs turned into links. */
function reference(text: string): HTMLElement {
  const li = h('li');
  const re = /(arXiv:\s?(\d{4}\.\d{4,5}))|(https?:\/\/[^\s,;)]+)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    li.append(text.slice(last, m.index));
    const href = m[2] ? `https://arxiv.org/abs/${m[2]}` : m[0];
    li.append(h('a', { href, target: '_blank', rel: 'noopener' }, m[0]));
    last = m.index + m[0].length;
  }
  li.append(text.slice(last));
  return li;
}

/**
 * How well an entry matches a search, lower is better, `undefined` for no match: 0 an exact id or alias, 1 a
 * prefix of one, 2 inside one, 3 inside the summary or formula. The "when to use" text is not searched: it
 * names other losses ("unlike Dice…"), so it matched half the catalog.
 */
export function searchRank(names: readonly string[], text: string, query: string): number | undefined {
  if (!query) return 0;
  const q = query.toLowerCase();
  const lower = names.map((n) => n.toLowerCase());
  if (lower.includes(q)) return 0;
  if (lower.some((n) => n.startsWith(q))) return 1;
  if (lower.some((n) => n.includes(q))) return 2;
  return text.toLowerCase().includes(q) ? 3 : undefined;
}

export class CatalogView {
  private task: (typeof TASKS)[number] = 'all';
  private kind: (typeof KINDS)[number] = 'all';
  private query = '';
  private readonly items: Item[];
  private readonly list = h('div', { class: 'catalog-list' });
  private readonly count = h('span', { class: 'muted small', 'data-catalog-count': '' });

  private readonly root: HTMLElement;
  private readonly onPlot: (id: string) => void;

  constructor(
    root: HTMLElement,
    losses: readonly LossInfo[],
    metrics: readonly MetricInfo[],
    onPlot: (id: string) => void,
  ) {
    this.root = root;
    this.onPlot = onPlot;
    this.items = [
      ...losses.map((info) => ({ kind: 'loss' as const, info })),
      ...metrics.map((info) => ({ kind: 'metric' as const, info })),
    ];
    this.build();
    this.filter();
  }

  private build(): void {
    const search = h('input', {
      type: 'search',
      class: 'search',
      placeholder: 'Search name, alias, formula…',
      'data-catalog-search': '',
      'aria-label': 'Search the catalog',
    });
    search.addEventListener('input', () => {
      this.query = search.value.trim().toLowerCase();
      this.filter();
    });
    const chips = <T extends string>(
      values: readonly T[],
      attr: string,
      get: () => T,
      set: (v: T) => void,
    ) => {
      const box = h('div', { class: 'seg' });
      for (const v of values) {
        const b = h(
          'button',
          { type: 'button', [attr]: v },
          v === 'all' ? 'all' : v === 'loss' ? 'losses' : v === 'metric' ? 'metrics' : v,
        );
        b.addEventListener('click', () => {
          set(v);
          for (const o of box.querySelectorAll('button')) {
            o.classList.toggle('on', o === b);
            o.setAttribute('aria-pressed', String(o === b));
          }
          this.filter();
        });
        b.classList.toggle('on', v === get());
        b.setAttribute('aria-pressed', String(v === get()));
        box.append(b);
      }
      return box;
    };
    replace(
      this.root,
      h(
        'div',
        { class: 'toolbar' },
        search,
        h('span', { class: 'tlabel' }, 'Task'),
        chips(
          TASKS,
          'data-task-filter',
          () => this.task,
          (v) => (this.task = v),
        ),
        h('span', { class: 'tlabel' }, 'Kind'),
        chips(
          KINDS,
          'data-kind-filter',
          () => this.kind,
          (v) => (this.kind = v),
        ),
        this.count,
      ),
      this.list,
    );
    replace(
      this.list,
      this.items.map((item) => this.card(item)),
    );
  }

  private card({ kind, info }: Item): HTMLElement {
    const props = kind === 'loss' ? ((info as LossInfo).properties ?? []) : [];
    const metric = kind === 'metric' ? (info as MetricInfo) : undefined;
    const search = [info.summary, info.formula, info.task, kind].join(' ').toLowerCase();
    const plot =
      kind === 'loss'
        ? h(
            'button',
            { type: 'button', class: 'link', 'data-plot-loss': info.id, title: 'Show its curves' },
            'Plot curves →',
          )
        : null;
    plot?.addEventListener('click', () => {
      this.onPlot(info.id);
    });
    return h(
      'article',
      {
        class: 'card entry',
        'data-catalog-entry': '',
        'data-id': info.id,
        'data-kind': kind,
        'data-task': info.task,
        'data-search': search,
        'data-names': [info.id, ...info.aliases].join(' '),
      },
      h(
        'header',
        { class: 'card-head' },
        h('h3', { title: info.id }, info.id),
        h('span', { class: `badge task-${info.task}` }, info.task),
        h('span', { class: 'badge' }, kind),
        metric
          ? h('span', { class: 'badge' }, metric.higherIsBetter ? 'higher is better' : 'lower is better')
          : null,
      ),
      info.aliases.length
        ? h('div', { class: 'aliases small muted' }, 'aliases: ', info.aliases.join(', '))
        : null,
      h('p', { class: 'summary' }, info.summary),
      h('pre', { class: 'formula' }, info.formula),
      h('p', { class: 'when' }, h('strong', {}, 'When to use. '), info.whenToUse),
      info.params.length
        ? h(
            'details',
            { class: 'params-table' },
            h(
              'summary',
              {},
              `Parameters: `,
              h('code', { class: 'small' }, info.params.map((p) => p.name).join(', ')),
            ),
            h(
              'div',
              { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': `Parameters of ${info.id}` },
              h(
                'table',
                {},
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', {}, 'name'),
                    h('th', {}, 'type'),
                    h('th', {}, 'default'),
                    h('th', {}, 'range / values'),
                    h('th', {}, ''),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  info.params.map((p) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, h('code', {}, p.name)),
                      h('td', { class: 'small' }, typesOf(p).join(' | ')),
                      h('td', {}, h('code', {}, formatValue(p.default))),
                      h('td', { class: 'small' }, range(p)),
                      h('td', { class: 'small' }, p.doc),
                    ),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'small muted' }, 'No parameters.'),
      info.references.length ? h('ul', { class: 'refs small' }, info.references.map(reference)) : null,
      props.length || plot
        ? h(
            'footer',
            { class: 'card-foot' },
            props.map((p) => h('span', { class: 'badge prop', title: 'checked by the property tests' }, p)),
            plot,
          )
        : null,
    );
  }

  /** Shows the entries that match, best matches first (exact and prefix matches of an id or alias). */
  private filter(): void {
    let shown = 0;
    const ranked: { el: HTMLElement; rank: number; index: number }[] = [];
    this.list.querySelectorAll<HTMLElement>('[data-catalog-entry]').forEach((el, index) => {
      const rank = searchRank((el.dataset.names ?? '').split(' '), el.dataset.search ?? '', this.query);
      const ok =
        (this.task === 'all' || el.dataset.task === this.task) &&
        (this.kind === 'all' || el.dataset.kind === this.kind) &&
        rank !== undefined;
      el.hidden = !ok;
      if (ok) shown++;
      ranked.push({ el, rank: rank ?? 9, index: Number(el.dataset.index ?? index) });
      el.dataset.index = String(Number(el.dataset.index ?? index));
    });
    ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
    // Reordering the DOM (not CSS order) keeps the Tab order and the reading order the same as what is seen.
    this.list.append(...ranked.map((r) => r.el));
    this.count.textContent = `${shown} of ${this.items.length}`;
    this.root.dataset.shown = String(shown);
  }
}
