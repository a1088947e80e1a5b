// MoDNN: layer by layer (every layer its own volume), rows in proportion to a linear model of device speed:
// speed_d = 1 / T_d, T_d the whole model on device d by its profile. MeDNN's adaptive split for heterogeneous
// devices is this same rule (DistrEdge describes the two alike), so `mednn` is this planner under another name.
import { createSimulator } from '../sim/simulate.js'
import { cutHeight, layerCuts } from '../sim/layers.js'
import { allTo, buildPlan, fastestDevice, largestShare, splittable, wholeModelTimes } from './plan-build.js'
import { proportionalBoundaries } from './row-split.js'
import type { Planner } from './types.js'

/** The MoDNN baseline (`name` lets the registry offer it as mednn too). */
export function modnn (name = 'modnn'): Planner {
  return {
    name,
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const times = wholeModelTimes(createSimulator(scenario))
      const speeds = times.map((t) => 1 / t)
      const cuts = layerCuts(scenario.graph)
      const boundaries = cuts.slice(1).map((out, i) => {
        const h = cutHeight(scenario.graph, out)
        return splittable(scenario, cuts[i], out) ? proportionalBoundaries(h, speeds) : allTo(fastestDevice(times), times.length, h)
      })
      const tail = boundaries.length === 0 ? fastestDevice(times) : largestShare(boundaries[boundaries.length - 1], times)
      return buildPlan(scenario, name, cuts, boundaries, scenario.devices[tail].id)
    }
  }
}
