// Building Plans from cut tensors and row boundaries, and the device choices the baselines share.
import { unsplittableReason } from '../graph/regions.js'
import type { TensorName } from '../graph/types.js'
import type { DeviceId, Plan, PlanVolume } from '../plan/types.js'
import type { Simulator } from '../sim/simulate.js'
import type { Scenario } from '../sim/types.js'
import { cutHeight } from '../sim/layers.js'

/** T_d: each device's time for the whole model alone, from its profile. */
export function wholeModelTimes (sim: Simulator): number[] {
  return sim.scenario.devices.map((d) => sim.wholeModelMs(d.index))
}

/** Index of the fastest device (lowest T_d; scenario order breaks ties). */
export function fastestDevice (times: readonly number[]): number {
  let best = 0
  for (let d = 1; d < times.length; d++) if (times[d] < times[best]) best = d
  return best
}

/** The device with the most rows in `boundaries` (ties: the faster, then scenario order). */
export function largestShare (boundaries: readonly number[], times: readonly number[]): number {
  let best = 0
  for (let d = 1; d < times.length; d++) {
    const rows = boundaries[d + 1] - boundaries[d]
    const bestRows = boundaries[best + 1] - boundaries[best]
    if (rows > bestRows || (rows === bestRows && times[d] < times[best])) best = d
  }
  return best
}

/** Whether the volume between two cut tensors can be split by rows (no squeeze-excite style global op inside). */
export function splittable (scenario: Scenario, input: TensorName, output: TensorName): boolean {
  return unsplittableReason(scenario.graph, { input, output }) == null
}

/** Boundaries that give every row to one device. */
export function allTo (device: number, devices: number, height: number): number[] {
  const b = [0]
  for (let d = 0; d < devices; d++) b.push(d < device ? 0 : height)
  return b
}

/**
 * A plan whose volumes run between consecutive `cuts` (the first is the model input), volume i split at
 * `boundaries[i]` (one boundary per device, scenario order; empty parts kept), the tail on `tail`.
 */
export function buildPlan (scenario: Scenario, planner: string, cuts: readonly TensorName[], boundaries: ReadonlyArray<readonly number[]>, tail: DeviceId): Plan {
  const graph = scenario.graph
  const volumes: PlanVolume[] = []
  for (let i = 0; i + 1 < cuts.length; i++) {
    const b = boundaries[i]
    const height = cutHeight(graph, cuts[i + 1])
    if (b.length !== scenario.devices.length + 1 || b[0] !== 0 || b[b.length - 1] !== height) {
      throw new Error(`${planner}: boundaries of volume ${i} do not cover 0..${height} over ${scenario.devices.length} devices`)
    }
    volumes.push({
      input: cuts[i],
      output: cuts[i + 1],
      parts: scenario.devices.map((d, k) => ({ device: d.id, rows: [b[k], b[k + 1]] as const }))
    })
  }
  return {
    planner,
    scenario: scenario.name,
    model: { name: graph.name, sha256: graph.sha256, inputShape: [...graph.inputShape] },
    volumes,
    tail: { device: tail }
  }
}
