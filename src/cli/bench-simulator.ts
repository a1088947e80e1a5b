// tessera bench simulator: how fast the simulator judges plans (DistrEdge's agent asks it ~10^5 times).
import { randomPlan } from '../plan/random-plan.js'
import { loadScenario } from '../sim/scenario.js'
import { createSimulator } from '../sim/simulate.js'
import { scenarioFiles, SUITE_DIR } from './bench-planners.js'
import { parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import { renderTable } from './table.js'

const HELP = `usage: tessera bench simulator [--scenarios DIR|FILE...] [--plans P] [--calls N] [--json]

For each scenario (default: the suite), P random valid plans (up to 6 volumes, random rows, empty
parts included) are simulated once from cold caches, then N times in turn with warm caches.
Prints microseconds per latency() call, cold and warm.
JSON: { "rows": [{ "scenario", "devices", "coldUs", "warmUs" }] }.`

/** mulberry32 */
function generator (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 'any',
    options: {
      scenarios: { type: 'string', multiple: true },
      plans: { type: 'string' },
      calls: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const files = scenarioFiles([...(values.scenarios ?? []), ...positionals].length > 0 ? [...(values.scenarios ?? []), ...positionals] : [SUITE_DIR])
  const count = parseIntFlag(values.plans, '--plans', 200, 1, 1e6)
  const calls = parseIntFlag(values.calls, '--calls', 20000, 1, 1e9)
  const rows: Array<{ scenario: string, devices: number, coldUs: number, warmUs: number }> = []
  for (const file of files) {
    const scenario = await loadScenario(file)
    const random = generator(7)
    const plans = Array.from({ length: count }, () => randomPlan(scenario.graph, random, { devices: scenario.devices.map((d) => d.id), maxVolumes: 6 }))
    const sim = createSimulator(scenario)
    let sink = 0
    let t0 = performance.now()
    for (const p of plans) sink += sim.latency(p)
    const coldUs = (performance.now() - t0) * 1000 / plans.length
    t0 = performance.now()
    for (let i = 0; i < calls; i++) sink += sim.latency(plans[i % plans.length])
    const warmUs = (performance.now() - t0) * 1000 / calls
    if (!Number.isFinite(sink)) throw new Error('a simulated latency is not finite')
    rows.push({ scenario: scenario.name, devices: scenario.devices.length, coldUs, warmUs })
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ rows }, null, 2) + '\n')
    return 0
  }
  const lines = rows.map((r) => [r.scenario, String(r.devices), r.coldUs.toFixed(0), r.warmUs.toFixed(1)])
  process.stdout.write(renderTable(['scenario', 'devices', 'cold us/call', 'warm us/call'], lines, { numeric: (i) => i > 0 }) + '\n')
  return 0
}
