// Inside the compute worker: onnxruntime sessions by key, created from sub-model bytes, run on request.
// onnxruntime-node runs a model synchronously on the calling thread; here that thread is not the
// peer's event loop.
import { createSession } from '../../src/engine/runtime.js'
import { serve } from '../workers/worker-host.js'
import type { RuntimeSession } from '../../src/engine/runtime.js'
import type { HostTensor } from '../../src/engine/tensor.js'

const sessions = new Map<string, Promise<RuntimeSession>>()

serve({
  async load (args: { key: string, bytes: Uint8Array, threads: number }) {
    if (!sessions.has(args.key)) {
      const s = createSession(args.bytes, { threads: args.threads })
      sessions.set(args.key, s)
      s.catch(() => { sessions.delete(args.key) })
    }
    await sessions.get(args.key)
    return { value: null }
  },
  async run (args: { key: string, feeds: Record<string, HostTensor> }) {
    const session = sessions.get(args.key)
    if (session == null) throw new Error(`no session ${args.key} in the compute worker`)
    const outputs = await (await session).run(args.feeds)
    return { value: outputs, transfer: Object.values(outputs).map(t => t.data.buffer as ArrayBuffer) }
  },
  async release (args: { key: string }) {
    const s = sessions.get(args.key)
    sessions.delete(args.key)
    if (s != null) await (await s).dispose()
    return { value: null }
  }
})
