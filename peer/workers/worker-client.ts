// The main-thread side of a job worker: CPU-heavy work (onnxruntime runs, planners, profiling) runs
// in a worker thread so the event loop keeps serving heartbeats and streams meanwhile.
import { Worker } from 'node:worker_threads'
import { TesseraError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import type { TransferListItem } from 'node:worker_threads'
import type { WorkerReply } from './worker-host.js'

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

export class WorkerClient {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private exited?: Error

  /** Starts a worker running the TypeScript module at `module` (a file URL). */
  constructor (module: URL, readonly name: string) {
    this.worker = new Worker(new URL('./bootstrap.js', import.meta.url), { workerData: { module: module.href } })
    this.worker.on('message', (reply: WorkerReply) => {
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
    })
  }

  /** Runs operation `op` in the worker. */
  async call<T> (op: string, args: unknown, options: { transfer?: TransferListItem[], onProgress?: (value: any) => void, signal?: AbortSignal } = {}): Promise<T> {
    if (this.exited != null) throw this.exited
    options.signal?.throwIfAborted()
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id)
        reject(options.signal?.reason)
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: (v) => { options.signal?.removeEventListener('abort', onAbort); resolve(v) },
        reject: (e) => { options.signal?.removeEventListener('abort', onAbort); reject(e) },
        progress: options.onProgress
      })
      this.worker.postMessage({ id, op, args }, options.transfer)
    })
  }

  async terminate (): Promise<void> {
    await this.worker.terminate()
  }

  private failAll (err: Error): void {
    this.exited = err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
