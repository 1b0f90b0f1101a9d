import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edt } from './edt.ts';
import {
  channelsLastLayout,
  extractMask,
  extractPlane,
  mapSpatial,
  perChannel,
  scatterPlane,
} from './per-channel.ts';

describe('channelsLastLayout', () => {
  it('splits [B, ...spatial, C]', () => {
    expect(channelsLastLayout('f', 96, [2, 4, 4, 3])).toEqual({ B: 2, spatial: [4, 4], C: 3, N: 16 });
    expect(channelsLastLayout('f', 30, [1, 2, 3, 5, 1])).toEqual({ B: 1, spatial: [2, 3, 5], C: 1, N: 30 });
  });
  it('rejects shapes without a spatial axis or of the wrong size', () => {
    expect(() => channelsLastLayout('hd', 4, [2, 2])).toThrow(/hd: shape \[2,2\] must be channels-last/);
    expect(() => channelsLastLayout('hd', 5, [1, 2, 2, 1])).toThrow(
      'hd: shape [1,2,2,1] has 4 elements but the array has 5',
    );
  });
});

describe('extractPlane / scatterPlane / extractMask', () => {
  const L = channelsLastLayout('x', 8, [1, 2, 2, 2]);
  it('de-interleaves channel c with stride C (hand-derived)', () => {
    expect(Array.from(extractPlane([0, 1, 2, 3, 4, 5, 6, 7], L, 0, 1))).toEqual([1, 3, 5, 7]);
    expect(Array.from(extractPlane([0, 1, 2, 3, 4, 5, 6, 7], L, 0, 0))).toEqual([0, 2, 4, 6]);
  });
  it('scatters back into the interleaved layout', () => {
    expect(Array.from(scatterPlane([1, 3, 5, 7], new Float32Array(8), L, 0, 1))).toEqual([
      0, 1, 0, 3, 0, 5, 0, 7,
    ]);
    expect(() => scatterPlane([1, 2], new Float32Array(8), L, 0, 0)).toThrow(/plane has 2 elements/);
  });
  it('binarises strictly: 0.5 is background', () => {
    const L1 = channelsLastLayout('x', 4, [1, 4, 1]);
    expect(Array.from(extractMask([0.2, 0.5, 0.7, 1], L1, 0, 0))).toEqual([0, 0, 1, 1]);
    expect(Array.from(extractMask([0.2, 0.5, 0.7, NaN], L1, 0, 0, 0.1))).toEqual([1, 1, 1, 0]);
  });
  it('round-trips every (b, c) plane of random data', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 3 }),
        ),
        ([B, H, W, C]) => {
          const shape = [B, H, W, C];
          const data = Float32Array.from({ length: B * H * W * C }, (_, i) => i * 0.5 - 3);
          const Lr = channelsLastLayout('x', data.length, shape);
          const back = new Float32Array(data.length);
          for (let b = 0; b < B; b++)
            for (let c = 0; c < C; c++) scatterPlane(extractPlane(data, Lr, b, c), back, Lr, b, c);
          return back.every((v, i) => v === data[i]);
        },
      ),
    );
  });
});

describe('mapSpatial / perChannel', () => {
  it('runs the transform per (b, c) plane (hand-derived 1-D example)', () => {
    // channel 0: 0 1 1 1 0 → 0 1 2 1 0; channel 1: 1 1 0 1 1 → 2 1 0 1 2
    const out = mapSpatial([0, 1, 1, 1, 1, 0, 1, 1, 0, 1], [1, 1, 5, 2], (p, s) => edt(p, s));
    expect(Array.from(out)).toEqual([0, 2, 1, 1, 2, 0, 1, 1, 0, 2]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(mapSpatial([1, 0], [1, 1, 1, 2], (p) => p, { float64: true })).toBeInstanceOf(Float64Array);
  });

  it('perChannel binarises at > 0.5 and leaves unselected channels at 0', () => {
    expect(Array.from(perChannel([0.9, 0.2, 0.7, 0.8], [1, 2, 2, 1], (m, s) => edt(m, s)))).toEqual([
      1,
      0,
      Math.fround(Math.SQRT2),
      1,
    ]);
    const seen: string[] = [];
    const out = perChannel(
      [1, 1, 1, 1, 1, 1],
      [1, 1, 2, 3],
      (m, _s, b, c) => {
        seen.push(`${b},${c}:${Array.from(m).join('')}`);
        return [c + 1, c + 1];
      },
      { channels: [2, 0] },
    );
    expect(seen).toEqual(['0,2:11', '0,0:11']);
    expect(Array.from(out)).toEqual([1, 0, 3, 1, 0, 3]);
  });

  it('never mixes batch items or channels: equals the transform of each plane taken on its own', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 3 }),
        ),
        fc.integer({ min: 1, max: 1000 }),
        ([B, H, W, C], seed) => {
          const shape = [B, H, W, C];
          const data = Array.from({ length: B * H * W * C }, (_, i) =>
            ((i * 2654435761 + seed * 97) >>> 0) % 5 < 3 ? 1 : 0,
          );
          const out = perChannel(data, shape, (m, s) => edt(m, s, { float64: true }));
          for (let b = 0; b < B; b++) {
            for (let c = 0; c < C; c++) {
              const plane: number[] = [];
              for (let x = 0; x < H * W; x++) plane.push(data[(b * H * W + x) * C + c]);
              const want = edt(plane, [H, W]);
              for (let x = 0; x < H * W; x++)
                if (!Object.is(out[(b * H * W + x) * C + c], want[x])) return false;
            }
          }
          return true;
        },
      ),
    );
  });

  it('rejects bad channels and results of the wrong length', () => {
    expect(() => perChannel([1, 1], [1, 1, 1, 2], (m) => m, { channels: [2] })).toThrow(
      /channel 2 is out of range for 2 channels/,
    );
    expect(() => mapSpatial([1, 1], [1, 1, 1, 2], () => [1, 2])).toThrow(
      /fn returned 2 values for a plane of 1/,
    );
  });
});
