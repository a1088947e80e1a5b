// The host-emulation layer: a run's bridge, one namespace per emulated node with its link caps and
// CPU cap, and the processes started in them. Everything is recorded in a cleanup registry as it is
// made; close() removes it all, and so does `tessera testbed --cleanup` after a crash.
import { join } from 'node:path'
import { logger } from '../../src/logger.js'
import { CleanupRegistry } from './cleanup-registry.js'
import { CpuCgroup, createParentGroup, removeCgroupTree } from './cpu-cgroup.js'
import { capEgress, connectNamespace, createBridge, createNamespace, deleteLink, deleteNamespace, uncapEgress } from './netns.js'
import { MAX_NODES, newRunId, RunNames } from './names.js'
import { NodeProcess } from './node-process.js'
import { checkTestbedHost } from './preflight.js'
import { removeRunState, writeRunState } from './run-state.js'
import type { CleanupFailure } from './cleanup-registry.js'

const log = logger('testbed')

export interface LabInit {
  /** 6 hex digits (default: random). */
  runId?: string
  /** CFS period of the CPU caps, us (default DEFAULT_CFS_PERIOD_US). */
  cfsPeriodUs?: number
}

export interface LabNodeInit {
  /** A readable name (a device id): part of the namespace name. */
  label: string
  /** Cap on what the node sends, Mbps (none: uncapped). */
  uplinkMbps?: number
  /** Cap on what the node receives, Mbps (none: uncapped). */
  downlinkMbps?: number
  /** Cap on its CPU, in cores (0.25 = a quarter of one core; none: uncapped). */
  cpuQuota?: number
}

export interface LabNode {
  readonly index: number
  readonly label: string
  readonly netns: string
  readonly address: string
  readonly hostVeth: string
  readonly nodeVeth: string
  readonly uplinkMbps?: number
  readonly downlinkMbps?: number
  readonly cpuQuota?: number
  readonly cgroup?: CpuCgroup
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Name in logs and errors (default: the node's label and the command). */
  label?: string
  /** SIGTERM-to-SIGKILL grace when the lab closes, ms (default 5000). */
  graceMs?: number
}

export class Lab {
  readonly names: RunNames
  readonly nodes: LabNode[] = []
  private readonly registry = new CleanupRegistry()
  private readonly cgroupRoot: string
  private readonly cfsPeriodUs?: number

  private constructor (names: RunNames, cpuHierarchy: string, init: LabInit) {
    this.names = names
    this.cgroupRoot = join(cpuHierarchy, names.cgroup)
    this.cfsPeriodUs = init.cfsPeriodUs
  }

  /** Checks the machine, then creates the run's bridge. Throws TestbedUnavailableError without root. */
  static async create (init: LabInit = {}): Promise<Lab> {
    const { cpuHierarchy } = await checkTestbedHost()
    const lab = new Lab(new RunNames(init.runId ?? newRunId()), cpuHierarchy, init)
    try {
      const runId = lab.names.runId
      await writeRunState(runId)
      lab.registry.add(`run file of ${runId}`, async () => { await removeRunState(runId) })
      // the run's cgroup directory goes last: removing it also catches a node's group left half-made
      lab.registry.add(`cgroup ${lab.cgroupRoot}`, async () => { await removeCgroupTree(lab.cgroupRoot) })
      await createParentGroup(lab.cgroupRoot)
      const { bridge, bridgeNetns } = lab.names
      lab.registry.add(`namespace ${bridgeNetns}`, async () => { await deleteNamespace(bridgeNetns) })
      await createNamespace(bridgeNetns)
      await createBridge(bridgeNetns, bridge)
    } catch (err) {
      await lab.close()
      throw err
    }
    log('lab %s: bridge %s', lab.names.runId, lab.names.bridge)
    return lab
  }

  get runId (): string {
    return this.names.runId
  }

  /** Adds a node: its namespace on the bridge, its link caps and its CPU group. */
  async addNode (init: LabNodeInit): Promise<LabNode> {
    const index = this.nodes.length
    if (index >= MAX_NODES) throw new RangeError(`a lab holds at most ${MAX_NODES} nodes`)
    const netns = this.names.netns(index, init.label)
    const hostVeth = this.names.hostVeth(index)
    const nodeVeth = this.names.nodeVeth(index)
    const address = this.names.address(index)
    let cgroup: CpuCgroup | undefined
    if (init.cpuQuota != null) {
      const path = join(this.cgroupRoot, `${index}-${init.label.replace(/[^\w.-]/g, '_')}`)
      this.registry.add(`cgroup ${path}`, async () => { await removeCgroupTree(path) })
      cgroup = await CpuCgroup.create(path, init.cpuQuota, this.cfsPeriodUs)
    }
    this.registry.add(`namespace ${netns}`, async () => { await deleteNamespace(netns) })
    await createNamespace(netns)
    const bridgeNetns = this.names.bridgeNetns
    this.registry.add(`veth ${hostVeth}`, async () => { await deleteLink(bridgeNetns, hostVeth) })
    await connectNamespace({ netns, bridgeNetns, bridge: this.names.bridge, hostVeth, nodeVeth, address })
    if (init.uplinkMbps != null) {
      this.registry.add(`uplink cap on ${nodeVeth}`, async () => { await uncapEgress(netns, nodeVeth) })
      await capEgress(netns, nodeVeth, init.uplinkMbps)
    }
    if (init.downlinkMbps != null) {
      this.registry.add(`downlink cap on ${hostVeth}`, async () => { await uncapEgress(bridgeNetns, hostVeth) })
      await capEgress(bridgeNetns, hostVeth, init.downlinkMbps)
    }
    const node: LabNode = { index, label: init.label, netns, address, hostVeth, nodeVeth, uplinkMbps: init.uplinkMbps, downlinkMbps: init.downlinkMbps, cpuQuota: init.cpuQuota, cgroup }
    this.nodes.push(node)
    log('node %s: %s %s up %s down %s cpu %s', init.label, netns, address, init.uplinkMbps ?? '-', init.downlinkMbps ?? '-', init.cpuQuota ?? '-')
    return node
  }

  /** Starts `command args` in `node` (its namespace and CPU group); the lab stops it when it closes. */
  start (node: LabNode, command: string, args: string[], options: StartOptions = {}): NodeProcess {
    const p = new NodeProcess({ netns: node.netns, cgroup: node.cgroup?.path, command, args, env: options.env, cwd: options.cwd, label: options.label ?? `${node.label}: ${command}` })
    this.registry.add(`process ${p.label}`, async () => { await p.stop(options.graceMs) })
    return p
  }

  /** What is still to be removed, oldest first. */
  pending (): string[] {
    return this.registry.pending()
  }

  /** Stops every process and removes every namespace, link, qdisc and cgroup of the run. */
  async close (): Promise<CleanupFailure[]> {
    return await this.registry.cleanup()
  }
}
