// Turning shares into row boundaries 0 = x_0 <= x_1 <= ... <= x_|D| = H (providers in scenario order).

/** Boundaries giving device i a share of `height` in proportion to weights[i] (cumulative rounding). */
export function proportionalBoundaries (height: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0)
  if (!(total > 0)) throw new Error('proportional split needs a positive total weight')
  const b = [0]
  let acc = 0
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]
    b.push(i === weights.length - 1 ? height : Math.round(height * acc / total))
  }
  return b
}

/** Equal shares (the first devices take what rounding leaves over). */
export function equalBoundaries (height: number, devices: number): number[] {
  return proportionalBoundaries(height, new Array<number>(devices).fill(1))
}

/**
 * Rows per device minimising the largest cost, for costs nondecreasing in rows with cost(0) = 0: hands out
 * one row at a time to the device whose cost after taking it is lowest. Exact for this min-max problem:
 * were the result worse than an optimum T*, at its last step every device would already hold at least the
 * rows it can take within T*, and those add up to H.
 */
export function minMaxRows (height: number, cost: ReadonlyArray<(rows: number) => number>): number[] {
  const rows = new Array<number>(cost.length).fill(0)
  const next = cost.map((f) => f(1))
  for (let r = 0; r < height; r++) {
    let best = 0
    for (let d = 1; d < cost.length; d++) if (next[d] < next[best]) best = d
    rows[best]++
    next[best] = cost[best](rows[best] + 1)
  }
  return rows
}

/** Boundaries from per-device row counts. */
export function countsToBoundaries (rows: readonly number[]): number[] {
  const b = [0]
  for (const r of rows) b.push(b[b.length - 1] + r)
  return b
}
