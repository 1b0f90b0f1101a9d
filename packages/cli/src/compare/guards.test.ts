import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUsageError, runInProcess } from '../../test/run-cli.ts';
import { UsageError } from '../errors.ts';
import { checkMemory, estimateMemory, LIMITS, prepareOutDir } from './guards.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-guards-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A tiny run that would train for a second or two if it got that far. */
const TINY = ['compare', '--losses', 'dice', '--fg', '0.3', '--epochs', '1', '--size', '8', '--train', '2'];
const TINY_REST = [
  '--test',
  '1',
  '--batch-size',
  '2',
  '--filters',
  '2',
  '--backend',
  'cpu',
  '--jobs',
  '1',
  '--quiet',
];

describe('compare: checks before any work', () => {
  it.each([
    ['--size', '100000', /--size <n>.*'100000' is invalid.*integer in \[8, 1024\]/],
    ['--size', '16384', /integer in \[8, 1024\]/],
    ['--filters', '100000', /--filters <n>.*integer in \[1, 256\]/],
    ['--batch-size', '0', /integer in \[1, 4096\]/],
    ['--epochs', '1e9', /integer in \[1, 10000\]/],
    ['--lr', '1e308', /number in \(0, 10\]/],
    ['--seed', '1e300', /integer in \[0, 4294967295\]/],
  ])('%s %s: exit 2 with the allowed range', async (flag, value, pattern) => {
    const t0 = performance.now();
    const r = await runInProcess('compare', flag, value, '--out', join(dir, 'never'));
    expectUsageError(r, pattern);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('--size must be a multiple of 4', async () => {
    expectUsageError(
      await runInProcess('compare', '--size', '10'),
      /--size: 10 must be a multiple of 4 in \[8, 1024\]/,
    );
  });

  it('--fg: the example in the error is a list of fractions', async () => {
    expectUsageError(
      await runInProcess('compare', '--fg', '0.3,x'),
      /--fg: 'x' is not a fraction in \(0, 1\); expected e\.g\. 0\.3,0\.05,0\.01$/,
    );
    expectUsageError(await runInProcess('compare', '--fg', '1.5'), /--fg: '1\.5' is not a fraction/);
    expectUsageError(await runInProcess('compare', '--fg', '0.3,,0.1'), /--fg: '' is not a fraction/);
  });

  it('--out below a file, or under /proc: exit 2 before training, and quickly', async () => {
    writeFileSync(join(dir, 'gt.png'), 'x');
    for (const out of [join(dir, 'gt.png', 'sub'), '/proc/x/y']) {
      const t0 = performance.now();
      const r = await runInProcess(...TINY, ...TINY_REST, '--out', out);
      expectUsageError(r, /cannot write the report/, /--out or use --no-report/);
      expect(r.err).not.toMatch(/epoch|Dice/);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
  });

  it('a run that fails after the report folder was made removes the folder', async () => {
    const out = join(dir, 'a', 'b');
    const r = await runInProcess(...TINY, ...TINY_REST, '--dataset', join(dir, 'no-such-set'), '--out', out);
    expectUsageError(r, /no-such-set/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });
});

describe('compare: the memory estimate', () => {
  const gib = 2 ** 30;
  const machine = { total: 8 * gib, free: 4 * gib };

  it('is small for the default run and grows with size², filters, batch size and jobs', () => {
    const base = { size: 32, filters: 8, batchSize: 8, jobs: 2, images: 3 * 96 };
    const e = estimateMemory(base);
    expect(e.total).toBeLessThan(100 * 2 ** 20);
    expect(checkMemory(e, machine, 'compare')).toBeUndefined();
    expect(estimateMemory({ ...base, size: 64 }).perRun).toBeGreaterThan(3.5 * e.perRun);
    expect(estimateMemory({ ...base, jobs: 4 }).total).toBeGreaterThan(e.total);
  });

  it('refuses what exceeds 3/4 of the machine, and notes what exceeds the free memory', () => {
    const huge = estimateMemory({ size: 1024, filters: 256, batchSize: 64, jobs: 2, images: 0 });
    expect(() => checkMemory(huge, machine, 'compare at --size 1024')).toThrow(UsageError);
    expect(() => checkMemory(huge, machine, 'compare at --size 1024')).toThrow(
      /compare at --size 1024 needs about .* GB of memory \(estimated\), more than 3\/4 of this machine's 8\.0 GB; lower --size/,
    );
    const mid = estimateMemory({ size: 256, filters: 16, batchSize: 32, jobs: 1, images: 0 });
    expect(mid.total).toBeGreaterThan(machine.free);
    expect(mid.total).toBeLessThan(0.75 * machine.total);
    expect(checkMemory(mid, machine, 'compare')).toMatch(/free now/);
  });

  it('stops the largest allowed options on this machine before training', async () => {
    const r = await runInProcess(
      'compare',
      '--size',
      String(LIMITS.size[1]),
      '--filters',
      '256',
      '--batch-size',
      '4096',
    );
    expectUsageError(r, /needs about .* GB of memory \(estimated\)/);
  });
});

describe('prepareOutDir', () => {
  it('creates missing levels, checks a file can be written, and discards only what it created', () => {
    const out = prepareOutDir(join(dir, 'p', 'q'));
    expect(existsSync(join(dir, 'p', 'q'))).toBe(true);
    out.discard();
    expect(existsSync(join(dir, 'p'))).toBe(false);
    const kept = prepareOutDir(dir);
    kept.discard();
    expect(existsSync(dir)).toBe(true);
  });
});
