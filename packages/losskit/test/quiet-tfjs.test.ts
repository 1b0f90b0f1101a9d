import { describe, expect, it, vi } from 'vitest';
import { TFJS_NODE_BANNER, withoutTfjsBanner } from './quiet-tfjs.ts';

describe('the test setup that silences the tfjs Node banner', () => {
  it('drops exactly the banner (as tfjs-backend-cpu prints it) and passes every other warning', () => {
    const warn = vi.fn();
    const quiet = withoutTfjsBanner(warn);
    quiet(`\n============================\n${TFJS_NODE_BANNER}. To speed things up dramatically, install …`);
    expect(warn).not.toHaveBeenCalled();
    quiet('losskit: something else', 1);
    expect(warn).toHaveBeenCalledWith('losskit: something else', 1);
  });

  it('matches the banner text tfjs-backend-cpu prints', async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const src = readFileSync(require.resolve('@tensorflow/tfjs-backend-cpu/dist/backend_cpu.js'), 'utf8');
    expect(src.replace(/'\s*\+\s*'/g, '')).toContain(TFJS_NODE_BANNER);
  });
});
