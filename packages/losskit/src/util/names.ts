/**
 * Name handling shared by losses, metrics and enumerated option values: one spelling rule everywhere
 * (case, `_`, `-` and spaces are ignored) and "did you mean" suggestions for unknown names.
 */

/** `'Mean_Squared-Error'` → `'meansquarederror'`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known names closest to `name`: prefix and substring matches first, then by edit distance
 * on the normalised spelling. Returns at most `max` names in their display spelling.
 */
export function closestNames(name: string, known: readonly string[], max = 3): string[] {
  const n = normalizeName(name);
  const scored = known.map((k) => {
    const kn = normalizeName(k);
    let score = editDistance(n, kn);
    if (n.length > 0 && (kn.startsWith(n) || kn.includes(n) || n.includes(kn))) score = Math.min(score, 1);
    return { k, score };
  });
  scored.sort((a, b) => a.score - b.score || a.k.localeCompare(b.k));
  const limit = Math.max(3, Math.ceil(n.length / 2));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { k, score } of scored) {
    if (score > limit || seen.has(k)) continue;
    seen.add(k);
    out.push(k);
    if (out.length === max) break;
  }
  return out;
}

/** A lookup table from every accepted spelling (normalised) to a value. */
export class NameTable<T> {
  private readonly map = new Map<string, T>();
  private readonly display: string[] = [];

  /** Adds `value` under each of `names`; a name already taken by another value is an error. */
  add(names: readonly string[], value: T): void {
    for (const name of names) {
      const key = normalizeName(name);
      const existing = this.map.get(key);
      if (existing !== undefined && existing !== value) throw new Error(`name '${name}' is registered twice`);
      if (existing === undefined) this.display.push(name);
      this.map.set(key, value);
    }
  }

  get(name: string): T | undefined {
    return this.map.get(normalizeName(name));
  }

  /** Looks `name` up, or throws an `Error` naming the `kind` of thing and the closest known names. */
  require(name: string, kind: string): T {
    const value = this.get(name);
    if (value !== undefined) return value;
    const close = closestNames(name, this.display);
    const hint = close.length ? ` Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : '';
    throw new Error(`Unknown ${kind} '${name}'.${hint}`);
  }

  names(): readonly string[] {
    return this.display;
  }
}

/** `'meanSquaredError'` → `'mean_squared_error'`, so the Keras spelling of every id resolves too. */
export function snakeName(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A table of catalog entries (losses, metrics) under their id, its snake_case spelling and their aliases. */
export function entryTable<
  T extends { readonly info: { readonly id: string; readonly aliases: readonly string[] } },
>(items: readonly T[]): NameTable<T> {
  const t = new NameTable<T>();
  for (const item of items) t.add([item.info.id, snakeName(item.info.id), ...item.info.aliases], item);
  return t;
}

/**
 * The keys a loss name is looked up under, in order: the name as given, then with a `loss` suffix removed or added
 * (`hausdorff_dt` = `hausdorff_dt_loss`). Normalised.
 */
export function lossNameKeys(name: string): [string, string] {
  const n = normalizeName(name);
  return [n, n.endsWith('loss') ? n.slice(0, -4) : `${n}loss`];
}

/** Looks a loss name up by `lossNameKeys`. */
export function findLossName<T>(t: NameTable<T>, name: string): T | undefined {
  const [asGiven, suffixed] = lossNameKeys(name);
  return t.get(asGiven) ?? t.get(suffixed);
}

/**
 * Matches an enumerated option value against its allowed values with the name rule, returning the
 * canonical spelling, or `undefined`.
 */
export function matchEnum(value: string, allowed: readonly string[]): string | undefined {
  const n = normalizeName(value);
  return allowed.find((a) => normalizeName(a) === n);
}
