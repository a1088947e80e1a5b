// The simulator as OSDS's environment: after each volume's split, the providers' accumulated finish times
// come from the simulator's schedule of the plan so far; the last step's plan is the whole plan.
import { nodeWindow, unsplittableReason } from '../../graph/regions.js'
import type { Graph, TensorName } from '../../graph/types.js'
import type { Plan } from '../../plan/types.js'
import type { Simulator } from '../../sim/simulate.js'
import { cutHeight } from '../../sim/layers.js'
import { allTo, buildPlan, largestShare, wholeModelTimes } from '../plan-build.js'
import type { SplitEnvironment, SplitEpisode, VolumeFeatures } from './environment.js'

const WINDOW_OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool'])

/** (H, C, F, S) of a volume's last layer: its output height and channels, the last window op's kernel height and stride. */
export function volumeFeatures (graph: Graph, input: TensorName, output: TensorName): VolumeFeatures {
  const shape = graph.shapes.get(output)!
  const axes = graph.layout.get(output)!
  const channels = shape.reduce((a, b) => a * b, 1) / (shape[axes.h] * shape[axes.w])
  let filter = 1
  let stride = 1
  const first = input === graph.input ? 0 : graph.producer.get(input)! + 1
  for (let id = graph.producer.get(output)!; id >= first; id--) {
    const node = graph.nodes[id]
    if (!WINDOW_OPS.has(node.opType)) continue
    const w = nodeWindow(graph, node)
    filter = w.kernel[0]
    stride = w.strides[0]
    break
  }
  return { height: cutHeight(graph, output), channels, filter, stride }
}

export interface SimEnvironment extends SplitEnvironment {
  readonly feasible: (l: number, boundaries: readonly number[]) => number[]
  /** The plan of the given splits (every volume), the tail on the device with the largest share of the last volume. */
  plan: (splits: ReadonlyArray<readonly number[]>, planner: string) => Plan
}

/** OSDS's environment over the simulator for a fixed partition (`cuts`, graph.input first). */
export function simEnvironment (sim: Simulator, cuts: readonly TensorName[]): SimEnvironment {
  const scenario = sim.scenario
  const graph = scenario.graph
  const devices = scenario.devices
  const times = wholeModelTimes(sim)
  const volumes = cuts.slice(1).map((out, i) => volumeFeatures(graph, cuts[i], out))
  // A volume that cannot be split by rows (a squeeze-excite style global op inside) runs whole on one device:
  // the one the split gives the most rows.
  const whole = cuts.slice(1).map((out, i) => unsplittableReason(graph, { input: cuts[i], output: out }) !== undefined)
  const feasible = (l: number, b: readonly number[]): number[] => whole[l] ? allTo(largestShare(b, times), devices.length, volumes[l].height) : [...b]
  const plan = (splits: ReadonlyArray<readonly number[]>, planner: string): Plan => {
    const tail = devices[largestShare(splits[splits.length - 1], times)].id
    return buildPlan(scenario, planner, cuts.slice(0, splits.length + 1), splits, tail)
  }
  const index = new Map(devices.map((d, i) => [d.id, i]))
  return {
    deviceCount: devices.length,
    volumes,
    feasible,
    plan,
    episode (): SplitEpisode {
      const splits: number[][] = []
      const finish = new Float64Array(devices.length)
      let latency = Number.NaN
      return {
        step (boundaries) {
          splits.push([...boundaries])
          const result = sim.run(plan(splits, 'distredge'))
          for (const part of result.parts) {
            if (part.volume !== splits.length - 1) continue
            const d = index.get(part.device)!
            if (part.end > finish[d]) finish[d] = part.end
          }
          if (splits.length === volumes.length) latency = result.latencyMs
          return finish
        },
        latency: () => latency
      }
    }
  }
}
