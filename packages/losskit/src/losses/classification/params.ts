import type { ParamInfo } from '../../core/types.ts';
import { param } from '../../core/options.ts';

/** Options shared by the Keras cross-entropy family, documented once. */
export const FROM_LOGITS: ParamInfo = {
  name: 'fromLogits',
  type: 'boolean',
  default: false,
  doc: 'yPred holds logits (unbounded scores) rather than probabilities.',
};

export const LABEL_SMOOTHING: ParamInfo = {
  name: 'labelSmoothing',
  type: 'number',
  default: 0,
  range: [0, 1],
  doc: 'Moves targets towards the uniform distribution: binary y(1−ls)+ls/2, categorical y(1−ls)+ls/C.',
};

export const AXIS: ParamInfo = {
  name: 'axis',
  type: 'integer',
  default: -1,
  doc: 'The axis that holds classes (or that the loss averages over); negative counts from the end.',
};

export const FOCAL_GAMMA = param({
  name: 'gamma',
  type: 'number',
  default: 2,
  range: [0, Infinity],
  doc: 'Focusing exponent: (1 − p_t)^γ down-weights well-classified examples; γ = 0 is plain cross-entropy.',
});
