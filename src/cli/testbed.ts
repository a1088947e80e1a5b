// tessera testbed: emulate a scenario's devices and links on this machine (namespaces, tc, cgroups),
// run real peers in them, and measure each planner's plan against the simulator's prediction.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkTestbedHost } from '../../peer/testbed/preflight.js'
import { isClean, removeLeftovers } from '../../peer/testbed/leftovers.js'
import { DEFAULT_TESTBED_INTERVAL_MS, runTestbed } from '../../peer/testbed/testbed-run.js'
import { DEFAULT_CFS_PERIOD_US } from '../../peer/testbed/cpu-cgroup.js'
import { InvalidInputError } from '../errors.js'
import { plannerSpec } from '../planners/index.js'
import { parseIntFlag, parseList } from './args.js'
import { scenarioFiles } from './bench-planners.js'
import { parseCommand } from './command.js'
import { progressLine } from './progress.js'
import { renderTable } from './table.js'
import { NODE_FLAGS, parseNodeFlags } from '../node-flags.js'
import type { TestbedRow } from '../../peer/testbed/testbed-run.js'
import { TIE_ALPHA, busiestDevice, fastestPlanners, tiedPlanners } from '../../peer/testbed/testbed-rows.js'

/** The testbed scenarios carried in the repository (scaled to a 2-core machine). */
export const TESTBED_SUITE_DIR = fileURLToPath(new URL('../sim/suite/testbed', import.meta.url))

/** The planners measured by default: the baselines and Tessera's own. */
export const DEFAULT_TESTBED_PLANNERS = ['offload', 'modnn', 'aofl', 'distredge', 'search']

const HELP = `usage: tessera testbed --scenario FILE|DIR... [--planners a,b,...] [--requests N] [--rounds R] [--warmup W]
                       [--interval MS] [--verify] [--service-speeds] [--json] [--md]
                       [--profile-dir DIR] [--profile-repeats R] [--cfs-period-us US] [--log-dir DIR]
                       [--node-flags=F]
       tessera testbed --cleanup

Emulates every device of a scenario on this machine and measures real inferences (needs root):
each device is a network namespace on a private bridge with its uplink and downlink capped by tc
(tbf) and its CPU capped by a cgroup v1 quota (testbed.<id>.cpuQuota, a fraction of one core), and
runs a real \`tessera peer\` (onnxruntime on one thread) that first profiles itself under those
caps alone, one device at a time, before any mesh starts; the requester (\`tessera infer\`) has
a namespace of its own. Per planner the peers start afresh, the scenario's first device (or its
requester device) is elected leader and plans with that planner alone, and N requests are timed.
Each row puts the measured latency (mesh side: the leader holding the input to it holding the
output) beside the simulator's prediction for the plan served.
Everything made is removed on success, failure and Ctrl-C; --cleanup removes what a killed run left.

  --scenario F       a testbed scenario file, or a directory of them (repeatable; default the suite
                     in ${TESTBED_SUITE_DIR})
  --planners L       planners to measure (default ${DEFAULT_TESTBED_PLANNERS.join(',')})
  --requests N       timed requests per planner (default 10), after --warmup W untimed ones (default 2)
  --interval MS      the requester waits MS after each result before the next input (default ${DEFAULT_TESTBED_INTERVAL_MS}, so
                     that each request is timed alone, as the simulator predicts it; 0: back to back,
                     where whatever CPU a request leaves a peer delays the next one)
  --rounds R         measure every planner R times, the planners taking turns, and pool the requests
                     (default 1): a slow spell of a shared machine is spread over all of them
  --verify           check every result against a whole-model run (a mismatch fails the run)
  --service-speeds   the peers run with --service-speeds, and before the timed requests untimed ones
                     let the leader time its members' parts and plan again on those speeds, rounds of
                     9 until it keeps its plan (3 at most)
  --profile-dir DIR  keep the devices' measured profiles here and reuse them in later runs
  --profile-repeats R timed runs per profile point on each peer (default: tessera peer's)
  --cfs-period-us US CFS period of the CPU caps (default ${DEFAULT_CFS_PERIOD_US})
  --node-flags=F     Node/V8 flags for the peers and the requester, space-separated, instead of
                     tessera's own (--node-flags="${NODE_FLAGS.join(' ')}"); "none": Node's defaults
  --log-dir DIR      write each peer's events and the requester's result there (JSON lines), the
                     scenarios the leader planned on (<scenario>-<planner>-scenarios/, for tessera plan)
                     and each plan's measured timeline beside the simulated one (<...>-timeline.json)
  --json             { "rows": [{ "scenario", "planner", "predictedMs", "measuredMedianMs",
                     "measuredP95Ms", "predictionError", "nominalMs", "computeRatio", "runRatio", "clientMedianMs",
                     "cpu": { device: { "msPerRequest", "quotaUse" } }, "speed": { device: factor },
                     "service": { device: factor },
                     "samePlan", "planMedianMs", "slowerP", ... }] }
  --md               the table as markdown

Columns: plan = a letter per distinct plan of the scenario (planners that served the same volumes,
rows and devices share it) and, when shared, the median of all their requests: the starred (*) planners
are those of the plan that measured fastest so, and "=" marks a plan the run did not tell from it (its
requests not slower at ${TIE_ALPHA * 100}% by a one-sided Mann-Whitney test: "slowerP" in --json);
predicted = the leader's simulation of its plan (its peers' gossiped profiles, its probed links);
nominal = the same plan simulated on the scenario's own caps; compute = the parts' compute per
request, measured / profiled (the rest of an error is waiting); client = what the requester saw
(adds the input's trip to the leader); busiest = the device whose peer used the largest share of its
CPU quota while the requests ran (every thread of it, from the first request's end to the last), with
its CPU ms per request (near 100%: saturated, its work queues);
speed = each device's whole model timed at its start against its cached profile's (the peer scaled its
tables by it; absent where the profile was measured in the run); service = the factors the leader
planned the timed plan with under --service-speeds, its members' parts in the untimed requests
against their tables ("-": none, or it kept every member at its profile).`

/** The device that used the most of its CPU quota during the requests: "straggler 91% (103 ms)". */
function busiest (r: TestbedRow): string {
  const b = busiestDevice(r.cpu)
  return b == null ? '-' : `${b.device} ${(b.cpu.quotaUse * 100).toFixed(0)}% (${b.cpu.msPerRequest.toFixed(0)} ms)`
}

/** Factors by device: "hub x1.16 twin x0.97"; "-" for none. */
function factors (f: Readonly<Record<string, number>>): string {
  const s = Object.entries(f)
  return s.length === 0 ? '-' : s.map(([d, x]) => `${d} x${x.toFixed(2)}`).join(' ')
}

/**
 * The rows as a text or markdown table. Planners that served the same plan share a letter; the planners
 * of each scenario's fastest measured plan (its requests pooled over them) are starred, those of a plan
 * the run did not tell from it marked "=".
 */
export function formatTestbedTable (rows: readonly TestbedRow[], markdown: boolean): string {
  const scenarios = [...new Set(rows.map(r => r.scenario))]
  const fastest = new Map(scenarios.map(s => [s, fastestPlanners(rows.filter(r => r.scenario === s))]))
  const tied = new Map(scenarios.map(s => [s, tiedPlanners(rows.filter(r => r.scenario === s))]))
  const head = ['scenario', 'planner', 'plan', 'predicted ms', 'measured ms', 'p95 ms', 'error', 'nominal ms', 'compute', 'run', 'client ms', 'busiest', 'speed', 'service', 'devices']
  const body = rows.map(r => [
    r.scenario,
    `${r.planner}${fastest.get(r.scenario)!.has(r.planner) ? ' *' : tied.get(r.scenario)!.has(r.planner) ? ' =' : ''}`,
    rows.some(o => o !== r && o.scenario === r.scenario && o.samePlan === r.samePlan) ? `${r.samePlan} ${r.planMedianMs.toFixed(1)}` : r.samePlan,
    r.predictedMs.toFixed(1), r.measuredMedianMs.toFixed(1), r.measuredP95Ms.toFixed(1),
    `${(r.predictionError * 100).toFixed(1)}%`, r.nominalMs.toFixed(1), `x${r.computeRatio.toFixed(2)}`, `x${r.runRatio.toFixed(2)}`, r.clientMedianMs.toFixed(1),
    busiest(r),
    factors(r.speed),
    factors(r.service),
    r.devices.join(' ')
  ])
  return renderTable(head, body, { numeric: i => i >= 3 && i < head.length - 4, markdown, rule: true })
}

async function cleanup (): Promise<number> {
  await checkTestbedHost()
  const { removed, failures } = await removeLeftovers()
  const what = [...removed.namespaces.map(n => `namespace ${n}`), ...removed.links.map(l => `link ${l}`), ...removed.cgroups.map(g => `cgroup ${g}`), ...removed.dirs.map(d => `directory ${d}`)]
  process.stdout.write(isClean(removed) ? 'no testbed leftovers\n' : `removed ${what.join(', ')}\n`)
  for (const f of failures) process.stderr.write(`could not remove ${f.what}: ${f.error.message}\n`)
  return failures.length > 0 ? 1 : 0
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    options: {
      scenario: { type: 'string', multiple: true },
      planners: { type: 'string' },
      requests: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      interval: { type: 'string' },
      verify: { type: 'boolean', default: false },
      'profile-dir': { type: 'string' },
      'cfs-period-us': { type: 'string' },
      'log-dir': { type: 'string' },
      'service-speeds': { type: 'boolean', default: false },
      'profile-repeats': { type: 'string' },
      'node-flags': { type: 'string' },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  if (values.cleanup) return await cleanup()
  const planners = values.planners != null ? parseList(values.planners) : DEFAULT_TESTBED_PLANNERS
  if (planners.length === 0) throw new InvalidInputError('--planners names no planner')
  for (const p of planners) plannerSpec(p)
  const requests = parseIntFlag(values.requests, '--requests', 10, 1, 10_000)
  const rounds = parseIntFlag(values.rounds, '--rounds', 1, 1, 100)
  const warmup = parseIntFlag(values.warmup, '--warmup', 2, 0, 1000)
  const intervalMs = parseIntFlag(values.interval, '--interval', DEFAULT_TESTBED_INTERVAL_MS, 0, 60_000)
  const profileRepeats = values['profile-repeats'] == null ? undefined : parseIntFlag(values['profile-repeats'], '--profile-repeats', 3, 1, 100)
  const nodeFlags = values['node-flags'] == null ? undefined : parseNodeFlags(values['node-flags'])
  const cfsPeriodUs = parseIntFlag(values['cfs-period-us'], '--cfs-period-us', DEFAULT_CFS_PERIOD_US, 1000, 1_000_000)
  const files = scenarioFiles(values.scenario ?? [TESTBED_SUITE_DIR])
  // no root: say so before any model is loaded
  await checkTestbedHost()

  const abort = new AbortController()
  let signalled: string | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled != null) return
    signalled = signal
    process.stderr.write(`\n${signal}: stopping the peers and removing the testbed...\n`)
    abort.abort(new Error(`interrupted by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // every message is a step (a device started, a tenth of a profile, a plan's state): none is dropped
  const progress = progressLine(process.stderr, 0)
  const rows: TestbedRow[] = []
  const notes: string[] = []
  try {
    for (const file of files) {
      const r = await runTestbed({
        scenarioPath: file, planners, requests, rounds, warmup, intervalMs, verify: values.verify, serviceSpeeds: values['service-speeds'], cfsPeriodUs, profileRepeats, nodeFlags,
        profileDir: values['profile-dir'], logDir: values['log-dir'] != null ? resolve(values['log-dir']) : undefined, signal: abort.signal,
        onProgress: (m) => { progress.update(m) },
        onStart: (id) => {
          progress.done()
          process.stderr.write(`testbed run ${id}: ${file}\n`)
        }
      })
      rows.push(...r.rows)
      notes.push(...r.notes.map(n => `${r.scenario}: ${n}`))
    }
  } catch (err) {
    if (signalled != null) {
      progress.done()
      process.stderr.write('testbed removed\n')
      return 130
    }
    throw err
  } finally {
    progress.done()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  for (const r of rows) if (r.replanned != null) notes.push(`${r.scenario} ${r.planner}: ${r.replanned} (on every attempt; the last one is kept)`)
  for (const n of notes) process.stderr.write(`note: ${n}\n`)
  if (values.json) {
    process.stdout.write(JSON.stringify({ rows }, null, 2) + '\n')
  } else {
    process.stdout.write(formatTestbedTable(rows, values.md) + '\n')
  }
  const unverified = rows.filter(r => r.verified === false)
  if (unverified.length > 0) {
    process.stderr.write(`results differ from a whole-model run: ${unverified.map(r => `${r.scenario} ${r.planner}`).join(', ')}\n`)
    return 1
  }
  return 0
}
