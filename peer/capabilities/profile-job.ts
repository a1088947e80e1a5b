// Inside the profiling worker: measures a model's profile on this machine (minutes of onnxruntime
// runs that must not stall the peer's event loop).
import { readFile } from 'node:fs/promises'
import { loadGraph } from '../../src/graph/load.js'
import { measureProfile, measureReceiveDelay } from '../../src/sim/profile-measure.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { serve } from '../workers/worker-host.js'

serve({
  async measure (args: { path: string, name: string, inputShape: number[], threads: number, repeats: number }, progress, signal) {
    const graph = loadGraph(await readFile(args.path), { name: args.name, inputShape: args.inputShape })
    const profile = await measureProfile(graph, {
      threads: args.threads,
      repeats: args.repeats,
      warmup: 1,
      name: args.name,
      signal,
      onProgress: (done, total, label) => { progress({ done, total, label }) }
    })
    return { value: JSON.stringify(measuredProfileToJson(profile)) }
  },
  // what a profile measured before the receive delay lacks
  async receiveDelay (_args: unknown, _progress, signal) {
    return { value: await measureReceiveDelay({ signal }) }
  }
})
