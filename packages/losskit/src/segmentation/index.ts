/**
 * The shared segmentation core: option docs (`params.ts`), steps 1–4 (`layout.ts`), step 5 and the scores
 * (`sums.ts`), steps 6–9 (`finish.ts`), the §1.7 presets, and the helpers of the distance losses. It imports only
 * `core/`, `util/` and `tf.ts`, so losses, metrics and fused kernels can all build on it.
 */
export * from './params.ts';
export * from './layout.ts';
export * from './sums.ts';
export * from './finish.ts';
export * from './presets.ts';
