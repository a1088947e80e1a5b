// Measuring a measured profile on this machine: every segment between consecutive cut points, run on
// onnxruntime as a part sub-model at a range of output rows, plus the tail. The simulator interpolates.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { cpus } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { cutPoints, spatialPrefixEnd } from '../graph/cuts.js'
import { unsplittableReason } from '../graph/regions.js'
import type { Graph, Range, Volume } from '../graph/types.js'
import { createSession, type RuntimeSession } from '../engine/runtime.js'
import { partModel, tailModel, type SubModel } from '../engine/sub-model.js'
import type { HostTensor } from '../engine/tensor.js'
import { allocate } from '../graph/tensor-data.js'
import { logger } from '../logger.js'
import { OnnxBuilder } from '../../models/onnx-builder.js'
import { median } from '../stats.js'
import { layerCuts } from './layers.js'
import type { FrameCost, LongHandover, MeasuredProfile, MeasuredSegment } from './types.js'

const log = logger('profile')

export interface MeasureOptions {
  /** onnxruntime intra-op threads (default 1). */
  threads?: number
  /** Timed samples per point; the median is kept (default 5). */
  repeats?: number
  /** Untimed runs first (default 1). */
  warmup?: number
  /** How a run is timed (default 'wall'). */
  clock?: Clock
  /** Name recorded in the profile (default "this machine"). */
  name?: string
  signal?: AbortSignal
  /** Called after every measured point. */
  onProgress?: (done: number, total: number, label: string) => void
  /**
   * Measures what the mesh's own machinery costs here (peer/capabilities/mesh-costs.ts: the hand-over to
   * the compute thread, a tensor frame through the stream stack). Without it the profile records none
   * (a profile for the simulator alone).
   */
  meshCosts?: (signal?: AbortSignal) => Promise<MeshCosts>
}

/** What the mesh's machinery costs a device: see MeasuredProfile. */
export interface MeshCosts {
  handoverMs: number
  longHandover: LongHandover
  frameCost: FrameCost
}

/** A profile that records no mesh costs. */
export const NO_MESH_COSTS: MeshCosts = { handoverMs: 0, longHandover: { runMs: 0, ms: 0 }, frameCost: { fixedMs: 0, msPerMiB: 0 } }

/**
 * Output row counts to measure for a tensor of `height` rows: every count up to 8 (where fixed costs and
 * vectorisation steps show), then about 1.4x apart, and always the whole height.
 */
export function profileRows (height: number): number[] {
  const rows = new Set<number>()
  for (let r = 1; r <= Math.min(8, height); r++) rows.add(r)
  for (let r = 8; r < height; r = Math.ceil(r * 1.4)) rows.add(r)
  rows.add(height)
  return [...rows].sort((a, b) => a - b)
}


/** A random float32 input for a sub-model's first port. */
function randomFeeds (m: SubModel): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {}
  for (const port of m.inputs) {
    const data = allocate(port.dataType, port.dims.reduce((a, b) => a * b, 1))
    if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1
    feeds[port.name] = { dataType: port.dataType, dims: port.dims, data }
  }
  return feeds
}

/**
 * What a run's time is: 'wall' the elapsed time; 'cpu' the process's CPU time during the run, which with one
 * onnxruntime thread is the elapsed time of the same run on an otherwise idle machine (a shared machine's
 * other jobs then slow the run down without counting in it).
 */
export type Clock = 'wall' | 'cpu'

export interface Timing { threads: number, repeats: number, warmup: number, clock: Clock }

/**
 * Shortest timed sample, ms: a sample repeats the run until this long has passed and counts the mean.
 * A CPU held to a quota (a cgroup's cfs_quota_us, a phone's governor) runs at full speed until the
 * quota of its period is spent and then stops: a single run shorter than that quota is timed at full
 * speed, and the fastest of a few such runs says the device is faster than it is. A sample spanning
 * ten 4 ms periods times the sustained speed.
 */
export const MIN_SAMPLE_MS = 40

/**
 * ms of running a sub-model (session creation excluded): the median of the timed samples, each the mean
 * of back-to-back runs over at least MIN_SAMPLE_MS. The median, not the fastest: a plan is judged by its
 * typical request, and a CPU under a quota varies by 20-30% from sample to sample (a 0.5 quota here:
 * whole ResNet18 samples 71-94 ms, median 89), so the fastest described a device 12-17% quicker than
 * its parts then ran in a mesh. On a machine shared with other jobs, `clock: 'cpu'` leaves them out.
 */
export async function timeSubModel (m: SubModel, options: Timing): Promise<number> {
  return (await timeInTurns([m], options))[0]
}

/** One timed sample of a session: back-to-back runs over at least MIN_SAMPLE_MS, their mean. */
async function sample (session: RuntimeSession, feeds: Record<string, HostTensor>, clock: Clock): Promise<number> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let runs = 0
  do {
    await session.run(feeds)
    runs++
  } while (performance.now() - t0 < MIN_SAMPLE_MS)
  const c = process.cpuUsage(c0)
  return (clock === 'cpu' ? (c.user + c.system) / 1000 : performance.now() - t0) / runs
}

/**
 * ms of each sub-model (session creation excluded), the median of `repeats` samples taken in turns: one
 * sample of each per round, so that something else taking the CPU for a while (a newcomer's first link
 * probes, a neighbour's start-up) falls on one round of every model rather than on every sample of one.
 */
export async function timeInTurns (models: readonly SubModel[], options: Timing, signal?: AbortSignal): Promise<number[]> {
  const sessions: RuntimeSession[] = []
  try {
    for (const m of models) sessions.push(await createSession(m.bytes, { threads: options.threads }))
    const feeds = models.map(randomFeeds)
    for (let k = 0; k < sessions.length; k++) for (let i = 0; i < options.warmup; i++) await sessions[k].run(feeds[k])
    const times: number[][] = models.map(() => [])
    for (let i = 0; i < options.repeats; i++) {
      for (let k = 0; k < sessions.length; k++) {
        signal?.throwIfAborted()
        times[k].push(await sample(sessions[k], feeds[k], options.clock))
      }
    }
    return times.map(median)
  } finally {
    for (const session of sessions) await session.dispose()
  }
}

/** Slices taken in per receive-delay measurement, at gaps spread evenly over 5-15 ms. */
const RECEIVE_ARRIVALS = 120
/** One slice as a tensor stream takes it in: reads of 16 KiB, each opened with ChaCha20-Poly1305 (as noise seals) and copied out, an event-loop turn apart. */
const RECEIVE_READS = 4
const RECEIVE_READ_BYTES = 16 * 1024
/** A compute thread: spins until the shared flag is set, as a part's onnxruntime run keeps its thread busy. */
const BUSY_THREAD = `const { workerData } = require('node:worker_threads')
const stop = new Int32Array(workerData)
let x = 0
while (Atomics.load(stop, 0) === 0) for (let i = 0; i < 100000; i++) x += Math.sqrt(i)`

/**
 * ms a slice that arrives while this device computes waits until it is taken in (the mean over the
 * arrivals): a mesh peer computes in one thread and runs its streams in another, and both share the
 * device's CPU, or the quota a cgroup or a governor leaves it. On a free core with a second one idle,
 * a fraction of a millisecond; on a quarter of a core, several (the stream waits for the compute's
 * share of each period to pass). The simulator adds it to every message a device receives.
 */
export async function measureReceiveDelay (options: { signal?: AbortSignal } = {}): Promise<number> {
  const key = randomBytes(32)
  const nonce = Buffer.alloc(12)
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
  const sealed = Buffer.concat([cipher.update(randomBytes(RECEIVE_READ_BYTES)), cipher.final()])
  const tag = cipher.getAuthTag()
  const stop = new SharedArrayBuffer(4)
  const busy = new Worker(BUSY_THREAD, { eval: true, workerData: stop })
  const exited = once(busy, 'exit')
  try {
    await once(busy, 'online')
    let total = 0
    for (let i = 0; i < RECEIVE_ARRIVALS; i++) {
      options.signal?.throwIfAborted()
      const gap = 5 + 10 * ((i * 0.6180339887) % 1)
      const due = performance.now() + gap
      await sleep(gap)
      const slice = new Uint8Array(RECEIVE_READS * RECEIVE_READ_BYTES)
      for (let k = 0; k < RECEIVE_READS; k++) {
        const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
        decipher.setAuthTag(tag)
        slice.set(Buffer.concat([decipher.update(sealed), decipher.final()]), k * RECEIVE_READ_BYTES)
        await new Promise<void>((resolve) => { setImmediate(resolve) })
      }
      // a timer keeps whole milliseconds and may fire up to one before `due`: a slice is never taken in before it arrives
      total += Math.max(0, performance.now() - due)
    }
    return total / RECEIVE_ARRIVALS
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1)
    await exited
  }
}

/** A one-node model on a single element: what one onnxruntime call costs by itself. */
function trivialModel (): SubModel {
  const b = new OnnxBuilder({ name: 'call' })
  b.output(b.relu(b.input('x', [1, 1, 1, 1]), 'y'))
  return { key: 'call', bytes: b.encode(), inputs: [{ name: 'x', dataType: 'float32', dims: [1, 1, 1, 1] }], outputs: [{ name: 'y', dataType: 'float32', dims: [1, 1, 1, 1] }], graphNodes: 1, addedNodes: 0 }
}

/**
 * Rounds of a speed measurement (the whole model and the reference segments, in turns), the medians kept:
 * one number scales every chain of tables (and, checked again later, every table), so it gets more samples
 * than a table's point. With 3, one testbed device at a quarter of a core checked at 0.87, 0.87, 0.93 and
 * 1.25 of its profile within 20 minutes, and another's profile recorded 118.7 ms where its three checks
 * found 79-82.
 */
export const WHOLE_MODEL_SAMPLES = 7

/** The reference segments hold at least this share of the chain of segments at full height. */
export const SPEED_REFERENCE_SHARE = 0.5

/** A profile's speed reference: its largest segments at full height, and what its tables say they take. */
export interface SpeedReference {
  volumes: Array<{ volume: Volume, height: number }>
  /** The sum of their full-height table points, ms. */
  tablesMs: number
}

/**
 * The segments a profile's speed is checked by: the largest at full height, from the largest down, until
 * they hold SPEED_REFERENCE_SHARE of the chain. Timed the way their tables were, they say how fast the
 * device is now against when it was profiled. The whole model timed alone cannot: between processes its
 * time varied by 15% and more where the tables' chain stayed within 1-2% (VGG16 at 0.55 of a core here:
 * 245, 280 and 328 ms in three profiles whose chains were 282, 278 and 276 ms).
 */
export function speedReference (segments: readonly MeasuredSegment[]): SpeedReference {
  const full = segments.map(s => ({ volume: { input: s.input, output: s.output }, height: s.height, ms: s.points[s.points.length - 1][1] }))
  const chain = full.reduce((sum, s) => sum + s.ms, 0)
  const volumes: SpeedReference['volumes'] = []
  let tablesMs = 0
  for (const s of [...full].sort((a, b) => b.ms - a.ms)) {
    if (volumes.length > 0 && tablesMs >= SPEED_REFERENCE_SHARE * chain) break
    volumes.push({ volume: s.volume, height: s.height })
    tablesMs += s.ms
  }
  if (volumes.length === 0) throw new RangeError('a profile without segments has no speed reference')
  return { volumes, tablesMs }
}

function referenceModels (graph: Graph, reference: SpeedReference): SubModel[] {
  return reference.volumes.map(({ volume, height }) => partModel(graph, volume, [0, height]))
}

/** ms of a profile's reference segments on this machine now (WHOLE_MODEL_SAMPLES rounds in turns). */
export async function measureReference (graph: Graph, reference: SpeedReference, timing: Timing, signal?: AbortSignal): Promise<number> {
  const times = await timeInTurns(referenceModels(graph, reference), { ...timing, repeats: Math.max(timing.repeats, WHOLE_MODEL_SAMPLES) }, signal)
  return times.reduce((a, b) => a + b, 0)
}

/**
 * ms of the whole model run as one sub-model, as a device serving a request alone runs it, in the terms of
 * the profile's tables: timed in turns with the reference segments (WHOLE_MODEL_SAMPLES rounds) and scaled
 * by their tables over their time now, so that a device slower or faster for the whole of this measurement
 * than while its tables were timed records the whole model as its tables would have.
 */
export async function measureWholeModel (graph: Graph, segments: readonly MeasuredSegment[], timing: Timing, signal?: AbortSignal): Promise<number> {
  const whole = tailModel(graph, graph.input)
  if (whole == null) throw new RangeError(`${graph.name} has no node after its input`)
  const reference = speedReference(segments)
  const [wholeMs, ...parts] = await timeInTurns([whole, ...referenceModels(graph, reference)], { ...timing, repeats: Math.max(timing.repeats, WHOLE_MODEL_SAMPLES) }, signal)
  const nowMs = parts.reduce((a, b) => a + b, 0)
  log('whole model %s ms, its reference segments %s ms now against %s in the tables', wholeMs.toFixed(2), nowMs.toFixed(2), reference.tablesMs.toFixed(2))
  return nowMs > 0 ? wholeMs * reference.tablesMs / nowMs : wholeMs
}

/** A point strays when it is off its table's line by more than this share of the line's value ... */
export const STRAY_SHARE = 0.3
/** ... and by more than this many ms. */
export const STRAY_MS = 1

/**
 * The points of a table that stray from its line: a robust (Theil-Sen) fit of ms against rows, which a
 * few disturbed points do not move. A part's work grows linearly with its rows, and a point far off the
 * line of the others was timed while something else took the device's CPU (such as its own peer's
 * network work, a collection or a neighbour on a shared host): on a quarter of a core here, single points
 * came out 2-9 times their neighbours, in a different place at every measurement. Tables of fewer than 4
 * points have no line to stray from.
 */
export function strayPoints (points: ReadonlyArray<readonly [number, number]>): number[] {
  if (points.length < 4) return []
  const slopes: number[] = []
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) slopes.push((points[j][1] - points[i][1]) / (points[j][0] - points[i][0]))
  }
  const slope = median(slopes)
  const intercept = median(points.map(([r, ms]) => ms - slope * r))
  const stray: number[] = []
  points.forEach(([r, ms], i) => {
    const line = intercept + slope * r
    if (Math.abs(ms - line) > Math.max(STRAY_SHARE * Math.abs(line), STRAY_MS)) stray.push(i)
  })
  return stray
}

/** Rows [start, start + n) centred in the height: an inner part, with halo on both sides. */
function centred (height: number, n: number): Range {
  const start = Math.floor((height - n) / 2)
  return [start, start + n]
}

/** Measures the profile of `graph` on this machine. */
export async function measureProfile (graph: Graph, options: MeasureOptions = {}): Promise<MeasuredProfile> {
  const threads = options.threads ?? 1
  const clock = options.clock ?? 'wall'
  if (clock === 'cpu' && threads !== 1) throw new RangeError('the cpu clock measures one onnxruntime thread only')
  const timing: Timing = { threads, repeats: options.repeats ?? 5, warmup: options.warmup ?? 1, clock }
  const cuts = cutPoints(graph)
  const plan = cuts.slice(1).map((output, i) => {
    const volume: Volume = { input: cuts[i], output }
    const height = graph.shapes.get(output)![graph.layout.get(output)!.h]
    // A segment that needs every row (a squeeze-excite block) only ever runs whole.
    const rows = unsplittableReason(graph, volume) == null ? profileRows(height) : [height]
    return { volume, height, rows }
  })
  // Layers spanning several segments (conv + activation) are measured whole too: onnxruntime fuses them.
  const layerCut = layerCuts(graph)
  const index = new Map(cuts.map((c, i) => [c, i]))
  const layerPlan = layerCut.slice(1).flatMap((output, i) => {
    const input = layerCut[i]
    if (index.get(output)! - index.get(input)! < 2) return []
    const volume: Volume = { input, output }
    const height = graph.shapes.get(output)![graph.layout.get(output)!.h]
    return [{ volume, height, rows: unsplittableReason(graph, volume) == null ? profileRows(height) : [height] }]
  })
  // Consecutive layers measured fused: what running them as one sub-model saves over two.
  const pairPlan = layerCut.slice(2).map((output, i) => {
    const volume: Volume = { input: layerCut[i], output }
    const height = graph.shapes.get(output)![graph.layout.get(output)!.h]
    return { volume, middle: layerCut[i + 1], height, rows: unsplittableReason(graph, volume) == null ? profileRows(height) : [height] }
  })
  const total = [...plan, ...layerPlan, ...pairPlan].reduce((s, p) => s + p.rows.length, 0) + 2
  let done = 0
  // a table's points, then those that stray from its line timed twice more, each the median of the three
  const table = async (volume: Volume, height: number, rows: number[], label: string): Promise<MeasuredSegment> => {
    const time = async (n: number): Promise<number> => {
      options.signal?.throwIfAborted()
      return await timeSubModel(partModel(graph, volume, centred(height, n)), timing)
    }
    const points: Array<[number, number]> = []
    for (const n of rows) {
      points.push([n, await time(n)])
      done++
      options.onProgress?.(done, total, `${label} ${volume.input} -> ${volume.output} rows ${n}/${height}`)
    }
    for (const i of strayPoints(points)) {
      const [n, first] = points[i]
      points[i] = [n, median([first, await time(n), await time(n)])]
      log('%s %s -> %s rows %d: %s ms strayed from the table\'s line, %s ms timed again', label, volume.input, volume.output, n, first.toFixed(2), points[i][1].toFixed(2))
    }
    log('%s %s -> %s: %o', label, volume.input, volume.output, points)
    return { input: volume.input, output: volume.output, height, points }
  }
  const segments: MeasuredSegment[] = []
  for (const { volume, height, rows } of plan) segments.push(await table(volume, height, rows, 'segment'))
  const layers: MeasuredSegment[] = []
  for (const { volume, height, rows } of layerPlan) layers.push(await table(volume, height, rows, 'layer'))
  const pairs: Array<{ middle: string, table: MeasuredSegment }> = []
  for (const { volume, middle, height, rows } of pairPlan) pairs.push({ middle, table: await table(volume, height, rows, 'layers') })
  const callMs = await timeSubModel(trivialModel(), timing)
  const tail = tailModel(graph, spatialPrefixEnd(graph))
  const tailMs = tail == null ? 0 : await timeSubModel(tail, timing)
  options.onProgress?.(total - 1, total, 'tail')
  const wholeMs = await measureWholeModel(graph, segments, timing, options.signal)
  options.onProgress?.(total, total, 'whole model')
  const receiveMs = await measureReceiveDelay({ signal: options.signal })
  const mesh = options.meshCosts == null ? NO_MESH_COSTS : await options.meshCosts(options.signal)
  return {
    kind: 'measured',
    name: options.name ?? 'this machine',
    model: { name: graph.name, sha256: graph.sha256, inputShape: [...graph.inputShape] },
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, threads, clock },
    segments,
    layers,
    pairs,
    callMs,
    tailMs,
    receiveMs,
    handoverMs: mesh.handoverMs,
    longHandover: { ...mesh.longHandover },
    frameCost: { ...mesh.frameCost },
    wholeMs
  }
}
