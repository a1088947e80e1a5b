// DeepThings: one fused block of the early conv stack split equally (fused tile partitioning, by rows here),
// the rest on one device. The block ends at the first stage boundary (layers.ts) by which half of the
// spatial prefix's FLOPs are done; the rest runs on the fastest device.
import { createSimulator } from '../sim/simulate.js'
import { cumulativeFlops, cutHeight, prefixFlops, stageCuts } from '../sim/layers.js'
import { allTo, buildPlan, fastestDevice, splittable, wholeModelTimes } from './plan-build.js'
import { equalBoundaries } from './row-split.js'
import type { Planner } from './types.js'

/** Share of the spatial prefix's FLOPs the fused block covers at least. */
export const DEEPTHINGS_FUSED_SHARE = 0.5

/** The DeepThings baseline. */
export function deepthings (): Planner {
  return {
    name: 'deepthings',
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const graph = scenario.graph
      const times = wholeModelTimes(createSimulator(scenario))
      const fastest = fastestDevice(times)
      const stages = stageCuts(graph)
      if (stages.length < 2) return buildPlan(scenario, 'deepthings', [], [], scenario.devices[fastest].id)
      const flops = cumulativeFlops(graph, stages)
      const total = prefixFlops(graph)
      let end = stages.length - 1
      for (let i = 1; i < stages.length; i++) {
        if (flops[i] >= DEEPTHINGS_FUSED_SHARE * total) { end = i; break }
      }
      const out = stages[end]
      const h = cutHeight(graph, out)
      const b = splittable(scenario, graph.input, out) ? equalBoundaries(h, times.length) : allTo(fastest, times.length, h)
      return buildPlan(scenario, 'deepthings', [graph.input, out], [b], scenario.devices[fastest].id)
    }
  }
}
