import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import type { ParamInfo } from './types.ts';
import { expectThrows } from '../../test/helpers/assert.ts';

const params: ParamInfo[] = [
  { name: 'delta', type: 'number', default: 1, range: [0, Infinity], exclusive: 'min', doc: '' },
  { name: 'fromLogits', type: 'boolean', default: false, doc: '' },
  { name: 'mode', type: 'enum', values: ['sum_over_batch_size', 'none'], default: 'none', doc: '' },
  { name: 'alpha', type: ['number', 'number[]', 'null'], default: null, range: [0, 1], doc: '' },
  { name: 'axis', type: 'integer', default: -1, doc: '' },
];

describe('resolveOptions', () => {
  it('fills defaults and freezes the result', () => {
    const o = resolveOptions<Record<string, unknown>>('huber', params, undefined);
    expect(o).toEqual({ delta: 1, fromLogits: false, mode: 'none', alpha: null, axis: -1 });
    expect(Object.isFrozen(o)).toBe(true);
  });
  it('canonicalises enum spellings', () => {
    expect(resolveOptions<{ mode: string }>('huber', params, { mode: 'SumOverBatchSize' }).mode).toBe(
      'sum_over_batch_size',
    );
  });
  it('accepts each type of a union', () => {
    expect(resolveOptions<{ alpha: unknown }>('f', params, { alpha: 0.25 }).alpha).toBe(0.25);
    expect(resolveOptions<{ alpha: unknown }>('f', params, { alpha: [0.1, 0.9] }).alpha).toEqual([0.1, 0.9]);
    expect(resolveOptions<{ alpha: unknown }>('f', params, { alpha: null }).alpha).toBeNull();
  });
  it('rejects an unknown key, naming the loss, the key and the closest option', () => {
    expectThrows(
      () => resolveOptions('huber', params, { delt: 2 }),
      /^huber:/,
      /unknown option 'delt'/,
      /'delta'/,
    );
    expectThrows(() => resolveOptions('huber', params, { from_logits: true }), /'fromLogits'/);
  });
  it('rejects wrong types and out-of-range values, saying what was expected', () => {
    expectThrows(
      () => resolveOptions('huber', params, { delta: 0 }),
      /huber: option 'delta' must be a finite number in \(0, ∞\], got 0/,
    );
    expectThrows(() => resolveOptions('huber', params, { delta: '1' }), /option 'delta'/, /got '1'/);
    expectThrows(() => resolveOptions('huber', params, { delta: NaN }), /option 'delta'/);
    expectThrows(() => resolveOptions('huber', params, { fromLogits: 1 }), /'fromLogits' must be a boolean/);
    expectThrows(
      () => resolveOptions('huber', params, { mode: 'avg' }),
      /one of 'sum_over_batch_size', 'none'/,
    );
    expectThrows(() => resolveOptions('huber', params, { alpha: [0.5, 2] }), /option 'alpha'/);
    expectThrows(() => resolveOptions('huber', params, { axis: 1.5 }), /'axis' must be an integer/);
  });
  it('rejects options that are not an object', () => {
    expectThrows(() => resolveOptions('huber', params, 3), /huber: options must be an object/);
    expectThrows(() => resolveOptions('huber', params, [1]), /options must be an object/);
  });
});
