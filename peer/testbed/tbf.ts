// Token-bucket (tc tbf) settings for a link cap. The bucket is kept small (about 2 ms of traffic at
// the rate) so a message pays its size / rate as the simulator assumes, rather than passing a large
// first burst at the veth's own speed; the queue holds about 50 ms so TCP fills the link without
// drowning the control traffic that shares it.

/** Smallest bucket: one full-size frame plus headroom, so the rate is reachable at any timer tick. */
const MIN_BURST_BYTES = 4 * 1514
/** Smallest queue, bytes. */
const MIN_LIMIT_BYTES = 64 * 1024

export interface TbfSettings {
  /** Rate in bit/s. */
  rateBps: number
  burstBytes: number
  limitBytes: number
}

/** tbf settings for a cap of `mbps` (1 Mbps = 1e6 bit/s, as in scenario files). */
export function tbfSettings (mbps: number): TbfSettings {
  if (!(Number.isFinite(mbps) && mbps > 0)) throw new RangeError(`a link cap must be a positive number of Mbps, got ${mbps}`)
  const rateBps = Math.round(mbps * 1e6)
  const bytesPerMs = rateBps / 8 / 1000
  return {
    rateBps,
    burstBytes: Math.max(MIN_BURST_BYTES, Math.ceil(2 * bytesPerMs)),
    limitBytes: Math.max(MIN_LIMIT_BYTES, Math.ceil(50 * bytesPerMs))
  }
}

/** `tc qdisc replace dev DEV root tbf ...` arguments for a cap of `mbps`. */
export function tbfArgs (dev: string, mbps: number): string[] {
  const s = tbfSettings(mbps)
  return ['qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${s.rateBps}bit`, 'burst', `${s.burstBytes}`, 'limit', `${s.limitBytes}`]
}
