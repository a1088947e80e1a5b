// A mesh of `tessera peer` child processes on 127.0.0.1 (mDNS off: they find each other through the
// first peer's address, so nothing is multicast), for `tessera demo` and `tessera bench mesh`.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { InferClient } from '../../peer/requester/infer-client.js'
import { newRequestId } from '../../peer/requester/coordinator.js'
import { MeshUnavailableError } from '../errors.js'
import { logger } from '../logger.js'
import { defaultPlannerName } from '../planners/index.js'
import { tesseraArgs } from '../node-flags.js'
import { planOrder } from '../../protocols/plan/codec.js'
import type { InferResult } from '../../protocols/infer/codec.js'
import type { Graph } from '../graph/types.js'
import type { ChildProcess } from 'node:child_process'
import type { CommandOptions } from './command.js'

export interface LocalPeer {
  name: string
  child: ChildProcess
  events: Array<Record<string, any>>
  exited: Promise<number | null>
}

const log = logger('demo')

/** How long the leader must start no planning before a plan is measured, ms: the newcomers' links are probed again within 0.5-1.5 s of a busy round. */
const SETTLE_MS = 5000

/** The flags of `tessera demo` and `tessera bench mesh`: the model and its input shape, the peers, the requests, the planner. */
export const LOCAL_MESH_OPTIONS = {
  model: { type: 'string', default: 'resnet50' },
  'input-shape': { type: 'string' },
  peers: { type: 'string' },
  requests: { type: 'string' },
  planner: { type: 'string' }
} as const satisfies CommandOptions

export interface LocalMeshInit {
  model: string
  inputShape?: number[]
  /** The planner the leader runs; absent: the peers' default for the mesh's size. */
  planner?: string
  /** Called with each event line of each peer. */
  onEvent?: (peer: LocalPeer, event: Record<string, any>) => void
}

export class LocalMesh {
  readonly peers: LocalPeer[] = []
  private readonly watchers = new Set<() => void>()
  private client?: InferClient

  constructor (private readonly init: LocalMeshInit) {}

  /** Waits until `test` holds, re-checking on every peer event. */
  async until (what: string, test: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!test()) {
      if (performance.now() > deadline) throw new MeshUnavailableError(`the local mesh did not ${what} within ${Math.round(timeoutMs / 1000)} s`)
      await new Promise<void>((resolve) => {
        const w = (): void => { this.watchers.delete(w); clearTimeout(t); resolve() }
        const t = setTimeout(w, 250)
        this.watchers.add(w)
      })
    }
  }

  /** The first peer's addresses (the others bootstrap from them). */
  bootstrap (): string[] {
    return (this.peers[0]?.events.find(e => e.event === 'listening')?.addrs ?? []) as string[]
  }

  /** Starts `n` peers named peer-1..peer-n; resolves once all are listening. */
  async start (n: number): Promise<void> {
    this.peers.push(this.spawnPeer('peer-1', []))
    await this.until('start its first peer', () => this.peers[0].events.some(e => e.event === 'listening'), 60_000)
    for (let i = 2; i <= n; i++) this.peers.push(this.spawnPeer(`peer-${i}`, this.bootstrap()))
    await this.until('start every peer', () => this.peers.every(p => p.events.some(e => e.event === 'listening')), 60_000)
  }

  /** The leader's last published plan over exactly `n` members, once every member is ready with it. */
  readyPlan (n: number, planner?: string): Record<string, any> | undefined {
    for (const p of this.peers) {
      const own = p.events.filter(e => e.event === 'plan' && e.own === true && e.members.length === n && (planner == null || e.plan.planner === planner))
      const last = own[own.length - 1]
      if (last != null && p.events.some(e => e.event === 'ready' && e.key === last.key)) return last
    }
    return undefined
  }

  /**
   * Waits for a ready plan over `n` peers, made by the configured planner when it gets there in `refineMs`,
   * and then until the leader has started no planning for `settleMs` and its newest plan is ready (at most
   * `refineMs` more). A leader re-plans when the first probes of its newcomers' links are corrected, seconds
   * after its first plan: inferences timed meanwhile share the CPU with that planning (`npm start` here
   * once timed a mesh of 4 at 321 ms while its leader ran search again).
   */
  async planOver (n: number, timeoutMs: number, refineMs: number, settleMs = SETTLE_MS): Promise<Record<string, any>> {
    await this.until(`ready a plan over ${n} peer(s)`, () => this.readyPlan(n) != null, timeoutMs)
    const configured = this.init.planner ?? defaultPlannerName(n)
    await this.until(`ready a ${configured} plan over ${n} peer(s)`, () => this.readyPlan(n, configured) != null, refineMs)
      .catch((err: Error) => { log('no %s plan within %d ms (%s): using the plan the mesh has', configured, refineMs, err.message) })
    const planner = this.readyPlan(n, configured) != null ? configured : undefined
    await this.until(`settle on a plan over ${n} peer(s)`, () => {
      const newest = this.newestPlan(n, planner)
      return this.quietFor(settleMs) && newest != null && this.readyPlan(n, planner)?.key === newest.key
    }, refineMs).catch((err: Error) => { log('%s: using the newest ready plan', err.message) })
    return this.readyPlan(n, planner) ?? this.readyPlan(n)!
  }

  /** The newest plan over exactly `n` members any peer published (by term, then plan id), ready or not. */
  private newestPlan (n: number, planner?: string): Record<string, any> | undefined {
    const own = this.peers.flatMap(p => p.events.filter(e => e.event === 'plan' && e.own === true && e.members.length === n && (planner == null || e.plan.planner === planner)))
    return own.sort((x, y) => planOrder(x as { term: number, planId: number }, y as { term: number, planId: number }))[own.length - 1]
  }

  /** Whether no peer has started planning within the last `ms` (by the peers' event times). */
  private quietFor (ms: number): boolean {
    const last = Math.max(0, ...this.peers.flatMap(p => p.events.filter(e => e.event === 'planning').map(e => e.t as number)))
    return Date.now() - last >= ms
  }

  /** Runs `count` inferences through the mesh; returns each latency (ms) and the last result. */
  async run (graph: Graph, input: Float32Array, count: number): Promise<{ ms: number[], last: InferResult }> {
    this.client ??= await InferClient.create({ mdns: false, bootstrap: this.bootstrap(), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const ms: number[] = []
    let last: InferResult | undefined
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      last = await this.client.infer({ requestId: newRequestId(), modelSha256: graph.sha256, modelName: graph.name, input: { name: graph.input, shape: graph.inputShape, data: input } }, { timeoutMs: 120_000 })
      ms.push(performance.now() - t0)
    }
    return { ms, last: last! }
  }

  async stopPeer (p: LocalPeer): Promise<void> {
    if (p.child.exitCode == null && p.child.signalCode == null) p.child.kill('SIGTERM')
    const killer = setTimeout(() => p.child.kill('SIGKILL'), 10_000)
    await p.exited
    clearTimeout(killer)
  }

  async stop (): Promise<void> {
    await this.client?.stop()
    this.client = undefined
    await Promise.all(this.peers.map(async p => await this.stopPeer(p)))
  }

  private spawnPeer (name: string, bootstrap: string[]): LocalPeer {
    const i = this.init
    // peers started together on one machine would time the whole model against each other's start-up: they
    // take the profile the caller measured (or checked) just before as it is
    const args = tesseraArgs(['peer', '--json', '--no-mdns', '--no-speed-check', '--listen', '/ip4/127.0.0.1/tcp/0', '--name', name, '--model', i.model,
      ...(i.planner != null ? ['--planner', i.planner] : []),
      ...(i.inputShape != null ? ['--input-shape', i.inputShape.join(',')] : []), ...bootstrap.flatMap(b => ['--bootstrap', b])])
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const p: LocalPeer = { name, child, events: [], exited: new Promise(resolve => child.once('exit', code => resolve(code))) }
    const wake = (): void => { for (const w of [...this.watchers]) w() }
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return
      const e = JSON.parse(line) as Record<string, any>
      p.events.push(e)
      i.onEvent?.(p, e)
      wake()
    })
    // stderr carries the profiling progress line only; errors end in the exit code
    child.stderr!.resume()
    child.once('exit', wake)
    return p
  }
}

