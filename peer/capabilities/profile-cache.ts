// Measured compute profiles, cached on disk by model sha256, input shape and machine: a peer measures
// each model once per machine; peers sharing a machine share the file (one measures, the others wait).
import { createHash } from 'node:crypto'
import { MIN_SAMPLE_MS, speedReference, type SpeedReference } from '../../src/sim/profile-measure.js'
import { cpus, hostname, totalmem } from 'node:os'
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cacheDir } from '../../models/zoo.js'
import { InvalidInputError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { lacksAny, missingMeasurements, measuredProfileToJson, parseMeasuredProfile, scaleProfileSpeed } from '../../src/sim/profile-measured.js'
import type { MissingMeasurements } from '../../src/sim/profile-measured.js'
import { WorkerClient } from '../workers/worker-client.js'
import type { Graph } from '../../src/graph/types.js'
import type { MeasuredProfile } from '../../src/sim/types.js'
import type { Completion, ProfileJob } from './profile-job.js'

const log = logger('profile')

export interface ProfileCacheInit {
  /** Where profiles are kept (default: <model cache>/profiles). */
  dir?: string
  /** onnxruntime threads the peer computes with (part of the machine key; default 1). */
  threads?: number
  /** Timed runs per point (default 3). */
  repeats?: number
  /** How long to wait for another process measuring the same profile, ms (default 10 min). */
  waitForOtherMs?: number
  /**
   * Check a cached profile against this machine's speed now (default true): time its largest segments
   * and scale the tables by that time over theirs (a laptop on battery, a busy host).
   */
  speedCheck?: boolean
}

/** A cached profile checked against the machine's speed now. */
export interface SpeedCheck {
  /** ms of the profile's reference segments (src/sim/profile-measure.ts, speedReference) now. */
  referenceMs: number
  /** ms of the same segments by the profile's tables. */
  cachedReferenceMs: number
  /** referenceMs / cachedReferenceMs: what the tables were scaled by. */
  factor: number
}

export interface ProfileProgress {
  done: number
  total: number
  label: string
}

/** How profiles are timed (src/sim/profile-measure.ts); a profile timed another way is measured again. */
const TIMING_METHOD = `median of samples of at least ${MIN_SAMPLE_MS} ms, points astray from their table's line timed again`

/** What identifies "this machine" for a profile: CPU model, core count, memory, host, threads, and the timing method. */
export function machineKey (threads: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown'
  return createHash('sha256').update(`${hostname()}|${cpu}|${cpus().length}|${totalmem()}|${threads}|${TIMING_METHOD}`).digest('hex').slice(0, 16)
}

/** The segments a profile's speed is checked by, when it has segments that take some time by its tables. */
function referenceOf (profile: MeasuredProfile): SpeedReference | undefined {
  if (profile.segments.length === 0) return undefined
  const reference = speedReference(profile.segments)
  return reference.tablesMs > 0 ? reference : undefined
}

/** Measured profiles of this machine, read from disk or measured once. */
export class ProfileCache {
  readonly dir: string
  private readonly threads: number
  private readonly repeats: number
  private readonly waitForOtherMs: number
  private readonly speedCheck: boolean

  constructor (init: ProfileCacheInit = {}) {
    this.dir = init.dir ?? join(cacheDir(), 'profiles')
    this.threads = init.threads ?? 1
    this.repeats = init.repeats ?? 3
    this.waitForOtherMs = init.waitForOtherMs ?? 10 * 60_000
    this.speedCheck = init.speedCheck ?? true
  }

  /** The cache file of a graph's profile on this machine. */
  path (graph: Graph): string {
    return join(this.dir, `${graph.sha256}-${graph.inputShape.join('x')}-${machineKey(this.threads)}.json`)
  }

  /**
   * The profile from the cache (checked against the machine's speed now, `speed`), or measured now (and
   * cached); `fresh` says which.
   */
  async get (graph: Graph, modelPath: string, options: { signal?: AbortSignal, onProgress?: (p: ProfileProgress) => void } = {}): Promise<{ profile: MeasuredProfile, json: Uint8Array, fresh: boolean, speed?: SpeedCheck }> {
    const path = this.path(graph)
    const cached = await this.read(path)
    if (cached != null) {
      const { missing } = cached
      const got = lacksAny(missing) ? await this.complete(path, graph, modelPath, cached.profile, missing, options.signal) : cached
      const reference = this.speedCheck ? referenceOf(got.profile) : undefined
      return { ...(reference != null ? await this.checkSpeed(graph, modelPath, got.profile, reference, options.signal) : got), fresh: false }
    }
    await mkdir(this.dir, { recursive: true })
    const lock = `${path}.lock`
    let locked = false
    try {
      await (await open(lock, 'wx')).close()
      locked = true
    } catch (err: any) {
      if (err?.code !== 'EEXIST') throw err
    }
    if (!locked) {
      // another peer on this machine is measuring it: wait for its file rather than compete for the CPU
      const waited = await this.waitFor(path, lock, options.signal)
      if (waited != null) return { profile: waited.profile, json: waited.json, fresh: false }
      await rm(lock, { force: true })
      return await this.get(graph, modelPath, options)
    }
    try {
      log('measuring %s on this machine into %s', graph.name, path)
      // measured in a worker thread: minutes of onnxruntime runs must not stall the peer
      const worker = new WorkerClient(new URL('./profile-job.ts', import.meta.url), 'profile')
      let text: string
      try {
        text = await worker.call<string>('measure', this.job(graph, modelPath), {
          signal: options.signal,
          onProgress: (p: ProfileProgress) => options.onProgress?.(p)
        })
      } finally {
        await worker.close()
      }
      const profile = parseMeasuredProfile(JSON.parse(text), path)
      const temp = `${path}.${process.pid}.tmp`
      await writeFile(temp, text)
      await rename(temp, path)
      return { profile, json: new TextEncoder().encode(text), fresh: true }
    } finally {
      await rm(lock, { force: true })
    }
  }

  /** The cached profile scaled to this machine's speed now (the file stays as measured). */
  private async checkSpeed (graph: Graph, modelPath: string, cached: MeasuredProfile, reference: SpeedReference, signal?: AbortSignal): Promise<{ profile: MeasuredProfile, json: Uint8Array, speed: SpeedCheck }> {
    const worker = new WorkerClient(new URL('./profile-job.ts', import.meta.url), 'profile')
    let referenceMs: number
    try {
      referenceMs = await worker.call<number>('reference', { job: this.job(graph, modelPath), reference }, { signal })
    } finally {
      await worker.close()
    }
    const cachedReferenceMs = reference.tablesMs
    const speed: SpeedCheck = { referenceMs, cachedReferenceMs, factor: referenceMs / cachedReferenceMs }
    log('profile of %s: its reference segments take %s ms now against %s ms in its tables: tables x%s', graph.name, referenceMs.toFixed(1), cachedReferenceMs.toFixed(1), speed.factor.toFixed(3))
    const profile = scaleProfileSpeed(cached, speed.factor)
    return { profile, json: new TextEncoder().encode(JSON.stringify(measuredProfileToJson(profile))), speed }
  }

  /** A profile cached by an older version: measures what it lacks (seconds, not the tables' minutes) and rewrites the file. */
  private async complete (path: string, graph: Graph, modelPath: string, profile: MeasuredProfile, missing: MissingMeasurements, signal?: AbortSignal): Promise<{ profile: MeasuredProfile, json: Uint8Array }> {
    log('cached profile %s lacks %s: measuring it', path, [missing.receiveDelay ? 'the receive delay' : '', missing.meshCosts ? 'the mesh costs' : '', missing.wholeModel ? 'the whole model\'s time' : '', missing.longHandover ? 'the hand-over after a long run' : ''].filter(x => x !== '').join(', '))
    const worker = new WorkerClient(new URL('./profile-job.ts', import.meta.url), 'profile')
    let got: Completion
    try {
      got = await worker.call<Completion>('complete', { job: this.job(graph, modelPath), missing, segments: profile.segments }, { signal })
    } finally {
      await worker.close()
    }
    const text = JSON.stringify(measuredProfileToJson({ ...profile, ...(got.receiveMs != null ? { receiveMs: got.receiveMs } : {}), ...got.meshCosts, ...(got.wholeMs != null ? { wholeMs: got.wholeMs } : {}), ...(got.longHandover != null ? { longHandover: got.longHandover } : {}) }))
    const temp = `${path}.${process.pid}.tmp`
    await writeFile(temp, text)
    await rename(temp, path)
    return { profile: parseMeasuredProfile(JSON.parse(text), path), json: new TextEncoder().encode(text) }
  }

  /** What the profiling worker measures with. */
  private job (graph: Graph, modelPath: string): ProfileJob {
    return { path: modelPath, name: graph.name, inputShape: [...graph.inputShape], threads: this.threads, repeats: this.repeats }
  }

  /** The cached profile, and what its file predates. */
  private async read (path: string): Promise<{ profile: MeasuredProfile, json: Uint8Array, missing: MissingMeasurements } | undefined> {
    let bytes: Uint8Array
    try {
      bytes = await readFile(path)
    } catch (err: any) {
      if (err?.code === 'ENOENT') return undefined
      throw err
    }
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes))
      return { profile: parseMeasuredProfile(parsed, path), json: bytes, missing: missingMeasurements(parsed) }
    } catch (err: any) {
      if (err instanceof SyntaxError || err instanceof InvalidInputError) {
        log('cached profile %s is unreadable (%s): measuring again', path, err.message)
        await rm(path, { force: true })
        return undefined
      }
      throw err
    }
  }

  private async waitFor (path: string, lock: string, signal?: AbortSignal): Promise<{ profile: MeasuredProfile, json: Uint8Array } | undefined> {
    const deadline = Date.now() + this.waitForOtherMs
    while (Date.now() < deadline) {
      signal?.throwIfAborted()
      const done = await this.read(path)
      if (done != null) return done
      try {
        // a lock left by a process that died long ago is stale
        const s = await stat(lock)
        if (Date.now() - s.mtimeMs > this.waitForOtherMs) return undefined
      } catch (err: any) {
        if (err?.code !== 'ENOENT') throw err
        return await this.read(path)
      }
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    return undefined
  }
}
