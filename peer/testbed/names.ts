// Names of everything one testbed run creates. Every name starts with the prefix and the run id, so
// runs side by side never collide and `tessera testbed --cleanup` finds a crashed run's leftovers.
import { randomBytes } from 'node:crypto'
import { InvalidInputError } from '../../src/errors.js'

/** What every namespace, link and cgroup of the testbed is named with. */
export const TESTBED_PREFIX = 'ttb'

/**
 * The test subnet: 198.18.0.0/15 is set aside for network benchmarking (RFC 2544). Each run has its
 * own bridge in a namespace of its own, so the subnet exists only inside the run's namespaces and is
 * never routed anywhere, and parallel runs may reuse it.
 */
export const TESTBED_SUBNET = { base: [198, 18, 0], prefixLength: 24 } as const

/** Start of a run's temporary directory name in the temp dir (the run id follows). */
export const TEMP_DIR_PREFIX = 'tessera-testbed-'

/** Linux caps interface names at 15 bytes (IFNAMSIZ - 1). */
const IFNAMSIZ = 15

/** Nodes a run can hold: addresses .1 to .254 of the /24. */
export const MAX_NODES = 254

/** A fresh run id: 6 hex digits. */
export function newRunId (): string {
  return randomBytes(3).toString('hex')
}

/** Length of a run id: names are parsed back into their run by position. */
export const RUN_ID_LENGTH = 6

/** Checks a run id given from outside (6 lower-case hex digits). */
export function checkRunId (id: string): string {
  if (!new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}$`).test(id)) throw new InvalidInputError(`testbed run id "${id}": expected ${RUN_ID_LENGTH} lower-case hex digits`)
  return id
}

/** The run id a testbed name (namespace, link or cgroup) belongs to; undefined for other names. */
export function runIdOf (name: string): string | undefined {
  if (!name.startsWith(TESTBED_PREFIX)) return undefined
  const id = name.slice(TESTBED_PREFIX.length, TESTBED_PREFIX.length + RUN_ID_LENGTH)
  return new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}$`).test(id) ? id : undefined
}

/** The names of one run's objects. `index` numbers a node within the run (0-based). */
export class RunNames {
  constructor (readonly runId: string) {
    checkRunId(runId)
  }

  /** Common prefix of this run's links, namespaces and cgroups. */
  get prefix (): string {
    return `${TESTBED_PREFIX}${this.runId}`
  }

  get bridge (): string {
    return this.ifname('br')
  }

  /** The namespace holding the bridge (and the bridge ends of the veth pairs). */
  get bridgeNetns (): string {
    return `${this.prefix}-br`
  }

  /** The host (bridge) end of node `index`'s veth pair: its egress is the node's downlink. */
  hostVeth (index: number): string {
    return this.ifname(`h${index}`)
  }

  /** The namespace end of node `index`'s veth pair: its egress is the node's uplink. */
  nodeVeth (index: number): string {
    return this.ifname(`n${index}`)
  }

  /** Namespace of node `index` (its label, e.g. a device id, makes `ip netns` readable). */
  netns (index: number, label: string): string {
    const clean = label.replace(/[^\w.-]/g, '_').slice(0, 40)
    return `${this.prefix}-${index}-${clean}`
  }

  /** The run's cgroup directory name (under the cpu hierarchy). */
  get cgroup (): string {
    return this.prefix
  }

  /** Node `index`'s address in the test subnet. */
  address (index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_NODES) throw new RangeError(`node index ${index} is outside 0..${MAX_NODES - 1}`)
    return `${TESTBED_SUBNET.base.join('.')}.${index + 1}`
  }

  private ifname (suffix: string): string {
    const name = `${this.prefix}${suffix}`
    if (name.length > IFNAMSIZ) throw new RangeError(`interface name ${name} is longer than ${IFNAMSIZ} bytes`)
    return name
  }
}
