/**
 * Issue #15's table, end to end through `runCli`: each bad input gives exit 2 and one line naming the file and
 * the problem (the library and io.ts tests cover the details); and stdout of the built binary carries no tfjs
 * banner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { niftiBytes, writeNifti } from './fixtures.ts';
import { expectUsageError, runInProcess } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'losskit-bad-input-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

const mask = [0, 1, 1, 0, 0, 1, 0, 0];
writeNifti(file('gt.nii'), { shape: [2, 2, 2], data: mask, datatype: 2 });
const neg = niftiBytes({ shape: [2, 2, 2], data: mask, datatype: 2 });
neg.writeInt16LE(-8, 42);
writeFileSync(file('negdims.nii'), neg);
writeNifti(file('nan.nii'), {
  shape: [2, 2, 2],
  data: mask.map((v, i) => (i === 5 ? NaN : v)),
  datatype: 16,
});
writeFileSync(
  file('inf.json'),
  JSON.stringify([
    [0, 1],
    [1, 1e39],
  ]),
);
writeFileSync(
  file('gt.json'),
  JSON.stringify([
    [0, 1],
    [1, 0],
  ]),
);

describe('bad input through the command line (issue #15)', () => {
  it('a NIfTI header with a negative dimension: exit 2 naming the file and the field', async () => {
    const r = await runInProcess('eval', 'dice', '--true', file('negdims.nii'), '--pred', file('gt.nii'));
    expectUsageError(r, /negdims\.nii: invalid NIfTI header: dim\[1\] = -8/);
  });

  it('a NaN or infinite voxel in an input file: exit 2 naming the file and the first offending voxel', async () => {
    const nan = await runInProcess(
      'eval',
      'hausdorff_distance',
      '--true',
      file('gt.nii'),
      '--pred',
      file('nan.nii'),
    );
    expectUsageError(nan, /nan\.nii: voxel \[1,0,1\] \(flat index 5\) is NaN/);
    const inf = await runInProcess('eval', 'dice', '--true', file('inf.json'), '--pred', file('gt.json'));
    expectUsageError(inf, /inf\.json: element \[1,1\] \(flat index 3\) is Infinity/);
  });

  it("--spacing or an option beyond float32's range: exit 2", async () => {
    const evalOn = (name: string, f: string, ...more: string[]) =>
      runInProcess('eval', name, '--true', file(f), '--pred', file(f), ...more);
    const spacing = await evalOn('hausdorff_distance', 'gt.nii', '--spacing', '1e308,1,1');
    expectUsageError(spacing, /spacing/, /float32/);
    const smooth = await evalOn('dice', 'gt.json', '--options', '{"smoothNr": 1e308}');
    expectUsageError(smooth, /smoothNr/, /float32/);
  });

  it('a metric given to compare as a loss: exit 2 naming the loss to use', async () => {
    expectUsageError(
      await runInProcess('compare', '--losses', 'dice_coefficient'),
      /--losses: getLoss: 'dice_coefficient' is the metric diceCoefficient/,
      /use the loss 'dice'/,
    );
  });

  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  it.skipIf(!existsSync(main))(
    'the built binary prints no tfjs banner on stdout (list, explain, eval)',
    () => {
      for (const args of [
        ['list', '--json'],
        ['explain', 'dice', '--json'],
        ['eval', 'dice', '--true', file('gt.json'), '--pred', file('gt.json'), '--json'],
      ]) {
        const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).not.toMatch(/looks like you are running TensorFlow\.js/);
        expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
        expect(r.stderr).not.toMatch(/looks like you are running TensorFlow\.js/);
      }
    },
  );
});
