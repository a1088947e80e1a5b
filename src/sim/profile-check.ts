// How well a measured profile predicts real runs: random volumes (whole, and parts of them) run on this
// machine with onnxruntime, against what the simulator's cost model makes of the profile.
import { partModel, tailModel } from '../engine/sub-model.js'
import type { Graph, Range } from '../graph/types.js'
import { ComputeCosts } from './compute-cost.js'
import { layerCuts } from './layers.js'
import { timeSubModel, type Timing } from './profile-measure.js'
import type { MeasuredProfile } from './types.js'

export interface ProfileCheckOptions {
  /** Random volumes to run (default 12); the whole model is always run as well. */
  samples?: number
  seed?: number
  threads?: number
  /** Timed samples per volume, the median kept (default 7). */
  repeats?: number
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export interface ProfileCheckRow {
  /** "input -> output", or "whole model". */
  volume: string
  rows: Range
  height: number
  predictedMs: number
  measuredMs: number
  /** (predicted - measured) / measured. */
  error: number
}

/** mulberry32: a small seeded generator, enough to pick volumes reproducibly. */
function generator (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Runs random volumes between layer boundaries (every other one whole, the rest a random run of at least a
 * quarter of its rows) and the whole model, and compares each with the profile's prediction.
 */
export async function checkProfile (graph: Graph, profile: MeasuredProfile, options: ProfileCheckOptions = {}): Promise<ProfileCheckRow[]> {
  const samples = options.samples ?? 12
  const random = generator(options.seed ?? 1)
  // Runs are timed with the clock the profile was measured with.
  const timing: Timing = { threads: options.threads ?? profile.machine.threads, repeats: options.repeats ?? 7, warmup: 2, clock: profile.machine.clock }
  const costs = new ComputeCosts(graph)
  const cuts = layerCuts(graph)
  const rows: ProfileCheckRow[] = []
  for (let k = 0; k < samples; k++) {
    options.signal?.throwIfAborted()
    const i = Math.floor(random() * (cuts.length - 1))
    const j = i + 1 + Math.floor(random() * (cuts.length - 1 - i))
    const volume = { input: cuts[i], output: cuts[j] }
    const info = costs.volumeInfo(volume)
    const h = info.output.height
    let range: Range = [0, h]
    if (k % 2 === 1) {
      const n = Math.max(1, Math.ceil(h / 4) + Math.floor(random() * (h - Math.ceil(h / 4) + 1)))
      const start = Math.floor(random() * (h - n + 1))
      range = [start, start + n]
    }
    const measuredMs = await timeSubModel(partModel(graph, volume, range), timing)
    const predictedMs = costs.partMs(profile, info, range)
    rows.push({ volume: `${volume.input} -> ${volume.output}`, rows: range, height: h, predictedMs, measuredMs, error: (predictedMs - measuredMs) / measuredMs })
    options.onProgress?.(k + 1, samples + 1)
  }
  const whole = tailModel(graph, graph.input)
  if (whole != null) {
    const measuredMs = await timeSubModel(whole, timing)
    const predictedMs = costs.wholeModelMs(profile)
    const h = graph.inputShape[graph.layout.get(graph.input)!.h]
    rows.push({ volume: 'whole model', rows: [0, h], height: h, predictedMs, measuredMs, error: (predictedMs - measuredMs) / measuredMs })
  }
  options.onProgress?.(samples + 1, samples + 1)
  return rows
}
