// CoEdge: layer by layer; one workload ratio per device, applied to the rows of every layer (each device keeps
// its share of the feature map through the network and exchanges only boundary rows with its neighbours).
// The ratios come from linear models of device speed and of the network: device d's time for a share a is
// A_d + B_d * a (B_d: compute slopes of every layer, the input from the requester and the output it sends;
// A_d: per-layer fixed costs, message latencies and halo exchanges), and the ratios minimise the largest of
// those times (water-filling: the devices with the lowest fixed cost first, as long as adding one helps).
import { createSimulator } from '../sim/simulate.js'
import { cutHeight, layerCuts } from '../sim/layers.js'
import { LinearModel } from './linear-model.js'
import { allTo, buildPlan, largestShare, splittable } from './plan-build.js'
import { proportionalBoundaries } from './row-split.js'
import type { Planner } from './types.js'

/** Shares minimising max_d (A_d + B_d a_d) over devices with a_d > 0, sum a_d = 1. */
export function waterFill (fixed: readonly number[], perShare: readonly number[]): number[] {
  const order = fixed.map((_, d) => d).sort((x, y) => fixed[x] - fixed[y] || x - y)
  let bestT = Infinity
  let bestK = 1
  let sumInv = 0
  let sumRatio = 0
  for (let k = 1; k <= order.length; k++) {
    const d = order[k - 1]
    sumInv += 1 / perShare[d]
    sumRatio += fixed[d] / perShare[d]
    const t = (1 + sumRatio) / sumInv
    if (t < fixed[d]) break
    if (t < bestT) { bestT = t; bestK = k }
  }
  const shares = new Array<number>(fixed.length).fill(0)
  for (let k = 0; k < bestK; k++) {
    const d = order[k]
    shares[d] = (bestT - fixed[d]) / perShare[d]
  }
  return shares
}

/** The CoEdge baseline. */
export function coedge (): Planner {
  return {
    name: 'coedge',
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const graph = scenario.graph
      const sim = createSimulator(scenario)
      const model = new LinearModel(sim)
      const n = scenario.devices.length
      const cuts = layerCuts(graph)
      const latency = scenario.latencyMs
      const fixed = new Array<number>(n).fill(0)
      const perShare = new Array<number>(n).fill(0)
      const msPerByte = (mbps: number): number => mbps === Infinity ? 0 : 8 / (mbps * 1e3)
      for (const dev of scenario.devices) {
        const d = dev.index
        const fromRequester = msPerByte(model.inMbps(d, true))
        const fromNeighbours = msPerByte(model.inMbps(d, false))
        let toOthers = 0
        for (const e of scenario.devices) if (e.index !== d) toOthers += sim.linkMbps(dev.id, e.id) / (n - 1)
        perShare[d] += sim.costs.tensorBytes(graph.input) * fromRequester
        fixed[d] += fromRequester > 0 ? latency : 0
        if (n > 1) {
          perShare[d] += sim.costs.tensorBytes(cuts[cuts.length - 1]) * msPerByte(toOthers)
          fixed[d] += latency
        }
        for (let i = 1; i < cuts.length; i++) {
          const volume = { input: cuts[i - 1], output: cuts[i] }
          const h = cutHeight(graph, cuts[i])
          const line = model.lines(volume, h)[d]
          perShare[d] += line.b * h
          fixed[d] += Math.max(0, line.a)
          if (i > 1 && n > 1) {
            const info = sim.costs.volumeInfo(volume)
            const halo = Math.max(0, model.inputRowsLine(volume).a)
            fixed[d] += latency + halo * 4 * info.input.perPixel * info.input.width * fromNeighbours
          }
        }
      }
      const shares = waterFill(fixed, perShare.map((b) => Math.max(b, 1e-9)))
      const fastest = model.fastest()
      const boundaries = cuts.slice(1).map((out, i) => {
        const h = cutHeight(graph, out)
        return splittable(scenario, cuts[i], out) ? proportionalBoundaries(h, shares) : allTo(fastest, n, h)
      })
      const tail = boundaries.length === 0 ? fastest : largestShare(boundaries[boundaries.length - 1], model.times)
      return buildPlan(scenario, 'coedge', cuts, boundaries, scenario.devices[tail].id)
    }
  }
}
