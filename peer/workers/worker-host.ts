// The worker side of a job worker: answers requests from the main thread, one handler per operation.
import { parentPort } from 'node:worker_threads'
import type { TransferListItem } from 'node:worker_threads'

export interface WorkerRequest {
  id: number
  op: string
  args: unknown
}

export type WorkerReply =
  | { id: number, kind: 'result', value: unknown }
  | { id: number, kind: 'error', name: string, message: string }
  | { id: number, kind: 'progress', value: unknown }

/** What a handler returns: a value, and buffers to move (not copy) to the main thread. */
export interface HandlerResult {
  value: unknown
  transfer?: TransferListItem[]
}

export type Handler = (args: any, progress: (value: unknown) => void) => Promise<HandlerResult>

/** Serves requests from the main thread with `handlers` (by operation name). */
export function serve (handlers: Record<string, Handler>): void {
  const port = parentPort
  if (port == null) throw new Error('serve() runs inside a worker thread only')
  port.on('message', (req: WorkerRequest) => {
    const handler = handlers[req.op]
    const reply = (r: WorkerReply, transfer?: TransferListItem[]): void => { port.postMessage(r, transfer) }
    if (handler == null) {
      reply({ id: req.id, kind: 'error', name: 'TypeError', message: `unknown worker operation "${req.op}"` })
      return
    }
    handler(req.args, (value) => { reply({ id: req.id, kind: 'progress', value }) }).then(
      (r) => { reply({ id: req.id, kind: 'result', value: r.value }, r.transfer) },
      (err: any) => { reply({ id: req.id, kind: 'error', name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) }) }
    )
  })
}
