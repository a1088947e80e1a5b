// Summaries of measured values (latencies, CPU times): one definition of each for the whole project.

/** The median (the mean of the two middle values for an even count). */
export function median (xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('the median of no values')
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** The p-th percentile by the nearest-rank rule: the smallest value with at least p% of the values at or below it. */
export function percentile (xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new RangeError('a percentile of no values')
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`)
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.ceil((p / 100) * s.length) - 1]
}

/** |measured - predicted| / measured. */
export function predictionError (predictedMs: number, measuredMs: number): number {
  return Math.abs(measuredMs - predictedMs) / measuredMs
}
