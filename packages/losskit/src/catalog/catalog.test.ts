import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { expectThrows } from '../../test/helpers/assert.ts';
import { useBackend } from '../../test/helpers/backends.ts';
import { findCatalogEntries, getLoss, getMetric, listLosses, listMetrics } from './catalog.ts';

describe('getLoss', () => {
  beforeAll(() => useBackend('cpu'));

  it('resolves every spelling of a name and the Keras aliases', () => {
    for (const n of [
      'mean_squared_error',
      'MeanSquaredError',
      'mean-squared-error',
      'meanSquaredError',
      'MSE',
      'mse',
    ]) {
      expect(getLoss(n).id).toBe('meanSquaredError');
    }
    expect(getLoss('bce').id).toBe('binaryCrossentropy');
    expect(getLoss('scce').id).toBe('sparseCategoricalCrossentropy');
  });

  it('the bound function has a readable name, its id and its resolved options', () => {
    const fn = getLoss('binary_crossentropy', { fromLogits: true, reduction: 'SUM' });
    expect(fn.name).toBe('binaryCrossentropy');
    expect(fn.options).toMatchObject({ fromLogits: true, reduction: 'sum', labelSmoothing: 0 });
  });

  it('an unknown name lists the closest names', () => {
    expectThrows(() => getLoss('mean_sqared_eror'), /Unknown loss 'mean_sqared_eror'/, /meanSquaredError/);
  });

  it('rejects bad options before touching a tensor', () => {
    const before = tf.memory().numTensors;
    expectThrows(
      () => getLoss('bce', { labelSmoothing: 2 }),
      /binaryCrossentropy: option 'labelSmoothing' must be a finite number in \[0, 1\]/,
    );
    expectThrows(() => getLoss('bce', { reduction: 'average' }), /option 'reduction' must be one of/);
    expectThrows(() => getLoss('bce', { from_logits: true }), /unknown option 'from_logits'/, /'fromLogits'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects arguments that are not tensors, naming the loss and the argument', () => {
    expectThrows(
      () => getLoss('mse')([1, 2] as never, tf.zeros([2])),
      /meanSquaredError: yTrue must be a tf.Tensor, got an array/,
    );
  });

  it('rejects shapes that would broadcast, naming both', () => {
    expectThrows(
      () => getLoss('mse')(tf.zeros([2, 3]), tf.zeros([2, 4])),
      /meanSquaredError: yTrue shape \[2,3\] does not match yPred shape \[2,4\]/,
    );
  });
});

describe('catalog', () => {
  const infos = [...listLosses(), ...listMetrics()];

  it('is built from the loss files: one entry per loss, ids unique and camelCase', () => {
    const ids = infos.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
  });

  it('every entry is complete enough for the CLI, the explorer and the docs', () => {
    for (const info of infos) {
      expect(info.summary.length, info.id).toBeGreaterThan(10);
      expect(info.formula.length, info.id).toBeGreaterThan(3);
      expect(info.whenToUse.length, info.id).toBeGreaterThan(10);
      expect(info.references.length, info.id).toBeGreaterThan(0);
      expect(['regression', 'classification', 'segmentation']).toContain(info.task);
      for (const p of info.params) {
        expect(p.doc.length, `${info.id}.${p.name}`).toBeGreaterThan(3);
        if (p.type === 'enum') expect(p.values, `${info.id}.${p.name}`).toContain(p.default);
      }
    }
  });

  it('every catalog default is accepted by its own validator', () => {
    for (const info of listLosses()) {
      const defaults = Object.fromEntries(info.params.map((p) => [p.name, p.default]));
      expect(getLoss(info.id, defaults).id).toBe(info.id);
    }
  });

  it('every alias resolves to its own loss', () => {
    for (const info of listLosses()) for (const a of info.aliases) expect(getLoss(a).id, a).toBe(info.id);
  });

  it('has the 17 Keras-family losses', () => {
    const ids = new Set(listLosses().map((l) => l.id));
    for (const id of [
      'meanSquaredError',
      'meanAbsoluteError',
      'meanSquaredLogarithmicError',
      'meanAbsolutePercentageError',
      'klDivergence',
      'poisson',
      'logCosh',
      'cosineSimilarity',
      'huber',
      'binaryCrossentropy',
      'categoricalCrossentropy',
      'sparseCategoricalCrossentropy',
      'hinge',
      'squaredHinge',
      'categoricalHinge',
      'binaryFocalCrossentropy',
      'categoricalFocalCrossentropy',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
});

describe('getMetric', () => {
  it('points a loss name used as a metric to getLoss', () => {
    expectThrows(() => getMetric('mse'), /'mse' is a loss, not a metric; use getLoss/);
  });

  it('refuses a metric asked for through getLoss, naming the loss to train with and getMetric', () => {
    expectThrows(
      () => getLoss('dice_coefficient'),
      /^getLoss: 'dice_coefficient' is the metric diceCoefficient \(higher is better\), not a loss/,
      /use the loss 'dice'/,
      /getMetric\('dice_coefficient'\)/,
    );
    expectThrows(() => getLoss('hausdorff_distance'), /lower is better/, /'hausdorffDtLoss'/);
  });

  it('computes a thresholded metric asked for through getLoss (no gradient to train on), refusing sample weights', () => {
    const yTrue = tf.tensor4d([1, 1, 0, 0], [1, 2, 2, 1]);
    const yPred = tf.tensor4d([0.9, 0.2, 0, 0], [1, 2, 2, 1]);
    // Thresholded at 0.5: one true positive, one false negative: Dice = 2·1 / (2 + 1).
    const viaLoss = getLoss('dice_coefficient', { threshold: 0.5, smoothNr: 0, smoothDr: 0 })(yTrue, yPred);
    expect(viaLoss.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expectThrows(
      () => getLoss('dice_coefficient', { threshold: 0.5 })(yTrue, yPred, tf.ones([1])),
      /'dice_coefficient' is a metric and takes no sampleWeight/,
    );
    expectThrows(() => getLoss('dice_coefficient', { threshold: null }), /is the metric diceCoefficient/);
    tf.dispose([yTrue, yPred, viaLoss]);
  });

  it("names a real loss as every metric's counterpart", () => {
    const losses = new Set(listLosses().map((l) => l.id));
    for (const m of listMetrics()) {
      expect(m.loss, m.id).toBeDefined();
      expect(losses.has(m.loss!), `${m.id} → ${m.loss}`).toBe(true);
      // 'iou' + the `_loss` suffix is the jaccard loss's alias: a name that reaches a loss gives that loss.
      if (findCatalogEntries(`${m.id}_loss`).loss) expect(getLoss(m.id).id, m.id).toBe(m.loss);
      else expect(() => getLoss(m.id), m.id).toThrow(new RegExp(`use the loss '${m.loss}'`));
    }
  });
});
