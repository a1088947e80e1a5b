// Planner flag values (as `tessera plan` passes them) checked with errors that name the flag.
import { InvalidInputError } from '../../errors.js'
import type { PlannerInit } from '../types.js'

/** Rejects flags a planner does not take. */
export function rejectUnknownFlags (planner: string, init: PlannerInit, known: readonly string[]): void {
  const unknown = Object.keys(init).filter(k => init[k] !== undefined && !known.includes(k))
  if (unknown.length > 0) throw new InvalidInputError(`planner ${planner} does not take ${unknown.map(k => `--${k}`).join(', ')}`)
}

/** An integer flag >= min, or undefined when absent. */
export function integerFlag (init: PlannerInit, name: string, min: number): number | undefined {
  const v = init[name]
  if (v === undefined) return undefined
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidInputError(`--${name}: expected an integer >= ${min}, got "${String(v)}"`)
  return n
}

/** A file path flag, or undefined when absent. */
export function pathFlag (init: PlannerInit, name: string): string | undefined {
  const v = init[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || v === '') throw new InvalidInputError(`--${name}: expected a file path`)
  return v
}
