// The one logger: namespaced (tessera:planner, tessera:tensor, ...), off unless DEBUG enables it.
import debug from 'debug'

export type Logger = debug.Debugger

/** A logger for one namespace under `tessera:`. */
export function logger (namespace: string): Logger {
  return debug(`tessera:${namespace}`)
}
