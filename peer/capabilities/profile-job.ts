// Inside the profiling worker: measures a model's profile on this machine (minutes of onnxruntime
// runs that must not stall the peer's event loop), with what the mesh's own machinery costs here.
import { readFile } from 'node:fs/promises'
import { loadGraph } from '../../src/graph/load.js'
import { measureProfile, measureReceiveDelay, measureWholeModel } from '../../src/sim/profile-measure.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import type { MissingMeasurements } from '../../src/sim/profile-measured.js'
import { serve } from '../workers/worker-host.js'
import { measureLongHandover, measureMeshCosts } from './mesh-costs.js'
import type { MeshCosts } from '../../src/sim/profile-measure.js'
import type { LongHandover } from '../../src/sim/types.js'

/** What an older profile file lacks, measured on its own. */
export interface Completion {
  receiveMs?: number
  meshCosts?: MeshCosts
  wholeMs?: number
  longHandover?: LongHandover
}

/** The model and timing a profile is measured with. */
export interface ProfileJob { path: string, name: string, inputShape: number[], threads: number, repeats: number }

/** ms of the job's whole model on this machine now. */
async function wholeModel (job: ProfileJob): Promise<number> {
  const graph = loadGraph(await readFile(job.path), { name: job.name, inputShape: job.inputShape })
  return await measureWholeModel(graph, { threads: job.threads, repeats: job.repeats, warmup: 1, clock: 'wall' })
}

serve({
  async measure (args: ProfileJob, progress, signal) {
    const graph = loadGraph(await readFile(args.path), { name: args.name, inputShape: args.inputShape })
    const profile = await measureProfile(graph, {
      threads: args.threads,
      repeats: args.repeats,
      warmup: 1,
      name: args.name,
      signal,
      meshCosts: measureMeshCosts,
      onProgress: (done, total, label) => { progress({ done, total, label }) }
    })
    return { value: JSON.stringify(measuredProfileToJson(profile)) }
  },
  // the whole model's time now, against which a cached profile's speed is checked
  async whole (args: ProfileJob) {
    return { value: await wholeModel(args) }
  },
  // what a profile measured by an older version lacks
  async complete (args: { job: ProfileJob, missing: MissingMeasurements }, _progress, signal) {
    const { job, missing } = args
    const value: Completion = {
      ...(missing.receiveDelay ? { receiveMs: await measureReceiveDelay({ signal }) } : {}),
      ...(missing.meshCosts ? { meshCosts: await measureMeshCosts(signal) } : {}),
      ...(missing.wholeModel ? { wholeMs: await wholeModel(job) } : {}),
      ...(missing.longHandover ? { longHandover: await measureLongHandover({ signal }) } : {})
    }
    return { value }
  }
})
