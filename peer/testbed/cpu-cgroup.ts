// CPU caps with the cgroup v1 cpu controller: a group per emulated device whose CFS bandwidth is
// `quota` of one core (cfs_quota_us = quota * cfs_period_us). Processes join a group by pid and their
// threads and children stay in it.
import { readdir, readFile, rmdir, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestbedError, TestbedUnavailableError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'

const log = logger('testbed')

/** The kernel's bounds on cpu.cfs_period_us and its smallest cpu.cfs_quota_us. */
const MIN_PERIOD_US = 1000
const MAX_PERIOD_US = 1_000_000
const MIN_QUOTA_US = 1000

/**
 * Default CFS period. The kernel's own (100 ms) lets a device capped at a quarter of a core run at full
 * speed for 25 ms and then stall for 75: a short sub-model then runs uncapped, and a profile that keeps
 * its fastest run describes the full core. A period of a few ms spreads the stalls so even a
 * millisecond of work runs at about the capped speed.
 */
export const DEFAULT_CFS_PERIOD_US = 4000

/**
 * cpu.shares of the testbed's groups (the kernel's default is 1024). Each group is bounded by its quota
 * anyway; the weight makes sure it gets that quota when other work on the machine competes for the cores.
 */
export const TESTBED_CPU_SHARES = 65536

export interface CfsSettings {
  periodUs: number
  quotaUs: number
}

/** cfs_period_us and cfs_quota_us for `quota` cores; the period grows if the quota would fall under the kernel's 1 ms minimum. */
export function cfsSettings (quota: number, periodUs = DEFAULT_CFS_PERIOD_US): CfsSettings {
  if (!(Number.isFinite(quota) && quota > 0)) throw new RangeError(`a CPU quota must be a positive fraction of one core, got ${quota}`)
  if (!Number.isInteger(periodUs) || periodUs < MIN_PERIOD_US || periodUs > MAX_PERIOD_US) throw new RangeError(`cfs period must be an integer from ${MIN_PERIOD_US} to ${MAX_PERIOD_US} us, got ${periodUs}`)
  const period = Math.min(MAX_PERIOD_US, Math.max(periodUs, Math.ceil(MIN_QUOTA_US / quota)))
  return { periodUs: period, quotaUs: Math.max(MIN_QUOTA_US, Math.round(quota * period)) }
}

/** The mount point of the cgroup v1 hierarchy holding the cpu controller, from /proc/mounts text. */
export function cpuHierarchyFromMounts (mounts: string): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, where, type, options] = line.split(' ')
    if (type === 'cgroup' && options?.split(',').includes('cpu')) return where.replace(/\\040/g, ' ')
  }
  return undefined
}

/** Finds the cgroup v1 cpu hierarchy of this machine. */
export async function findCpuHierarchy (): Promise<string> {
  const root = cpuHierarchyFromMounts(await readFile('/proc/mounts', 'utf8'))
  if (root == null) throw new TestbedUnavailableError('no cgroup v1 hierarchy with the cpu controller is mounted (the testbed caps CPU with /sys/fs/cgroup/cpu/<group>/cpu.cfs_quota_us)')
  return root
}

/** Parses cpu.stat ("nr_periods 22\nnr_throttled 21\n...") into numbers. */
export function parseCpuStat (text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/)
    if (key != null && key !== '' && value != null) out[key] = Number(value)
  }
  return out
}

async function pidsIn (path: string): Promise<number[]> {
  const text = await readFile(join(path, 'cgroup.procs'), 'utf8')
  return text.split('\n').filter(l => l.trim() !== '').map(Number)
}

/** One CPU-capped group. */
export class CpuCgroup {
  private constructor (readonly path: string, readonly settings: CfsSettings) {}

  /** Creates the group `path` (with its parents), weighted TESTBED_CPU_SHARES, with a cap of `quota` cores. */
  static async create (path: string, quota: number, periodUs?: number): Promise<CpuCgroup> {
    const settings = cfsSettings(quota, periodUs)
    try {
      await mkdir(path, { recursive: true })
      await writeFile(join(path, 'cpu.shares'), String(TESTBED_CPU_SHARES))
      // the period first: a quota larger than the current period's parent limits is refused otherwise
      await writeFile(join(path, 'cpu.cfs_period_us'), String(settings.periodUs))
      await writeFile(join(path, 'cpu.cfs_quota_us'), String(settings.quotaUs))
    } catch (err: any) {
      throw new TestbedError(`cannot create the CPU cgroup ${path}: ${err.message as string}`)
    }
    log('cgroup %s: %d us every %d us', path, settings.quotaUs, settings.periodUs)
    return new CpuCgroup(path, settings)
  }

  /** Moves process `pid` (all its threads) into the group. */
  async add (pid: number): Promise<void> {
    await writeFile(join(this.path, 'cgroup.procs'), String(pid))
  }

  /** Processes in the group. */
  async pids (): Promise<number[]> {
    return await pidsIn(this.path)
  }

  /** The group's cpu.stat (nr_periods, nr_throttled, throttled_time ns). */
  async stat (): Promise<Record<string, number>> {
    return parseCpuStat(await readFile(join(this.path, 'cpu.stat'), 'utf8'))
  }

  /** Removes the group (killing any process still in it). */
  async remove (): Promise<void> {
    await removeCgroupTree(this.path)
  }
}

/** Creates a group that only holds others (no cap), weighted TESTBED_CPU_SHARES so its members get their quotas. */
export async function createParentGroup (path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true })
    await writeFile(join(path, 'cpu.shares'), String(TESTBED_CPU_SHARES))
  } catch (err: any) {
    throw new TestbedError(`cannot create the CPU cgroup ${path}: ${err.message as string}`)
  }
}

/** Removes a cgroup directory and its sub-groups, deepest first; processes left in them are killed. */
export async function removeCgroupTree (path: string): Promise<void> {
  let entries
  try {
    entries = await readdir(path, { withFileTypes: true })
  } catch (err: any) {
    if (err?.code === 'ENOENT') return
    throw err
  }
  for (const e of entries) if (e.isDirectory()) await removeCgroupTree(join(path, e.name))
  const deadline = Date.now() + 5000
  while (true) {
    const pids = await pidsIn(path)
    if (pids.length === 0) break
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch (err: any) {
        if (err?.code !== 'ESRCH') throw err
      }
    }
    if (Date.now() > deadline) throw new TestbedError(`cgroup ${path} still holds processes ${pids.join(', ')} after SIGKILL`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  try {
    await rmdir(path)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') throw new TestbedError(`cannot remove the cgroup ${path}: ${err.message as string}`)
  }
}
