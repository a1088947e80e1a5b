// Inside the profiling worker: measures a model's profile on this machine (minutes of onnxruntime
// runs that must not stall the peer's event loop), with what the mesh's own machinery costs here.
import { readFile } from 'node:fs/promises'
import { loadGraph } from '../../src/graph/load.js'
import { measureProfile, measureReceiveDelay, measureReference, measureWholeModel } from '../../src/sim/profile-measure.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import type { MissingMeasurements } from '../../src/sim/profile-measured.js'
import { serve } from '../workers/worker-host.js'
import type { Graph } from '../../src/graph/types.js'
import type { SpeedReference, Timing } from '../../src/sim/profile-measure.js'
import { measureLongHandover, measureMeshCosts } from './mesh-costs.js'
import type { MeshCosts } from '../../src/sim/profile-measure.js'
import type { LongHandover, MeasuredSegment } from '../../src/sim/types.js'

/** What an older profile file lacks, measured on its own. */
export interface Completion {
  receiveMs?: number
  meshCosts?: MeshCosts
  wholeMs?: number
  longHandover?: LongHandover
}

/** The model and timing a profile is measured with. */
export interface ProfileJob { path: string, name: string, inputShape: number[], threads: number, repeats: number }

async function graphOf (job: ProfileJob): Promise<Graph> {
  return loadGraph(await readFile(job.path), { name: job.name, inputShape: job.inputShape })
}

function timingOf (job: ProfileJob): Timing {
  return { threads: job.threads, repeats: job.repeats, warmup: 1, clock: 'wall' }
}

serve({
  async measure (args: ProfileJob, progress, signal) {
    const graph = await graphOf(args)
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
  // ms of a cached profile's reference segments now, against which its speed is checked
  async reference (args: { job: ProfileJob, reference: SpeedReference }, _progress, signal) {
    return { value: await measureReference(await graphOf(args.job), args.reference, timingOf(args.job), signal) }
  },
  // what a profile measured by an older version lacks
  async complete (args: { job: ProfileJob, missing: MissingMeasurements, segments: MeasuredSegment[] }, _progress, signal) {
    const { job, missing, segments } = args
    const value: Completion = {
      ...(missing.receiveDelay ? { receiveMs: await measureReceiveDelay({ signal }) } : {}),
      ...(missing.meshCosts ? { meshCosts: await measureMeshCosts(signal) } : {}),
      ...(missing.wholeModel ? { wholeMs: await measureWholeModel(await graphOf(job), segments, timingOf(job), signal) } : {}),
      ...(missing.longHandover ? { longHandover: await measureLongHandover({ signal }) } : {})
    }
    return { value }
  }
})
