import { describe, expect, it } from 'vitest';
import { applyPresets, FLOAT32_MAX, resolveOptions } from './options.ts';
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
  it("rejects numbers beyond float32's range, for every numeric type, naming the limit", () => {
    const limit = /beyond float32's range, \|x\| ≤ 3\.4028234663852886e\+?38/;
    expectThrows(() => resolveOptions('dice', params, { delta: 1e308 }), /^dice: option 'delta'/, limit);
    expectThrows(() => resolveOptions('dice', params, { axis: -1e39 }), /option 'axis'/, limit);
    expectThrows(() => resolveOptions('dice', params, { alpha: [0.5, 1e300] }), /option 'alpha'/);
    // The largest float32 itself is accepted (it stays finite as a float32 tensor value).
    expect(resolveOptions<{ delta: number }>('dice', params, { delta: FLOAT32_MAX }).delta).toBe(FLOAT32_MAX);
    expect(Math.fround(FLOAT32_MAX)).toBe(FLOAT32_MAX);
  });
  it('rejects options that are not an object', () => {
    expectThrows(() => resolveOptions('huber', params, 3), /huber: options must be an object/);
    expectThrows(() => resolveOptions('huber', params, [1]), /options must be an object/);
  });
});

describe('resolveOptions with aliases', () => {
  const aliased: ParamInfo[] = [
    { name: 'epsilon', aliases: ['eps'], type: ['number', 'null'], default: null, range: [0, 0.5], doc: '' },
    { name: 'logEpsilon', type: ['number', 'null'], default: null, doc: '' },
  ];

  it('resolves an alias to the canonical name, and the result has canonical names only', () => {
    const o = resolveOptions<Record<string, unknown>>('focal', aliased, { eps: 1e-4 });
    expect(o).toEqual({ epsilon: 1e-4, logEpsilon: null });
    expect('eps' in o).toBe(false);
    expect(resolveOptions<Record<string, unknown>>('focal', aliased, { epsilon: 1e-3 }).epsilon).toBe(1e-3);
  });

  it('rejects the name and an alias given together, naming both', () => {
    expectThrows(
      () => resolveOptions('focal', aliased, { epsilon: 1e-3, eps: 1e-4 }),
      /^focal:/,
      /'epsilon'/,
      /'eps'/,
      /give one/,
    );
  });

  it('checks a value given under an alias as the option, naming the key it came as', () => {
    expectThrows(
      () => resolveOptions('focal', aliased, { eps: 0.7 }),
      /option 'epsilon' \(given as 'eps'\) must be/,
    );
  });

  it('ignores an alias set to undefined, as it does the name', () => {
    expect(
      resolveOptions<Record<string, unknown>>('focal', aliased, { epsilon: 0.1, eps: undefined }).epsilon,
    ).toBe(0.1);
  });

  it('suggests names and aliases for an unknown key', () => {
    expectThrows(() => resolveOptions('focal', aliased, { epss: 1 }), /unknown option 'epss'/, /'eps'/);
    expectThrows(() => resolveOptions('focal', aliased, { logEps: 1 }), /'logEpsilon'/);
  });

  it('merges a preset under explicit options, counting a key given by alias as given', () => {
    const params: ParamInfo[] = [
      ...aliased,
      { name: 'smooth', type: 'number', default: 1, doc: '' },
      { name: 'preset', type: ['enum', 'null'], values: ['a'], default: null, doc: '' },
    ];
    const presets = { a: { smooth: 0, epsilon: 0.25, other: 3 } };
    expect(applyPresets(params, { preset: 'A', eps: 0.1 }, presets)).toEqual({
      smooth: 0,
      preset: 'A',
      eps: 0.1,
    });
    expect(applyPresets(params, { smooth: 2 }, presets)).toEqual({ smooth: 2 });
  });
});
