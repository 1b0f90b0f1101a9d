/**
 * Parameter controls generated from the catalog: a slider for every numeric parameter with a range, a checkbox
 * for booleans, a select for enums. Values the user has not touched stay out of the options object, so the
 * library's own defaults apply.
 */
import type { LossInfo, MetricInfo, OptionValue, ParamInfo } from 'losskit';
import { h } from './dom.ts';
import {
  controlFor,
  formatValue,
  positionToValue,
  typesOf,
  valueToPosition,
  type ControlSpec,
} from './params.ts';

function rangeText(p: ParamInfo): string {
  if (!p.range) return '';
  const [lo, hi] = p.range;
  const ex = p.exclusive;
  const fmt = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x));
  return ` Range ${ex === 'min' || ex === 'both' ? '(' : '['}${fmt(lo)}, ${fmt(hi)}${ex === 'max' || ex === 'both' ? ')' : ']'}.`;
}

function tooltip(p: ParamInfo): string {
  return `${p.doc}${rangeText(p)} Default ${formatValue(p.default)}.`;
}

/**
 * The controls of one loss or metric. `values` holds the user's choices and is updated in place; `onChange`
 * runs after every change (on every `input` event of a slider, so a drag redraws live).
 */
export function paramControls(
  info: LossInfo | MetricInfo,
  values: Record<string, OptionValue>,
  onChange: () => void,
): HTMLElement {
  const specs = info.params.map(controlFor).filter((s): s is ControlSpec => s !== undefined);
  const box = h('div', { class: 'params' });
  if (!specs.length) {
    box.append(h('p', { class: 'muted small' }, 'No tunable parameters.'));
    return box;
  }
  const set = (p: ParamInfo, v: OptionValue) => {
    if (v === p.default) Reflect.deleteProperty(values, p.name);
    else values[p.name] = v;
    onChange();
  };
  for (const spec of specs) box.append(control(info.id, spec, values, set));
  return box;
}

function control(
  owner: string,
  spec: ControlSpec,
  values: Record<string, OptionValue>,
  set: (p: ParamInfo, v: OptionValue) => void,
): HTMLElement {
  const p = spec.param;
  const current = p.name in values ? values[p.name] : p.default;
  const name = h('span', { class: 'pname', title: tooltip(p) }, p.name);
  const data = { 'data-loss-id': owner, 'data-param': p.name };

  if (spec.kind === 'checkbox') {
    const input = h('input', { type: 'checkbox', ...data, checked: current === true });
    input.addEventListener('change', () => {
      set(p, input.checked);
    });
    return h('label', { class: 'param param-check' }, input, name);
  }

  if (spec.kind === 'select') {
    const select = h(
      'select',
      data,
      ...spec.alternatives.map((a) =>
        h('option', { value: String(a.value), selected: a.value === current }, a.label),
      ),
    );
    select.addEventListener('change', () => {
      set(p, spec.alternatives[select.selectedIndex].value);
    });
    return h('label', { class: 'param' }, name, select);
  }

  const scale = spec.scale!;
  const numeric = typeof current === 'number';
  const fallback = typeof p.default === 'number' ? p.default : (scale.min + scale.max) / 2;
  let last = numeric ? current : fallback;
  const slider = h('input', {
    type: 'range',
    ...data,
    min: 0,
    max: scale.steps,
    step: 1,
    value: valueToPosition(scale, last),
    disabled: !numeric,
    'aria-label': p.name,
  });
  // A non-numeric choice (null = auto, or an enum value) hides the slider: it would only show a grey bar.
  const shown = (v: OptionValue) => (v === null ? 'auto' : formatValue(v));
  slider.hidden = !numeric;
  const out = h('output', { class: 'pvalue' }, shown(current));
  let alt: HTMLSelectElement | undefined;
  if (spec.alternatives.length) {
    const choices = [{ label: 'number', value: 'number' as OptionValue }, ...spec.alternatives];
    alt = h(
      'select',
      {
        class: 'alt',
        'data-param-alt': p.name,
        'data-loss-id': owner,
        'aria-label': `${p.name}: kind of value`,
      },
      ...choices.map((a, i) =>
        h('option', { value: i, selected: i === 0 ? numeric : a.value === current }, a.label),
      ),
    );
    const altSelect = alt;
    altSelect.addEventListener('change', () => {
      const i = altSelect.selectedIndex;
      slider.disabled = i !== 0;
      slider.hidden = i !== 0;
      const v = i === 0 ? last : choices[i].value;
      out.textContent = shown(v);
      set(p, v);
    });
  }
  slider.addEventListener('input', () => {
    last = positionToValue(scale, Number(slider.value));
    out.textContent = formatValue(last);
    set(p, last);
  });
  const types = typesOf(p).join(' | ');
  return h(
    'label',
    { class: 'param param-slider', title: `${types}: ${tooltip(p)}` },
    h('span', { class: 'prow' }, name, alt, out),
    slider,
  );
}
