// tessera bench engine MODEL: what running a model as layer-volume sub-models costs on one device,
// against the whole model on onnxruntime.
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { executePlan, SessionPool } from '../engine/execute.js'
import { createSession } from '../engine/runtime.js'
import type { HostTensor } from '../engine/tensor.js'
import { cutPoints, spatialPrefixEnd } from '../graph/cuts.js'
import type { Graph } from '../graph/types.js'
import type { Plan } from '../plan/types.js'
import { loadModelArgument, parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import { median } from '../stats.js'
import { renderTable } from './table.js'

const HELP = `usage: tessera bench engine MODEL [--runs R] [--threads T] [--input-shape 1,3,H,W] [--json]

Median latency of one inference of MODEL three ways on this machine, with the same onnxruntime
settings: the whole model; the model as 1 layer-volume (the whole spatial prefix, one part) plus
the tail; and as 4 layer-volumes (cuts evenly spaced among the valid cut points) plus the tail.
Defaults: 20 timed runs after 3 warm-up runs, 1 thread.
JSON: { "wholeMs", "oneVolumeMs", "fourVolumesMs", "oneVolumeRatio", "fourVolumesRatio" }.`

export interface EngineBench {
  model: string
  inputShape: number[]
  runs: number
  threads: number
  wholeMs: number
  oneVolumeMs: number
  fourVolumesMs: number
  oneVolumeRatio: number
  fourVolumesRatio: number
}

/** A plan of `count` volumes (cuts evenly spaced along the valid cut points), one device for everything. */
export function singleDevicePlan (graph: Graph, count: number): Plan {
  const cuts = cutPoints(graph)
  const end = cuts.indexOf(spatialPrefixEnd(graph))
  const n = Math.max(1, Math.min(count, end))
  const bounds = Array.from({ length: n + 1 }, (_, i) => Math.round((i * end) / n))
  const volumes = []
  for (let i = 0; i < n; i++) {
    const output = cuts[bounds[i + 1]]
    const shape = graph.shapes.get(output)!
    volumes.push({ input: cuts[bounds[i]], output, parts: [{ device: 'local', rows: [0, shape[graph.layout.get(output)!.h]] as [number, number] }] })
  }
  return { planner: 'bench', model: { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape }, volumes, tail: { device: 'local' } }
}

/** Measures the three latencies of `tessera bench engine`, interleaving the runs so that load changes hit all three alike. */
export async function benchEngine (graph: Graph, wholeModel: Uint8Array, options: { runs: number, threads: number, warmup?: number }): Promise<EngineBench> {
  const warmup = options.warmup ?? 3
  const n = graph.inputShape.reduce((a, b) => a * b, 1)
  const input: HostTensor = { dataType: 'float32', dims: graph.inputShape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) }
  const whole = await createSession(wholeModel, { threads: options.threads })
  const pool = new SessionPool({ threads: options.threads })
  const one = singleDevicePlan(graph, 1)
  const four = singleDevicePlan(graph, 4)
  const runners: Array<() => Promise<unknown>> = [
    async () => await whole.run({ [graph.input]: input }),
    async () => await executePlan(graph, one, input, { sessions: pool }),
    async () => await executePlan(graph, four, input, { sessions: pool })
  ]
  const times: number[][] = runners.map(() => [])
  try {
    for (let i = 0; i < warmup + options.runs; i++) {
      for (let k = 0; k < runners.length; k++) {
        const t0 = performance.now()
        await runners[k]()
        if (i >= warmup) times[k].push(performance.now() - t0)
      }
    }
  } finally {
    await whole.dispose()
    await pool.dispose()
  }
  const [wholeMs, oneVolumeMs, fourVolumesMs] = times.map(median)
  return {
    model: graph.name,
    inputShape: graph.inputShape,
    runs: options.runs,
    threads: options.threads,
    wholeMs,
    oneVolumeMs,
    fourVolumesMs,
    oneVolumeRatio: oneVolumeMs / wholeMs,
    fourVolumesRatio: fourVolumesMs / wholeMs
  }
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 1,
    options: {
      runs: { type: 'string' },
      threads: { type: 'string' },
      'input-shape': { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const runs = parseIntFlag(values.runs, '--runs', 20, 1, 10000)
  const threads = parseIntFlag(values.threads, '--threads', 1, 1, 256)
  const { graph, path: modelPath } = await loadModelArgument(positionals[0], values['input-shape'])
  const r = await benchEngine(graph, readFileSync(modelPath), { runs, threads })
  if (values.json) {
    process.stdout.write(JSON.stringify({ wholeMs: r.wholeMs, oneVolumeMs: r.oneVolumeMs, fourVolumesMs: r.fourVolumesMs, oneVolumeRatio: r.oneVolumeRatio, fourVolumesRatio: r.fourVolumesRatio }) + '\n')
    return 0
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  process.stdout.write(`${r.model} [${r.inputShape.join(',')}], median of ${runs} runs, ${threads} thread(s), ${cpu}\n`)
  const rows = [
    ['whole model', r.wholeMs.toFixed(2), '1.000'],
    ['1 volume + tail', r.oneVolumeMs.toFixed(2), r.oneVolumeRatio.toFixed(3)],
    ['4 volumes + tail', r.fourVolumesMs.toFixed(2), r.fourVolumesRatio.toFixed(3)]
  ]
  process.stdout.write(renderTable(['run', 'ms', 'x whole'], rows, { numeric: c => c > 0 }) + '\n')
  return 0
}
