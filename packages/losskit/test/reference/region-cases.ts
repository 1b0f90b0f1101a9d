/**
 * Edge-case inputs for the region losses and metrics (plain data, no tfjs): each a binary `[2, 3, 3, 1]` pair.
 * Every region loss must give a finite value and a finite gradient on each (segmentation-region.md §1.4).
 */
import { mulberry32 } from '../../src/util/random.ts';

export interface RegionCase {
  readonly name: string;
  readonly yTrue: readonly number[];
  readonly yPred: readonly number[];
  readonly shape: readonly number[];
}

const SHAPE = [2, 3, 3, 1] as const;
const N = 18;
const fill = (v: number) => Array.from({ length: N }, () => v);
const mask = [0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const soft = [
  0.1, 0.8, 0.6, 0.3, 0.7, 0.2, 0.05, 0.4, 0.15, 0.9, 0.75, 0.55, 0.25, 0.35, 0.1, 0.2, 0.3, 0.45,
];

export const REGION_EDGE_CASES: readonly RegionCase[] = [
  { name: 'empty ground truth', yTrue: fill(0), yPred: soft, shape: SHAPE },
  { name: 'empty prediction (p = 0)', yTrue: mask, yPred: fill(0), shape: SHAPE },
  { name: 'empty ground truth and empty prediction', yTrue: fill(0), yPred: fill(0), shape: SHAPE },
  { name: 'all foreground', yTrue: fill(1), yPred: soft, shape: SHAPE },
  { name: 'all foreground, p = 1', yTrue: fill(1), yPred: fill(1), shape: SHAPE },
  {
    name: 'single foreground pixel',
    yTrue: mask.map((_, i) => (i === 4 ? 1 : 0)),
    yPred: soft,
    shape: SHAPE,
  },
  {
    name: 'p exactly 0 and 1',
    yTrue: mask,
    yPred: mask.map((m, i) => (i % 3 === 0 ? 1 - m : m)),
    shape: SHAPE,
  },
  { name: 'perfect prediction', yTrue: mask, yPred: mask, shape: SHAPE },
];

/** A deterministic random input: probabilities in [0.05, 0.95] and ~40 % foreground masks (or labels in [0, C)). */
export function randomRegionCase(
  seed: number,
  shape: readonly number[],
  sparse = false,
): { yTrue: number[]; yPred: number[] } {
  const r = mulberry32(seed);
  const n = shape.reduce((s, d) => s * d, 1);
  const C = shape[shape.length - 1];
  const yPred = Array.from({ length: n }, () => 0.05 + 0.9 * r());
  const yTrue = sparse
    ? Array.from({ length: n / C }, () => Math.floor(r() * C))
    : Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
  return { yTrue, yPred };
}
