// DeeperThings: several fused blocks, one per stage of the network (layers.ts stageCuts), each split
// equally over all devices; the tail on the fastest device.
import { createSimulator } from '../sim/simulate.js'
import { cutHeight, stageCuts } from '../sim/layers.js'
import { allTo, buildPlan, fastestDevice, splittable, wholeModelTimes } from './plan-build.js'
import { equalBoundaries } from './row-split.js'
import type { Planner } from './types.js'

/** The DeeperThings baseline. */
export function deeperthings (): Planner {
  return {
    name: 'deeperthings',
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const graph = scenario.graph
      const times = wholeModelTimes(createSimulator(scenario))
      const fastest = fastestDevice(times)
      const cuts = stageCuts(graph)
      const boundaries = cuts.slice(1).map((out, i) => {
        const h = cutHeight(graph, out)
        return splittable(scenario, cuts[i], out) ? equalBoundaries(h, times.length) : allTo(fastest, times.length, h)
      })
      return buildPlan(scenario, 'deeperthings', cuts, boundaries, scenario.devices[fastest].id)
    }
  }
}
