// Runs this peer's share of plans. A plan is prepared once (its parts' sub-models built and their
// onnxruntime sessions created); then, per request, each part waits for exactly the input regions the
// plan's data movement (src/plan/movement.ts) sends it, runs, and sends each consumer the rows it
// needs; the tail runs once it holds the whole last output and sends the model outputs to the requester.
import { fullRegion } from '../../src/graph/regions.js'
import { InvalidPlanError, MalformedMessageError, NoPlanError } from '../../src/errors.js'
import { partKey } from '../../src/engine/sub-model.js'
import { emptyTensor, extractRegion, pasteRegion, rangeLength, regionDims, sameRegion } from '../../src/engine/tensor.js'
import { logger } from '../../src/logger.js'
import { partInputRegion, partOutputRegion, planMovement } from '../../src/plan/movement.js'
import { validatePlan } from '../../src/plan/validate.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { SessionCache } from './session-cache.js'
import type { TensorRouter } from './tensor-router.js'
import type { MemberRecord } from '../../protocols/plan/codec.js'
import type { TensorFrame, TraceRecord } from '../../protocols/tensor/codec.js'
import type { TensorSink } from '../../protocols/tensor/handler.js'
import type { HostTensor } from '../../src/engine/tensor.js'
import type { ComputeSession } from './session-cache.js'
import type { Graph, Region, TensorName } from '../../src/graph/types.js'
import type { Endpoint, Message, Movement } from '../../src/plan/movement.js'
import type { DeviceId, Plan } from '../../src/plan/types.js'
import type { PeerIdStr } from '../gossip.js'
import type { AbortOptions } from '@libp2p/interface'

const log = logger('executor')
/** Every input, part and send of every request: a timeline to read beside the simulator's (DEBUG=tessera:executor:trace). */
const traceLog = logger('executor:trace')

/** A plan as this peer runs it. */
export interface PreparedPlan {
  /** `<term>.<planId>` */
  key: string
  term: number
  planId: number
  plan: Plan
  graph: Graph
  members: MemberRecord[]
  movement: Movement
  peerOf: Map<DeviceId, PeerIdStr>
  /** This peer's device id in the plan (undefined: not a member). */
  device?: DeviceId
  /** This peer's non-empty parts, by `<volume>:<part>`. */
  parts: Map<string, PartWork>
  tail?: TailWork
}

interface PartWork {
  volume: number
  part: number
  made: Region
  need: Region
  session: ComputeSession
  inbound: Message[]
  outbound: Message[]
}

interface TailWork {
  from: TensorName
  session?: ComputeSession
  inbound: Message[]
}

interface Piece {
  region: Region
  tensor: HostTensor
}

interface Slot {
  pieces: Array<Piece | undefined>
  received: number
  done: boolean
}

interface Job {
  requestId: string
  requester: PeerIdStr
  plan: PreparedPlan
  created: number
  slots: Map<string, Slot>
  trace: JobTrace
  failed: boolean
}

/**
 * The trace records a peer knows of one request, in the order it learnt them, and how many of them each
 * receiving peer has been sent: a frame carries only the records its receiver has not had from here, so
 * a request's records reach the tail along its data paths without every frame repeating them all.
 */
class JobTrace {
  private readonly keys = new Set<string>()
  private readonly list: TraceRecord[] = []
  private readonly sent = new Map<string, number>()

  add (t: TraceRecord): void {
    const key = `${t.device}:${t.volume}:${t.part}`
    if (this.keys.has(key)) return
    this.keys.add(key)
    this.list.push(t)
  }

  /**
   * The records not yet sent to `peer` as `kind` frames, counted as sent. Slices and outputs count apart: a
   * requester that also computes hands slices to its executor and outputs to its coordinator.
   */
  newFor (peer: PeerIdStr, kind: 'slice' | 'output'): TraceRecord[] {
    const key = `${kind} ${peer}`
    const from = this.sent.get(key) ?? 0
    this.sent.set(key, this.list.length)
    return this.list.slice(from)
  }
}

export interface ExecutorInit {
  /** onnxruntime intra-op threads (default 1). */
  threads?: number
  /** A request still incomplete after this long is dropped here, ms (default 120000). */
  jobTimeoutMs?: number
  /** How long a frame for a plan still being prepared waits for it, ms (default 30000). */
  planWaitMs?: number
  /** Requests in progress at once before new ones are refused (default 64). */
  maxJobs?: number
}

export interface ExecutorComponents {
  self: PeerIdStr
  router: TensorRouter
}

const TAIL = 'tail'

/** A performance.now() instant as ms since the epoch (the trace's instants). */
function wallClock (now: number): number {
  return performance.timeOrigin + now
}

function endpointKey (e: Endpoint): string {
  return e.kind === 'part' ? `${e.volume}:${e.part}` : e.kind
}

function sameRange (a: readonly number[], b: readonly number[]): boolean {
  return a[0] === b[0] && a[1] === b[1]
}

/** The part index of a frame aimed at `to` (the tail is volume = volume count, part 0). */
export function frameTarget (plan: Plan, to: Endpoint): { volume: number, part: number } {
  if (to.kind === 'part') return { volume: to.volume, part: to.part }
  return { volume: plan.volumes.length, part: 0 }
}

export class Executor implements TensorSink {
  private readonly components: ExecutorComponents
  private readonly init: Required<ExecutorInit>
  private readonly sessions: SessionCache
  private readonly plans = new Map<string, PreparedPlan>()
  private readonly preparing = new Map<string, Promise<PreparedPlan>>()
  private readonly jobs = new Map<string, Job>()
  private queue: Promise<void> = Promise.resolve()
  private lastActive = -Infinity
  private sweeper?: ReturnType<typeof setInterval>

  constructor (components: ExecutorComponents, init: ExecutorInit = {}) {
    this.components = components
    this.init = { threads: 1, jobTimeoutMs: 120_000, planWaitMs: 30_000, maxJobs: 64, ...init }
    this.sessions = new SessionCache({ threads: this.init.threads })
  }

  start (): void {
    this.sweeper = setInterval(() => { this.sweep() }, 5000)
    this.sweeper.unref()
  }

  async stop (): Promise<void> {
    if (this.sweeper != null) clearInterval(this.sweeper)
    this.jobs.clear()
    this.plans.clear()
    await this.sessions.dispose()
  }

  /** A prepared plan by key. */
  get (key: string): PreparedPlan | undefined {
    return this.plans.get(key)
  }

  /** Requests this peer is working on. */
  get activeJobs (): number {
    return this.jobs.size
  }

  /** ms since this peer last worked on a request (0 while it works on one). */
  idleForMs (): number {
    return this.jobs.size > 0 ? 0 : performance.now() - this.lastActive
  }

  private dropJob (requestId: string): void {
    if (this.jobs.delete(requestId)) this.lastActive = performance.now()
  }

  /** Builds this peer's sub-models for a plan and opens their sessions; validates the plan against the graph first. */
  async prepare (term: number, planId: number, plan: Plan, members: MemberRecord[], graph: Graph, modelPath: string): Promise<PreparedPlan> {
    const key = `${term}.${planId}`
    const done = this.plans.get(key)
    if (done != null) return done
    let p = this.preparing.get(key)
    if (p == null) {
      p = this.build(key, term, planId, plan, members, graph, modelPath)
      this.preparing.set(key, p)
      p.then((prepared) => { this.plans.set(key, prepared) }, (err: Error) => { log('preparing plan %s failed: %s', key, err.message) }).finally(() => { this.preparing.delete(key) })
    }
    return await p
  }

  /** Forgets a plan; its sessions are released unless another kept plan uses them. */
  async retire (key: string): Promise<void> {
    if (!this.plans.delete(key)) return
    for (const [id, job] of this.jobs) if (job.plan.key === key) this.dropJob(id)
    await this.sessions.release(key)
  }

  private async build (key: string, term: number, planId: number, plan: Plan, members: MemberRecord[], graph: Graph, modelPath: string): Promise<PreparedPlan> {
    if (plan.model.sha256 !== graph.sha256) {
      throw new InvalidPlanError(`plan ${key} is for model ${plan.model.sha256}, this peer loaded ${graph.sha256}`)
    }
    validatePlan(graph, plan, { devices: members.map(m => m.device) })
    const movement = planMovement(graph, plan)
    for (const m of [...movement.messages]) {
      if (graph.dtypes.get(m.tensor) !== 'float32') throw new InvalidPlanError(`plan ${key} moves "${m.tensor}" of type ${graph.dtypes.get(m.tensor) ?? '?'}: the mesh moves float32 tensors only`)
    }
    const peerOf = new Map(members.map(m => [m.device, m.peer]))
    const device = members.find(m => m.peer === this.components.self)?.device
    const parts = new Map<string, PartWork>()
    let tail: TailWork | undefined
    if (device != null) {
      for (let l = 0; l < plan.volumes.length; l++) {
        const v = plan.volumes[l]
        for (let k = 0; k < v.parts.length; k++) {
          if (v.parts[k].device !== device) continue
          const made = partOutputRegion(graph, plan, l, k)
          if (rangeLength(made.rows) === 0 || rangeLength(made.cols) === 0) continue
          const volume = { input: v.input, output: v.output }
          const session = await this.sessions.acquire({
            key: `${graph.sha256}:${partKey(volume, made.rows, made.cols)}`, modelPath, name: graph.name, inputShape: graph.inputShape, spec: { kind: 'part', volume, rows: made.rows, cols: made.cols }
          }, key)
          if (session == null) throw new InvalidPlanError(`part ${l}:${k} of plan ${key} has no sub-model`)
          const id = `${l}:${k}`
          parts.set(id, {
            volume: l,
            part: k,
            made,
            need: partInputRegion(graph, plan, l, k),
            session,
            inbound: movement.messages.filter(m => endpointKey(m.to) === id),
            outbound: movement.messages.filter(m => endpointKey(m.from) === id)
          })
        }
      }
      if (plan.tail.device === device) {
        const from = plan.volumes.length === 0 ? graph.input : plan.volumes[plan.volumes.length - 1].output
        tail = {
          from,
          session: await this.sessions.acquire({ key: `${graph.sha256}:tail:${from}`, modelPath, name: graph.name, inputShape: graph.inputShape, spec: { kind: 'tail', from } }, key),
          inbound: movement.messages.filter(m => m.to.kind === 'tail')
        }
      }
    }
    log('prepared plan %s: %d part(s)%s on this peer', key, parts.size, tail != null ? ' and the tail' : '')
    return { key, term, planId, plan, graph, members, movement, peerOf, device, parts, tail }
  }

  /** Takes one SLICE frame: checks it against what the plan sends that part, stores it, runs the part when complete. */
  async deliver (frame: TensorFrame, from: PeerIdStr, options?: AbortOptions): Promise<void> {
    const key = `${frame.term}.${frame.planId}`
    let plan = this.plans.get(key)
    if (plan == null) {
      const pending = this.preparing.get(key)
      if (pending == null) {
        const err = new NoPlanError(`request ${frame.requestId}: this peer has no plan ${key}`)
        this.fail(frame.requestId, frame.requester, key, frame.term, frame.planId, err.message)
        throw err
      }
      plan = await pending
    }
    try {
      this.accept(plan, frame)
    } catch (err: any) {
      this.fail(frame.requestId, frame.requester, key, frame.term, frame.planId, err.message)
      throw err
    }
  }

  private accept (plan: PreparedPlan, frame: TensorFrame): void {
    const target = frame.volume === plan.plan.volumes.length ? TAIL : `${frame.volume}:${frame.part}`
    const inbound = target === TAIL ? (frame.part === 0 ? plan.tail?.inbound : undefined) : plan.parts.get(target)?.inbound
    if (inbound == null) {
      throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: part ${target} of plan ${plan.key} does not run on this peer`)
    }
    const index = inbound.findIndex(m => m.tensor === frame.tensor && sameRange(m.rows, frame.rows) && sameRange(m.cols, frame.cols))
    if (index < 0) {
      throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: part ${target} of plan ${plan.key} expects no rows [${frame.rows.join(', ')}) cols [${frame.cols.join(', ')}) of "${frame.tensor}"`)
    }
    const m = inbound[index]
    const region: Region = { rows: m.rows, cols: m.cols }
    const dims = regionDims(plan.graph.shapes.get(m.tensor)!, plan.graph.layout.get(m.tensor)!, region)
    if (dims.join(',') !== frame.shape.join(',')) {
      throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: slice of "${frame.tensor}" has shape [${frame.shape.join(', ')}], part ${target} expects [${dims.join(', ')}]`)
    }
    let job = this.jobs.get(frame.requestId)
    if (job == null) {
      if (this.jobs.size >= this.init.maxJobs) throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: ${this.init.maxJobs} requests already in progress here`)
      job = { requestId: frame.requestId, requester: frame.requester, plan, created: performance.now(), slots: new Map(), trace: new JobTrace(), failed: false }
      this.jobs.set(frame.requestId, job)
      this.lastActive = job.created
    } else if (job.plan !== plan || job.requester !== frame.requester) {
      throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: frame disagrees with the request's plan or requester`)
    }
    if (job.failed) return
    let slot = job.slots.get(target)
    if (slot == null) {
      slot = { pieces: new Array(inbound.length).fill(undefined), received: 0, done: false }
      job.slots.set(target, slot)
    }
    if (slot.pieces[index] != null) {
      throw new MalformedMessageError(TENSOR_PROTOCOL, `request ${frame.requestId}: rows [${frame.rows.join(', ')}) of "${frame.tensor}" arrived twice`)
    }
    slot.pieces[index] = { region, tensor: { dataType: 'float32', dims: frame.shape, data: frame.data } }
    slot.received++
    traceLog('request %s: part %s has %d of %d inputs (rows [%d, %d) of "%s")', frame.requestId, target, slot.received, inbound.length, frame.rows[0], frame.rows[1], frame.tensor)
    for (const t of frame.trace) job.trace.add(t)
    if (slot.received === inbound.length) {
      const ready = performance.now()
      const run = target === TAIL ? async () => { await this.runTail(job, slot, ready) } : async () => { await this.runPart(job, plan.parts.get(target)!, slot, ready) }
      this.enqueue(job, run)
    }
  }

  /** Runs compute one part at a time (a device runs its parts in order), sends outside the queue. */
  private enqueue (job: Job, run: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (job.failed || !this.jobs.has(job.requestId)) return
      await run()
    }).catch((err: any) => {
      log('request %s failed here: %s: %s', job.requestId, err?.name, err?.message)
      this.fail(job.requestId, job.requester, job.plan.key, job.plan.term, job.plan.planId, `${err?.name as string}: ${err?.message as string}`)
    })
  }

  /**
   * The region `need` of tensor `t` from the pieces that cover it, and whether it was assembled here (a new
   * tensor nothing else holds) or is a piece as it came (which a local sender or the requester may still hold).
   */
  private assemble (graph: Graph, t: TensorName, need: Region, pieces: Piece[]): { tensor: HostTensor, own: boolean } {
    if (pieces.length === 1 && sameRegion(pieces[0].region, need)) return { tensor: pieces[0].tensor, own: false }
    const out = emptyTensor('float32', regionDims(graph.shapes.get(t)!, graph.layout.get(t)!, need))
    for (const p of pieces) pasteRegion(out, need, p.tensor, p.region, graph.layout.get(t)!)
    return { tensor: out, own: true }
  }

  private async runPart (job: Job, work: PartWork, slot: Slot, ready: number): Promise<void> {
    const { plan } = job
    const v = plan.plan.volumes[work.volume]
    const input = this.assemble(plan.graph, v.input, work.need, slot.pieces as Piece[])
    slot.pieces = []
    const start = performance.now()
    // an input assembled here is this part's alone: it moves to the compute thread rather than being copied
    const { outputs, runMs } = await work.session.run({ [v.input]: input.tensor }, { handOver: input.own })
    const out = outputs[v.output]
    const computeMs = performance.now() - start
    traceLog('request %s: part %d:%d computed in %d ms', job.requestId, work.volume, work.part, computeMs.toFixed(1))
    const own: TraceRecord = { device: plan.device!, volume: work.volume, part: work.part, waitMs: ready - job.created, computeMs, rows: rangeLength(work.made.rows), readyAt: wallClock(ready), startedAt: wallClock(start), runMs }
    job.trace.add(own)
    slot.done = true
    const axes = plan.graph.layout.get(v.output)!
    this.sendOn(job, work.outbound.map(m => ({ m, tensor: extractRegion(out, work.made, axes, { rows: m.rows, cols: m.cols }) })))
    this.maybeFinish(job)
  }

  private async runTail (job: Job, slot: Slot, ready: number): Promise<void> {
    const { plan } = job
    const tail = plan.tail!
    const g = plan.graph
    const assembled = this.assemble(g, tail.from, fullRegion(g, tail.from), slot.pieces as Piece[])
    const whole = assembled.tensor
    slot.pieces = []
    const start = performance.now()
    // the tail's input moves to the compute thread if it was assembled here and is not itself a model output, sent on below
    const ran = tail.session == null ? { outputs: {}, runMs: 0 } : await tail.session.run({ [tail.from]: whole }, { handOver: assembled.own && !g.outputs.includes(tail.from) })
    const outputs: Record<string, HostTensor> = ran.outputs
    if (g.outputs.includes(tail.from)) outputs[tail.from] = whole
    const computeMs = performance.now() - start
    const own: TraceRecord = { device: plan.device!, volume: plan.plan.volumes.length, part: 0, waitMs: ready - job.created, computeMs, rows: 0, readyAt: wallClock(ready), startedAt: wallClock(start), runMs: ran.runMs }
    job.trace.add(own)
    slot.done = true
    const trace = job.trace.newFor(job.requester, 'output')
    const frames: TensorFrame[] = g.outputs.map((name) => {
      const t = outputs[name]
      if (t == null || !(t.data instanceof Float32Array)) throw new InvalidPlanError(`the tail gave no float32 output "${name}"`)
      return { kind: 'output', requestId: job.requestId, term: plan.term, planId: plan.planId, volume: 0, part: 0, tensor: name, rows: [0, 0], cols: [0, 0], shape: [...t.dims], data: t.data, trace, requester: job.requester }
    })
    this.components.router.send(job.requester, frames).catch((err: Error) => {
      log('request %s: sending the outputs to %s failed: %s', job.requestId, job.requester, err.message)
    })
    this.maybeFinish(job)
  }

  /** Sends a part's results on, one stream per receiving part; a failure fails the request. */
  private sendOn (job: Job, items: Array<{ m: Message, tensor: HostTensor }>): void {
    const { plan } = job
    for (const { m, tensor } of items) {
      const device = m.to.kind === 'requester' ? undefined : m.to.device
      const peer = device == null ? job.requester : plan.peerOf.get(device)
      if (peer == null) continue
      const trace = job.trace.newFor(peer, 'slice')
      const target = frameTarget(plan.plan, m.to)
      const frame: TensorFrame = {
        kind: 'slice', requestId: job.requestId, term: plan.term, planId: plan.planId, volume: target.volume, part: target.part,
        tensor: m.tensor, rows: m.rows, cols: m.cols, shape: [...tensor.dims], data: tensor.data as Float32Array, trace, requester: job.requester
      }
      const sending = performance.now()
      this.components.router.send(peer, [frame]).then(() => {
        traceLog('request %s: rows [%d, %d) of "%s" for part %d:%d handed to %s in %d ms', job.requestId, m.rows[0], m.rows[1], m.tensor, target.volume, target.part, device ?? 'the requester', (performance.now() - sending).toFixed(1))
      }, (err: any) => {
        log('request %s: sending to %s failed: %s', job.requestId, device, err?.message)
        this.fail(job.requestId, job.requester, plan.key, plan.term, plan.planId, `sending rows of "${m.tensor}" to ${device as string} failed: ${err?.message as string}`)
      })
    }
  }

  private maybeFinish (job: Job): void {
    const plan = job.plan
    const expected = plan.parts.size + (plan.tail != null ? 1 : 0)
    const done = [...job.slots.values()].filter(s => s.done).length
    if (done >= expected) this.dropJob(job.requestId)
  }

  /** Marks a request failed here and tells its requester why (once). */
  private fail (requestId: string, requester: PeerIdStr, key: string, term: number, planId: number, reason: string): void {
    const job = this.jobs.get(requestId)
    if (job != null) {
      if (job.failed) return
      job.failed = true
      this.dropJob(requestId)
    }
    if (requester === '') return
    const device = this.plans.get(key)?.device ?? this.components.self
    const frame: TensorFrame = { kind: 'error', requestId, term, planId, volume: 0, part: 0, tensor: '', rows: [0, 0], cols: [0, 0], shape: [], data: new Float32Array(0), trace: [], requester, error: reason.slice(0, 4000), errorDevice: device }
    this.components.router.send(requester, [frame]).catch((err: Error) => { log('request %s: could not report its failure to %s: %s', requestId, requester, err.message) })
  }

  private sweep (): void {
    const now = performance.now()
    for (const [id, job] of this.jobs) {
      if (now - job.created > this.init.jobTimeoutMs) {
        log('request %s: dropped after %d ms incomplete', id, Math.round(now - job.created))
        this.dropJob(id)
      }
    }
  }
}
