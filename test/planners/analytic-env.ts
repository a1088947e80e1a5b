// A small analytic latency model for testing the learning machinery without the simulator: devices with a speed,
// links with a bandwidth, volumes whose parts need a one-row halo from the previous volume's parts.
import type { SplitEnvironment, SplitEpisode, VolumeFeatures } from '../../src/planners/distredge/environment.js'

export interface AnalyticInit {
  /** Rows per ms of each device for a volume of unit cost. */
  speeds: number[]
  /** Bytes per ms between devices (Infinity = free); from the requester to each device in `requesterLinks`. */
  link: (from: number, to: number) => number
  requesterLinks: number[]
  /** Per volume: height, cost per row, bytes per row of its output. */
  volumes: Array<{ height: number, cost: number, rowBytes: number }>
}

export function analyticEnvironment (init: AnalyticInit): SplitEnvironment & { steps: number } {
  const d = init.speeds.length
  const volumes: VolumeFeatures[] = init.volumes.map(v => ({ height: v.height, channels: v.rowBytes, filter: 3, stride: 1 }))
  const env = {
    deviceCount: d,
    volumes,
    steps: 0,
    episode (): SplitEpisode {
      let finish = new Float64Array(d)
      let previous: number[] | undefined
      let l = 0
      return {
        step (b: readonly number[]): Float64Array {
          env.steps++
          const v = init.volumes[l]
          const next = new Float64Array(finish)
          for (let k = 0; k < d; k++) {
            const rows = b[k + 1] - b[k]
            if (rows === 0) continue
            let ready = 0
            if (previous === undefined) {
              ready = rows * v.rowBytes / init.requesterLinks[k]
            } else {
              const lo = Math.max(0, b[k] - 1)
              const hi = Math.min(v.height, b[k + 1] + 1)
              for (let j = 0; j < d; j++) {
                const overlap = Math.max(0, Math.min(hi, previous[j + 1]) - Math.max(lo, previous[j]))
                if (overlap === 0) continue
                const transfer = j === k ? 0 : overlap * init.volumes[l - 1].rowBytes / init.link(j, k)
                ready = Math.max(ready, finish[j] + transfer)
              }
            }
            next[k] = Math.max(ready, finish[k]) + rows * v.cost / init.speeds[k]
          }
          finish = next
          previous = [...b]
          l++
          return finish
        },
        latency (): number {
          return Math.max(...finish)
        }
      }
    }
  }
  return env
}
