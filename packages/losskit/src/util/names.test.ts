import { describe, expect, it } from 'vitest';
import { closestNames, matchEnum, NameTable, normalizeName } from './names.ts';
import { expectThrows } from '../../test/helpers/assert.ts';

describe('normalizeName', () => {
  it('ignores case, underscores, hyphens and spaces', () => {
    for (const s of [
      'mean_squared_error',
      'MeanSquaredError',
      'mean-squared-error',
      'mean squared error',
      'MEAN_SQUARED_ERROR',
    ]) {
      expect(normalizeName(s)).toBe('meansquarederror');
    }
  });
});

describe('matchEnum', () => {
  const values = ['sum_over_batch_size', 'sum', 'none'];
  it('returns the canonical spelling for any spelling', () => {
    expect(matchEnum('sumOverBatchSize', values)).toBe('sum_over_batch_size');
    expect(matchEnum('SUM_OVER_BATCH_SIZE', values)).toBe('sum_over_batch_size');
    expect(matchEnum('None', values)).toBe('none');
  });
  it('returns undefined for an unknown value', () => {
    expect(matchEnum('average', values)).toBeUndefined();
  });
});

describe('closestNames', () => {
  const known = [
    'meanSquaredError',
    'meanAbsoluteError',
    'huber',
    'hinge',
    'dice',
    'tversky',
    'focalTversky',
  ];
  it('suggests the nearest spellings first', () => {
    expect(closestNames('mean_sqared_error', known)[0]).toBe('meanSquaredError');
    expect(closestNames('tversk', known)).toContain('tversky');
    expect(closestNames('hubr', known)[0]).toBe('huber');
  });
  it('suggests nothing for a name far from every known one', () => {
    expect(closestNames('zzzzzzzzzzzzzzzz', known)).toEqual([]);
  });
});

describe('NameTable', () => {
  it('resolves every registered spelling and rejects a clash', () => {
    const t = new NameTable<number>();
    t.add(['meanSquaredError', 'mse'], 1);
    expect(t.get('MSE')).toBe(1);
    expect(t.get('mean_squared_error')).toBe(1);
    expect(() => {
      t.add(['mse'], 2);
    }).toThrow(/registered twice/);
  });
  it('names the closest known names for an unknown one', () => {
    const t = new NameTable<number>();
    t.add(['huber'], 1);
    t.add(['hinge'], 2);
    expectThrows(() => t.require('hubber', 'loss'), /Unknown loss 'hubber'/, /'huber'/);
  });
});
