// What a planner is: a pure function of a resolved scenario (devices, links, the model's graph) to a Plan.
import type { Plan } from '../plan/types.js'
import type { Scenario } from '../sim/types.js'

export type { Scenario, Device, Requester, ComputeProfile, RooflineProfile, MeasuredProfile } from '../sim/types.js'

export interface PlanOptions {
  /** Aborts a long search; the planner rejects with the signal's reason. */
  signal?: AbortSignal
  /** Seeds every random choice: the same seed gives the same plan. */
  seed?: number
  /** Progress for a terminal (e.g. training episodes); called at most a few times a second. */
  onProgress?: (message: string) => void
}

export interface Planner {
  readonly name: string
  plan: (scenario: Scenario, options?: PlanOptions) => Promise<Plan>
}

/** Values of a planner's own CLI flags, as node:util parseArgs gives them. */
export type PlannerInit = Record<string, string | boolean | undefined>

/** A registry entry: how to make a planner, and the extra `tessera plan` flags it takes. */
export interface PlannerSpec {
  /** One line: the method. */
  readonly summary: string
  /** Planner-specific flags (parseArgs option config); their values are passed to create(). */
  readonly flags?: Readonly<Record<string, { readonly type: 'string' | 'boolean', readonly description: string }>>
  /** Makes a planner; rejects bad flag values with InvalidInputError naming the flag. */
  create: (init?: PlannerInit) => Planner
}
