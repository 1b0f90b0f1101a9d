import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tf, type Tensor } from '../../tf.ts';
import { expectAllClose, expectThrows, expectTidy, runLoss, take } from '../../../test/helpers/assert.ts';
import { BACKENDS, useBackend } from '../../../test/helpers/backends.ts';
import { checkGradient, rng } from '../../../test/helpers/gradcheck.ts';
import {
  bernoulli,
  EDGE_INPUTS,
  expectFiniteAt,
  expectGolden,
  flat,
  itRunsGoldens,
  regionCases,
  shapeOf,
  uniform,
} from '../../../test/helpers/pixel-golden.ts';
import { lovaszGrad64, lovaszHinge64, type LovaszHinge64 } from '../../../test/reference/pixel-lovasz.ts';
import { dice } from './dice.ts';
import { lovaszHinge, type LovaszHingeOptions } from './lovasz-hinge.ts';

const golden = regionCases('lovasz_hinge');

function run(yt: number[], yp: number[], shape: number[], o: LovaszHingeOptions = {}): number {
  return runLoss(lovaszHinge, yt, yp, shape, o)[0];
}

function grad(yt: number[], yp: number[], shape: number[], o: LovaszHingeOptions = {}): number[] {
  const a = tf.tensor(yt, shape);
  const b = tf.tensor(yp, shape);
  const g = Array.from(take(tf.grad((p: Tensor) => lovaszHinge(a, p, o))(b)));
  tf.dispose([a, b]);
  return g;
}

describe('lovaszHinge float64 oracle', () => {
  it.each(golden.map((c) => [c.id, c] as const))('reproduces golden %s', (_id, c) => {
    const v = lovaszHinge64(flat(c.y_true), flat(c.y_pred), shapeOf(c.y_pred), c.options);
    expectGolden([v], flat(c.expected), 1e-9);
  });

  it("computes Berman's lovasz_grad", () => {
    // Sorted labels [0, 1, 1, 0], G = 2: J = 1 − (G − cumsum g)/(G + cumsum(1 − g)) = [1 − 2/3, 1 − 1/3, 1, 1].
    expectAllClose(lovaszGrad64([0, 1, 1, 0]), [1 / 3, 1 / 3, 1 / 3, 0], { rtol: 1e-12 });
  });
});

describe.each(BACKENDS)('lovaszHinge on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  itRunsGoldens(lovaszHinge, golden);

  it('matches hand-derived values and gradients', () => {
    // y = [1, 0], x = [1, 2]: e = [0, 3]; sorted [3 (y=0), 0 (y=1)]; G = 1: J = [1 − 1/2, 1 − 0/2] → Δ = [½, ½].
    expectAllClose(run([1, 0], [1, 2], [1, 2, 1]), 1.5, { rtol: 1e-6 });
    // d/dx of relu(e)·Δ: e₂ = 1 + x₂ → ½; e₁ = 1 − x₁ at 0: relu'(0) = 0 (pinned, as torch).
    expectAllClose(grad([1, 0], [1, 2], [1, 2, 1]), [0, 0.5], { atol: 1e-7 });
    // y = [1, 1, 0], x = [0.5, −1, 0]: e = [0.5, 2, 1]; sorted labels [1, 0, 1], G = 2:
    // J = [1 − 1/2, 1 − 1/3, 1 − 0/3] = [½, ⅔, 1] → Δ = [½, ⅙, ⅓]; L = 2·½ + 1·⅙ + 0.5·⅓ = 4/3.
    expectAllClose(run([1, 1, 0], [0.5, -1, 0], [1, 3, 1]), 4 / 3, { rtol: 1e-6 });
    expectAllClose(grad([1, 1, 0], [0.5, -1, 0], [1, 3, 1]), [-1 / 3, -1 / 2, 1 / 6], { rtol: 1e-6 });
  });

  it('an image without positives contributes relu(max error); per image vs over the batch', () => {
    // Image 1 all negative: errors 1 + x = [1.5, 0.2] → 1.5; image 2 as in the first hand case → 1.5.
    const yt = [0, 0, 1, 0];
    const yp = [0.5, -0.8, 1, 2];
    expectAllClose(run(yt, yp, [2, 2, 1]), (1.5 + 1.5) / 2, { rtol: 1e-6 });
    expectAllClose(
      run(yt, yp, [2, 2, 1], { perImage: false }),
      lovaszHinge64(yt, yp, [2, 2, 1], { perImage: false }),
      {
        rtol: 1e-6,
      },
    );
    // One image: both settings agree.
    expectAllClose(
      run([1, 0, 1], [0.3, 0.1, -2], [1, 3, 1], { perImage: false }),
      run([1, 0, 1], [0.3, 0.1, -2], [1, 3, 1]),
      {
        rtol: 1e-6,
      },
    );
  });

  it('ignoreIndex removes pixels from the sort and the counts', () => {
    // With the ignored pixel left out, [1, 0] at x = [1, 2] is the first hand case: 1.5, whatever x₃ is.
    for (const x3 of [-5, 0.7, 9]) {
      expectAllClose(run([1, 0, 255], [1, 2, x3], [1, 3, 1], { ignoreIndex: 255 }), 1.5, { rtol: 1e-6 });
      expectAllClose(grad([1, 0, 255], [1, 2, x3], [1, 3, 1], { ignoreIndex: 255 }), [0, 0.5, 0], {
        atol: 1e-7,
      });
    }
    // A fully ignored image contributes 0 and still counts in the mean.
    expectAllClose(run([255, 255, 1, 0], [3, 1, 1, 2], [2, 2, 1], { ignoreIndex: 255 }), 1.5 / 2, {
      rtol: 1e-6,
    });
  });

  it('gradients match central differences of the oracle (inputs without ties)', () => {
    const r = rng(73);
    for (const [shape, o] of [
      [[2, 4, 3, 1], {}],
      [[2, 4, 3, 1], { perImage: false }],
      [[3, 3, 2, 2], {}],
    ] as [number[], LovaszHinge64][]) {
      const n = shape.reduce((a, d) => a * d, 1);
      const yt = bernoulli(r, n, 0.4);
      const t = tf.tensor(yt, shape);
      checkGradient({
        loss: (p) => lovaszHinge(t, p, o),
        oracle: (p) => lovaszHinge64(yt, p, shape, o),
        yPred: uniform(r, n, -2, 2),
        shape,
      });
      t.dispose();
    }
  });

  it('does not depend on how tied errors sort', () => {
    // Three equal logits: every order gives the same value.
    expectAllClose(
      run([1, 0, 1, 0], [0.5, 0.5, 0.5, -1], [1, 4, 1]),
      lovaszHinge64([1, 0, 1, 0], [0.5, 0.5, 0.5, -1], [1, 4, 1]),
      {
        rtol: 1e-6,
      },
    );
  });

  it('stays finite for empty and full masks, all-equal logits and perfect predictions', () => {
    const inputs = [
      EDGE_INPUTS.emptyMask,
      [
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ],
      [
        [1, 0, 0, 1],
        [5, -5, -5, 5],
      ],
    ] as const;
    expectFiniteAt(inputs, [2, 2, 1], [lovaszHinge.bind({}), lovaszHinge.bind({ perImage: false })]);
    // Beyond the margin everywhere: 0.
    expect(run([1, 0, 0, 1], [5, -5, -5, 5], [1, 4, 1])).toBe(0);
  });

  it('gives 0 for an empty batch, as dice does, with a gradient of the input shape', () => {
    for (const perImage of [true, false]) {
      const yt = tf.zeros([0, 4, 4, 1]);
      const yp = tf.zeros([0, 4, 4, 1]);
      const value = lovaszHinge.bind({ perImage })(yt, yp);
      expect(value.shape).toEqual([]);
      // On cpu as dice; wasm's dice reads uninitialised memory for an empty sum (a tfjs-backend-wasm bug).
      if (backend === 'cpu') expect(value.dataSync()[0]).toBe(dice.bind({})(yt, yp).dataSync()[0]);
      expect(value.dataSync()[0]).toBe(0);
      const grad = tf.grad((x: Tensor) => lovaszHinge.bind({ perImage })(yt, x))(yp);
      expect(grad.shape).toEqual([0, 4, 4, 1]);
      tf.dispose([yt, yp, value, grad]);
    }
  });

  it('handles a larger image on this backend (64×64)', () => {
    const r = rng(79);
    const shape = [2, 64, 64, 1];
    const yt = bernoulli(r, 8192, 0.2);
    const yp = uniform(r, 8192, -3, 3);
    expectAllClose(run(yt, yp, shape), lovaszHinge64(yt, yp, shape), { rtol: 1e-4 });
  });

  it('rejects bad inputs, options and sample weights with messages naming the loss', () => {
    const a = tf.zeros([1, 2, 2, 1]);
    expectThrows(() => lovaszHinge(tf.zeros([1, 2, 2]), a), /lovaszHinge/, /shape/);
    expectThrows(
      () => lovaszHinge(tf.tensor([0, 2, 1, 0], [1, 2, 2, 1]), a),
      /lovaszHinge: label 2/,
      /not 0 or 1/,
    );
    expectThrows(() => lovaszHinge(a, a, { perImage: 'yes' as never }), /lovaszHinge/, /perImage/);
    expectThrows(() => lovaszHinge(a, a, { per_image: true } as never), /lovaszHinge/, /per_image/);
    expectThrows(() => lovaszHinge(a, a, { activation: 'sigmoid' } as never), /lovaszHinge/, /activation/);
    expectThrows(() => lovaszHinge(a, a, { sampleWeight: tf.ones([1]) }), /lovaszHinge: sampleWeight/);
    a.dispose();
  });

  it("never hands the caller's yTrue to a kernel, so that webgpu never moves it off the host", () => {
    // On webgpu an uploaded yTrue loses its host values and the next call's label check would read it back from the
    // GPU, which loses the device in Chromium (docs/backends.md): the kernels must see a copy only.
    const yt = tf.tensor([1, 0, 1, 1, 0, 0], [1, 2, 3, 1]);
    const yp = tf.tensor([0.5, -1, 2, 0.3, 0.1, -0.4], [1, 2, 3, 1]);
    const spy = vi.spyOn(tf.engine(), 'runKernel');
    try {
      tf.dispose(tf.grad((p: Tensor) => lovaszHinge(yt, p))(yp));
      const inputs = spy.mock.calls.flatMap(([, ins]) => Object.values(ins as Record<string, Tensor>));
      expect(inputs.some((t) => t.dataId === yp.dataId)).toBe(true);
      expect(inputs.some((t) => t.dataId === yt.dataId)).toBe(false);
    } finally {
      spy.mockRestore();
    }
    // The copy carries the same labels: e = 1 − x·(2y − 1) = [0.5, 0, −1, 0.7, 1.1, 0.6], G = 3; sorted 1.1 (y=0),
    // 0.7 (1), 0.6 (0), 0.5 (1), 0 (0), −1 (1): J = 1 − (G − cumsum g)/(G + cumsum(1 − g)) = [1/4, 1/2, 3/5, 4/5,
    // 5/6, 1], Δ = [1/4, 1/4, 1/10, 1/5, 1/30, 1/6] → 1.1/4 + 0.7/4 + 0.6/10 + 0.5/5 = 0.61.
    expectAllClose(take(lovaszHinge(yt, yp)), 0.61, { rtol: 1e-6 });
    tf.dispose([yt, yp]);
  });

  it('leaves only its result behind', () => {
    const a = tf.tensor([1, 0, 255, 1], [1, 2, 2, 1]);
    const b = tf.randomNormal([1, 2, 2, 1]);
    expectTidy(() => lovaszHinge(a, b, { ignoreIndex: 255 }));
    expectTidy(() => lovaszHinge(a, b, { ignoreIndex: 255, perImage: false }));
    tf.dispose([a, b]);
  });
});
