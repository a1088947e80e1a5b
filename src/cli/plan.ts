// tessera plan: run one planner on a scenario; print the plan, its predicted latency and the planning time.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../errors.js'
import { plannerNames, plannerSpec } from '../planners/index.js'
import { runPlanner, type PlannerRun } from '../planners/evaluate.js'
import { loadScenario } from '../sim/scenario.js'
import type { Scenario } from '../sim/types.js'
import { parseIntFlag } from './args.js'
import { parseCommand, type CommandOptions } from './command.js'
import { progressLine } from './progress.js'

const BASE_OPTIONS = {
  scenario: { type: 'string' },
  planner: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' }
} as const satisfies CommandOptions

function help (): string {
  const planners = plannerNames().map((name) => {
    const spec = plannerSpec(name)
    const flags = Object.entries(spec.flags ?? {}).map(([f, o]) => `\n${' '.repeat(18)}--${f}${o.type === 'string' ? ' VALUE' : ''}  ${o.description}`).join('')
    return `  ${name.padEnd(14)}  ${spec.summary}${flags}`
  })
  return `usage: tessera plan --scenario FILE --planner NAME [--seed S] [--json] [--out plan.json] [planner options]

Plans one inference of the scenario's model over its devices and predicts its latency with the
simulator. Prints the plan, the predicted latency, the lower bound 1 / sum_d (1 / T_d) and the time
planning took. --out writes the plan file (tessera simulate reads it).
JSON: { "planner", "latencyMs", "lowerBoundMs", "planningMs", "plan" }.

planners:
${planners.join('\n')}`
}

/** The plan as lines of text: one per volume, then the tail. */
export function describePlan (run: PlannerRun, scenario: Scenario): string {
  const lines = [`scenario ${scenario.name}: ${scenario.graph.name} [${scenario.inputShape.join(', ')}] on ${scenario.devices.length} devices; planner ${run.planner}`]
  if (run.plan.volumes.length === 0) lines.push('no volumes: the whole model runs on the tail device')
  run.plan.volumes.forEach((v, i) => {
    const parts = v.parts.filter((p) => p.rows[1] > p.rows[0]).map((p) => `${p.device} [${p.rows[0]}, ${p.rows[1]})${p.cols != null ? `x[${p.cols[0]}, ${p.cols[1]})` : ''}`)
    lines.push(`volume ${String(i + 1).padStart(2)}  ${v.input} -> ${v.output}: ${parts.join('  ')}`)
  })
  lines.push(`tail on ${run.plan.tail.device}`)
  lines.push(`predicted latency ${run.latencyMs.toFixed(2)} ms, lower bound ${run.lowerBoundMs.toFixed(2)} ms (x${(run.latencyMs / run.lowerBoundMs).toFixed(2)}), planning took ${run.planningMs.toFixed(0)} ms`)
  return lines.join('\n')
}

export async function run (argv: string[]): Promise<number> {
  // The planner decides which extra flags are allowed: find it first, then parse strictly.
  const { tokens } = parseArgs({ args: argv, options: { ...BASE_OPTIONS, help: { type: 'boolean', short: 'h' } }, strict: false, tokens: true })
  const named = tokens.find((t) => t.kind === 'option' && t.name === 'planner')
  const plannerName = named?.kind === 'option' ? named.value : undefined
  const spec = plannerName != null ? plannerSpec(plannerName) : undefined
  const extra: CommandOptions = {}
  for (const [flag, o] of Object.entries(spec?.flags ?? {})) extra[flag] = { type: o.type }
  const command = parseCommand(argv, { usage: help, options: { ...extra, ...BASE_OPTIONS }, positionals: 'any' })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  if (positionals.length > 0) throw new InvalidInputError(`unexpected argument "${positionals[0]}" (the scenario goes after --scenario)`)
  if (values.scenario == null || spec == null) {
    process.stderr.write(help() + '\n')
    return 2
  }
  const init: Record<string, string | boolean | undefined> = {}
  for (const flag of Object.keys(spec.flags ?? {})) init[flag] = (values as Record<string, string | boolean | undefined>)[flag]
  const planner = spec.create(init)
  const seed = parseIntFlag(values.seed as string | undefined, '--seed', 0, 0, 0xffffffff)
  const scenario = await loadScenario(values.scenario as string)
  const progress = progressLine(process.stderr)
  const controller = new AbortController()
  const onSigint = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSigint)
  let result: PlannerRun
  try {
    result = await runPlanner(planner, scenario, { seed, signal: controller.signal, onProgress: (m) => progress.update(m) })
  } finally {
    process.off('SIGINT', onSigint)
    progress.done()
  }
  if (values.out != null) writeFileSync(values.out as string, JSON.stringify(result.plan, null, 2) + '\n')
  if (values.json === true) {
    process.stdout.write(JSON.stringify({ planner: result.planner, latencyMs: result.latencyMs, lowerBoundMs: result.lowerBoundMs, planningMs: result.planningMs, plan: result.plan }, null, 2) + '\n')
  } else {
    process.stdout.write(describePlan(result, scenario) + '\n')
    if (values.out != null) process.stdout.write(`plan written to ${values.out as string}\n`)
  }
  return 0
}
