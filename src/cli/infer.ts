// tessera infer: join the mesh as a requester, run inferences through it, show the result and timings.
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolveModel } from '../../models/zoo.js'
import { InferClient } from '../../peer/requester/infer-client.js'
import { newRequestId } from '../../peer/requester/coordinator.js'
import { readInput } from '../../peer/requester/input-file.js'
import { createSession } from '../engine/runtime.js'
import { InvalidInputError } from '../errors.js'
import { loadGraph } from '../graph/load.js'
import { parseIntFlag, parseList, parseShape } from './args.js'
import { parseCommand } from './command.js'
import type { InferResult, NamedTensor } from '../../protocols/infer/codec.js'

const HELP = `usage: tessera infer --model M [--input FILE.png|FILE.jpg|FILE.npy|random] [--repeat N] [--interval MS]
                     [--verify] [--json] [--bootstrap ADDR]... [--no-mdns] [--listen ADDR] [--timeout S] [--input-shape 1,3,H,W] [--seed S]

Joins the mesh as a requester (it never computes or votes), sends the input to the leader over
/tessera/infer/1.0.0 and prints the result: the top-5 classes for a classifier, the shape and a
checksum otherwise, with the latency and each device's compute and wait times.

  --model M       the model (a built-in name or an .onnx path) the mesh serves
  --input I       an image (resized, ImageNet-normalised), a .npy array of the input's shape, or
                  random (seeded by --seed; default)
  --repeat N      run N inferences (default 1)
  --interval MS   wait MS after each result before sending the next input (default 0: back to back;
                  a pause lets every peer finish what a request left it before the next one starts)
  --verify        compare with a whole-model run on this machine (exit 1 on a mismatch)
  --json          print { latencyMs, verified, maxAbsError, plan: { term, id, planner, devices } }
  --timeout S     seconds to wait for the mesh and for each result (default 60)`

/** Relative error bound of --verify: the mesh result may differ from the local run by float rounding. */
export const VERIFY_TOLERANCE = 1e-4

function topK (data: Float32Array, k: number): Array<{ index: number, score: number }> {
  const idx = Array.from(data.keys()).sort((a, b) => data[b] - data[a]).slice(0, k)
  return idx.map(index => ({ index, score: data[index] }))
}

function checksum (data: Float32Array): number {
  let s = 0
  for (let i = 0; i < data.length; i++) s += data[i] * ((i % 7) + 1)
  return s
}

function describeOutput (o: NamedTensor): string {
  const classes = o.shape.filter(d => d > 1)
  if (classes.length === 1 && classes[0] >= 10 && classes[0] === o.data.length) {
    const top = topK(o.data, 5).map(t => `class ${t.index} (${t.score.toFixed(4)})`).join(', ')
    return `${o.name} [${o.shape.join(', ')}]: top-5 ${top}`
  }
  return `${o.name} [${o.shape.join(', ')}]: checksum ${checksum(o.data).toExponential(6)}`
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    options: {
      model: { type: 'string' },
      input: { type: 'string', default: 'random' },
      repeat: { type: 'string' },
      interval: { type: 'string' },
      verify: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      bootstrap: { type: 'string', multiple: true },
      'no-mdns': { type: 'boolean', default: false },
      listen: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      'input-shape': { type: 'string' },
      seed: { type: 'string' }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  if (values.model == null) throw new InvalidInputError('--model is required (a built-in model name or an .onnx path)')
  const repeat = parseIntFlag(values.repeat, '--repeat', 1, 1, 100_000)
  const intervalMs = parseIntFlag(values.interval, '--interval', 0, 0, 3_600_000)
  const timeoutMs = parseIntFlag(values.timeout, '--timeout', 60, 1, 86_400) * 1000
  const seed = parseIntFlag(values.seed, '--seed', 0, 0, 2 ** 31 - 1)
  const inputShape = parseShape(values['input-shape'])
  const model = await resolveModel(values.model, inputShape != null ? { inputShape } : {})
  const bytes = await readFile(model.path)
  const graph = loadGraph(bytes, { name: model.name, ...(inputShape != null ? { inputShape } : {}) })
  const input = await readInput(values.input, graph.inputShape, seed)
  const client = await InferClient.create({
    mdns: !values['no-mdns'],
    bootstrap: parseList(values.bootstrap),
    ...(values.listen != null ? { listen: values.listen } : {})
  })
  const latencyMs: number[] = []
  // each request's timeline (not its outputs: --repeat may run many)
  const served: Array<{ latencyMs: number, plan: string, meshMs: number, sentAt: number, receivedAt: number, timings: InferResult['timings'] }> = []
  let last: InferResult | undefined
  try {
    for (let i = 0; i < repeat; i++) {
      if (i > 0 && intervalMs > 0) await sleep(intervalMs)
      const started = performance.now()
      last = await client.infer({ requestId: newRequestId(), modelSha256: graph.sha256, modelName: graph.name, input: { name: graph.input, shape: graph.inputShape, data: input } }, { timeoutMs })
      latencyMs.push(performance.now() - started)
      served.push({ latencyMs: latencyMs[i], plan: `${last.term}.${last.planId}`, meshMs: last.totalMs, sentAt: last.sentAt, receivedAt: last.receivedAt, timings: last.timings })
    }
  } finally {
    await client.stop()
  }
  const result = last!
  let verified: boolean | null = null
  let maxAbsError: number | null = null
  if (values.verify) {
    const session = await createSession(bytes, { threads: 1 })
    try {
      const whole = await session.run({ [graph.input]: { dataType: 'float32', dims: graph.inputShape, data: input } })
      maxAbsError = 0
      let scale = 0
      for (const o of result.outputs) {
        const ref = whole[o.name]?.data as Float32Array | undefined
        if (ref == null || ref.length !== o.data.length) throw new InvalidInputError(`output "${o.name}" from the mesh has no counterpart in the local run`)
        for (let i = 0; i < ref.length; i++) {
          maxAbsError = Math.max(maxAbsError, Math.abs(ref[i] - o.data[i]))
          scale = Math.max(scale, Math.abs(ref[i]))
        }
      }
      verified = maxAbsError <= VERIFY_TOLERANCE * Math.max(1, scale)
    } finally {
      await session.dispose()
    }
  }
  const plan = { term: result.term, id: result.planId, planner: result.planner, devices: result.devices }
  if (values.json) {
    process.stdout.write(JSON.stringify({
      latencyMs, verified, maxAbsError, plan,
      attempts: result.attempts,
      outputs: result.outputs.map(o => ({ name: o.name, shape: o.shape, checksum: checksum(o.data), top5: topK(o.data, Math.min(5, o.data.length)) })),
      timings: result.timings,
      // every request's own timeline: the serving peer's send and receive, each part's ready and start instants
      requests: served
    }) + '\n')
  } else {
    const sorted = [...latencyMs].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    process.stdout.write(`${graph.name} through the mesh: plan ${plan.term}.${plan.id} (${plan.planner}) on ${plan.devices.join(', ')}\n`)
    for (const o of result.outputs) process.stdout.write(`  ${describeOutput(o)}\n`)
    process.stdout.write(`latency: ${repeat === 1 ? `${latencyMs[0].toFixed(1)} ms` : `median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} over ${repeat}`} (mesh side ${result.totalMs.toFixed(1)} ms${result.attempts > 1 ? `, ${result.attempts} attempts` : ''})\n`)
    const rows = [...result.timings].sort((a, b) => a.volume - b.volume || a.part - b.part)
    for (const t of rows) {
      const what = t.volume === Math.max(...rows.map(r => r.volume)) && t.rows === 0 ? 'tail' : `volume ${t.volume + 1} part ${t.part + 1} (${t.rows} rows)`
      process.stdout.write(`  ${t.device.padEnd(16)} ${what.padEnd(28)} compute ${t.computeMs.toFixed(1).padStart(8)} ms   waited ${t.waitMs.toFixed(1).padStart(8)} ms\n`)
    }
    if (verified != null) process.stdout.write(`verify: ${verified ? 'equal' : 'DIFFERENT'} to a whole-model run here (max abs error ${maxAbsError!.toExponential(3)})\n`)
  }
  return verified === false ? 1 : 0
}
