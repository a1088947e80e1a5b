// CPU time a process has used, all its threads, from /proc/<pid>/stat (Linux).
import { readFile } from 'node:fs/promises'

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on every Linux architecture Node runs on). */
const CLOCK_TICKS = 100

/** CPU time (user + system) the process `pid` has used so far, ms; undefined when there is no such process. */
export async function processCpuMs (pid: number): Promise<number | undefined> {
  let stat: string
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  } catch (err: any) {
    if (err?.code === 'ENOENT') return undefined
    throw err
  }
  // fields after the parenthesised command name: state is the first, utime and stime the 12th and 13th
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * (1000 / CLOCK_TICKS)
}
