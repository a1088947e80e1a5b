// What the testbed reads from a scenario file: per device its link caps and CPU quota, the
// requester's links, and which device leads. The checks here are the testbed's own (the file is
// already valid as a scenario): real peers measure themselves, so every profile is "measured".
import { availableParallelism } from 'node:os'
import { InvalidScenarioError } from '../../src/errors.js'
import { SELF_MEASURED } from '../../src/sim/scenario.js'
import type { ScenarioFile } from '../../src/sim/scenario.js'

export interface TestbedDevice {
  id: string
  uplinkMbps: number
  downlinkMbps: number
  /** Cores (0.25 = a quarter of one core). */
  cpuQuota: number
}

export interface TestbedSetup {
  scenario: ScenarioFile
  devices: TestbedDevice[]
  /** The requester's link caps (undefined: the scenario's requester is a device; its own namespace is then uncapped). */
  requester?: { uplinkMbps: number, downlinkMbps: number }
  /** The device started first, which the mesh elects and through which requests enter (the mesh plans with it as the requester). */
  leader: string
  /** What the testbed cannot emulate of this scenario, or should be said about it. */
  notes: string[]
}

/** Share of the machine's cores above which the quotas are flagged: the peers' own overheads and the requester need some. */
const BUSY_SHARE = 0.9

/** The testbed's reading of a checked scenario file; InvalidScenarioError naming the key when it cannot be run. */
export function testbedSetup (scenario: ScenarioFile, source: string, cores = availableParallelism()): TestbedSetup {
  const fail = (message: string): never => { throw new InvalidScenarioError(`scenario ${source}: ${message}`) }
  const devices = scenario.devices.map((d, i): TestbedDevice => {
    if (d.profile !== SELF_MEASURED) {
      fail(`devices[${i}].profile: the testbed runs real peers, which profile themselves under their caps: use "${SELF_MEASURED}" (got ${JSON.stringify(d.profile)})`)
    }
    const cpuQuota = scenario.testbed[d.id]?.cpuQuota
    if (cpuQuota == null) fail(`testbed.${d.id}.cpuQuota: every device needs a CPU quota (a fraction of one core, e.g. 0.5)`)
    return { id: d.id, uplinkMbps: d.uplinkMbps, downlinkMbps: d.downlinkMbps, cpuQuota: cpuQuota! }
  })
  if (Object.keys(scenario.linkMbps).length > 0) {
    fail('linkMbps: the testbed caps each device\'s uplink and downlink, not single pairs; remove the per-pair overrides')
  }
  const total = devices.reduce((s, d) => s + d.cpuQuota, 0)
  if (total > cores) fail(`testbed: the CPU quotas add up to ${total.toFixed(2)} cores, more than this machine's ${cores}`)
  const notes: string[] = []
  if (total > BUSY_SHARE * cores) notes.push(`the CPU quotas add up to ${total.toFixed(2)} of ${cores} cores: little is left for the peers' networking and the requester`)
  if (scenario.latencyMs > 0) notes.push(`latencyMs ${scenario.latencyMs}: per-message latency is not emulated (this kernel has no netem); messages pay only their size over the capped links`)
  const requesterDevice = 'device' in scenario.requester ? scenario.requester.device : undefined
  return {
    scenario,
    devices,
    requester: 'device' in scenario.requester ? undefined : { ...scenario.requester },
    leader: requesterDevice ?? devices[0].id,
    notes
  }
}
