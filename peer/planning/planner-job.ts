// Inside the planner worker: builds the mesh scenario, runs a planner, scores its plan on the
// simulator. Planners are CPU-bound for up to minutes; here they do not stall the peer.
import { readFile } from 'node:fs/promises'
import { loadGraph } from '../../src/graph/load.js'
import { plannerSpec } from '../../src/planners/index.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { serve } from '../workers/worker-host.js'
import { resolveMeshScenario } from './scenario-builder.js'
import type { MeshScenarioSpec } from './scenario-builder.js'
import type { PartPrediction } from './service-speeds.js'
import type { Scenario } from '../../src/sim/types.js'
import type { Graph } from '../../src/graph/types.js'
import type { Plan } from '../../src/plan/types.js'

const graphs = new Map<string, Graph>()

async function graphOf (path: string, name: string, inputShape: number[]): Promise<Graph> {
  const key = `${path}|${inputShape.join('x')}`
  let g = graphs.get(key)
  if (g == null) {
    g = loadGraph(await readFile(path), { name, inputShape })
    graphs.set(key, g)
  }
  return g
}

export interface PlanJobArgs {
  modelPath: string
  planner: string
  seed: number
  spec: MeshScenarioSpec
  /** Also give each part's span on the unscaled profiles (the leader measures service speeds against them). */
  parts?: boolean
}

/** A plan already made, scored on a (newer) scenario. */
export interface PredictJobArgs {
  modelPath: string
  spec: MeshScenarioSpec
  plan: Plan
}

export interface PlanJobResult {
  plan: Plan
  predictedMs: number
  planningMs: number
  /** With `parts`: what each part (and the tail) takes by its member's own tables, unscaled by service factors (service-speeds.ts). */
  parts?: PartPrediction[]
}

/** Each non-empty part's and the tail's compute span when `plan` runs on `scenario` (ms). */
function partPredictions (scenario: Scenario, plan: Plan): PartPrediction[] {
  const sim = createSimulator(scenario).run(plan)
  const parts = sim.parts.map(p => ({ volume: p.volume, part: p.part, device: p.device, ms: p.end - p.start }))
  return [...parts, { volume: plan.volumes.length, part: 0, device: sim.tail.device, ms: sim.tail.end - sim.tail.start }]
}

serve({
  /** Loads a model's graph ahead of time, so that a newly elected leader plans at once. */
  async warm (args: { modelPath: string, name: string, inputShape: number[] } | null) {
    if (args != null) await graphOf(args.modelPath, args.name, args.inputShape)
    return { value: null }
  },
  async plan (args: PlanJobArgs, progress) {
    const graph = await graphOf(args.modelPath, args.spec.model, args.spec.inputShape)
    const scenario = resolveMeshScenario(args.spec, graph)
    const planner = plannerSpec(args.planner).create()
    const started = performance.now()
    const plan = await planner.plan(scenario, { seed: args.seed, onProgress: (message) => { progress(message) } })
    const planningMs = performance.now() - started
    const predictedMs = createSimulator(scenario).latency(plan)
    const result: PlanJobResult = { plan: { ...plan, scenario: scenario.name, predictedMs }, predictedMs, planningMs }
    if (args.parts === true) result.parts = partPredictions(resolveMeshScenario(args.spec, graph, { unscaled: true }), plan)
    return { value: result }
  },
  /** The simulator's latency of `plan` on the scenario `spec` describes (ms). */
  async predict (args: PredictJobArgs) {
    const graph = await graphOf(args.modelPath, args.spec.model, args.spec.inputShape)
    return { value: createSimulator(resolveMeshScenario(args.spec, graph)).latency(args.plan) }
  }
})
