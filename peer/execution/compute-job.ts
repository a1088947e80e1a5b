// Inside the compute worker: builds this peer's sub-models from the model file (building one writes
// out a share of the weights: seconds for a large model, which must not stall the peer's event loop),
// opens their onnxruntime sessions and runs them on request. onnxruntime-node runs a model
// synchronously on the calling thread; here that thread is not the event loop either.
import { readFile } from 'node:fs/promises'
import { createSession } from '../../src/engine/runtime.js'
import { partModel, tailModel } from '../../src/engine/sub-model.js'
import { loadGraph } from '../../src/graph/load.js'
import { serve } from '../workers/worker-host.js'
import type { RuntimeSession } from '../../src/engine/runtime.js'
import type { HostTensor } from '../../src/engine/tensor.js'
import type { Graph, Range, Volume } from '../../src/graph/types.js'

/** Which sub-model to build: a part of a volume, or the tail after a cut tensor. */
export type SubModelSpec =
  | { kind: 'part', volume: Volume, rows: Range, cols: Range }
  | { kind: 'tail', from: string }

export interface LoadArgs {
  key: string
  modelPath: string
  name: string
  inputShape: number[]
  spec: SubModelSpec
  threads: number
}

/** A sub-model's outputs, and how long its onnxruntime run took in this thread. */
export interface RunResult {
  outputs: Record<string, HostTensor>
  runMs: number
}

const graphs = new Map<string, Promise<Graph>>()
const sessions = new Map<string, Promise<RuntimeSession | undefined>>()

async function graphOf (path: string, name: string, inputShape: number[]): Promise<Graph> {
  const key = `${path}|${inputShape.join('x')}`
  let g = graphs.get(key)
  if (g == null) {
    g = readFile(path).then(bytes => loadGraph(bytes, { name, inputShape }))
    graphs.set(key, g)
    g.catch(() => { graphs.delete(key) })
  }
  return await g
}

async function open (args: LoadArgs): Promise<RuntimeSession | undefined> {
  const graph = await graphOf(args.modelPath, args.name, args.inputShape)
  const sub = args.spec.kind === 'part' ? partModel(graph, args.spec.volume, args.spec.rows, args.spec.cols) : tailModel(graph, args.spec.from)
  return sub == null ? undefined : await createSession(sub.bytes, { threads: args.threads })
}

serve({
  /** Builds and opens a sub-model; answers whether there is one (a tail may have nothing to run). */
  async load (args: LoadArgs) {
    let s = sessions.get(args.key)
    if (s == null) {
      s = open(args)
      sessions.set(args.key, s)
      s.catch(() => { sessions.delete(args.key) })
    }
    return { value: (await s) != null }
  },
  async run (args: { key: string, feeds: Record<string, HostTensor> }) {
    const session = await sessions.get(args.key)
    if (session == null) throw new Error(`no session ${args.key} in the compute worker`)
    const started = performance.now()
    const outputs = await session.run(args.feeds)
    const result: RunResult = { outputs, runMs: performance.now() - started }
    return { value: result, transfer: Object.values(outputs).map(t => t.data.buffer as ArrayBuffer) }
  },
  async release (args: { key: string }) {
    const s = sessions.get(args.key)
    sessions.delete(args.key)
    const session = await s?.catch(() => undefined)
    if (session != null) await session.dispose()
    return { value: null }
  }
}, {
  async close () {
    const all = [...sessions.values()]
    sessions.clear()
    await Promise.all(all.map(async s => await (await s.catch(() => undefined))?.dispose()))
  }
})
