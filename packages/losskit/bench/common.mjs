// Helpers shared by the benchmarks: the deterministic inputs of ../shared/bench/README.md, medians, and writing one
// section of RESULTS.md without touching the others (each benchmark owns one section).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** lowbias32 (../shared/bench/README.md): the same bits in any language, so PyTorch and scipy see our inputs. */
export function lowbias32(x) {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform `u_s(i)` in [0, 1) with 24 bits, exact in float32. */
export const u = (s, i) => (lowbias32(4 * i + s) >>> 8) / 2 ** 24;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Replaces, in `file`, the section that starts with the line `heading` (up to the next heading of level 1 or 2), or
 * appends it when absent: another benchmark's section, or prose written by hand under its own heading, survives.
 */
export function writeSection(file, heading, section) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const body = section.replace(/\n*$/, '\n');
  const start = old.search(new RegExp(`^${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  if (start < 0) {
    writeFileSync(file, old.trim() ? `${old.replace(/\n*$/, '')}\n\n${body}` : body);
    return;
  }
  const from = old.indexOf('\n', start) + 1 || old.length;
  const next = old.slice(from).search(/^#{1,2} /m);
  const end = next < 0 ? old.length : from + next;
  writeFileSync(file, `${old.slice(0, start)}${body}${end < old.length ? `\n${old.slice(end)}` : ''}`);
}
