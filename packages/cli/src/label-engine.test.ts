import { describe, expect, it } from 'vitest';
import { balance } from './label-engine.ts';

describe('balance (the two-thread split of the labels)', () => {
  it('gives each label, largest first, to the lighter side', () => {
    // By hand: 5 → A; 4 → B; 3 → B (4 < 5); 2 → A (5 < 7); 1 → A (a tie, 7 and 7, goes to A).
    expect(balance([5, 1, 4, 2, 3])).toEqual([
      [0, 3, 1],
      [2, 4],
    ]);
    // With 6 units of work on A already: 5 → B; 4 → B (5 < 6); 3 → A (6 < 9); 2 → A (9 ≤ 9); 1 → B (11 > 9).
    expect(balance([5, 1, 4, 2, 3], 6)).toEqual([
      [4, 3],
      [0, 2, 1],
    ]);
  });

  it('places every label exactly once', () => {
    const sizes = Array.from({ length: 50 }, (_, k) => (k * 37) % 11);
    const [a, b] = balance(sizes);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(sizes.map((_, k) => k));
  });
});
