// tessera profile MODEL: measure this machine's compute profile of a model; write the table the simulator reads.
import { writeFileSync } from 'node:fs'
import { measureProfile, type Clock } from '../sim/profile-measure.js'
import { measureMeshCosts } from '../../peer/capabilities/mesh-costs.js'
import { InvalidInputError } from '../errors.js'
import { measuredProfileToJson } from '../sim/profile-measured.js'
import { loadModelArgument, parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import { bar, progressLine } from './progress.js'

const HELP = `usage: tessera profile MODEL [--threads T] [--clock wall|cpu] [--input-shape 1,3,H,W] [--repeats R]
                       [--out FILE] [--json]

Measures on this machine, with onnxruntime, the latency of every segment of MODEL between two
consecutive cut points against the number of output rows it computes (every count up to 8, then
about 1.4x apart, up to the height), and the non-spatial tail. A scenario device whose profile is
the path of the file written here is simulated with these tables (interpolated linearly).
Each point is the median of R samples (default 5), a sample the mean run over at least 40 ms. --clock cpu times a run by the CPU time it uses (one
thread only): on a machine shared with other jobs, that is what the run takes on an idle device.
MODEL is a built-in model name or a path to an .onnx file. Default --out: MODEL-profile.json.`

/** --clock: wall (default) or cpu. */
export function parseClock (value: string | undefined): Clock {
  if (value == null || value === 'wall') return 'wall'
  if (value === 'cpu') return 'cpu'
  throw new InvalidInputError(`--clock takes wall or cpu, got "${value}"`)
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 1,
    options: {
      threads: { type: 'string' },
      clock: { type: 'string' },
      'input-shape': { type: 'string' },
      repeats: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const threads = parseIntFlag(values.threads, '--threads', 1, 1, 256)
  const repeats = parseIntFlag(values.repeats, '--repeats', 5, 1, 1000)
  const clock = parseClock(values.clock)
  const { graph } = await loadModelArgument(positionals[0], values['input-shape'])
  const out = values.out ?? `${graph.name}-profile.json`
  const progress = progressLine(process.stderr, 2000)
  const controller = new AbortController()
  const onSigint = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSigint)
  const started = performance.now()
  let profile
  try {
    profile = await measureProfile(graph, {
      threads,
      repeats,
      clock,
      name: out,
      signal: controller.signal,
      meshCosts: measureMeshCosts,
      onProgress: (done, total, label) => progress.update(`profiling ${graph.name} ${bar(done / total)} ${label}`)
    })
  } finally {
    process.off('SIGINT', onSigint)
    progress.done()
  }
  const json = measuredProfileToJson(profile)
  writeFileSync(out, JSON.stringify(json) + '\n')
  if (values.json) {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
    return 0
  }
  const chain = profile.segments.reduce((s, seg) => s + seg.points[seg.points.length - 1][1], 0) + profile.tailMs
  process.stdout.write(`${graph.name} [${graph.inputShape.join(', ')}] on ${profile.machine.cpu}, ${threads} thread(s): ` +
    `${profile.machine.clock} clock, ${profile.segments.length} segments, ${profile.segments.reduce((s, seg) => s + seg.points.length, 0)} points, ` +
    `whole model ${profile.wholeMs.toFixed(1)} ms (its segments apart ${chain.toFixed(1)}), a slice taken in ${profile.receiveMs.toFixed(2)} ms after it arrives mid-compute; ` +
    `a part handed to the compute thread and back in ${profile.handoverMs.toFixed(2)} ms (${profile.longHandover.ms.toFixed(2)} ms after a ${profile.longHandover.runMs.toFixed(1)} ms run), a tensor frame ${profile.frameCost.fixedMs.toFixed(3)} ms + ${profile.frameCost.msPerMiB.toFixed(2)} ms/MiB an end; ` +
    `measured in ${((performance.now() - started) / 1000).toFixed(0)} s\n` +
    `profile written to ${out}\n`)
  return 0
}
