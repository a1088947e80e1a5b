// OSDS's action -> split: the actor's |D|-1 outputs are sorted, then each becomes a row boundary
// x = round(H * (a - A) / (B - A)), [A, B] being the range of the actor's output.

/** The range [A, B] the actor's outputs are kept in (ddpg.ts: inverting gradients). */
export const ACTION_RANGE: readonly [number, number] = [-1, 1]

/**
 * Row boundaries 0 = x_0 <= x_1 <= ... <= x_|D| = height for a raw action of |D|-1 values.
 * Values outside [A, B] are clipped; the input is not modified.
 */
export function actionToBoundaries (action: ArrayLike<number>, height: number, range: readonly [number, number] = ACTION_RANGE): number[] {
  const [lo, hi] = range
  const sorted = Array.from(action, a => Math.min(hi, Math.max(lo, a))).sort((x, y) => x - y)
  const boundaries = [0]
  for (const a of sorted) boundaries.push(Math.round(height * (a - lo) / (hi - lo)))
  boundaries.push(height)
  return boundaries
}

/** A raw action (sorted, in [A, B]) whose mapping gives these boundaries: the inverse of actionToBoundaries. */
export function boundariesToAction (boundaries: readonly number[], range: readonly [number, number] = ACTION_RANGE): number[] {
  const [lo, hi] = range
  const height = boundaries[boundaries.length - 1]
  return boundaries.slice(1, -1).map(x => lo + (hi - lo) * (height === 0 ? 0 : x / height))
}
