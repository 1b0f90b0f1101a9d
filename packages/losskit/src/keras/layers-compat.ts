import { getLoss } from '../catalog/catalog.ts';
import type { LossFn } from '../core/define-loss.ts';
import type { Options } from '../core/types.ts';
import { tf } from '../tf.ts';

/** What `compileWithLoss` writes into a model's user-defined metadata. */
export interface LossSpec {
  readonly id: string;
  readonly options: Record<string, unknown>;
  /** The optimizer's name when it was given as a string (`'adam'`), so `restoreLoss` can reuse it. */
  readonly optimizer?: string;
  readonly version: 1;
}

const KEY = 'lossSpec';

/** Compile arguments without `loss`, which `compileWithLoss` supplies. */
export type CompileArgs = Omit<tf.ModelCompileArgs, 'loss'>;

function jsonClone(owner: string, options: Options): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  } catch {
    throw new Error(`${owner}: options must be JSON-serialisable to be stored with the model`);
  }
}

/**
 * Compiles `model` with a losskit loss and records the loss's id and options in the model's user-defined
 * metadata, which survives `model.save()` and `tf.loadLayersModel()`. tfjs cannot serialise function losses,
 * so a reloaded model is uncompiled; `restoreLoss` compiles it again with the same loss.
 *
 * Save with the default `includeOptimizer: false`: with `true`, tfjs writes an empty loss config for a
 * function loss and the reloaded model's `fit` fails.
 *
 * @returns the bound loss the model was compiled with
 * @example
 * compileWithLoss(model, 'dice', { smoothNr: 1e-5 }, { optimizer: 'adam' });
 * await model.save('file://./my-model');
 * const reloaded = await tf.loadLayersModel('file://./my-model/model.json');
 * restoreLoss(reloaded); // compiled again with dice and the same options
 */
export function compileWithLoss(
  model: tf.LayersModel,
  name: string,
  options: Options | undefined,
  compileArgs: CompileArgs,
): LossFn {
  const loss = getLoss(name, options);
  model.compile({ ...compileArgs, loss });
  const spec: LossSpec = {
    id: loss.id,
    options: jsonClone('compileWithLoss', options ?? {}),
    ...(typeof compileArgs.optimizer === 'string' ? { optimizer: compileArgs.optimizer } : {}),
    version: 1,
  };
  // Typed as always present, but undefined until something sets it.
  const meta = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined) ?? {};
  model.setUserDefinedMetadata({ ...meta, [KEY]: spec });
  return loss;
}

/** The loss recorded by `compileWithLoss`, or `undefined` when the model carries none. */
export function readLossSpec(model: tf.LayersModel): LossSpec | undefined {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const spec = meta?.[KEY] as LossSpec | undefined;
  return spec && typeof spec.id === 'string' ? spec : undefined;
}

/**
 * Compiles a (reloaded) model again with the loss that `compileWithLoss` recorded in its metadata.
 * `compileArgs` may override the optimizer and add metrics; without an optimizer, the recorded optimizer
 * name is used.
 *
 * @returns the bound loss
 */
export function restoreLoss(model: tf.LayersModel, compileArgs: Partial<CompileArgs> = {}): LossFn {
  const spec = readLossSpec(model);
  if (!spec) {
    throw new Error(
      'restoreLoss: the model has no losskit loss in its metadata; compile it with compileWithLoss first',
    );
  }
  const optimizer = compileArgs.optimizer ?? spec.optimizer;
  if (optimizer === undefined) {
    throw new Error(`restoreLoss: no optimizer recorded for loss '${spec.id}'; pass compileArgs.optimizer`);
  }
  const loss = getLoss(spec.id, spec.options);
  model.compile({ ...compileArgs, optimizer, loss });
  return loss;
}
