/**
 * The catalog's types. No tensor types here: `losskit/distance` reaches this module (through metrics/info.ts) and
 * must reach nothing of TensorFlow.js, its declarations included; the bound functions are in define-loss.ts.
 */

/** What a loss is for. */
export type Task = 'regression' | 'classification' | 'segmentation';

/** Keras 3 reductions, accepted by every Keras-family loss. `'mean'` is Keras's alias of `'sum_over_batch_size'`. */
export type Reduction = 'sum_over_batch_size' | 'sum' | 'none' | 'mean' | 'mean_with_sample_weight';

/** Reductions of segmentation losses, over the groups of segmentation-region.md §1.3. */
export type SegReduction = 'mean' | 'sum' | 'none';

/** How an option's value is checked. A parameter may accept several (e.g. `['number', 'null']`). */
export type ParamType = 'number' | 'integer' | 'boolean' | 'enum' | 'number[]' | 'null';

/** A value an option may take. */
export type OptionValue = number | boolean | string | null | readonly number[];

/** One option of a loss or metric, as the catalog, the validator, the CLI and the explorer see it. */
export interface ParamInfo {
  readonly name: string;
  readonly type: ParamType | readonly ParamType[];
  readonly default: OptionValue;
  /** Inclusive bounds for numbers (and for each element of a `number[]`). */
  readonly range?: readonly [number, number];
  /** Makes the lower bound, the upper bound or both exclusive. */
  readonly exclusive?: 'min' | 'max' | 'both';
  /** Allowed values of an `'enum'` option, in canonical spelling. */
  readonly values?: readonly string[];
  /**
   * Other keys accepted for this option (old spellings kept when a name was unified across losses); the resolved
   * options carry the canonical `name` only.
   */
  readonly aliases?: readonly string[];
  readonly doc: string;
}

/** Properties that the generated property tests check for every loss that declares them. */
export type LossProperty = 'nonNegative' | 'zeroAtPerfect' | 'boundedUnit' | 'symmetric' | 'canBeNegative';

/** A catalog entry: everything a user, the CLI, the explorer page and the docs need to know about a loss. */
export interface LossInfo {
  /** Canonical camelCase id, e.g. `'meanSquaredError'`. */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly task: Task;
  readonly summary: string;
  /** Unreduced formula, plain text/Unicode. */
  readonly formula: string;
  readonly whenToUse: string;
  readonly params: readonly ParamInfo[];
  readonly references: readonly string[];
  readonly properties?: readonly LossProperty[];
}

/** A catalog entry of a metric. */
export interface MetricInfo extends Omit<LossInfo, 'properties'> {
  /** `true` when a larger value is better (Dice); `false` for distances. */
  readonly higherIsBetter: boolean;
  /**
   * The id of the loss that trains for this metric (`dice` for `diceCoefficient`), when there is one: named by
   * `getLoss` when a metric's name is asked for as a loss.
   */
  readonly loss?: string;
}

/** Options of a loss, as passed by a user: one object, camelCase keys. */
export type Options = Readonly<Record<string, unknown>>;
