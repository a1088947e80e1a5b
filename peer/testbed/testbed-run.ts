// One testbed run: a scenario's devices emulated as namespaces with their link and CPU caps, a real
// `tessera peer` in each and `tessera infer` in a namespace of its own. Per planner the peers start
// afresh (each measures its profile under its caps once per run; restarts read it back), the
// scenario's first device starts first and is elected, the leader plans with that planner alone, and
// requests are timed; each row puts the measured latency beside the simulator's prediction for the
// plan the mesh served.
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path'
import { isBuiltinModel } from '../../models/index.js'
import { resolveModel } from '../../models/zoo.js'
import { planOrder } from '../../protocols/plan/codec.js'
import { TestbedError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { tesseraArgs } from '../../src/node-flags.js'
import { plannerSpec } from '../../src/planners/index.js'
import { parseMeasuredProfile } from '../../src/sim/profile-measured.js'
import { readScenarioFile, resolveScenario } from '../../src/sim/scenario.js'
import { loadScenarioModel } from '../../src/sim/scenario-model.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { deviceCacheDir, hasDeviceProfile, prepareDeviceCache, readDeviceProfile } from './device-cache.js'
import { DEFAULT_CFS_PERIOD_US, cfsSettings } from './cpu-cgroup.js'
import { DEFAULT_SERVICE_WINDOW } from '../planning/service-speeds.js'
import { Lab } from './lab.js'
import { PeerWatch } from './peer-watch.js'
import { testbedSetup } from './testbed-scenario.js'
import { TEMP_DIR_PREFIX } from './names.js'
import { planLayout, scenarioRows } from './testbed-rows.js'
import { compareTimeline } from './testbed-timeline.js'
import type { ServedRequest } from './testbed-timeline.js'
import type { DeviceCpu, TestbedRow, TestbedSample } from './testbed-rows.js'

export type { TestbedRow, TestbedSample } from './testbed-rows.js'
import type { Graph } from '../../src/graph/types.js'
import type { Plan } from '../../src/plan/types.js'
import type { MeasuredProfile, SimResult } from '../../src/sim/types.js'
import type { LabNode } from './lab.js'
import type { ExitStatus, NodeProcess } from './node-process.js'
import type { TestbedSetup } from './testbed-scenario.js'

const log = logger('testbed')

export interface TestbedTimeouts {
  /** A peer listening, and the first one elected, ms (default 90 s: a capped peer starts slowly). */
  startMs: number
  /** Every peer's profile measured under its caps, ms (default 30 min). */
  profileMs: number
  /** The leader's plan over every device, ready on all of them, ms (default 20 min). */
  planMs: number
  /** One inference, s, as `tessera infer --timeout` (default 300). */
  requestS: number
}

/** ms between a result and the next request by default: each request timed alone, as the simulator predicts it (docs/testbed.md). */
export const DEFAULT_TESTBED_INTERVAL_MS = 500

export interface TestbedRunOptions {
  scenarioPath: string
  planners: string[]
  /** Timed requests per planner and round. */
  requests: number
  /** Times every planner is measured, the planners taking turns (default 1); a row pools its rounds' requests. */
  rounds?: number
  /** Requests run first and not timed (default 2: the first runs of new sessions are slower). */
  warmup?: number
  /** ms the requester waits after each result before sending the next input (tessera infer --interval; default DEFAULT_TESTBED_INTERVAL_MS). */
  intervalMs?: number
  /** Compare each result with a whole-model run (tessera infer --verify). */
  verify?: boolean
  /**
   * The peers run with `tessera peer --service-speeds`: the leader times its members' parts in service and
   * plans again on those speeds; before the timed requests, rounds of SERVICE_REQUESTS untimed ones, until
   * the leader keeps its plan. Default false: the plan made on the profiles is measured.
   */
  serviceSpeeds?: boolean
  /** Keep devices' measured profiles here across runs (default: a temporary directory, removed). */
  profileDir?: string
  /** CFS period of the CPU caps, us. */
  cfsPeriodUs?: number
  /** Timed runs per profile point, as `tessera peer --profile-repeats` (default: the peer's). */
  profileRepeats?: number
  /** Node/V8 flags of the peers and the requester (default NODE_FLAGS). */
  nodeFlags?: readonly string[]
  /** Write every peer's events and the requester's output here (<scenario>-<planner>-<device>.jsonl). */
  logDir?: string
  /** How long a plan must stay the newest, and the leader not plan, before the plan is measured, ms (default 12 s: a link probe round). */
  settleMs?: number
  timeouts?: Partial<TestbedTimeouts>
  runId?: string
  signal?: AbortSignal
  /** Progress messages (a line each; the CLI shows them on stderr). */
  onProgress?: (message: string) => void
  /** Called with the run id once the run's first namespace exists (`--cleanup` finds a run's leftovers by it). */
  onStart?: (runId: string) => void
}

export interface TestbedResult {
  runId: string
  scenario: string
  rows: TestbedRow[]
  notes: string[]
}

interface InferJson {
  latencyMs: number[]
  /** Every request's timeline (the serving peer's send and receive, each part's instants). */
  requests: ServedRequest[]
  verified: boolean | null
  plan: { term: number, id: number, planner: string, devices: string[] }
}

interface Peer {
  device: string
  node: LabNode
  watch: PeerWatch
}

/** A peer is quiet when over this long it used under this share of its quota. */
const QUIET_WINDOW_MS = 2000
const QUIET_SHARE = 0.4

/**
 * Untimed requests per service round: a plan's first request (its sub-models cold) and then a full window of
 * the leader's ratios (service-speeds.ts): a round that moves no factor leaves every member settled, moved
 * during the timed requests only by a drift past 25%.
 */
const SERVICE_REQUESTS = DEFAULT_SERVICE_WINDOW + 1
/** Service rounds at most: each plan the leader makes on the speeds it measured is served again. */
const MAX_SERVICE_ROUNDS = 3

/** Attempts per planner (the mesh may lose a peer, re-plan mid-run or move its leadership). */
const MAX_ATTEMPTS = 3

const DEFAULT_TIMEOUTS: TestbedTimeouts = { startMs: 90_000, profileMs: 30 * 60_000, planMs: 20 * 60_000, requestS: 300 }

/** Runs the testbed for one scenario; every namespace, qdisc, cgroup and process is gone when it returns or throws. */
export async function runTestbed (options: TestbedRunOptions): Promise<TestbedResult> {
  for (const p of options.planners) plannerSpec(p)
  if (!Number.isInteger(options.requests) || options.requests < 1) throw new RangeError('requests must be a positive integer')
  const file = readScenarioFile(options.scenarioPath)
  const setup = testbedSetup(file, options.scenarioPath)
  const baseDir = dirname(resolvePath(options.scenarioPath))
  const modelSpec = isBuiltinModel(file.model) || isAbsolute(file.model) ? file.model : resolvePath(baseDir, file.model)
  const model = await resolveModel(modelSpec, file.inputShape != null ? { inputShape: file.inputShape } : {})
  const graph = await loadScenarioModel(file.model, file.inputShape, baseDir)
  const progress = options.onProgress ?? (() => {})
  if (options.logDir != null) await mkdir(options.logDir, { recursive: true })
  const lab = await Lab.create({ runId: options.runId, cfsPeriodUs: options.cfsPeriodUs })
  options.onStart?.(lab.runId)
  const ownDir = options.profileDir == null
  let root = options.profileDir
  let failed = true
  try {
    root ??= await mkdtemp(join(tmpdir(), `${TEMP_DIR_PREFIX}${lab.runId}-`))
    const run = new ScenarioRun(lab, setup, graph, { model, root: root, options, progress })
    await run.build()
    await run.profileDevices(options.planners[0])
    // planners take turns round by round, so a slow spell of a shared machine does not fall on one alone
    const samples = new Map<string, TestbedSample[]>(options.planners.map(p => [p, []]))
    for (let round = 0; round < (options.rounds ?? 1); round++) {
      for (const planner of options.planners) {
        options.signal?.throwIfAborted()
        samples.get(planner)!.push(await run.measure(planner))
      }
    }
    const rows = scenarioRows(file.name, samples)
    failed = false
    return { runId: lab.runId, scenario: file.name, rows, notes: setup.notes }
  } finally {
    const failures = await lab.close()
    if (ownDir && root != null) await rm(root, { recursive: true, force: true })
    if (failures.length > 0) {
      const what = failures.map(f => `${f.label}: ${f.error.message}`).join('; ')
      // a cleanup failure must not hide the error that got here first
      if (!failed) throw new TestbedError(`the testbed could not remove everything it made (\`tessera testbed --cleanup\` retries): ${what}`)
      log('cleanup after a failure left: %s', what)
    }
  }
}

interface RunContext {
  model: { path: string, name: string, builtin: boolean }
  root: string
  options: TestbedRunOptions
  progress: (message: string) => void
}

/** The nodes of one scenario and the per-planner measurement on them. */
class ScenarioRun {
  private readonly nodes = new Map<string, LabNode>()
  private requester!: LabNode
  private readonly caches = new Map<string, { dir: string, modelSpec: string }>()
  /**
   * Devices whose profile this run measured: their peers skip the speed check from then on. On this one
   * machine a device's check, run as it joins, times the other devices' work on the other core as much as
   * its own speed (TB-B's wifi device read x0.68-0.86 in four rows within the hour, TB-A's near-slow
   * x0.98-1.44, while the parts of the rows' plans ran at x0.93-1.10 of the unscaled tables), and every
   * planner's row is then planned on the same profiles. A profile from an earlier run (`--profile-dir`) is
   * checked: the machine may have drifted since.
   */
  private readonly measuredHere = new Set<string>()
  private readonly timeouts: TestbedTimeouts
  private readonly periodUs: number

  constructor (private readonly lab: Lab, private readonly setup: TestbedSetup, private readonly graph: Graph, private readonly ctx: RunContext) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...ctx.options.timeouts }
    this.periodUs = ctx.options.cfsPeriodUs ?? DEFAULT_CFS_PERIOD_US
  }

  /** The share of `device`'s CPU quota that `usedMs` of CPU over `elapsedMs` is. */
  private quotaShare (device: string, usedMs: number, elapsedMs: number): number {
    const quota = this.setup.devices.find(d => d.id === device)!.cpuQuota
    return usedMs / (elapsedMs * quota)
  }

  private get name (): string {
    return this.setup.scenario.name
  }

  /** Namespaces, caps and device caches. */
  async build (): Promise<void> {
    for (const d of this.setup.devices) {
      this.nodes.set(d.id, await this.lab.addNode({ label: d.id, uplinkMbps: d.uplinkMbps, downlinkMbps: d.downlinkMbps, cpuQuota: d.cpuQuota }))
      // the key holds the period the quota is enforced with: a profile depends on both
      const dir = deviceCacheDir(this.ctx.root, this.name, d, cfsSettings(d.cpuQuota, this.periodUs).periodUs)
      this.caches.set(d.id, { dir, modelSpec: await prepareDeviceCache(dir, this.ctx.model) })
    }
    this.requester = await this.lab.addNode({ label: 'requester', ...(this.setup.requester ?? {}) })
  }

  private shapeArgs (): string[] {
    return this.setup.scenario.inputShape != null ? ['--input-shape', this.setup.scenario.inputShape.join(',')] : []
  }

  /**
   * Every device without a profile in its cache measures it with its peer alone, one device at a time,
   * before any mesh starts: a profile taken while other peers run (a leader planning, peers probing the
   * newcomer's links) shares this machine's other core with them, as the speed check did (see
   * `measuredHere`), where the first device's profile, taken alone, did not.
   */
  async profileDevices (planner: string): Promise<void> {
    for (const d of this.setup.devices) {
      if (await hasDeviceProfile(this.caches.get(d.id)!.dir, this.graph.sha256)) continue
      this.ctx.options.signal?.throwIfAborted()
      const say = (m: string): void => { this.ctx.progress(`${this.name}: ${m}`) }
      say(`profiling ${d.id} alone`)
      const peer = this.startPeer(d.id, planner, { alone: true })
      try {
        await this.waitForProfile(peer, say)
        this.measuredHere.add(d.id)
      } finally {
        await peer.watch.process.stop()
      }
    }
  }

  /** Starts `device`'s peer; `alone`: only to measure its profile (its log and none of the leader's scenarios kept). */
  private startPeer (device: string, planner: string, { bootstrap, alone = false }: { bootstrap?: string, alone?: boolean } = {}): Peer {
    const node = this.nodes.get(device)!
    const cache = this.caches.get(device)!
    const args = tesseraArgs(['peer', '--json', '--name', device, '--model', cache.modelSpec, ...this.shapeArgs(), '--planner', planner,
      '--quick-planners', 'none', '--threads', '1', '--listen', `/ip4/${node.address}/tcp/0`, ...(bootstrap != null ? ['--bootstrap', bootstrap] : []),
      ...(this.ctx.options.profileRepeats != null ? ['--profile-repeats', String(this.ctx.options.profileRepeats)] : []),
      ...(this.measuredHere.has(device) ? ['--no-speed-check'] : []),
      ...(this.ctx.options.serviceSpeeds === true ? ['--service-speeds'] : []),
      // the leader's scenarios beside the logs, to replan offline (tessera plan --scenario)
      ...(this.ctx.options.logDir != null && !alone ? ['--save-scenarios', join(this.ctx.options.logDir, `${this.name}-${planner}-scenarios`)] : [])], this.ctx.options.nodeFlags)
    const p = this.lab.start(node, process.execPath, args, { env: { ...process.env, TESSERA_CACHE: cache.dir }, label: `peer ${device}` })
    this.logTo(p, alone ? `profile-${device}` : `${planner}-${device}`)
    return { device, node, watch: new PeerWatch(p, device) }
  }

  /** Copies a process's stdout lines into the log directory, when there is one. */
  private logTo (p: NodeProcess, name: string): void {
    const dir = this.ctx.options.logDir
    if (dir == null) return
    const path = join(dir, `${this.name}-${name}.jsonl`.replace(/[^\w.-]/g, '_'))
    const stream = createWriteStream(path, { flags: 'w' })
    stream.on('error', (err) => { log('log %s: %s', path, err.message) })
    p.onLine((line) => { stream.write(line + '\n') })
    p.wait().then(() => { stream.end() }).catch((err: Error) => { log('log %s: %s', path, err.message) })
  }

  /**
   * Measures `planner`. A run the mesh itself upsets (a peer lost, a re-plan during the requests, the
   * leadership moving off the intended leader) is started again, up to MAX_ATTEMPTS times; the last
   * attempt keeps whichever peer leads (the row names it).
   */
  async measure (planner: string): Promise<TestbedSample> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt === MAX_ATTEMPTS
      try {
        return await this.measureOnce(planner, !last)
      } catch (err: any) {
        if (last || err?.name !== 'TestbedError' || this.ctx.options.signal?.aborted === true) throw err
        this.ctx.progress(`${this.name} ${planner}: ${err.message as string}; starting the peers again`)
        log('%s %s: attempt %d failed: %s', this.name, planner, attempt, err.message)
      }
    }
  }

  /** Starts the peers (the intended leader first, each other one once it follows it), runs the requests, stops the peers. */
  private async measureOnce (planner: string, requireLeader: boolean): Promise<TestbedSample> {
    const { signal } = this.ctx.options
    const say = (m: string): void => { this.ctx.progress(`${this.name} ${planner}: ${m}`) }
    const n = this.setup.devices.length
    const peers: Peer[] = []
    try {
      say(`starting ${this.setup.leader} (leader)`)
      const first = this.startPeer(this.setup.leader, planner)
      peers.push(first)
      const listening = await first.watch.next('listening', () => true, { timeoutMs: this.timeouts.startMs, what: 'listening address', signal })
      const addr = listening.addrs.find(a => a.includes(first.node.address)) ?? listening.addrs[0]
      await first.watch.next('leader', e => e.self, { timeoutMs: this.timeouts.startMs, what: 'election as leader', signal })
      // a profile from an earlier run is checked against the device's speed now before the next one starts
      await this.waitForProfile(first, say)
      for (const d of this.setup.devices) {
        if (d.id === this.setup.leader) continue
        say(`starting ${d.id}`)
        const p = this.startPeer(d.id, planner, { bootstrap: addr })
        peers.push(p)
        // one newcomer at a time, each settled as a follower: a peer that hears no leader soon enough stands itself
        const e = await p.watch.next('leader', e => e.leader != null, { timeoutMs: this.timeouts.startMs, what: 'a leader to follow', signal })
        if (requireLeader && e.leader !== listening.peerId) throw new TestbedError(`${d.id} joined under ${e.self ? 'itself' : (e.name ?? String(e.leader))} as leader, not ${this.setup.leader}`)
        await this.waitForProfile(p, say)
      }
      let plan = await this.settledPlan(peers, planner, n, say)
      if (this.ctx.options.serviceSpeeds === true) plan = await this.serviceRounds(peers, addr, plan, planner, n, say)
      if (requireLeader && plan.leader !== this.setup.leader) throw new TestbedError(`leadership moved from ${this.setup.leader} to ${plan.leader}`)
      // a re-plan that gave the same plan again on newer links predicted it anew: the leader's newest prediction counts
      const repredicted = peers.find(p => p.device === plan.leader)!.watch.all('repredicted').filter(e => e.key === plan.key)
      const predictedMs = repredicted.length > 0 ? repredicted[repredicted.length - 1].predictedMs : plan.plan.predictedMs!
      const profiles = await this.profiles()
      const nominal = await this.nominal(plan.plan, profiles, plan.leader)
      say(`plan ${plan.key} by ${plan.leader} ready (predicted ${predictedMs.toFixed(1)} ms); ${this.ctx.options.requests} request(s)`)
      const timed = await this.requests(peers, addr, plan.key, planner, requireLeader)
      const timeline = compareTimeline(nominal, plan.plan.volumes.length, timed.timelines)
      const logDir = this.ctx.options.logDir
      if (logDir != null) await writeFile(join(logDir, `${this.name}-${planner}-${plan.key}-timeline.json`.replace(/[^\w.-]/g, '_')), JSON.stringify({ plan: plan.key, planner, ...timeline }, null, 1) + '\n')
      return {
        predictedMs,
        nominalMs: nominal.latencyMs,
        computeRatio: timeline.computeRatio,
        runRatio: timeline.runRatio,
        servedMs: timed.served,
        clientMs: timed.client,
        plan: plan.key,
        layout: planLayout(plan.plan),
        servedBy: plan.plan.planner,
        devices: deviceList(plan.plan),
        leader: plan.leader,
        verified: timed.verified,
        ...(timed.replanned != null ? { replanned: timed.replanned } : {}),
        cpu: timed.cpu,
        speed: Object.fromEntries(peers.flatMap(p => p.watch.all('profile').flatMap(e => e.speed != null ? [[p.device, e.speed.factor]] : []))),
        service: Object.fromEntries(peers.find(p => p.device === plan.leader)!.watch.all('speeds').flatMap(e => e.moves.map(m => [m.device, m.factor])))
      }
    } finally {
      await Promise.all(peers.map(async p => await p.watch.process.stop()))
    }
  }

  /**
   * The newest stable plan (stablePlan) once every peer is quiet: the leader may still be planning (a
   * re-plan after a link probe), or peers loading sub-models, and requests then would share the capped CPUs
   * with that work.
   */
  private async settledPlan (peers: Peer[], planner: string, n: number, say: (m: string) => void): Promise<{ key: string, plan: Plan, leader: string }> {
    let plan = await this.stablePlan(peers, planner, n, say)
    while (true) {
      await this.waitForQuiet(peers, say)
      const now = await this.stablePlan(peers, planner, n, say, 0)
      if (now.key === plan.key) return plan
      plan = now
    }
  }

  /**
   * Serves SERVICE_REQUESTS untimed requests on `plan` for the leader to time its members' parts against
   * their tables (peer/planning/service-speeds.ts); when the leader plans again on the speeds it measured,
   * waits for that plan, settled, and serves it in turn, up to MAX_SERVICE_ROUNDS rounds. The plan to time.
   */
  private async serviceRounds (peers: Peer[], bootstrap: string, plan: { key: string, plan: Plan, leader: string }, planner: string, n: number, say: (m: string) => void): Promise<{ key: string, plan: Plan, leader: string }> {
    for (let round = 1; round <= MAX_SERVICE_ROUNDS; round++) {
      const leader = peers.find(p => p.device === plan.leader)!
      const mark = leader.watch.events.length
      say(`plan ${plan.key}: ${SERVICE_REQUESTS} untimed requests, the leader timing its members`)
      const infer = this.startRequester(bootstrap, SERVICE_REQUESTS, `${planner}-service-${round}`)
      const status = await this.requesterDone(infer)
      if (status.code !== 0) throw infer.exitError('while serving the untimed requests')
      const moves = leader.watch.all('speeds', mark).flatMap(e => e.moves)
      if (moves.length === 0) return plan
      say(`${plan.leader} plans again on its members' speeds in service: ${moves.map(m => `${m.device} x${m.factor.toFixed(2)}`).join(', ')}`)
      plan = await this.settledPlan(peers, planner, n, say)
    }
    return plan
  }

  /** Starts `tessera infer` in the requester's namespace: `repeat` requests to the mesh through `bootstrap`, logged as `label`. */
  private startRequester (bootstrap: string, repeat: number, label: string): NodeProcess {
    const verify = this.ctx.options.verify
    const args = tesseraArgs(['infer', '--json', '--model', this.ctx.model.builtin ? this.ctx.model.name : this.ctx.model.path, ...this.shapeArgs(),
      '--repeat', String(repeat), '--interval', String(this.ctx.options.intervalMs ?? DEFAULT_TESTBED_INTERVAL_MS), '--timeout', String(this.timeouts.requestS), '--listen', `/ip4/${this.requester.address}/tcp/0`,
      '--bootstrap', bootstrap, ...(verify === true ? ['--verify'] : [])], this.ctx.options.nodeFlags)
    const infer = this.lab.start(this.requester, process.execPath, args, { label: 'tessera infer' })
    this.logTo(infer, label)
    return infer
  }

  /** Waits for `tessera infer` to exit; the run's abort signal stops it (and then throws). */
  private async requesterDone (infer: NodeProcess): Promise<ExitStatus> {
    const signal = this.ctx.options.signal
    const onAbort = (): void => { infer.stop().catch((err: Error) => { log('stopping tessera infer failed: %s', err.message) }) }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await infer.wait()
    } finally {
      signal?.removeEventListener('abort', onAbort)
      signal?.throwIfAborted()
    }
  }

  /** Waits for a peer's measured profile (at once when its cache holds one), showing its progress. */
  private async waitForProfile (peer: Peer, say: (m: string) => void): Promise<void> {
    let shown = -1
    const off = peer.watch.on((e) => {
      if (e.event !== 'profile') return
      if (e.done === true && e.cached === true) {
        const speed = e.speed as { factor: number } | undefined
        say(`${peer.device} read its profile back${speed != null ? ` (speed check: tables x${speed.factor.toFixed(2)})` : ''}`)
        return
      }
      const pr = e.progress as { done: number, total: number } | undefined
      const share = e.done === true ? 1 : pr != null ? pr.done / pr.total : undefined
      if (share == null || Math.round(share * 10) === shown) return
      shown = Math.round(share * 10)
      say(`profiling ${peer.device} under its cap, ${(share * 100).toFixed(0)}%`)
    })
    try {
      await peer.watch.next('profile', e => e.done === true, { timeoutMs: this.timeouts.profileMs, what: `measured profile of ${peer.device}`, signal: this.ctx.options.signal })
    } finally {
      off()
    }
  }

  /**
   * The mesh's newest plan (by term, then plan id, whichever peer leads), once it is a `planner` plan
   * over all `n` devices, every member reported it ready, and for the settle time since then no newer
   * plan followed and the leader started no planning (a plan made before every link was probed is
   * replaced when the probes arrive; the first probes of a newcomer's links, taken while the others probe
   * it too, climb towards the links' rates over several rounds, and each step past the plan's tolerance
   * plans again, which during the requests would share the leader's CPU with them).
   */
  private async stablePlan (peers: Peer[], planner: string, n: number, say: (m: string) => void, settleMs = this.ctx.options.settleMs ?? 12_000): Promise<{ key: string, plan: Plan, leader: string }> {
    const signal = this.ctx.options.signal
    const deadline = performance.now() + this.timeouts.planMs
    const readyAt = new Map<string, number>()
    say(`planning over ${n} devices`)
    let shown = ''
    while (true) {
      signal?.throwIfAborted()
      const gone = peers.find(p => p.watch.process.exited != null)
      if (gone != null) throw gone.watch.process.exitError('while the testbed waited for a plan')
      const failure = peers.flatMap(p => p.watch.all('failed')).find(e => e.planner === planner)
      if (failure != null) throw new TestbedError(`the planner ${planner} failed on ${failure.peer}: ${failure.reason}`)
      for (const p of peers) for (const r of p.watch.all('ready')) if (!readyAt.has(r.key)) readyAt.set(r.key, performance.now())
      // the peers' event times are this machine's clock
      const plannedAt = Math.max(0, ...peers.flatMap(p => p.watch.all('planning').map(e => e.t)))
      const own = peers.flatMap(p => p.watch.all('plan').filter(e => e.own).map(e => ({ e, device: p.device })))
      const newest = own.sort((x, y) => planOrder(x.e, y.e))[own.length - 1]
      if (newest != null && newest.e.plan.planner === planner && newest.e.members.length === n) {
        const at = readyAt.get(newest.e.key)
        if (at != null && performance.now() - at >= settleMs && Date.now() - plannedAt >= settleMs) return { key: newest.e.key, plan: newest.e.plan, leader: newest.device }
        const state = at == null ? `plan ${newest.e.key} by ${newest.device} made, waiting for every member to prepare it` : `plan ${newest.e.key} by ${newest.device} ready; settling`
        if (state !== shown) say(state)
        shown = state
      }
      if (performance.now() > deadline) {
        const what = newest == null ? 'none' : `${newest.e.key} by ${newest.device} with ${newest.e.plan.planner} over ${newest.e.members.length} device(s)`
        throw new TestbedError(`no ${planner} plan over ${n} devices was ready and stable within ${Math.round(this.timeouts.planMs / 1000)} s (newest plan: ${what})`)
      }
      await sleep(250, signal)
    }
  }

  /**
   * Waits until every peer has used under QUIET_SHARE of its CPU quota over QUIET_WINDOW_MS: the
   * leader done planning, every member done preparing sub-models. An idle peer (heartbeats, gossip,
   * link probes) uses about 0.05 of a core.
   */
  private async waitForQuiet (peers: Peer[], say: (m: string) => void): Promise<void> {
    const signal = this.ctx.options.signal
    const deadline = performance.now() + this.timeouts.planMs
    say('waiting for the peers to finish planning and preparing')
    let shown = ''
    while (true) {
      const before = await Promise.all(peers.map(async p => await p.watch.process.cpuMs()))
      const t0 = performance.now()
      await sleep(QUIET_WINDOW_MS, signal)
      const after = await Promise.all(peers.map(async p => await p.watch.process.cpuMs()))
      const elapsed = performance.now() - t0
      const busy = peers.filter((p, i) => {
        if (before[i] == null || after[i] == null) throw p.watch.process.exitError('while the testbed waited for the peers to go quiet')
        return this.quotaShare(p.device, after[i]! - before[i]!, elapsed) > QUIET_SHARE
      })
      if (busy.length === 0) return
      if (performance.now() > deadline) throw new TestbedError(`${busy.map(p => p.device).join(', ')} kept computing for ${Math.round(this.timeouts.planMs / 1000)} s after the plan was ready`)
      const state = `waiting for ${busy.map(p => p.device).join(', ')} to finish planning or preparing`
      if (state !== shown) say(state)
      shown = state
    }
  }

  private async profiles (): Promise<Record<string, MeasuredProfile>> {
    const out: Record<string, MeasuredProfile> = {}
    for (const d of this.setup.devices) {
      out[d.id] = parseMeasuredProfile(await readDeviceProfile(this.caches.get(d.id)!.dir, this.graph.sha256), `profile of ${d.id}`)
    }
    return out
  }

  /** The plan simulated on the scenario as written (its link caps, no added latency) with the measured profiles, the leader as the requester. */
  private async nominal (plan: Plan, measured: Record<string, MeasuredProfile>, leader: string): Promise<SimResult> {
    const file = { ...this.setup.scenario, requester: { device: leader }, latencyMs: 0 }
    const scenario = await resolveScenario(file, { graph: this.graph, measured, source: this.ctx.options.scenarioPath })
    return createSimulator(scenario).run(plan)
  }

  /**
   * Runs the requests. A leader that starts planning meanwhile shares its CPU quota with the planner
   * (search or distredge train for seconds to minutes): with `strict` that run is started again, on the
   * last attempt it is kept and says so (`replanned`).
   */
  private async requests (peers: Peer[], bootstrap: string, planKey: string, planner: string, strict: boolean): Promise<{ served: number[], client: number[], timelines: ServedRequest[], verified: boolean | null, replanned?: string, cpu: Record<string, DeviceCpu> }> {
    const { requests } = this.ctx.options
    const warmup = this.ctx.options.warmup ?? 2
    const marks = peers.map(p => p.watch.events.length)
    // the peers' CPU is read from the end of the first request (the requester has started and found the mesh) to the last
    let firstServed: Promise<{ at: number, cpu: Array<number | undefined> } | undefined> | undefined
    const offs = peers.map(p => p.watch.on((e) => {
      if (e.event !== 'served' || firstServed != null) return
      const at = performance.now()
      firstServed = Promise.all(peers.map(async q => await q.watch.process.cpuMs())).then(cpu => ({ at, cpu }), (err: Error) => {
        log('reading the peers\' CPU time failed: %s (the row has no cpu figures)', err.message)
        return undefined
      })
    }))
    const infer = this.startRequester(bootstrap, warmup + requests, `${planner}-requester`)
    let out: InferJson | undefined
    infer.onLine((line) => {
      if (line.startsWith('{')) out = JSON.parse(line) as InferJson
    })
    let status
    try {
      status = await this.requesterDone(infer)
    } finally {
      for (const off of offs) off()
    }
    const cpuAfter = await Promise.all(peers.map(async p => await p.watch.process.cpuMs()))
    const ended = performance.now()
    if (out == null || (status.code !== 0 && !(status.code === 1 && out.verified === false))) throw infer.exitError('while running the requests')
    // requests enter at the leader; should leadership move, the next one serves them
    const served = peers.flatMap((p, i) => p.watch.events.slice(marks[i]).filter(e => e.event === 'served'))
      .sort((x, y) => x.t - y.t) as Array<{ ms: number, ok: boolean, plan: string, error?: string }>
    if (served.length !== warmup + requests) throw new TestbedError(`the peers report ${served.length} served request(s), expected ${warmup + requests}`)
    const timed = served.slice(warmup)
    const bad = timed.find(s => !s.ok || s.plan !== planKey)
    if (bad != null) throw new TestbedError(bad.ok ? `a request was served on plan ${bad.plan}, not the measured plan ${planKey} (the leader re-planned during the requests)` : `a request failed: ${bad.error ?? 'unknown error'}`)
    const replans = peers.flatMap((p, i) => p.watch.all('planning', marks[i]).map(e => `${p.device} (${e.reason})`))
    const replanned = replans.length === 0 ? undefined : `the leader started planning during the requests: ${[...new Set(replans)].join(', ')}`
    if (replanned != null && strict) throw new TestbedError(replanned)
    const first = await firstServed
    const cpu: Record<string, DeviceCpu> = {}
    // with one request there is no window after the first
    if (first != null && served.length > 1) {
      peers.forEach((p, i) => {
        if (first.cpu[i] == null || cpuAfter[i] == null) throw p.watch.process.exitError('while the requests ran')
        const used = cpuAfter[i]! - first.cpu[i]!
        cpu[p.device] = { msPerRequest: used / (served.length - 1), quotaUse: this.quotaShare(p.device, used, ended - first.at) }
      })
    }
    return { served: timed.map(s => s.ms), client: out.latencyMs.slice(warmup), timelines: out.requests.slice(warmup), verified: out.verified, ...(replanned != null ? { replanned } : {}), cpu }
  }
}

function deviceList (plan: Plan): string[] {
  const used = new Set<string>()
  for (const v of plan.volumes) for (const p of v.parts) if (p.rows[1] > p.rows[0]) used.add(p.device)
  used.add(plan.tail.device)
  return [...used]
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted')) }
    if (signal?.aborted === true) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
