import { describe, expect, it } from 'vitest';
import { lineChart, renderReport } from './report.ts';
import type { CompareOutcome, RunResult } from './run.ts';

function run(label: string, level: string, dice: number): RunResult {
  return {
    loss: label,
    label,
    options: {},
    level,
    metrics: {
      dice,
      iou: dice / (2 - dice),
      sensitivity: 0.8,
      specificity: 0.99,
      precision: 0.7,
      hd95: 2.5,
      hd95Undefined: 1,
    },
    seconds: 1.25,
    curve: { epoch: [1, 2, 3], trainLoss: [0.9, 0.5, 0.4], testDice: [0.1, 0.5, dice] },
    diverged: false,
  };
}

describe('lineChart', () => {
  it('draws one polyline per series and a legend entry, clipped to the y range', () => {
    const svg = lineChart(
      't',
      [
        { label: 'a<b', x: [1, 2], y: [0, 1] },
        { label: 'c', x: [1, 2], y: [NaN, 2] },
      ],
      'y',
      [0, 1],
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('a&lt;b');
  });
});

describe('renderReport', () => {
  it('prints an undefined HD95 as "-", as the CLI table does, never NaN', () => {
    const undef = run('dice', 'fg 5%', 0.75);
    const r: RunResult = { ...undef, metrics: { ...undef.metrics, hd95: NaN, hd95Undefined: 4 } };
    const outcome: CompareOutcome = {
      parameters: 1,
      levels: [
        { label: 'fg 5%', description: 's', trainForeground: 0.05, testForeground: 0.05, train: 8, test: 4 },
      ],
      runs: [r],
      examples: [],
    };
    const html = renderReport(outcome, {
      title: 'T',
      dataset: 'lesions',
      config: {},
      totalSeconds: 1,
      command: 'losskit compare',
    });
    expect(html).toContain('<td>-</td><td>4</td>');
    expect(html).not.toMatch(/>NaN</);
  });

  it('is a self-contained page with the leaderboard, metrics, curves and example images', () => {
    const size = 4;
    const outcome: CompareOutcome = {
      parameters: 123,
      levels: [
        {
          label: 'fg 5%',
          description: 'synthetic',
          trainForeground: 0.05,
          testForeground: 0.05,
          train: 8,
          test: 4,
        },
      ],
      runs: [run('dice', 'fg 5%', 0.75), run('focal', 'fg 5%', 0.5)],
      examples: [
        {
          level: 'fg 5%',
          size,
          images: [new Float32Array(16).map((_, i) => i)],
          masks: [new Float32Array(16).map((_, i) => (i < 4 ? 1 : 0))],
          predictions: {
            dice: [new Float32Array(16).map((_, i) => (i < 6 ? 0.9 : 0.1))],
            focal: [new Float32Array(16).fill(0.2)],
          },
        },
      ],
    };
    const html = renderReport(outcome, {
      title: 'T',
      dataset: 'lesions',
      config: { epochs: 3 },
      totalSeconds: 9,
      command: 'losskit compare',
    });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<td class="best">0.750 ★</td>');
    expect(html).toContain('<td class="">0.500</td>');
    expect(html.match(/<svg/g)).toHaveLength(2);
    // image + truth + two predictions
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|<link|(src|href)="https?:/);
  });
});
