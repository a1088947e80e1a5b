// The roofline compute model: per node, overhead + the slower of compute and memory traffic.
import type { Range } from '../graph/types.js'
import type { RooflineProfile } from './types.js'

/** The built-in profiles (architecture.md). */
export const BUILTIN_PROFILES: Readonly<Record<string, RooflineProfile>> = Object.freeze({
  pi3: Object.freeze({ kind: 'roofline', name: 'pi3', gflops: 6, memGBps: 2, overheadMs: 0.2, rowQuantum: 1 }),
  nano: Object.freeze({ kind: 'roofline', name: 'nano', gflops: 120, memGBps: 12, overheadMs: 0.05, rowQuantum: 8 }),
  tx2: Object.freeze({ kind: 'roofline', name: 'tx2', gflops: 250, memGBps: 30, overheadMs: 0.04, rowQuantum: 8 }),
  xavier: Object.freeze({ kind: 'roofline', name: 'xavier', gflops: 900, memGBps: 80, overheadMs: 0.03, rowQuantum: 16 })
})

/** Names of the built-in profiles, for messages. */
export const BUILTIN_PROFILE_NAMES: readonly string[] = Object.keys(BUILTIN_PROFILES)

/** ms of one node's work on a roofline device. */
export function rooflineNodeMs (profile: RooflineProfile, flops: number, bytes: number): number {
  return profile.overheadMs + 1000 * Math.max(flops / (profile.gflops * 1e9), bytes / (profile.memGBps * 1e9))
}

/**
 * The rows a node is costed on: `rows` grown to a multiple of rowQuantum, never past the tensor's height.
 * The range grows downwards; at the bottom edge it grows upwards instead, so it always stays inside [0, height).
 */
export function quantizeRows (rows: Range, quantum: number, height: number): Range {
  const n = rows[1] - rows[0]
  if (quantum <= 1 || n <= 0) return rows
  const rounded = Math.min(height, Math.ceil(n / quantum) * quantum)
  if (rounded === n) return rows
  const start = Math.min(rows[0], height - rounded)
  return [start, start + rounded]
}
