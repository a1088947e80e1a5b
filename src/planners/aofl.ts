// AOFL: several fused blocks whose cut points are searched by dynamic programming over the layer
// boundaries, each block's rows split by the linear device + network model (linear-model.ts), which is
// also what the search minimises: the sum of block times plus the tail.
import { createSimulator } from '../sim/simulate.js'
import { layerCuts } from '../sim/layers.js'
import { LinearModel } from './linear-model.js'
import { buildPlan } from './plan-build.js'
import { countsToBoundaries } from './row-split.js'
import type { Planner } from './types.js'

/** The AOFL baseline. */
export function aofl (): Planner {
  return {
    name: 'aofl',
    async plan (scenario, options = {}) {
      const signal = options.signal
      signal?.throwIfAborted()
      const model = new LinearModel(createSimulator(scenario))
      const cuts = layerCuts(scenario.graph)
      const m = cuts.length
      // best[j]: the lowest model time of fused blocks covering cuts[0] .. cuts[j]; from[j]: where its last block starts.
      const best = new Array<number>(m).fill(Infinity)
      const from = new Array<number>(m).fill(-1)
      const split = new Map<string, number[]>()
      best[0] = 0
      for (let j = 1; j < m; j++) {
        signal?.throwIfAborted()
        for (let i = 0; i < j; i++) {
          const s = model.bestSplit(model.block(cuts[i], cuts[j]))
          split.set(`${i},${j}`, s.rows)
          const t = best[i] + s.time
          if (t < best[j]) { best[j] = t; from[j] = i }
        }
      }
      const chosen: number[] = []
      for (let j = m - 1; j > 0; j = from[j]) chosen.unshift(j)
      chosen.unshift(0)
      const blockCuts = chosen.map((k) => cuts[k])
      const boundaries = chosen.slice(1).map((j, k) => countsToBoundaries(split.get(`${chosen[k]},${j}`)!))
      const tail = model.bestTail(cuts[m - 1]).device
      return buildPlan(scenario, 'aofl', blockCuts, boundaries, scenario.devices[tail].id)
    }
  }
}
