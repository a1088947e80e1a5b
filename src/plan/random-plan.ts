// Random valid plans, for exactness checks: random cuts among the valid cut points, random row
// splits over the devices (empty parts included), unsplittable volumes on one device, a random tail.
import { cutPoints } from '../graph/cuts.js'
import { unsplittableReason } from '../graph/regions.js'
import type { Graph } from '../graph/types.js'
import type { DeviceId, Plan, PlanPart, PlanVolume } from './types.js'

export interface RandomPlanOptions {
  devices: readonly DeviceId[]
  /** Most volumes a plan gets (default 6). */
  maxVolumes?: number
}

/** A uniform integer in [lo, hi] from a uniform [0, 1) source. */
function int (random: () => number, lo: number, hi: number): number {
  return lo + Math.min(hi - lo, Math.floor(random() * (hi - lo + 1)))
}

/** Distinct sorted picks of `count` values from [lo, hi]. */
function pick (random: () => number, lo: number, hi: number, count: number): number[] {
  const pool = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
  for (let i = 0; i < count; i++) {
    const j = int(random, i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j], pool[i]]
  }
  return pool.slice(0, count).sort((a, b) => a - b)
}

/** A random plan that passes validatePlan; `random` gives uniform numbers in [0, 1). */
export function randomPlan (graph: Graph, random: () => number, options: RandomPlanOptions): Plan {
  const devices = options.devices
  if (devices.length === 0) throw new RangeError('a plan needs at least one device')
  const cuts = cutPoints(graph)
  const volumes: PlanVolume[] = []
  if (cuts.length >= 2) {
    // half the plans run the whole spatial prefix in volumes, the others hand a longer tail over
    const end = random() < 0.5 ? cuts.length - 1 : int(random, 1, cuts.length - 1)
    const count = int(random, 1, Math.min(options.maxVolumes ?? 6, end))
    const inner = pick(random, 1, end - 1, count - 1)
    const bounds = [0, ...inner, end]
    for (let i = 0; i + 1 < bounds.length; i++) {
      const volume = { input: cuts[bounds[i]], output: cuts[bounds[i + 1]] }
      const shape = graph.shapes.get(volume.output)!
      const H = shape[graph.layout.get(volume.output)!.h]
      let parts: PlanPart[]
      if (unsplittableReason(graph, volume) != null) {
        const owner = int(random, 0, devices.length - 1)
        parts = devices.map((device, k) => ({ device, rows: k === owner ? [0, H] : [k < owner ? 0 : H, k < owner ? 0 : H] }))
      } else {
        const cutsAt = Array.from({ length: devices.length - 1 }, () => int(random, 0, H)).sort((a, b) => a - b)
        const edges = [0, ...cutsAt, H]
        parts = devices.map((device, k) => ({ device, rows: [edges[k], edges[k + 1]] }))
      }
      volumes.push({ ...volume, parts })
    }
  }
  return {
    planner: 'random',
    model: { name: graph.name, sha256: graph.sha256, inputShape: [...graph.inputShape] },
    volumes,
    tail: { device: devices[int(random, 0, devices.length - 1)] }
  }
}
