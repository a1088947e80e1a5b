// Leftovers of testbed runs whose owner died (SIGKILL, a crash, a power cut of the terminal): found
// by the name prefix every run uses, skipping runs whose owner process is still alive.
import { readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { removeCgroupTree, findCpuHierarchy } from './cpu-cgroup.js'
import { deleteLink, deleteNamespace, listLinks, listNamespaces, listQdiscs } from './netns.js'
import { runIdOf, TEMP_DIR_PREFIX, TESTBED_PREFIX } from './names.js'
import { deadRunFiles, liveRuns } from './run-state.js'

export interface Leftovers {
  /** Nodes' namespaces and bridge namespaces (their links and qdiscs go with them). */
  namespaces: string[]
  /** Links of the host namespace with a testbed name (a run makes none there; listed to prove it). */
  links: string[]
  /** Qdisc lines of the host namespace on such links. */
  qdiscs: string[]
  /** cgroup directories (absolute paths). */
  cgroups: string[]
  /** Runs' temporary directories (device caches), absolute paths. */
  dirs: string[]
}

/** Testbed objects on this machine; `runId` narrows to one run, `includeLive` keeps runs whose owner is alive. */
export async function findLeftovers (options: { runId?: string, includeLive?: boolean } = {}): Promise<Leftovers> {
  const live = options.includeLive === true ? new Set<string>() : await liveRuns()
  const ours = (name: string): boolean => {
    const id = runIdOf(name)
    return id != null && !live.has(id) && (options.runId == null || id === options.runId)
  }
  const cpu = await findCpuHierarchy()
  let groups: string[] = []
  try {
    groups = (await readdir(cpu, { withFileTypes: true })).filter(e => e.isDirectory()).map(e => e.name)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') throw err
  }
  const links = (await listLinks()).filter(ours)
  const temp = (await readdir(tmpdir())).filter(f => f.startsWith(TEMP_DIR_PREFIX) && ours(`${TESTBED_PREFIX}${f.slice(TEMP_DIR_PREFIX.length)}`))
  return {
    namespaces: (await listNamespaces()).filter(ours),
    links,
    qdiscs: (await listQdiscs()).filter(l => links.some(name => l.includes(` dev ${name} `))),
    cgroups: groups.filter(ours).map(g => join(cpu, g)),
    dirs: temp.map(f => join(tmpdir(), f))
  }
}

/** Whether nothing is left. */
export function isClean (l: Leftovers): boolean {
  return l.namespaces.length === 0 && l.links.length === 0 && l.qdiscs.length === 0 && l.cgroups.length === 0 && l.dirs.length === 0
}

/** Removes the leftovers of dead runs (or of `runId`): processes, namespaces, links, cgroups, run files. */
export async function removeLeftovers (options: { runId?: string } = {}): Promise<{ removed: Leftovers, failures: Array<{ what: string, error: Error }> }> {
  const found = await findLeftovers(options)
  const failures: Array<{ what: string, error: Error }> = []
  const attempt = async (what: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step()
    } catch (err: any) {
      failures.push({ what, error: err instanceof Error ? err : new Error(String(err)) })
    }
  }
  // processes die with their namespace (deleteNamespace kills them) or their cgroup (removeCgroupTree)
  for (const n of found.namespaces) await attempt(`namespace ${n}`, async () => { await deleteNamespace(n) })
  for (const l of found.links) await attempt(`link ${l}`, async () => { await deleteLink(undefined, l) })
  for (const g of found.cgroups) await attempt(`cgroup ${g}`, async () => { await removeCgroupTree(g) })
  for (const d of found.dirs) await attempt(`directory ${d}`, async () => { await rm(d, { recursive: true, force: true }) })
  for (const f of await deadRunFiles()) {
    if (options.runId != null && basename(f) !== `${options.runId}.json`) continue
    await attempt(`run file ${f}`, async () => { await rm(f, { force: true }) })
  }
  return { removed: found, failures }
}
