/** A few DOM helpers: the page has no framework. */

export type AttrValue = string | number | boolean | null | undefined;
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, AttrValue | ((event: Event) => void)>;

/**
 * Creates an element: `h('label', { class: 'x', 'data-id': id, oninput: (e) => … }, child, …)`. Attributes set to
 * `false`, `null` or `undefined` are left out and `true` sets an empty attribute; `on…` functions become listeners.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`explorer: #${id} is missing from index.html`);
  return el;
}

/** Runs `fn` once per animation frame at most, with the latest call's effect: a slider drag redraws per frame. */
export function perFrame(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

/** Writes a number into a `data-*` attribute so that it parses back exactly (`Number(attr)`). */
export function numberAttr(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : String(x);
}
