// Helpers shared by the multi-channel region kernels (region-multi.ts, region-gather.ts).

/** The sum of v's four lanes, in every lane. */
@inline export function hsumSplat(v: v128): v128 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2));
}

/** Adds the four float32 lanes of v to the float64 slots TAB[o..o+3]. */
@inline export function addLanes(TAB: usize, o: i32, v: v128): void {
  const a = TAB + (<usize>o << 3);
  v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
  v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))));
}
