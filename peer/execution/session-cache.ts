// The sub-model sessions this peer runs, living in a compute worker thread (built there too); shared
// by the plans that use them and released when the last such plan is retired.
import { logger } from '../../src/logger.js'
import { WorkerClient } from '../workers/worker-client.js'
import type { LoadArgs, RunResult } from './compute-job.js'
import type { HostTensor } from '../../src/engine/tensor.js'

const log = logger('sessions')

/** A loaded sub-model: runs in the compute worker (its outputs, and how long the run took there). */
export interface ComputeSession {
  /**
   * With `handOver`, the feeds' buffers move to the compute thread instead of being copied there (the caller must
   * not read them afterwards; a buffer shared with other arrays is copied all the same).
   */
  run: (feeds: Record<string, HostTensor>, options?: { handOver?: boolean }) => Promise<RunResult>
}

/** The buffers of `feeds` that can move to another thread whole: each array's own, unshared buffer. */
export function movableBuffers (feeds: Record<string, HostTensor>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  for (const t of Object.values(feeds)) {
    const b = t.data.buffer
    if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength) out.add(b)
  }
  return [...out]
}

export class SessionCache {
  private worker?: WorkerClient
  private readonly sessions = new Map<string, { loaded: Promise<boolean>, users: Set<string> }>()

  constructor (private readonly options: { threads?: number } = {}) {}

  private client (): WorkerClient {
    this.worker ??= new WorkerClient(new URL('./compute-job.ts', import.meta.url), 'compute')
    return this.worker
  }

  /** The session of a sub-model (undefined: a tail with nothing to run), held for plan `user` until release(user). */
  async acquire (args: Omit<LoadArgs, 'threads'>, user: string): Promise<ComputeSession | undefined> {
    const worker = this.client()
    let entry = this.sessions.get(args.key)
    if (entry == null) {
      const loaded = worker.call<boolean>('load', { ...args, threads: this.options.threads ?? 1 })
      entry = { loaded, users: new Set() }
      this.sessions.set(args.key, entry)
      // a failed load is not kept: the next plan tries again and reports its own error
      loaded.catch(() => { this.sessions.delete(args.key) })
    }
    entry.users.add(user)
    if (!(await entry.loaded)) return undefined
    const key = args.key
    return {
      run: async (feeds, options) => await worker.call<RunResult>('run', { key, feeds }, options?.handOver === true ? { transfer: movableBuffers(feeds) } : {})
    }
  }

  /** Drops plan `user`'s hold; sessions nobody holds are disposed. */
  async release (user: string): Promise<void> {
    const worker = this.worker
    if (worker == null) return
    const disposing: Array<Promise<void>> = []
    for (const [key, entry] of this.sessions) {
      if (!entry.users.delete(user) || entry.users.size > 0) continue
      this.sessions.delete(key)
      disposing.push(worker.call<void>('release', { key }).catch((err: Error) => { log('releasing %s failed: %s', key, err.message) }))
    }
    await Promise.all(disposing)
  }

  get size (): number {
    return this.sessions.size
  }

  async dispose (): Promise<void> {
    this.sessions.clear()
    await this.worker?.close()
    this.worker = undefined
  }
}
