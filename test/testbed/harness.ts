// Helpers for the testbed tests: skipping without root, and reading a node process's output.
import { fileURLToPath } from 'node:url'
import type { NodeProcess } from '../../peer/testbed/node-process.js'

/** Why testbed tests cannot run here (undefined when they can). */
export const SKIP_WITHOUT_ROOT = process.getuid?.() === 0 ? undefined : 'the testbed needs root (network namespaces, tc, cgroups): skipped'

/** Absolute path of a fixture script. */
export function fixture (name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
}

/** The first stdout line of `p` that `match` accepts; rejects if `p` exits first or after `timeoutMs`. */
export async function waitForLine (p: NodeProcess, match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`${p.label}: no matching line within ${timeoutMs} ms; stderr: ${p.stderr}`)) }, timeoutMs)
    const off = p.onLine((line) => {
      if (!match(line)) return
      clearTimeout(timer)
      off()
      resolve(line)
    })
    p.wait().then((s) => {
      clearTimeout(timer)
      off()
      reject(new Error(`${p.label} exited (code ${String(s.code)}, signal ${String(s.signal)}) before a matching line; stderr: ${p.stderr}`))
    }).catch(reject)
  })
}

/** The first stdout line of `p` that is a JSON object, parsed. */
export async function firstJson<T> (p: NodeProcess, timeoutMs?: number): Promise<T> {
  return JSON.parse(await waitForLine(p, l => l.startsWith('{'), timeoutMs)) as T
}
