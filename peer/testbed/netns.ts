// Network namespaces on a shared bridge: the emulated devices' network. The bridge lives in a
// namespace of its own (the host's links are never touched); each node is a namespace joined to it
// by a veth pair. A node's uplink is capped on its own end (egress towards the bridge), its downlink
// on the bridge end (egress towards the node). A node routes only the test subnet and multicast (for
// mDNS) on its veth: nothing reaches a real interface.
import { ip, tc } from './command.js'
import { TESTBED_SUBNET } from './names.js'
import { tbfArgs } from './tbf.js'
import { TestbedError } from '../../src/errors.js'

/** Whether an `ip` failure says the object is already gone. */
function isGone (err: unknown): boolean {
  return err instanceof TestbedError && /Cannot find device|No such file or directory|does not exist|Cannot open network namespace/i.test(err.message)
}

/** Creates bridge `name` in namespace `netns` and brings it up (multicast flooded to every port: mDNS has no querier here). */
export async function createBridge (netns: string, name: string): Promise<void> {
  await ip('-n', netns, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0')
  await ip('-n', netns, 'link', 'set', name, 'up')
}

/** Deletes a link (a veth pair by either end) of namespace `netns` (the host's when undefined); one already gone is fine. */
export async function deleteLink (netns: string | undefined, name: string): Promise<void> {
  try {
    await ip(...(netns == null ? [] : ['-n', netns]), 'link', 'del', name)
  } catch (err) {
    if (!isGone(err)) throw err
  }
}

/** Creates namespace `name` with its loopback up. */
export async function createNamespace (name: string): Promise<void> {
  await ip('netns', 'add', name)
  await ip('-n', name, 'link', 'set', 'lo', 'up')
}

/** Pids of the processes whose network namespace is `name`. */
export async function namespacePids (name: string): Promise<number[]> {
  try {
    return (await ip('netns', 'pids', name)).split('\n').filter(l => l.trim() !== '').map(Number)
  } catch (err) {
    if (isGone(err)) return []
    throw err
  }
}

/** Deletes namespace `name` after killing any process still in it; one already gone is fine. */
export async function deleteNamespace (name: string): Promise<void> {
  for (const pid of await namespacePids(name)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch (err: any) {
      if (err?.code !== 'ESRCH') throw err
    }
  }
  try {
    await ip('netns', 'del', name)
  } catch (err) {
    if (!isGone(err)) throw err
  }
}

/** Namespaces on this machine. */
export async function listNamespaces (): Promise<string[]> {
  return (await ip('netns', 'list')).split('\n').map(l => l.trim().split(' ')[0]).filter(n => n !== '')
}

/** Links of namespace `netns` (the host's when undefined; "veth0@if3" is reported as "veth0"). */
export async function listLinks (netns?: string): Promise<string[]> {
  return (await ip(...(netns == null ? [] : ['-n', netns]), '-o', 'link', 'show')).split('\n').filter(l => l.trim() !== '').map(l => l.split(':')[1].trim().split('@')[0])
}

export interface VethInit {
  netns: string
  /** The bridge's namespace. */
  bridgeNetns: string
  bridge: string
  /** The end on the bridge. */
  hostVeth: string
  /** The end moved into the namespace. */
  nodeVeth: string
  /** The node's address in the test subnet. */
  address: string
}

/** Joins namespace `netns` to the bridge by a veth pair and gives it its address and a multicast route. */
export async function connectNamespace (v: VethInit): Promise<void> {
  await ip('link', 'add', v.hostVeth, 'netns', v.bridgeNetns, 'type', 'veth', 'peer', 'name', v.nodeVeth, 'netns', v.netns)
  await ip('-n', v.bridgeNetns, 'link', 'set', v.hostVeth, 'master', v.bridge, 'up')
  await ip('-n', v.netns, 'addr', 'add', `${v.address}/${TESTBED_SUBNET.prefixLength}`, 'dev', v.nodeVeth)
  await ip('-n', v.netns, 'link', 'set', v.nodeVeth, 'up')
  // mDNS: without a default route the namespace has no way out for 224.0.0.251 until given one here
  await ip('-n', v.netns, 'route', 'add', '224.0.0.0/4', 'dev', v.nodeVeth)
}

/** Caps the egress of `dev` in namespace `netns` at `mbps`. */
export async function capEgress (netns: string, dev: string, mbps: number): Promise<void> {
  await tc(netns, ...tbfArgs(dev, mbps))
}

/** Removes the root qdisc of `dev` in namespace `netns`; a device or namespace already gone is fine. */
export async function uncapEgress (netns: string, dev: string): Promise<void> {
  try {
    await tc(netns, 'qdisc', 'del', 'dev', dev, 'root')
  } catch (err) {
    if (isGone(err) || (err instanceof TestbedError && /Cannot delete qdisc with handle of zero|Invalid handle/i.test(err.message))) return
    throw err
  }
}

/** Qdisc lines of namespace `netns` (the host's when undefined). */
export async function listQdiscs (netns?: string): Promise<string[]> {
  return (await tc(netns, 'qdisc', 'show')).split('\n').filter(l => l.trim() !== '')
}
