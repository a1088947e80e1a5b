// tessera simulate: the schedule of a plan on a scenario: latency and a per-device timeline, optionally drawn.
import { writeFileSync } from 'node:fs'
import { readPlanFile } from '../plan/schema.js'
import { validatePlan } from '../plan/validate.js'
import { ganttSvg } from '../sim/gantt.js'
import { loadScenario } from '../sim/scenario.js'
import { createSimulator } from '../sim/simulate.js'
import type { SimResult, TimelineInterval } from '../sim/types.js'
import { parseCommand } from './command.js'

const HELP = `usage: tessera simulate --scenario FILE --plan FILE [--json] [--gantt FILE.svg]

Simulates the plan on the scenario (docs/architecture.md, "The simulator's semantics") and prints
the end-to-end latency, the lower bound, and per device its compute, send and receive intervals.
--gantt draws the timeline as an SVG chart. JSON: { "scenario", "planner", "latencyMs",
"lowerBoundMs", "parts", "tail", "messages", "timeline" }.`

function describe (i: TimelineInterval): string {
  const span = `${i.start.toFixed(2).padStart(9)} - ${i.end.toFixed(2).padStart(9)}`
  switch (i.kind) {
    case 'compute': return `${span}  compute volume ${i.volume + 1} rows [${i.rows[0]}, ${i.rows[1]})`
    case 'tail': return `${span}  tail`
    case 'send': return `${span}  send    ${i.bytes} B to ${i.to}`
    case 'receive': return `${span}  receive ${i.bytes} B from ${i.from}`
  }
}

/** The timeline as text: a summary line per device, then its intervals. */
export function describeSchedule (r: SimResult): string {
  const lines: string[] = []
  for (const row of r.timeline) {
    const busy = (kinds: string[]): number => row.intervals.filter((i) => kinds.includes(i.kind)).reduce((s, i) => s + i.end - i.start, 0)
    lines.push(`${row.device}: compute ${busy(['compute', 'tail']).toFixed(2)} ms, sending ${busy(['send']).toFixed(2)} ms, receiving ${busy(['receive']).toFixed(2)} ms`)
    for (const i of row.intervals) lines.push(`  ${describe(i)}`)
  }
  return lines.join('\n')
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 0,
    required: ['scenario', 'plan'],
    options: {
      scenario: { type: 'string' },
      plan: { type: 'string' },
      json: { type: 'boolean', default: false },
      gantt: { type: 'string' }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  const scenario = await loadScenario(values.scenario)
  const plan = readPlanFile(values.plan)
  validatePlan(scenario.graph, plan, { devices: scenario.devices.map((d) => d.id) })
  const sim = createSimulator(scenario)
  const result = sim.run(plan)
  const lowerBoundMs = sim.lowerBoundMs()
  if (values.gantt != null) writeFileSync(values.gantt, ganttSvg(result, `${scenario.name}, plan by ${plan.planner}`))
  if (values.json) {
    process.stdout.write(JSON.stringify({ scenario: scenario.name, planner: plan.planner, latencyMs: result.latencyMs, lowerBoundMs, parts: result.parts, tail: result.tail, messages: result.messages, timeline: result.timeline }, null, 2) + '\n')
    return 0
  }
  process.stdout.write(`scenario ${scenario.name}, plan by ${plan.planner}: ${result.latencyMs.toFixed(2)} ms end to end (lower bound ${lowerBoundMs.toFixed(2)} ms)\n`)
  process.stdout.write(describeSchedule(result) + '\n')
  if (values.gantt != null) process.stdout.write(`timeline drawn in ${values.gantt}\n`)
  return 0
}
