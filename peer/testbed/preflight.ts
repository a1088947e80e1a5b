// What the testbed needs of the machine, checked before anything is created: root, ip and tc, and
// the cgroup v1 cpu controller. Each miss is a TestbedUnavailableError saying what to do.
import { TestbedUnavailableError } from '../../src/errors.js'
import { run } from './command.js'
import { findCpuHierarchy } from './cpu-cgroup.js'

/** Checks this machine can host a testbed; returns the cgroup v1 cpu hierarchy. */
export async function checkTestbedHost (): Promise<{ cpuHierarchy: string }> {
  const uid = process.getuid?.()
  if (uid !== 0) {
    throw new TestbedUnavailableError(`the testbed needs root: it creates network namespaces, veth pairs, tc qdiscs and CPU cgroups (running as uid ${String(uid)}); run it as root, e.g. \`sudo tessera testbed ...\``)
  }
  for (const [tool, args] of [['ip', ['-V']], ['tc', ['-V']]] as const) {
    try {
      await run(tool, args)
    } catch (err: any) {
      throw new TestbedUnavailableError(`the testbed needs \`${tool}\` (iproute2): ${err.message as string}`)
    }
  }
  return { cpuHierarchy: await findCpuHierarchy() }
}
