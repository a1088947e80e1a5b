// tessera check MODEL: random valid plans run part by part on this machine, compared with the whole model.
import { readFileSync } from 'node:fs'
import { uniformFloat32 } from 'pure-rand/distribution/uniformFloat32'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { executePlan, SessionPool } from '../engine/execute.js'
import { createSession } from '../engine/runtime.js'
import type { HostTensor } from '../engine/tensor.js'
import { InvalidInputError, RuntimeError } from '../errors.js'
import { spatialPrefixEnd } from '../graph/cuts.js'
import { partAnalysis } from '../graph/regions.js'
import type { Graph } from '../graph/types.js'
import { randomPlan } from '../plan/random-plan.js'
import type { PlanVolume } from '../plan/types.js'
import { loadModelArgument, parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import { renderTable } from './table.js'

const HELP = `usage: tessera check MODEL [--devices N] [--plans K] [--seed S] [--input-shape 1,3,H,W] [--threads T] [--json]

Runs K random valid plans (random cuts among the valid cut points, random row splits over N virtual
devices, empty parts included) part by part on this machine, each part its own sub-model fed only
the rows it needs, and compares the outputs with the whole model on onnxruntime.
Relative error = absolute error / max |whole-model output|. Exit 0 when every plan's relative error is
<= 1e-4, 1 otherwise, 2 for bad input or an unsupported model.
Defaults: 4 devices, 5 plans, seed 1, the model's input shape, 1 thread.`

/** Largest relative error a plan may have. */
export const REL_TOLERANCE = 1e-4

export interface PlanCheck {
  volumes: PlanVolume[]
  tail: string
  maxAbsError: number
  maxRelError: number
}

export interface CheckReport {
  model: string
  plans: PlanCheck[]
  maxAbsError: number
  maxRelError: number
  pass: boolean
}

function seededInput (dims: number[], seed: number): HostTensor {
  const rng = xoroshiro128plus(seed ^ 0x5eed)
  const n = dims.reduce((a, b) => a * b, 1)
  const data = new Float32Array(n)
  for (let i = 0; i < n; i++) data[i] = uniformFloat32(rng) * 2 - 1
  return { dataType: 'float32', dims, data }
}

function randomSource (seed: number): () => number {
  const rng = xoroshiro128plus(seed)
  return () => uniformFloat32(rng)
}

/** Fails early, with the node named, when an op in the spatial prefix has no row map. */
function checkSupported (graph: Graph): void {
  const end = spatialPrefixEnd(graph)
  if (end === graph.input) return
  const shape = graph.shapes.get(end)!
  const H = shape[graph.layout.get(end)!.h]
  partAnalysis(graph, { input: graph.input, output: end }, [0, Math.min(1, H)])
}

/** Checks `plans` random plans of a model; the numbers behind `tessera check`. */
export async function checkModel (graph: Graph, wholeModel: Uint8Array, options: { devices: number, plans: number, seed: number, threads: number }): Promise<CheckReport> {
  checkSupported(graph)
  const input = seededInput(graph.inputShape, options.seed)
  let whole: Record<string, HostTensor>
  try {
    const s = await createSession(wholeModel, { threads: options.threads })
    try {
      whole = await s.run({ [graph.input]: input })
    } finally {
      await s.dispose()
    }
  } catch (err: any) {
    if (err instanceof RuntimeError) throw new InvalidInputError(`the model does not run on onnxruntime as it is: ${err.message as string}`)
    throw err
  }
  let scale = 0
  for (const o of graph.outputs) for (const v of whole[o].data as Float32Array) scale = Math.max(scale, Math.abs(v))
  const devices = Array.from({ length: options.devices }, (_, i) => `device-${i}`)
  const random = randomSource(options.seed)
  const plans: PlanCheck[] = []
  for (let k = 0; k < options.plans; k++) {
    const plan = randomPlan(graph, random, { devices })
    const pool = new SessionPool({ threads: options.threads })
    let maxAbs = 0
    try {
      const run = await executePlan(graph, plan, input, { sessions: pool })
      for (const o of graph.outputs) {
        const a = run.outputs[o].data as Float32Array
        const b = whole[o].data as Float32Array
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i] - b[i])
          // NaN compares false: count it as an infinite error
          maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d)
        }
      }
    } finally {
      await pool.dispose()
    }
    plans.push({ volumes: plan.volumes, tail: plan.tail.device, maxAbsError: maxAbs, maxRelError: scale > 0 ? maxAbs / scale : maxAbs })
  }
  const maxAbsError = Math.max(0, ...plans.map(p => p.maxAbsError))
  const maxRelError = Math.max(0, ...plans.map(p => p.maxRelError))
  return { model: graph.name, plans, maxAbsError, maxRelError, pass: plans.every(p => p.maxRelError <= REL_TOLERANCE) }
}

function describe (p: PlanCheck): string {
  if (p.volumes.length === 0) return 'no volumes (all on the tail)'
  return p.volumes.map(v => {
    const parts = v.parts.map(x => `${x.rows[1] - x.rows[0]}`).join('/')
    return `${v.output}[${parts}]`
  }).join(' ')
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 1,
    options: {
      devices: { type: 'string' },
      plans: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      'input-shape': { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const devices = parseIntFlag(values.devices, '--devices', 4, 1, 64)
  const plans = parseIntFlag(values.plans, '--plans', 5, 1, 10000)
  const seed = parseIntFlag(values.seed, '--seed', 1, 0, 0xffffffff)
  const threads = parseIntFlag(values.threads, '--threads', 1, 1, 64)
  const { graph, path: modelPath } = await loadModelArgument(positionals[0], values['input-shape'])
  const report = await checkModel(graph, readFileSync(modelPath), { devices, plans, seed, threads })
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  } else {
    const rows = report.plans.map((p, i) => [String(i), String(p.volumes.length), p.maxAbsError.toExponential(2), p.maxRelError.toExponential(2), p.maxRelError <= REL_TOLERANCE ? 'ok' : 'FAIL', describe(p)])
    process.stdout.write(`${report.model} [${graph.inputShape.join(',')}], ${devices} devices, seed ${seed}\n`)
    process.stdout.write(renderTable(['plan', 'volumes', 'max abs', 'max rel', '', 'cuts [rows per device]'], rows) + '\n')
    process.stdout.write(`${report.pass ? 'pass' : 'FAIL'}: max abs ${report.maxAbsError.toExponential(2)}, max rel ${report.maxRelError.toExponential(2)} (tolerance ${REL_TOLERANCE})\n`)
  }
  return report.pass ? 0 : 1
}
