/**
 * The active backend's float precision (README "Backends and precision"), for the header and for the note the
 * value tables carry when the backend's storage format changes their numbers: WebGL with half-float textures.
 */
import * as tf from '@tensorflow/tfjs';
import { h } from './dom.ts';

/**
 * True when the active backend stores tensors as float16: WebGL with half-float textures, forced
 * (`WEBGL_FORCE_F16_TEXTURES`) or the only render target the device offers. cpu, wasm and webgpu store float32.
 */
export function storesFloat16(): boolean {
  return (
    tf.getBackend() === 'webgl' &&
    (tf.env().getBool('WEBGL_FORCE_F16_TEXTURES') || !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'))
  );
}

/**
 * The note placed beside a table of values on a float16 backend, where the header's precision is out of sight: the
 * numbers are the library's, rounded by the storage format. Null on float32 backends, which need no note.
 */
export function storageNote(): HTMLElement | null {
  if (!storesFloat16()) return null;
  return h(
    'p',
    { class: 'storage-note small', role: 'note', 'data-storage-note': 'float16' },
    `Computed on ${tf.getBackend()} with float16 storage: these values differ from float32 (cpu) by up to ` +
      'about 1e-2, and probabilities clip at 2⁻¹¹ instead of 1e-7, so saturated cross-entropies are smaller.',
  );
}
