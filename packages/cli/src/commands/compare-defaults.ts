/**
 * The defaults of `losskit compare`, apart from the command itself so that the program's help and option parsing
 * can show them without loading the training code (and TensorFlow.js).
 */

/** The seven most-used segmentation losses: `npm start` compares these. */
export const DEFAULT_LOSSES = 'binary_crossentropy,dice,focal,tversky,focal_tversky,combo,log_cosh_dice';
export const DEFAULT_FG = '0.3,0.05,0.01';

/** The budget of the default run (`npm start`): sized to finish in well under 5 minutes on 2 cores (wasm). */
export const DEFAULTS = {
  epochs: 12,
  lesionSize: 32,
  imageSize: 64,
  train: 64,
  test: 32,
  batchSize: 8,
  // 0.005 learns faster but kills runs at some seeds (the sigmoid head saturates and the clipped losses lose
  // their gradient: Tversky stuck at all-foreground, Dice at all-background); 0.002 was stable over seeds 1–3.
  learningRate: 0.002,
  filters: 8,
  seed: 1,
} as const;
