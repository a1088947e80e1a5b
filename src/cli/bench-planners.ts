// tessera bench planners: every planner on every scenario, judged by the simulator.
import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from '../errors.js'
import { plannerNames, plannerSpec } from '../planners/index.js'
import { runPlanner } from '../planners/evaluate.js'
import { loadScenario } from '../sim/scenario.js'
import { parseList } from './args.js'
import { parseCommand } from './command.js'
import { progressLine } from './progress.js'
import { renderTable } from './table.js'

/** The scenario suite carried in the repository (the paper's device, network and 16-device groups). */
export const SUITE_DIR = fileURLToPath(new URL('../sim/suite', import.meta.url))

const HELP = `usage: tessera bench planners [--scenarios DIR|FILE...] [--planners a,b,...] [--json] [--md]

Runs every planner on every scenario and judges each plan with the simulator. Defaults: the
scenario suite in ${SUITE_DIR} and every planner (${plannerNames().join(', ')}).
The table adds each plan's speedup over offload (offload's latency / the plan's) and its ratio to
the lower bound 1 / sum_d (1 / T_d).
JSON: { "rows": [{ "scenario", "planner", "latencyMs", "lowerBoundMs", "planningMs" }] }.`

export interface BenchRow {
  scenario: string
  planner: string
  latencyMs: number
  lowerBoundMs: number
  planningMs: number
}

/** Scenario files from directories (their *.json, sorted) and files. */
export function scenarioFiles (paths: readonly string[]): string[] {
  const files: string[] = []
  for (const p of paths) {
    let isDir: boolean
    try {
      isDir = statSync(p).isDirectory()
    } catch {
      throw new InvalidInputError(`--scenarios: no such file or directory "${p}"`)
    }
    if (isDir) {
      const found = readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => join(p, f))
      if (found.length === 0) throw new InvalidInputError(`--scenarios: no .json scenario files in "${p}"`)
      files.push(...found)
    } else {
      files.push(resolve(p))
    }
  }
  return files
}

/** The scenario files named by `--scenarios A B...` (B... arrive as positionals), or the suite's when none is named. */
export function scenarioArguments (scenarios: readonly string[] | undefined, positionals: readonly string[]): string[] {
  if (positionals.length > 0 && scenarios == null) throw new InvalidInputError(`unexpected argument "${positionals[0]}" (scenarios go after --scenarios)`)
  const given = [...(scenarios ?? []), ...positionals]
  return scenarioFiles(given.length > 0 ? given : [SUITE_DIR])
}

/** Geometric mean. */
export function geomean (xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)
}

/** The rows as a table: text (aligned) or markdown; offload's latency per scenario gives the speedups. */
export function formatTable (rows: BenchRow[], offloadMs: Map<string, number>, markdown: boolean): string {
  const header = ['scenario', 'planner', 'latency ms', 'LB ms', 'x LB', 'speedup vs offload', 'planning ms']
  const body = rows.map((r) => {
    const off = offloadMs.get(r.scenario)
    return [r.scenario, r.planner, r.latencyMs.toFixed(2), r.lowerBoundMs.toFixed(2), (r.latencyMs / r.lowerBoundMs).toFixed(2),
      off == null ? '-' : (off / r.latencyMs).toFixed(2), r.planningMs.toFixed(0)]
  })
  const planners = [...new Set(rows.map((r) => r.planner))]
  const summaryHeader = ['planner', 'geomean speedup vs offload', 'geomean x LB', 'best on', 'total planning s']
  const best = new Map<string, number>()
  for (const s of new Set(rows.map((r) => r.scenario))) {
    const ofScenario = rows.filter((r) => r.scenario === s)
    const min = Math.min(...ofScenario.map((r) => r.latencyMs))
    for (const r of ofScenario) if (r.latencyMs <= min * (1 + 1e-9)) best.set(r.planner, (best.get(r.planner) ?? 0) + 1)
  }
  const scenarios = new Set(rows.map((r) => r.scenario)).size
  const summary = planners.map((p) => {
    const mine = rows.filter((r) => r.planner === p)
    const speedups = mine.filter((r) => offloadMs.has(r.scenario)).map((r) => offloadMs.get(r.scenario)! / r.latencyMs)
    return [p, speedups.length > 0 ? geomean(speedups).toFixed(2) : '-', geomean(mine.map((r) => r.latencyMs / r.lowerBoundMs)).toFixed(2),
      `${best.get(p) ?? 0}/${scenarios}`, (mine.reduce((s, r) => s + r.planningMs, 0) / 1000).toFixed(1)]
  })
  const render = (head: string[], lines: string[][], textColumns: number): string =>
    renderTable(head, lines, { numeric: (i) => i >= textColumns, markdown, rule: true })
  return `${render(header, body, 2)}\n\n${render(summaryHeader, summary, 1)}`
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 'any',
    options: {
      scenarios: { type: 'string', multiple: true },
      planners: { type: 'string' },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const files = scenarioArguments(values.scenarios, positionals)
  const names = values.planners != null ? parseList(values.planners) : plannerNames()
  if (names.length === 0) throw new InvalidInputError('--planners names no planner')
  const planners = names.map((n) => plannerSpec(n).create())
  const reference = names.includes('offload') ? undefined : plannerSpec('offload').create()

  const progress = progressLine(process.stderr)
  const rows: BenchRow[] = []
  const offloadMs = new Map<string, number>()
  const total = files.length * planners.length
  const started = performance.now()
  try {
    for (const [i, file] of files.entries()) {
      const scenario = await loadScenario(file)
      if (reference != null) offloadMs.set(scenario.name, (await runPlanner(reference, scenario)).latencyMs)
      for (const [j, planner] of planners.entries()) {
        const done = i * planners.length + j
        progress.update(`[${done + 1}/${total}] ${scenario.name} ${planner.name} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
        const r = await runPlanner(planner, scenario, {
          seed: 0,
          onProgress: (m) => progress.update(`[${done + 1}/${total}] ${scenario.name} ${planner.name}: ${m}`)
        })
        rows.push({ scenario: scenario.name, planner: planner.name, latencyMs: r.latencyMs, lowerBoundMs: r.lowerBoundMs, planningMs: r.planningMs })
        if (planner.name === 'offload') offloadMs.set(scenario.name, r.latencyMs)
      }
    }
  } finally {
    progress.done()
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ rows }, null, 2) + '\n')
  } else {
    process.stdout.write(formatTable(rows, offloadMs, values.md) + '\n')
    process.stderr.write(`${files.length} scenarios x ${planners.length} planners in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  }
  return 0
}
