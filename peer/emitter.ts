// A small typed event emitter: listeners run synchronously; one that throws is logged, not fatal.
import { logger } from '../src/logger.js'

const log = logger('events')

export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(detail: any) => void>>()

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events> (name: K, listener: (detail: Events[K]) => void): () => void {
    let set = this.listeners.get(name)
    if (set == null) {
      set = new Set()
      this.listeners.set(name, set)
    }
    set.add(listener)
    return () => { set.delete(listener) }
  }

  emit<K extends keyof Events> (name: K, detail: Events[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener(detail)
      } catch (err: any) {
        log('a listener of %s threw: %s', String(name), err?.stack ?? err)
      }
    }
  }
}

/** The emitting side only: what a service is given to report its events. */
export interface EventSink<Events extends Record<string, unknown>> {
  emit<K extends keyof Events> (name: K, detail: Events[K]): void
}
