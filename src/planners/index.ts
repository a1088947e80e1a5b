// The planner registry: every planner by the name the CLI and the mesh use.
import { aofl } from './aofl.js'
import { coedge } from './coedge.js'
import { deeperthings } from './deeperthings.js'
import { deepthings } from './deepthings.js'
import { DISTREDGE_SPEC } from './distredge/index.js'
import { modnn } from './modnn.js'
import { offload } from './offload.js'
import { SEARCH_SPEC } from './search/index.js'
import type { PlannerInit, PlannerSpec, Planner } from './types.js'
import { InvalidInputError } from '../errors.js'

export type { Planner, PlannerSpec, PlannerInit, PlanOptions } from './types.js'

/** A planner without options of its own: rejects any it is given. */
function plain (name: string, make: () => Planner): PlannerSpec['create'] {
  return (init?: PlannerInit) => {
    const given = Object.entries(init ?? {}).filter(([, v]) => v !== undefined).map(([k]) => `--${k}`)
    if (given.length > 0) throw new InvalidInputError(`planner ${name} takes no options of its own (got ${given.join(', ')})`)
    return make()
  }
}

export const PLANNERS: Record<string, PlannerSpec> = {
  offload: { summary: 'the whole model on the single fastest provider', create: plain('offload', offload) },
  modnn: { summary: 'layer by layer, rows in proportion to device speed', create: plain('modnn', () => modnn()) },
  mednn: { summary: 'alias of modnn (the same rule: adaptive split in proportion to device speed)', create: plain('mednn', () => modnn('mednn')) },
  coedge: { summary: 'layer by layer, one share per device through all layers, from linear models of device speed and network', create: plain('coedge', coedge) },
  deepthings: { summary: 'one fused block of the early layers split equally, the rest on the fastest device', create: plain('deepthings', deepthings) },
  deeperthings: { summary: 'one fused block per stage, each split equally', create: plain('deeperthings', deeperthings) },
  aofl: { summary: 'fused blocks chosen by dynamic programming, rows from linear device and network models', create: plain('aofl', aofl) },
  distredge: DISTREDGE_SPEC,
  search: SEARCH_SPEC
}

/**
 * The planner to use when none is named, by the number of providers. Search gave the lowest latency on every
 * 4- and 16-device scenario of the suite, in less planning time than distredge (docs/benchmarks.md, DistrEdge).
 */
export function defaultPlannerName (_devices: number): string {
  return 'search'
}

/** Planner names in registry order. */
export function plannerNames (): string[] {
  return Object.keys(PLANNERS)
}

/** The registry entry of a planner; InvalidInputError naming the known ones otherwise. */
export function plannerSpec (name: string): PlannerSpec {
  if (!Object.hasOwn(PLANNERS, name)) throw new InvalidInputError(`unknown planner "${name}" (planners: ${plannerNames().join(', ')})`)
  return PLANNERS[name]
}
