// tessera bench distredge: DistrEdge against the baselines and the search reference on the scenario suite,
// per-group speedups over AOFL, training times, and plan quality against the episode budget and the paper preset.
import { InvalidInputError } from '../errors.js'
import { defaultPartitions, demonstrationSplits, distredge, distredgePartitions } from '../planners/distredge/index.js'
import { LinearModel } from '../planners/linear-model.js'
import { evaluateSplits } from '../planners/distredge/environment.js'
import { simEnvironment } from '../planners/distredge/sim-environment.js'
import { wholeModelTimes } from '../planners/plan-build.js'
import { createSimulator } from '../sim/simulate.js'
import { runPlanner } from '../planners/evaluate.js'
import { plannerSpec } from '../planners/index.js'
import { search } from '../planners/search/index.js'
import type { Planner } from '../planners/types.js'
import { loadScenario } from '../sim/scenario.js'
import type { Scenario } from '../sim/types.js'
import { SUITE_DIR, geomean, scenarioArguments } from './bench-planners.js'
import { parseIntFlag, parseList } from './args.js'
import { parseCommand } from './command.js'
import { renderTable } from './table.js'
import { progressLine } from './progress.js'

const BASELINES = ['offload', 'modnn', 'coedge', 'deepthings', 'deeperthings', 'aofl']

const HELP = `usage: tessera bench distredge [--scenarios DIR|FILE...] [--seed S] [--episodes-sweep N,N,...]
                                [--sweep-scenarios NAME,...] [--paper NAME,...] [--json] [--md]

DistrEdge (default settings) and search on every scenario (default: the suite in ${SUITE_DIR}),
beside the baselines (${BASELINES.join(', ')}). Reports per scenario the best baseline, the best of
distredge's four demonstration episodes alone (what its agent starts from), distredge's
latency and training time, search's latency and time, distredge / search; per group (the name's
prefix before '-') the geometric-mean speedup of distredge and search over aofl. Then, on the
--sweep-scenarios, distredge's latency for each episode budget of --episodes-sweep
(the default settings otherwise), and on the --paper scenarios the paper preset (4000 episodes, paper networks and rates).
JSON: { "rows": [...], "groups": [...], "sweep": [...], "paper": [...] }.`

interface Row {
  scenario: string
  devices: number
  bestBaseline: string
  bestBaselineMs: number
  aoflMs: number
  distredgeMs: number
  /** The best of the four demonstration episodes (on each of LC-PSS's best partitions) alone (what the agent starts from). */
  demonstrationMs: number
  trainingS: number
  searchMs: number
  searchS: number
}

function table (head: string[], lines: string[][], markdown: boolean): string {
  return renderTable(head, lines, { numeric: i => i > 0, markdown, rule: true })
}

function names (value: string | undefined, flag: string): string[] {
  if (value === undefined) return []
  const list = parseList(value)
  if (list.length === 0) throw new InvalidInputError(`${flag} names nothing`)
  return list
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 'any',
    options: {
      scenarios: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'episodes-sweep': { type: 'string' },
      'sweep-scenarios': { type: 'string' },
      paper: { type: 'string' },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const files = scenarioArguments(values.scenarios, positionals)
  const seed = parseIntFlag(values.seed, '--seed', 0, 0, 0xffffffff)
  const sweep = names(values['episodes-sweep'], '--episodes-sweep').map(v => parseIntFlag(v, '--episodes-sweep', 0, 1))
  const sweepScenarios = new Set(names(values['sweep-scenarios'], '--sweep-scenarios'))
  const paperScenarios = new Set(names(values.paper, '--paper'))
  const progress = progressLine(process.stderr)
  const rows: Row[] = []
  const sweepRows: Array<{ scenario: string, episodes: number, latencyMs: number, trainingS: number }> = []
  const paperRows: Array<{ scenario: string, latencyMs: number, trainingS: number, defaultMs: number }> = []
  const timed = async (planner: Planner, scenario: Scenario, label: string): Promise<{ ms: number, s: number }> => {
    const r = await runPlanner(planner, scenario, { seed, onProgress: m => progress.update(`${scenario.name} ${label}: ${m}`) })
    return { ms: r.latencyMs, s: r.planningMs / 1000 }
  }
  try {
    for (const [i, file] of files.entries()) {
      const scenario = await loadScenario(file)
      progress.update(`[${i + 1}/${files.length}] ${scenario.name}: baselines`)
      const baselines = new Map<string, number>()
      for (const name of BASELINES) baselines.set(name, (await timed(plannerSpec(name).create(), scenario, name)).ms)
      const [bestBaseline, bestBaselineMs] = [...baselines].reduce((a, b) => b[1] < a[1] ? b : a)
      const sim = createSimulator(scenario)
      const linear = new LinearModel(sim)
      const demonstrationMs = Math.min(...distredgePartitions(sim, defaultPartitions(scenario.devices.length), undefined, undefined, seed).flatMap(cuts => {
        const env = simEnvironment(sim, cuts)
        return demonstrationSplits(env, wholeModelTimes(sim), { model: linear, cuts }).map(splits => evaluateSplits(env, splits))
      }))
      const d = await timed(distredge(), scenario, 'distredge')
      const s = await timed(search(), scenario, 'search')
      rows.push({ scenario: scenario.name, devices: scenario.devices.length, bestBaseline, bestBaselineMs, aoflMs: baselines.get('aofl')!, distredgeMs: d.ms, demonstrationMs, trainingS: d.s, searchMs: s.ms, searchS: s.s })
      if (sweepScenarios.has(scenario.name)) {
        for (const episodes of sweep) {
          const r = await timed(distredge({ config: { episodes } }), scenario, `${episodes} episodes`)
          sweepRows.push({ scenario: scenario.name, episodes, latencyMs: r.ms, trainingS: r.s })
        }
      }
      if (paperScenarios.has(scenario.name)) {
        const r = await timed(distredge({ paper: true }), scenario, 'paper preset')
        paperRows.push({ scenario: scenario.name, latencyMs: r.ms, trainingS: r.s, defaultMs: d.ms })
      }
    }
  } finally {
    progress.done()
  }
  const groups = [...new Set(rows.map(r => r.scenario.split('-')[0]))].map(group => {
    const mine = rows.filter(r => r.scenario.split('-')[0] === group)
    return {
      group,
      scenarios: mine.length,
      distredgeOverAofl: geomean(mine.map(r => r.aoflMs / r.distredgeMs)),
      searchOverAofl: geomean(mine.map(r => r.aoflMs / r.searchMs)),
      maxTrainingS: Math.max(...mine.map(r => r.trainingS))
    }
  })
  if (values.json) {
    process.stdout.write(JSON.stringify({ rows, groups, sweep: sweepRows, paper: paperRows }, null, 2) + '\n')
    return 0
  }
  const md = values.md
  const out = [table(['scenario', 'devices', 'best baseline', 'ms', 'aofl ms', 'best demonstration ms', 'distredge ms', '<= best baseline', 'training s', 'search ms', 'search s', 'distredge / search'],
    rows.map(r => [r.scenario, String(r.devices), r.bestBaseline, r.bestBaselineMs.toFixed(2), r.aoflMs.toFixed(2), r.demonstrationMs.toFixed(2), r.distredgeMs.toFixed(2),
      r.distredgeMs <= r.bestBaselineMs * (1 + 1e-9) ? 'yes' : 'NO', r.trainingS.toFixed(1), r.searchMs.toFixed(2), r.searchS.toFixed(1), (r.distredgeMs / r.searchMs).toFixed(3)]), md)]
  out.push(table(['group', 'scenarios', 'distredge speedup over aofl (geomean)', 'search speedup over aofl (geomean)', 'max training s'],
    groups.map(g => [g.group, String(g.scenarios), g.distredgeOverAofl.toFixed(2), g.searchOverAofl.toFixed(2), g.maxTrainingS.toFixed(1)]), md))
  if (sweepRows.length > 0) {
    out.push(table(['scenario', 'episodes', 'latency ms', 'training s'], sweepRows.map(r => [r.scenario, String(r.episodes), r.latencyMs.toFixed(2), r.trainingS.toFixed(1)]), md))
  }
  if (paperRows.length > 0) {
    out.push(table(['scenario', 'paper preset ms', 'paper preset training s', 'default ms'], paperRows.map(r => [r.scenario, r.latencyMs.toFixed(2), r.trainingS.toFixed(1), r.defaultMs.toFixed(2)]), md))
  }
  process.stdout.write(out.join('\n\n') + '\n')
  return 0
}
