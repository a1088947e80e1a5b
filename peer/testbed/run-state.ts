// A file per live run naming its owner process, so `--cleanup` removes only the leftovers of runs
// whose owner is gone and never pulls the namespaces from under a run still going beside it.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where run files live: /run (cleared at boot, like namespaces and cgroups), else the temp dir. */
export function runStateDir (): string {
  return existsSync('/run') ? '/run/tessera-testbed' : join(tmpdir(), 'tessera-testbed')
}

/** Records that `runId` belongs to this process. */
export async function writeRunState (runId: string, dir = runStateDir()): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, `${runId}.json`)
  await writeFile(path, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }))
  return path
}

export async function removeRunState (runId: string, dir = runStateDir()): Promise<void> {
  await rm(join(dir, `${runId}.json`), { force: true })
}

/** Whether process `pid` exists. */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err?.code === 'EPERM'
  }
}

/** Run ids whose owner process is alive. */
export async function liveRuns (dir = runStateDir()): Promise<Set<string>> {
  const live = new Set<string>()
  let files: string[]
  try {
    files = await readdir(dir)
  } catch (err: any) {
    if (err?.code === 'ENOENT') return live
    throw err
  }
  for (const f of files) {
    if (!f.endsWith('.json')) continue
    try {
      const { pid } = JSON.parse(await readFile(join(dir, f), 'utf8'))
      if (Number.isInteger(pid) && isAlive(pid)) live.add(f.slice(0, -'.json'.length))
    } catch (err: any) {
      // a file torn by a crash says nothing about its owner: the run counts as dead
      if (err?.code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err
    }
  }
  return live
}

/** Run files of runs whose owner is gone. */
export async function deadRunFiles (dir = runStateDir()): Promise<string[]> {
  let files: string[]
  try {
    files = await readdir(dir)
  } catch (err: any) {
    if (err?.code === 'ENOENT') return []
    throw err
  }
  const live = await liveRuns(dir)
  return files.filter(f => f.endsWith('.json') && !live.has(f.slice(0, -'.json'.length))).map(f => join(dir, f))
}
