/**
 * The tfjs-free metric entries against the tensor metrics and the catalog: the same objects, the same name rule,
 * the same resolved options and the same errors.
 */
import { describe, expect, it } from 'vitest';
import { findCatalogEntries, getMetric, listLosses, listMetrics } from '../catalog/catalog.ts';
import { snakeName } from '../util/names.ts';
import { allMetrics } from './index.ts';
import { metricInfo, metricInfos, resolveMetricOptions } from './info.ts';

/** What `fn()` returns or the message it throws, so that two calls can be compared whichever way they end. */
function outcome(fn: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const spellings = (info: { id: string; aliases: readonly string[] }) => [
  info.id,
  snakeName(info.id),
  ...info.aliases,
  info.id.toUpperCase(),
  `${snakeName(info.id)}_loss`,
  `${info.id}-Loss`,
];

describe('metricInfo and metricInfos', () => {
  it('hand out the tensor metrics’ own entries', () => {
    expect(allMetrics.length).toBe(9);
    for (const m of allMetrics) expect(metricInfo(m.info.id)).toBe(m.info);
    const listed = listMetrics();
    expect(metricInfos()).toHaveLength(listed.length);
    metricInfos().forEach((info, i) => {
      expect(info).toBe(listed[i]);
    });
    expect(Object.isFrozen(metricInfos()[0])).toBe(true);
  });

  it('find the metric getMetric finds, by every spelling, and nothing where getMetric throws', () => {
    const names = [
      ...allMetrics.flatMap((m) => spellings(m.info)),
      ...listLosses().flatMap((l) => [l.id, snakeName(l.id), ...l.aliases]),
      'iou_loss',
      'hd95',
      'nosuch',
      '',
    ];
    for (const name of names) {
      const bound = outcome(() => getMetric(name).id);
      expect(metricInfo(name)?.id, name).toBe('value' in bound ? bound.value : undefined);
    }
  });

  it('with lossSuffix: false, find a metric only by the name as given (the catalog’s first key)', () => {
    expect(metricInfo('iou_loss')?.id).toBe('iou');
    expect(metricInfo('iou_loss', { lossSuffix: false })).toBeUndefined();
    expect(findCatalogEntries('iou_loss').metric).toBeUndefined();
    for (const m of allMetrics)
      for (const name of spellings(m.info).slice(0, -2))
        expect(metricInfo(name, { lossSuffix: false }), name).toBe(m.info);
  });
});

describe('resolveMetricOptions', () => {
  const OPTIONS: readonly unknown[] = [
    undefined,
    {},
    { preset: 'jadon' },
    { preset: 'Jadon', smoothNr: 0.5 },
    { preset: 'smp' },
    { preset: 'keras', threshold: 0.5 },
    { preset: 'monai' },
    { preset: 'yeung', reduceBatch: true },
    { preset: null },
    { preset: 'nope' },
    { threshold: 0.5 },
    { threshold: 2 },
    { smoothNr: -1 },
    { smoothDr: 1e308 },
    { alpha: 0.5, beta: 0.5 },
    { activation: 'Sigmoid', reduction: 'NONE' },
    { classWeights: [1, 2] },
    { squaredPred: true },
    { eps: 1e-3 },
    { percentile: 95 },
    { percentile: 101 },
    { percentile: 95, directed: true, convention: 'MedPy' },
    { symmetric: true, convention: 'medpy_0.4' },
    { tolerance: [1, 2] },
    { tolerance: -1 },
    { spacing: [1, 2.5] },
    { spacing: [0, 1] },
    { includeBackground: 'yes' },
    { percentile: undefined },
    null,
    'percentile=95',
  ];

  it.each(allMetrics.map((m) => [m.info.id, m.info] as const))(
    '%s: the options getMetric binds, or its error, for every name spelling',
    (_id, info) => {
      for (const name of spellings(info))
        for (const options of OPTIONS) {
          const given = options as Record<string, unknown> | undefined;
          const expected = outcome(() => getMetric(name, given).options);
          const actual = outcome(() => resolveMetricOptions(name, given));
          expect(actual, `${name} ${JSON.stringify(options)}`).toEqual(expected);
          if ('value' in actual) expect(Object.isFrozen(actual.value)).toBe(true);
        }
    },
  );

  it('applies a metric’s own preset row (diceCoefficient’s jadon smoothing)', () => {
    expect(resolveMetricOptions('dice_coefficient', { preset: 'jadon' })).toMatchObject({
      reduceBatch: true,
      reduceChannels: true,
      smoothNr: 1e-7,
      smoothDr: 1e-7,
    });
    expect(resolveMetricOptions('iou', { preset: 'jadon' })).toMatchObject({ smoothNr: 1, smoothDr: 1 });
  });

  it('throws getMetric’s error for an unknown name, and names no loss', () => {
    expect(() => resolveMetricOptions('nosuch')).toThrow(
      (outcome(() => getMetric('nosuch')) as { error: string }).error,
    );
    expect(() => resolveMetricOptions('dice')).toThrow(/^Unknown metric 'dice'\. Did you mean /);
    expect(() => resolveMetricOptions(3 as unknown as string)).toThrow(
      'resolveMetricOptions: name must be a string, got number',
    );
  });
});
