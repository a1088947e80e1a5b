// tessera bench profile MODEL: does a measured profile of this machine predict real single-device runs?
import { writeFileSync } from 'node:fs'
import { checkProfile } from '../sim/profile-check.js'
import { measureProfile } from '../sim/profile-measure.js'
import { measuredProfileToJson, readMeasuredProfile } from '../sim/profile-measured.js'
import { InvalidInputError } from '../errors.js'
import { loadModelArgument, parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import { parseClock } from './profile.js'
import { bar, progressLine } from './progress.js'
import { renderTable } from './table.js'

const HELP = `usage: tessera bench profile MODEL [--profile FILE] [--threads T] [--clock wall|cpu] [--samples N] [--seed S]
                              [--input-shape 1,3,H,W] [--out FILE] [--json] [--md]

Measures MODEL's profile on this machine (or reads --profile FILE, made by tessera profile), then
runs random volumes (every other one whole, the others a random run of at least a quarter of their
rows) and the whole model on onnxruntime, and compares each run with the profile's prediction.
Runs are timed with the profile's clock (--clock for a new one: see tessera profile --help).
--out keeps the profile it measured. Goal: within 10%. JSON: { "model", "threads", "rows": [{ "volume", "rows", "height", "predictedMs",
"measuredMs", "error" }], "medianAbsError", "maxAbsError", "within10" }.`

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 1,
    options: {
      profile: { type: 'string' },
      threads: { type: 'string' },
      clock: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'input-shape': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const { graph } = await loadModelArgument(positionals[0], values['input-shape'])
  const samples = parseIntFlag(values.samples, '--samples', 12, 1, 10000)
  const seed = parseIntFlag(values.seed, '--seed', 1, 0, 0xffffffff)
  const progress = progressLine(process.stderr, 2000)
  let threads: number
  let profile
  const started = performance.now()
  try {
    if (values.profile != null) {
      profile = readMeasuredProfile(values.profile)
      if (profile.model.sha256 !== graph.sha256) throw new InvalidInputError(`--profile ${values.profile} was measured for another model (${profile.model.name}) or input shape`)
      threads = parseIntFlag(values.threads, '--threads', profile.machine.threads, 1, 256)
    } else {
      threads = parseIntFlag(values.threads, '--threads', 1, 1, 256)
      profile = await measureProfile(graph, { threads, clock: parseClock(values.clock), onProgress: (d, t, label) => progress.update(`profiling ${bar(d / t)} ${label}`) })
      if (values.out != null) writeFileSync(values.out, JSON.stringify(measuredProfileToJson(profile)) + '\n')
    }
    const profiledS = (performance.now() - started) / 1000
    const rows = await checkProfile(graph, profile, { samples, seed, threads, onProgress: (d, t) => progress.update(`running volumes ${bar(d / t)}`) })
    progress.done()
    const abs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b)
    const medianAbsError = abs[Math.floor((abs.length - 1) / 2)]
    const maxAbsError = abs[abs.length - 1]
    const within10 = rows.filter((r) => Math.abs(r.error) <= 0.1).length
    if (values.json) {
      process.stdout.write(JSON.stringify({ model: graph.name, threads, rows, medianAbsError, maxAbsError, within10 }, null, 2) + '\n')
      return 0
    }
    const body = rows.map((r) => [r.volume, `[${r.rows[0]}, ${r.rows[1]}) of ${r.height}`, r.predictedMs.toFixed(2), r.measuredMs.toFixed(2), `${(r.error * 100).toFixed(1)}%`])
    process.stdout.write(renderTable(['volume', 'rows', 'predicted ms', 'measured ms', 'error'], body, { numeric: (i) => i >= 2, markdown: values.md }) + '\n')
    process.stdout.write(`\n${graph.name} [${graph.inputShape.join(', ')}], ${threads} thread(s), ${profile.machine.clock} clock: ${within10}/${rows.length} runs within 10% of the prediction; ` +
      `median |error| ${(medianAbsError * 100).toFixed(1)}%, max ${(maxAbsError * 100).toFixed(1)}%` +
      `${values.profile == null ? ` (profiling took ${profiledS.toFixed(0)} s)` : ''}\n`)
    return 0
  } finally {
    progress.done()
  }
}
