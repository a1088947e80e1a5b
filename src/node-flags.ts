// How Tessera starts its own processes (peers in a local mesh or a testbed, the testbed's requester):
// bin/tessera.js under the same V8 flags its shebang gives it.
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from './errors.js'

/** The command-line entry point. */
export const TESSERA_BIN = fileURLToPath(new URL('../bin/tessera.js', import.meta.url))

/**
 * V8 flags for every tessera process (also in bin/tessera.js's shebang and package.json's scripts).
 * `--initial-heap-size=128`: under V8's defaults a serving peer's event loop could run a full mark-compact
 * every five or six requests (its old generation's limit stayed within reach of what each request leaves
 * there), each freeing little of a 25-35 MB heap; on a device held to half a core that was 11-20 ms of GC a
 * request, every one of them landing on some request as 60-100 ms more. With a 128 MB initial heap none
 * ran during the requests (docs/benchmarks.md, "Garbage collection on a serving peer").
 */
export const NODE_FLAGS: readonly string[] = Object.freeze(['--initial-heap-size=128'])

/** The arguments that run `tessera <args>` under `flags` (default NODE_FLAGS): spawn(process.execPath, tesseraArgs([...])). */
export function tesseraArgs (args: readonly string[], flags: readonly string[] = NODE_FLAGS): string[] {
  return [...flags, TESSERA_BIN, ...args]
}

/** `--node-flags` text: V8 / Node flags separated by spaces, or "none" for Node's defaults. */
export function parseNodeFlags (text: string): string[] {
  if (text.trim() === 'none') return []
  const flags = text.split(/\s+/).filter(f => f !== '')
  const bad = flags.find(f => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f))
  if (bad !== undefined || flags.length === 0) throw new InvalidInputError(`--node-flags takes Node/V8 flags like --initial-heap-size=128 separated by spaces, or "none"; got ${JSON.stringify(bad ?? text)}`)
  return flags
}
