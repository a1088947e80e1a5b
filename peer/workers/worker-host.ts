// The worker side of a job worker: answers requests from the main thread, one handler per operation.
// A worker is closed by asking it (`close`), never by killing it mid-job: onnxruntime-node aborts the
// whole process when a worker thread is terminated while one of its sessions runs.
import { parentPort } from 'node:worker_threads'
import type { TransferListItem } from 'node:worker_threads'

export type WorkerRequest =
  | { kind: 'call', id: number, op: string, args: unknown }
  /** The caller gave up on call `id`: its handler's signal is aborted. */
  | { kind: 'abort', id: number }
  /** Abort every call, wait for the handlers to return, release what the worker holds, answer `closed`. */
  | { kind: 'close' }

export type WorkerReply =
  | { id: number, kind: 'result', value: unknown }
  | { id: number, kind: 'error', name: string, message: string }
  | { id: number, kind: 'progress', value: unknown }
  | { kind: 'closed', error?: string }

/** What a handler returns: a value, and buffers to move (not copy) to the main thread. */
export interface HandlerResult {
  value: unknown
  transfer?: TransferListItem[]
}

export type Handler = (args: any, progress: (value: unknown) => void, signal: AbortSignal) => Promise<HandlerResult>

/** Serves requests from the main thread with `handlers` (by operation name); `close` releases what the handlers hold. */
export function serve (handlers: Record<string, Handler>, options: { close?: () => Promise<void> } = {}): void {
  const port = parentPort
  if (port == null) throw new Error('serve() runs inside a worker thread only')
  const running = new Map<number, { controller: AbortController, done: Promise<void> }>()
  let closing = false
  const reply = (r: WorkerReply, transfer?: TransferListItem[]): void => { port.postMessage(r, transfer) }
  port.on('message', (req: WorkerRequest) => {
    if (req.kind === 'abort') {
      running.get(req.id)?.controller.abort(new Error('the caller gave up on the job'))
      return
    }
    if (req.kind === 'close') {
      if (closing) return
      closing = true
      for (const r of running.values()) r.controller.abort(new Error('the worker is closing'))
      void Promise.all([...running.values()].map(async r => await r.done))
        .then(async () => await options.close?.())
        .then(() => { reply({ kind: 'closed' }) }, (err: any) => { reply({ kind: 'closed', error: String(err?.message ?? err) }) })
      return
    }
    const handler = handlers[req.op]
    if (handler == null || closing) {
      reply({ id: req.id, kind: 'error', name: closing ? 'WorkerClosedError' : 'TypeError', message: closing ? `the worker is closing: "${req.op}" not run` : `unknown worker operation "${req.op}"` })
      return
    }
    const controller = new AbortController()
    const done = handler(req.args, (value) => { reply({ id: req.id, kind: 'progress', value }) }, controller.signal).then(
      (r) => { reply({ id: req.id, kind: 'result', value: r.value }, r.transfer) },
      (err: any) => { reply({ id: req.id, kind: 'error', name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) }) }
    ).finally(() => { running.delete(req.id) })
    running.set(req.id, { controller, done })
  })
}
