// Follows a `tessera peer --json` process: keeps its events (one JSON object a line) and lets the
// testbed wait for the one it needs, failing clearly when the peer exits or the wait times out.
import { TestbedError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import type { NodeProcess } from './node-process.js'
import type { Plan } from '../../src/plan/types.js'

const log = logger('testbed')

/** The events of `tessera peer --json` the testbed reads (other fields and events are kept as they come). */
export type PeerEvent =
  | { event: 'listening', peer: string, peerId: string, addrs: string[], t: number }
  | { event: 'leader', peer: string, term: number, leader?: string, name?: string, self: boolean, t: number }
  | { event: 'profile', peer: string, model: string, done?: boolean, cached?: boolean, progress?: { done: number, total: number, label: string }, speed?: { referenceMs: number, cachedReferenceMs: number, factor: number }, t: number }
  | { event: 'plan', peer: string, key: string, term: number, planId: number, plan: Plan, members: Array<{ device: string, peer: string }>, from: string, own: boolean, t: number }
  | { event: 'repredicted', peer: string, key: string, predictedMs: number, was: number, t: number }
  | { event: 'speeds', peer: string, key: string, moves: Array<{ device: string, factor: number, was: number, requests: number }>, t: number }
  | { event: 'ready', peer: string, key: string, t: number }
  | { event: 'planning', peer: string, model: string, planner: string, reason: string, devices: number, t: number }
  | { event: 'failed', peer: string, model: string, planner: string, reason: string, t: number }
  | { event: 'served', peer: string, requestId: string, ms: number, attempts: number, plan: string, ok: boolean, error?: string, t: number }
  | { event: string, peer: string, t: number, [key: string]: unknown }

type Of<E extends string> = Extract<PeerEvent, { event: E }>

interface Waiter {
  match: (e: PeerEvent) => boolean
  resolve: (e: PeerEvent) => void
}

export class PeerWatch {
  readonly events: PeerEvent[] = []
  private readonly waiters = new Set<Waiter>()
  private readonly listeners = new Set<(e: PeerEvent) => void>()

  constructor (readonly process: NodeProcess, readonly device: string) {
    process.onLine((line) => {
      if (!line.startsWith('{')) return
      let e: PeerEvent
      try {
        e = JSON.parse(line)
      } catch (err: any) {
        log('%s: unreadable event line (%s): %s', device, err.message, line.slice(0, 200))
        return
      }
      this.events.push(e)
      for (const l of this.listeners) l(e)
      for (const w of [...this.waiters]) {
        if (w.match(e)) {
          this.waiters.delete(w)
          w.resolve(e)
        }
      }
    })
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  on (listener: (e: PeerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** The events of kind `event` seen so far (from the `from`-th event on). */
  all<E extends string> (event: E, from = 0): Array<Of<E>> {
    return this.events.slice(from).filter(e => e.event === event) as Array<Of<E>>
  }

  /** The first event (already seen, or to come) of kind `event` that `match` accepts. */
  async next<E extends string> (event: E, match: (e: Of<E>) => boolean, options: { timeoutMs: number, what: string, signal?: AbortSignal }): Promise<Of<E>> {
    const seen = this.events.find(e => e.event === event && match(e as Of<E>))
    if (seen != null) return seen as Of<E>
    return await new Promise<Of<E>>((resolve, reject) => {
      const waiter: Waiter = {
        match: e => e.event === event && match(e as Of<E>),
        resolve: (e) => { done(); resolve(e as Of<E>) }
      }
      const fail = (err: Error): void => { done(); reject(err) }
      const timer = setTimeout(() => { fail(new TestbedError(`${this.device}: no ${options.what} within ${Math.round(options.timeoutMs / 1000)} s`)) }, options.timeoutMs)
      const onAbort = (): void => { fail(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('aborted')) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.process.wait().then(() => { fail(this.process.exitError(`while the testbed waited for ${options.what}`)) }).catch(fail)
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
        options.signal?.removeEventListener('abort', onAbort)
      }
      if (options.signal?.aborted === true) {
        onAbort()
        return
      }
      this.waiters.add(waiter)
    })
  }
}
