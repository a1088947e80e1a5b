// Offload: the whole model on the single fastest provider (fastest by its profile's whole-model time).
import { createSimulator } from '../sim/simulate.js'
import { buildPlan, fastestDevice, wholeModelTimes } from './plan-build.js'
import type { Planner } from './types.js'

/** The offload baseline. */
export function offload (): Planner {
  return {
    name: 'offload',
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const times = wholeModelTimes(createSimulator(scenario))
      return buildPlan(scenario, 'offload', [], [], scenario.devices[fastestDevice(times)].id)
    }
  }
}
