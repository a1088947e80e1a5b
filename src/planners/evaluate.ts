// Running a planner on a scenario and judging its plan with the one evaluator (the simulator).
import type { Plan } from '../plan/types.js'
import { validatePlan } from '../plan/validate.js'
import { createSimulator } from '../sim/simulate.js'
import type { Scenario } from '../sim/types.js'
import type { Planner, PlanOptions } from './types.js'

export interface PlannerRun {
  planner: string
  /** The plan, its predictedMs set to the simulator's latency. */
  plan: Plan
  latencyMs: number
  lowerBoundMs: number
  /** Wall-clock time the planner took. */
  planningMs: number
}

/** Plans, times the planning, checks the plan (InvalidPlanError), and simulates it. */
export async function runPlanner (planner: Planner, scenario: Scenario, options: PlanOptions = {}): Promise<PlannerRun> {
  const started = performance.now()
  const plan = await planner.plan(scenario, options)
  const planningMs = performance.now() - started
  validatePlan(scenario.graph, plan, { devices: scenario.devices.map((d) => d.id) })
  const sim = createSimulator(scenario)
  const latencyMs = sim.latency(plan)
  return {
    planner: planner.name,
    plan: { ...plan, scenario: plan.scenario ?? scenario.name, predictedMs: latencyMs },
    latencyMs,
    lowerBoundMs: sim.lowerBoundMs(),
    planningMs
  }
}
