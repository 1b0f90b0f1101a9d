/**
 * Property tests generated from the catalog: every loss gets them by declaring `info.properties` and an input
 * domain below. A loss without a domain fails the first test, so none is left out silently.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLoss, listLosses, type LossInfo } from '../src/index.ts';
import { tf } from '../src/tf.ts';
import { BACKENDS, useBackend } from './helpers/backends.ts';

/** How to draw legal inputs for a loss. */
type Domain =
  | 'real' // regression targets and predictions, any real
  | 'nonNegative' // counts, rates, log-errors: both ≥ 0
  | 'distribution' // KL: probability vectors
  | 'binaryProb' // {0,1} targets, probabilities
  | 'signedScore' // hinge: {0,1} targets, real scores
  | 'oneHotProb' // one-hot targets, probability rows
  | 'sparseProb' // integer labels, probability rows
  | 'segBinary' // [B,H,W,1] binary masks and probabilities
  | 'segSparse'; // [B,H,W] integer labels, [B,H,W,C] probabilities

const DOMAINS: Record<string, Domain> = {
  meanSquaredError: 'real',
  meanAbsoluteError: 'real',
  huber: 'real',
  logCosh: 'real',
  cosineSimilarity: 'real',
  meanSquaredLogarithmicError: 'nonNegative',
  meanAbsolutePercentageError: 'nonNegative',
  poisson: 'nonNegative',
  klDivergence: 'distribution',
  binaryCrossentropy: 'binaryProb',
  binaryFocalCrossentropy: 'binaryProb',
  hinge: 'signedScore',
  squaredHinge: 'signedScore',
  categoricalCrossentropy: 'oneHotProb',
  categoricalFocalCrossentropy: 'oneHotProb',
  categoricalHinge: 'oneHotProb',
  sparseCategoricalCrossentropy: 'sparseProb',
  lovaszSoftmax: 'segSparse',
};

const isKeras = (info: LossInfo) =>
  info.params.some((p) => p.name === 'reduction' && p.values?.includes('sum_over_batch_size'));
const domainOf = (info: LossInfo): Domain | undefined =>
  DOMAINS[info.id] ?? (info.task === 'segmentation' ? 'segBinary' : undefined);

interface Sample {
  yTrue: number[];
  trueShape: number[];
  yPred: number[];
  predShape: number[];
  /** Targets as a prediction, where a perfect prediction exists in the domain. */
  perfect?: number[];
}

/** Draws a sample of `domain` from uniform numbers (fast-check supplies them, so failures shrink). */
function build(domain: Domain, b: number, n: number, u: number[]): Sample {
  let k = 0;
  const next = () => u[k++ % u.length];
  const shape = [b, n];
  const size = b * n;
  const arr = (f: () => number, len = size) => Array.from({ length: len }, f);
  switch (domain) {
    case 'real': {
      const yt = arr(() => next() * 8 - 4);
      return { yTrue: yt, trueShape: shape, yPred: arr(() => next() * 8 - 4), predShape: shape, perfect: yt };
    }
    case 'nonNegative': {
      const yt = arr(() => 0.1 + next() * 4);
      return {
        yTrue: yt,
        trueShape: shape,
        yPred: arr(() => 0.1 + next() * 4),
        predShape: shape,
        perfect: yt,
      };
    }
    case 'distribution': {
      const row = () => {
        const r = arr(() => 0.05 + next(), n);
        const s = r.reduce((a, x) => a + x, 0);
        return r.map((x) => x / s);
      };
      const yt = Array.from({ length: b }, row).flat();
      return {
        yTrue: yt,
        trueShape: shape,
        yPred: Array.from({ length: b }, row).flat(),
        predShape: shape,
        perfect: yt,
      };
    }
    case 'binaryProb': {
      const yt = arr(() => (next() < 0.4 ? 1 : 0));
      return { yTrue: yt, trueShape: shape, yPred: arr(() => next()), predShape: shape, perfect: yt };
    }
    case 'signedScore': {
      const yt = arr(() => (next() < 0.5 ? 1 : 0));
      // A score of ±2 is beyond the margin: a perfect prediction for hinge losses.
      return {
        yTrue: yt,
        trueShape: shape,
        yPred: arr(() => next() * 6 - 3),
        predShape: shape,
        perfect: yt.map((y) => 4 * y - 2),
      };
    }
    case 'oneHotProb':
    case 'sparseProb': {
      const c = Math.max(2, n);
      const labels = Array.from({ length: b }, () => Math.floor(next() * c) % c);
      const oneHot = labels.flatMap((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)));
      const probs = Array.from({ length: b }, () => {
        const r = arr(() => 0.01 + next(), c);
        const s = r.reduce((a, x) => a + x, 0);
        return r.map((x) => x / s);
      }).flat();
      return domain === 'oneHotProb'
        ? { yTrue: oneHot, trueShape: [b, c], yPred: probs, predShape: [b, c], perfect: oneHot }
        : { yTrue: labels, trueShape: [b], yPred: probs, predShape: [b, c], perfect: oneHot };
    }
    case 'segBinary': {
      const s = [b, n, n, 1];
      const len = b * n * n;
      const yt = arr(() => (next() < 0.3 ? 1 : 0), len);
      return { yTrue: yt, trueShape: s, yPred: arr(() => next(), len), predShape: s, perfect: yt };
    }
    case 'segSparse': {
      const c = 3;
      const len = b * n * n;
      const labels = arr(() => Math.floor(next() * c) % c, len);
      const probs = Array.from({ length: len }, () => {
        const r = arr(() => 0.01 + next(), c);
        const t = r.reduce((a, x) => a + x, 0);
        return r.map((x) => x / t);
      }).flat();
      const oneHot = labels.flatMap((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)));
      return { yTrue: labels, trueShape: [b, n, n], yPred: probs, predShape: [b, n, n, c], perfect: oneHot };
    }
  }
}

const sampleArb = fc.record({
  b: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 2, max: 5 }),
  u: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 8, maxLength: 64 }),
});

function value(
  id: string,
  s: Sample,
  options: Record<string, unknown>,
  pred = s.yPred,
): { v: Float32Array; shape: number[]; left: number } {
  const intLabels = s.trueShape.length < s.predShape.length && s.trueShape.length > 0;
  const yt = tf.tensor(s.yTrue, s.trueShape, intLabels ? 'int32' : 'float32');
  const yp = tf.tensor(pred, s.predShape);
  const before = tf.memory().numTensors;
  const out = getLoss(id, options)(yt, yp);
  const left = tf.memory().numTensors - before;
  const v = out.dataSync() as Float32Array;
  const shape = out.shape;
  tf.dispose([yt, yp, out]);
  return { v, shape, left };
}

describe('every loss has a property domain', () => {
  it.each(listLosses().map((i) => [i.id, i] as const))('%s', (_id, info) => {
    expect(domainOf(info), `add ${info.id} to DOMAINS in test/properties.test.ts`).toBeDefined();
  });
});

describe.each(BACKENDS)('catalog properties on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const losses = listLosses().filter((i) => domainOf(i) !== undefined);

  describe.each(losses.map((i) => [i.id, i] as const))('%s', (id, info) => {
    const domain = domainOf(info)!;
    const props = new Set(info.properties ?? []);
    const runs = { numRuns: 15, seed: 20261128 };

    it('gives a finite result and leaves only that tensor behind', () => {
      fc.assert(
        fc.property(sampleArb, ({ b, n, u }) => {
          const { v, left } = value(id, build(domain, b, n, u), {});
          expect(left).toBe(1);
          for (const x of v) expect(Number.isFinite(x)).toBe(true);
        }),
        runs,
      );
    });

    if (props.has('nonNegative')) {
      it('is non-negative', () => {
        fc.assert(
          fc.property(sampleArb, ({ b, n, u }) => {
            for (const x of value(id, build(domain, b, n, u), {}).v) expect(x).toBeGreaterThanOrEqual(-1e-6);
          }),
          runs,
        );
      });
    }

    if (props.has('boundedUnit')) {
      it('is at most 1', () => {
        fc.assert(
          fc.property(sampleArb, ({ b, n, u }) => {
            for (const x of value(id, build(domain, b, n, u), {}).v) expect(x).toBeLessThanOrEqual(1 + 1e-6);
          }),
          runs,
        );
      });
    }

    if (props.has('zeroAtPerfect')) {
      it('is zero at a perfect prediction', () => {
        fc.assert(
          fc.property(sampleArb, ({ b, n, u }) => {
            const s = build(domain, b, n, u);
            // Clipping at ε = 1e-7 leaves up to −log(1 − 1e-7) per element on probability losses.
            for (const x of value(id, s, {}, s.perfect).v) expect(Math.abs(x)).toBeLessThan(2e-5);
          }),
          runs,
        );
      });
    }

    if (isKeras(info)) {
      it("'sum' equals 'sum_over_batch_size' times the number of per-sample values", () => {
        fc.assert(
          fc.property(sampleArb, ({ b, n, u }) => {
            const s = build(domain, b, n, u);
            const none = value(id, s, { reduction: 'none' });
            const sum = value(id, s, { reduction: 'sum' }).v[0];
            const mean = value(id, s, { reduction: 'sum_over_batch_size' }).v[0];
            expect(none.shape).toEqual(s.predShape.slice(0, -1));
            expect(Math.abs(sum - mean * none.v.length)).toBeLessThanOrEqual(
              1e-4 * Math.max(1, Math.abs(sum)),
            );
          }),
          runs,
        );
      });

      it('all-ones sample weights equal no weights', () => {
        const s = build(domain, 2, 3, [0.1, 0.7, 0.3, 0.9, 0.5, 0.2, 0.8, 0.4]);
        const intLabels = s.trueShape.length < s.predShape.length;
        const yt = tf.tensor(s.yTrue, s.trueShape, intLabels ? 'int32' : 'float32');
        const yp = tf.tensor(s.yPred, s.predShape);
        const fn = getLoss(id);
        const w = tf.ones([s.predShape[0]]);
        const [a, c] = tf.tidy(() => [fn(yt, yp).dataSync()[0], fn(yt, yp, w).dataSync()[0]]);
        expect(Math.abs(a - c)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a)));
        tf.dispose([yt, yp, w]);
      });
    }
  });
});
