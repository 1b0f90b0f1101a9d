import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { useBackend } from '../../test/helpers/backends.ts';
import { expectThrows } from '../../test/helpers/assert.ts';
import { compileWithLoss, readLossSpec, restoreLoss } from './layers-compat.ts';

/**
 * Saves to a folder as model.json + weights.bin. tfjs's own `file://` handler comes only with tfjs-node,
 * which cannot be installed here, so the test writes the same two files itself.
 */
async function saveToDisk(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler((a) => {
      const { weightData, ...json } = a;
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weightData as ArrayBuffer));
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
}

async function loadFromDisk(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelArtifacts;
  const bin = readFileSync(join(dir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ ...json, weightData }));
}

function tinyModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' }));
  return m;
}

describe('compileWithLoss / restoreLoss', () => {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-model-'));
  beforeAll(() => useBackend('cpu'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a saved and reloaded model gets its loss back and trains one more step', async () => {
    const model = tinyModel();
    const loss = compileWithLoss(model, 'mse', { reduction: 'sum' }, { optimizer: 'sgd' });
    expect(loss.id).toBe('meanSquaredError');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = tf.tensor2d([[1], [2], [3]]);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    await saveToDisk(model, dir);

    const reloaded = await loadFromDisk(dir);
    expect(readLossSpec(reloaded)).toEqual({
      id: 'meanSquaredError',
      options: { reduction: 'sum' },
      optimizer: 'sgd',
      version: 1,
    });
    const restored = restoreLoss(reloaded);
    expect(restored.options).toMatchObject({ reduction: 'sum' });
    // The compiled loss is the restored one: evaluate reports exactly what it computes on the predictions.
    const evaluated = tf.tidy(() => (reloaded.evaluate(x, y) as tf.Scalar).dataSync()[0]);
    const direct = tf.tidy(() => restored(y, reloaded.predict(x) as tf.Tensor).dataSync()[0]);
    expect(evaluated).toBeCloseTo(direct, 4);
    // One more step of training lowers it.
    await reloaded.fit(x, y, { epochs: 1, verbose: 0 });
    const after = tf.tidy(() => (reloaded.evaluate(x, y) as tf.Scalar).dataSync()[0]);
    expect(after).toBeLessThan(evaluated);
    tf.dispose([x, y]);
  });

  it('memory round trip keeps metadata', async () => {
    const model = tinyModel();
    compileWithLoss(model, 'mse', undefined, { optimizer: 'adam' });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler((a) => {
        artifacts = a;
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(restoreLoss(reloaded).id).toBe('meanSquaredError');
  });

  it('explains a model without a recorded loss', () => {
    expectThrows(() => restoreLoss(tinyModel()), /restoreLoss: the model has no losskit loss/);
  });
});
