// The main-thread side of a job worker: CPU-heavy work (onnxruntime runs, planners, profiling) runs
// in a worker thread so the event loop keeps serving heartbeats and streams meanwhile.
import { Worker } from 'node:worker_threads'
import { TesseraError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import type { TransferListItem } from 'node:worker_threads'
import type { WorkerReply, WorkerRequest } from './worker-host.js'

const log = logger('worker')

/** An error thrown inside a worker, carried over with its class name. */
export class WorkerJobError extends TesseraError {
  static name = 'WorkerJobError'
  constructor (readonly remoteName: string, message: string) {
    super(message)
  }
}

interface Pending {
  resolve: (value: any) => void
  reject: (err: Error) => void
  progress?: (value: any) => void
}

/** How long close() waits for the worker's jobs to return before it kills the thread. */
const CLOSE_TIMEOUT_MS = 30_000

export class WorkerClient {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private exited?: Error
  private closed?: Promise<void>
  private onClosed?: () => void

  /** Starts a worker running the TypeScript module at `module` (a file URL). */
  constructor (module: URL, readonly name: string) {
    this.worker = new Worker(new URL('./bootstrap.js', import.meta.url), { workerData: { module: module.href } })
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'closed') {
        if (reply.error != null) log('%s worker: releasing its jobs failed: %s', name, reply.error)
        this.onClosed?.()
        return
      }
      const p = this.pending.get(reply.id)
      if (p == null) return
      if (reply.kind === 'progress') {
        p.progress?.(reply.value)
        return
      }
      this.pending.delete(reply.id)
      if (reply.kind === 'result') p.resolve(reply.value)
      else p.reject(new WorkerJobError(reply.name, reply.message))
    })
    this.worker.on('error', (err) => {
      log('%s worker failed: %s', name, err.message)
      this.failAll(err)
    })
    this.worker.on('exit', (code) => {
      this.failAll(new WorkerJobError('WorkerExit', `${name} worker exited (code ${code})`))
      this.onClosed?.()
    })
  }

  /** Runs operation `op` in the worker; aborting `signal` rejects at once and aborts the job's own signal in the worker. */
  async call<T> (op: string, args: unknown, options: { transfer?: TransferListItem[], onProgress?: (value: any) => void, signal?: AbortSignal } = {}): Promise<T> {
    if (this.exited != null) throw this.exited
    options.signal?.throwIfAborted()
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id)
        this.post({ kind: 'abort', id })
        reject(options.signal?.reason)
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: (v) => { options.signal?.removeEventListener('abort', onAbort); resolve(v) },
        reject: (e) => { options.signal?.removeEventListener('abort', onAbort); reject(e) },
        progress: options.onProgress
      })
      this.post({ kind: 'call', id, op, args }, options.transfer)
    })
  }

  /**
   * Stops the worker once its jobs have returned (they see their signals aborted) and it has released
   * what it holds; kills it only if that takes over `timeoutMs`. Calls still pending are rejected.
   */
  async close (timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    this.closed ??= (async () => {
      if (this.exited == null) {
        let timer: NodeJS.Timeout | undefined
        await new Promise<void>((resolve) => {
          this.onClosed = resolve
          timer = setTimeout(() => {
            log('%s worker did not close within %d ms: killing it', this.name, timeoutMs)
            resolve()
          }, timeoutMs)
          this.post({ kind: 'close' })
        })
        clearTimeout(timer)
      }
      await this.worker.terminate()
    })()
    await this.closed
  }

  /**
   * Kills the worker at once. Only for workers that run no onnxruntime session (a planner): killing
   * a thread while a session runs aborts the process; those are stopped with close().
   */
  async terminate (): Promise<void> {
    await this.worker.terminate()
  }

  private post (request: WorkerRequest, transfer?: TransferListItem[]): void {
    if (this.exited == null) this.worker.postMessage(request, transfer)
  }

  private failAll (err: Error): void {
    this.exited = err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
