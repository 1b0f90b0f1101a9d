/**
 * losskit explorer: the catalog, the curves of every loss and a segmentation playground, all computed in the
 * browser by the library itself (imported from ../src/index.ts, bundled by vite) on the tfjs cpu backend, or
 * webgl / webgpu from the header menu (`body[data-precision]` and the note beside it give the float precision;
 * on float16 storage each value table carries `[data-storage-note]`).
 *
 * For tests the page writes `data-*` attributes: `body[data-status]` is `loading`, `ready` or `error`,
 * `body[data-backend]` the active tfjs backend; each view's `<section>` gets `data-ready="true"` after its first
 * render and a `data-version` that increases on every redraw. The curves' values at the fixed point
 * (`tr[data-curve-row]`) and the playground's table (`tr[data-loss-id][data-value]`) are described in sweep.ts
 * and seg.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { listLosses, listMetrics } from 'losskit';
import { CatalogView } from './catalog-view.ts';
import { CurvesView, MAX_CURVES } from './curves.ts';
import { byId } from './dom.ts';
import { PlaygroundView } from './playground.ts';
import { storesFloat16 } from './precision.ts';
import './style.css';

type ViewName = 'catalog' | 'curves' | 'playground';
const VIEWS: readonly ViewName[] = ['catalog', 'curves', 'playground'];

async function useBackend(name: string): Promise<string> {
  try {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
    await tf.ready();
  } catch (e) {
    await tf.setBackend('cpu');
    await tf.ready();
    byId('status').textContent = `${e instanceof Error ? e.message : String(e)}; using cpu`;
  }
  const active = tf.getBackend();
  document.body.dataset.backend = active;
  showPrecision(active);
  return active;
}

/**
 * Tells the user the active backend's float precision in the header (README "Backends and precision"): float32
 * everywhere but on WebGL with half-float textures; there the value tables also carry a note (precision.ts).
 */
function showPrecision(backend: string): void {
  const f16 = storesFloat16();
  document.body.dataset.precision = f16 ? 'float16' : 'float32';
  byId('precision').textContent = f16
    ? `${backend}: float16 storage: values differ from float32 by up to ~1e-2, probabilities clip at 2⁻¹¹`
    : `${backend}: float32`;
}

async function main(): Promise<void> {
  await useBackend('cpu');
  const losses = listLosses();
  const metrics = listMetrics();

  const curves = new CurvesView(byId('view-curves'), losses);
  const playground = new PlaygroundView(byId('view-playground'), losses, metrics);
  let curvesChosen = false;
  // "Plot curves" in the catalog adds the loss to the curves already chosen (the oldest goes beyond four).
  new CatalogView(byId('view-catalog'), losses, metrics, (id) => {
    const ids = curvesChosen
      ? [...curves.selectedIds().filter((x) => x !== id), id].slice(-MAX_CURVES)
      : [id];
    location.hash = `#curves?losses=${ids.map(encodeURIComponent).join(',')}`;
  });
  byId('view-catalog').dataset.ready = 'true';

  let current: ViewName | undefined;
  const route = () => {
    const [name, query = ''] = location.hash.slice(1).split('?');
    const view: ViewName = VIEWS.includes(name as ViewName) ? (name as ViewName) : 'catalog';
    const ids = new URLSearchParams(query).get('losses');
    if (view === 'curves' && ids) {
      curves.select(ids.split(',').filter(Boolean));
      curvesChosen = true;
    } else if (view === 'curves' && !curvesChosen) {
      curves.selectDefaults();
      curvesChosen = true;
    }
    for (const v of VIEWS) byId(`view-${v}`).hidden = v !== view;
    for (const a of document.querySelectorAll<HTMLElement>('[data-nav]'))
      a.classList.toggle('on', a.dataset.nav === view);
    if (view !== 'curves') curves.hide();
    if (view === 'curves') curves.show();
    if (view === 'playground') playground.show();
    // A new view starts at its top, not at the previous view's scroll position (under the sticky header).
    if (current !== undefined && current !== view) window.scrollTo(0, 0);
    current = view;
    document.body.dataset.view = view;
  };
  window.addEventListener('hashchange', route);
  route();

  const select = byId('backend') as HTMLSelectElement;
  select.addEventListener('change', () => {
    void useBackend(select.value).then((active) => {
      select.value = active;
      curves.refresh();
      if (current === 'playground') playground.show();
    });
  });
  byId('status').textContent = `${losses.length} losses · ${metrics.length} metrics`;
  document.body.dataset.status = 'ready';
}

main().catch((e: unknown) => {
  const fatal = byId('fatal');
  fatal.hidden = false;
  fatal.textContent = `The explorer failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  document.body.dataset.status = 'error';
});
