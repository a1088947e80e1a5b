// Plans on the mesh. The leader builds a scenario from the gossiped capabilities and links, plans
// (a quick plan first, then the configured planner's when it is better), and publishes each plan on
// tessera/plan/1 with its term, plan id and members, republishing it periodically. Every peer accepts
// only a plan of the current term from the current leader, prepares its share, and reports READY.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { decodePlanRecord, encodePlanRecord, planOrder } from '../../protocols/plan/codec.js'
import { PLAN_TOPIC } from '../../protocols/plan/constants.js'
import { MODEL_PROTOCOL } from '../../protocols/model/constants.js'
import { NoPlanError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { defaultPlannerName } from '../../src/planners/index.js'
import { buildScenarioSpec, deviceIds, exportScenario } from './scenario-builder.js'
import { PlannerRunner } from './planner-runner.js'
import { ServiceSpeeds } from './service-speeds.js'
import type { MeshMember, MeshScenarioSpec } from './scenario-builder.js'
import type { CapsService } from '../capabilities/caps-service.js'
import type { ElectionService } from '../election/election-service.js'
import type { EventSink } from '../emitter.js'
import type { Executor, PreparedPlan } from '../execution/executor.js'
import type { Gossip, PeerIdStr } from '../gossip.js'
import type { LinkService } from '../links/link-service.js'
import type { HeldModel, ModelStore } from '../models/model-store.js'
import type { MeshNode } from '../node.js'
import type { MemberRecord, PlanAnnouncement, ReadyReport } from '../../protocols/plan/codec.js'
import type { Plan } from '../../src/plan/types.js'
import type { TraceRecord } from '../../protocols/tensor/codec.js'
import type { PartPrediction, ServiceSpeedsInit, SpeedMove } from './service-speeds.js'

const log = logger('plan')

export interface PlanServiceInit {
  /** The planner the leader runs (default: defaultPlannerName for the member count); its plan replaces the quick one when it is done. */
  planner?: string
  /** Fast planners whose best plan is published first, while the configured one runs (default offload, aofl). */
  quickPlanners?: string[]
  /**
   * How often the leader republishes its plans, ms (default 10000), and members repeat their readiness: for
   * a report or an announcement gossip lost. A peer that subscribes to the topic (a newcomer, or one that
   * reconnected) gets them `joinPublishDelayMs` after it subscribes.
   */
  republishMs?: number
  /** How long after a peer subscribes to the plan topic the leader republishes its plans, ms (default 250). */
  joinPublishDelayMs?: number
  /** Triggers closer than this are planned once, ms (default 300). */
  debounceMs?: number
  /** Plans kept per model (older ones are retired; default 2). */
  keepPlans?: number
  /** A directory the leader writes each scenario it plans on to, as a scenario file `tessera plan --scenario` reads. */
  saveScenarios?: string
  /** The leader measures its members' service factors and plans on them (service-speeds.ts; true or its settings); default off: it plans on their profiles as published. */
  serviceSpeeds?: ServiceSpeedsInit | boolean
}

export interface PlanEvents extends Record<string, unknown> {
  /** The leader started planning. */
  planning: { model: string, planner: string, reason: string, devices: number, scenario?: string }
  /** A plan was accepted here (published by this peer when `own`). */
  plan: { key: string, term: number, planId: number, plan: Plan, members: MemberRecord[], from: PeerIdStr, own: boolean }
  /** On the leader: members ran their parts of the served plan at other speeds than it was planned with; it plans again. */
  speeds: { key: string, moves: Array<Omit<SpeedMove, 'peer'>> }
  /** On the leader: a re-plan on newer measurements gave the plan it serves again, predicted anew. */
  repredicted: { key: string, predictedMs: number, was: number }
  /** This peer prepared (or failed to prepare) its share of a plan. */
  prepared: { key: string, ok: boolean, reason: string }
  /** Every member of a plan reported ready. */
  ready: { key: string, plan: Plan }
  /** A plan message was not accepted. */
  rejected: { from: PeerIdStr, term: number, planId: number, reason: string }
  /** Planning failed on the leader. */
  failed: { model: string, planner: string, reason: string }
}

export interface PlanServiceComponents {
  self: PeerIdStr
  node: MeshNode
  gossip: Gossip
  election: ElectionService
  caps: CapsService
  links: LinkService
  models: ModelStore
  executor: Executor
  events: EventSink<PlanEvents>
}

interface Accepted {
  ann: PlanAnnouncement
  key: string
  from: PeerIdStr
  prepared?: PreparedPlan
  failed?: string
}

function planKey (term: number, planId: number): string {
  return `${term}.${planId}`
}

/** What a plan was made for: the members, the links the leader had measured and the members' service factors. */
export interface PlanBasis {
  members: string
  spec: Pick<MeshScenarioSpec, 'linkMbps' | 'linkLatencyMs' | 'latencyMs'>
  /** The members' service factors, as planned with ('' when all are 1). */
  speeds: string
}

/** The service factors of a spec's devices, as a comparable string ('' when all are 1). */
export function speedsOf (spec: Pick<MeshScenarioSpec, 'devices'>): string {
  return spec.devices.filter(d => d.speed != null && d.speed !== 1).map(d => `${d.peer}=${d.speed!}`).sort().join(',')
}

/** A rate within this factor of the one planned for is the same link to the planner. */
const RATE_TOLERANCE = 1.3
/** A latency within this factor, or within LATENCY_SLACK_MS, of the one planned for is the same. */
const LATENCY_TOLERANCE = 2
const LATENCY_SLACK_MS = 1

/** A link whose rate at least doubled since a plan was made re-plans it (linksImproved). */
const IMPROVED_RATE = 2

/**
 * How the links of `now` moved against those a plan was made for (`planned`), pair by pair: `changed` when
 * some link's rate moved past 30% or its latency doubled or halved (and by more than 1 ms); `better` when
 * a rate at least doubled or a latency fell to under half (and by more than 1 ms). Only pairs measured in
 * both count.
 */
function linkMoves (planned: PlanBasis, now: PlanBasis): { changed: boolean, better: boolean } {
  const latency = (b: PlanBasis, from: string, to: string): number => b.spec.linkLatencyMs[from]?.[to] ?? b.spec.latencyMs
  let changed = false
  let better = false
  for (const [from, to] of Object.entries(now.spec.linkMbps)) {
    for (const [peer, mbps] of Object.entries(to)) {
      const was = planned.spec.linkMbps[from]?.[peer]
      if (was == null) continue
      if (mbps > was * RATE_TOLERANCE || mbps < was / RATE_TOLERANCE) changed = true
      if (mbps >= was * IMPROVED_RATE) better = true
      const a = latency(planned, from, peer)
      const b = latency(now, from, peer)
      if (Math.abs(a - b) > LATENCY_SLACK_MS && Math.max(a, b) > LATENCY_TOLERANCE * Math.min(a, b)) {
        changed = true
        if (b < a) better = true
      }
    }
  }
  return { changed, better }
}

/**
 * Whether a plan made for `planned` still stands for `now`: the same members, the same links measured,
 * each link's rate within 30% and its latency within x2 (or 1 ms) of what the plan was made for. Compared
 * with the plan's own basis, not with the last probe, so drift accumulates and re-plans, and the jitter
 * of probes around a value does not.
 */
export function basisHolds (planned: PlanBasis, now: PlanBasis): boolean {
  if (planned.members !== now.members || planned.speeds !== now.speeds) return false
  const pairs = (b: PlanBasis): string[] => Object.entries(b.spec.linkMbps).flatMap(([from, to]) => Object.keys(to).map(peer => `${from}>${peer}`)).sort()
  if (pairs(planned).join(',') !== pairs(now).join(',')) return false
  return !linkMoves(planned, now).changed
}

/**
 * Whether some link got much better than a plan assumed (twice the rate, or under half the latency and 1 ms
 * less): a faster or nearer link can make another plan the fastest, which the served plan's own prediction
 * (predictionHolds) cannot show (a plan that keeps the model off that link is predicted the same). A peer's
 * first probes, taken while it measured its profile, can put a 200 Mbps link at 41 Mbps and 95 ms; the plan
 * made on them must not outlive their correction. Twice, not basisHolds' 30%: a link's estimate is the best
 * of its rounds, and rounds that two peers' probes shared climb to the link's rate in steps of 30-40%
 * (a 20 Mbps link at 6, 8, 9, 12 Mbps), each of which would re-plan.
 */
export function linksImproved (planned: PlanBasis, now: PlanBasis): boolean {
  return planned.members === now.members && linkMoves(planned, now).better
}

/** A served plan whose predicted latency on newer links is within this fraction of the one it was published with stands. */
const PREDICTION_TOLERANCE = 0.1

/**
 * Whether links that moved beyond basisHolds' tolerances (the members unchanged, no link better:
 * linksImproved) leave a served plan standing: its latency on them, by the simulator, within 10% of the
 * prediction it was published with. Probes of a peer held to a small CPU quota answer late by a few ms
 * now and then, which moves a link's latency past x2 without changing what the plan costs; re-planning
 * for that would take the leader's CPU (seconds to minutes of training) from the inferences it serves.
 */
export function predictionHolds (publishedMs: number, nowMs: number): boolean {
  return Math.abs(nowMs - publishedMs) <= PREDICTION_TOLERANCE * publishedMs
}

/** The announcement of a served plan that a re-plan gave again, predicted at `predictedMs` on newer measurements; undefined if the prediction did not change. */
export function repredict (ann: PlanAnnouncement, predictedMs: number): PlanAnnouncement | undefined {
  if (ann.plan.predictedMs == null || ann.plan.predictedMs === predictedMs) return undefined
  return { ...ann, plan: { ...ann.plan, predictedMs } }
}

/** Same planner, volumes, parts, tail and members (the predicted latency aside). */
function samePlan (ann: PlanAnnouncement, plan: Plan, members: MemberRecord[]): boolean {
  const shape = (p: Plan): string => JSON.stringify([p.planner, p.volumes, p.tail])
  const who = (m: MemberRecord[]): string => JSON.stringify(m.map(x => [x.device, x.peer]))
  return shape(ann.plan) === shape(plan) && who(ann.members) === who(members)
}

function newer (a: { term: number, planId: number }, b: { term: number, planId: number }): boolean {
  return planOrder(a, b) > 0
}

export class PlanService {
  private readonly c: PlanServiceComponents
  private readonly init: Required<Omit<PlanServiceInit, 'planner' | 'saveScenarios' | 'serviceSpeeds'>> & Pick<PlanServiceInit, 'planner' | 'saveScenarios' | 'serviceSpeeds'>
  private readonly current = new Map<string, Accepted>()
  private readonly history = new Map<string, string[]>()
  private readonly pending = new Map<string, { from: PeerIdStr, ann: PlanAnnouncement }>()
  private readonly readiness = new Map<string, Map<PeerIdStr, ReadyReport>>()
  private readonly waiters = new Set<() => void>()
  private readonly runner = new PlannerRunner()
  private readonly quickRunner = new PlannerRunner()
  private nextPlanId = 1
  private planTerm = 0
  private readonly published = new Map<string, { term: number, basis: PlanBasis, predictedMs: number }>()
  private debounce?: ReturnType<typeof setTimeout>
  private republish?: ReturnType<typeof setInterval>
  private joinTimer?: ReturnType<typeof setTimeout>
  private planning?: Promise<void>
  private dirty?: string
  private refine = new AbortController()
  private stopped = false
  private savedScenarios = 0
  private preparing = 0
  /** Peers that failed to prepare a plan, left out of plans until the time given. */
  private readonly benched = new Map<PeerIdStr, number>()
  private readonly speeds?: ServiceSpeeds

  constructor (components: PlanServiceComponents, init: PlanServiceInit = {}) {
    this.c = components
    this.init = { quickPlanners: ['offload', 'aofl'], republishMs: 10_000, joinPublishDelayMs: 250, debounceMs: 300, keepPlans: 2, ...init }
    if (init.serviceSpeeds != null && init.serviceSpeeds !== false) this.speeds = new ServiceSpeeds(init.serviceSpeeds === true ? {} : init.serviceSpeeds)
  }

  /** Whether this peer is running a planner now (its CPU is taken: link probes wait, docs/mesh.md "Links"). */
  isPlanning (): boolean {
    return this.runner.busy || this.quickRunner.busy
  }

  /** Whether this peer is preparing a plan now (obtaining the model, building and loading its sub-models). */
  isPreparing (): boolean {
    return this.preparing > 0
  }

  start (): void {
    this.stopped = false
    this.c.gossip.subscribe({ topic: PLAN_TOPIC, decode: decodePlanRecord }, (from, record) => {
      if (record.kind === 'plan') this.onPlan(from, record)
      else this.onReady(from, record)
    })
    this.c.gossip.onSubscribe(PLAN_TOPIC, () => { this.republishSoon() })
    this.republish = setInterval(() => { this.republishPlans() }, this.init.republishMs)
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.debounce != null) clearTimeout(this.debounce)
    if (this.republish != null) clearInterval(this.republish)
    if (this.joinTimer != null) clearTimeout(this.joinTimer)
    this.refine.abort()
    for (const w of this.waiters) w()
    await Promise.all([this.runner.stop(), this.quickRunner.stop()])
  }

  /** Starts the quick planner's worker, so a newly elected leader plans sooner. */
  warm (): void {
    this.quickRunner.warm().catch((err: Error) => {
      if (!this.stopped) log('starting the planner worker failed: %s', err.message)
    })
  }

  /** The accepted plan of a model, prepared here (undefined while none). */
  currentPlan (sha256: string): PreparedPlan | undefined {
    return this.current.get(sha256)?.prepared
  }

  /** Whether every member of a prepared plan reported ready and is still live. */
  isReady (prepared: PreparedPlan): boolean {
    const reports = this.readiness.get(prepared.key)
    const live = new Set(this.c.election.members())
    return prepared.members.every(m => live.has(m.peer) && reports?.get(m.peer)?.ok === true)
  }

  /** Members of a plan that are gone or have not reported ready, as "device (why)". */
  notReady (prepared: PreparedPlan): string[] {
    const reports = this.readiness.get(prepared.key)
    const live = new Set(this.c.election.members())
    return prepared.members.filter(m => !live.has(m.peer) || reports?.get(m.peer)?.ok !== true).map(m =>
      `${m.device} (${!live.has(m.peer) ? 'not live' : reports?.get(m.peer) == null ? 'no report' : `failed: ${reports.get(m.peer)!.reason}`})`)
  }

  /**
   * The trace of a request this peer served on `prepared`: on the leader that made the plan, the members'
   * compute spans against their tables (service-speeds.ts); a member's factor that moved re-plans.
   */
  observeService (prepared: PreparedPlan, trace: TraceRecord[]): void {
    if (this.speeds == null || this.stopped || !this.c.election.isLeader) return
    const a = this.current.get(prepared.plan.model.sha256)
    if (a == null || a.key !== prepared.key || a.from !== this.c.self || a.ann.term !== this.c.election.term) return
    const tags = new Map<PeerIdStr, string>()
    for (const m of prepared.members) {
      const caps = m.peer === this.c.self ? this.c.caps.own() : this.c.caps.get(m.peer)
      const held = caps?.models.find(x => x.sha256 === prepared.plan.model.sha256)
      if (held != null) tags.set(m.peer, held.profileSha256)
    }
    const moves = this.speeds.observe(prepared.key, trace, prepared.peerOf, tags)
    if (moves == null) return
    const said = moves.map(m => `${m.device} x${m.factor.toFixed(2)} (was x${m.was.toFixed(2)})`).join(', ')
    log('plan %s: the members ran their parts at %s of their tables', prepared.key, said)
    this.c.events.emit('speeds', { key: prepared.key, moves: moves.map(({ peer, ...m }) => m) })
    this.trigger(`service speeds moved: ${said}`)
  }

  /** The newest ready plan of a model (other than `exclude`), waiting for one up to `timeoutMs`. */
  async readyPlan (sha256: string, options: { timeoutMs: number, exclude?: string, signal?: AbortSignal }): Promise<PreparedPlan> {
    const deadline = performance.now() + options.timeoutMs
    while (true) {
      options.signal?.throwIfAborted()
      const a = this.current.get(sha256)
      if (a?.prepared != null && a.key !== options.exclude && this.isReady(a.prepared)) return a.prepared
      const left = deadline - performance.now()
      if (left <= 0 || this.stopped) {
        const why = a == null ? 'no plan has been published for it' : a.key === options.exclude ? `waiting for a plan to replace ${a.key}, on which the request failed` : a.failed != null ? `plan ${a.key} failed here: ${a.failed}` : a.prepared == null ? `plan ${a.key} is still being prepared here` : `plan ${a.key} is waiting for ${this.notReady(a.prepared).join(', ')}`
        throw new NoPlanError(`no ready plan for model ${sha256} within ${options.timeoutMs} ms: ${why}`)
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => { clearTimeout(timer); this.waiters.delete(wake); resolve() }
        const timer = setTimeout(wake, Math.min(left, 500))
        this.waiters.add(wake)
      })
    }
  }

  /** The leader (re)plans soon; called on leadership, membership, capability and link changes. */
  trigger (reason: string): void {
    if (this.stopped || !this.c.election.isLeader) return
    if (this.debounce != null) clearTimeout(this.debounce)
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      this.runPlanning(reason)
    }, this.init.debounceMs)
  }

  /** Leadership or membership moved: plans held back may now be acceptable; waiters re-check. */
  onElectionChange (): void {
    if (!this.c.election.isLeader) this.refine.abort()
    for (const [sha, p] of [...this.pending]) {
      if (p.ann.term === this.c.election.term && p.from === this.c.election.leader) {
        this.pending.delete(sha)
        this.onPlan(p.from, p.ann)
      } else if (p.ann.term < this.c.election.term) {
        this.pending.delete(sha)
      }
    }
    this.wake()
  }

  private wake (): void {
    for (const w of [...this.waiters]) w()
  }

  private runPlanning (reason: string): void {
    if (this.planning != null) {
      this.dirty = reason
      return
    }
    this.planning = this.planAll(reason).catch((err: Error) => { log('planning failed: %s', err.message) }).finally(() => {
      this.planning = undefined
      const again = this.dirty
      this.dirty = undefined
      if (again != null) this.runPlanning(again)
    })
  }

  /** The members a plan of `model` can use: live providers with a profile of it. */
  private eligible (model: HeldModel): MeshMember[] {
    const out: MeshMember[] = []
    const now = performance.now()
    for (const peer of this.c.election.members()) {
      if ((this.benched.get(peer) ?? 0) > now) continue
      const caps = peer === this.c.self ? this.c.caps.own() : this.c.caps.get(peer)
      if (caps == null || caps.role !== 'provider') continue
      const held = caps.models.find(m => m.sha256 === model.sha256)
      if (held == null || held.profile.byteLength === 0) continue
      let profile: unknown
      try {
        profile = JSON.parse(new TextDecoder().decode(held.profile))
      } catch (err: any) {
        log('profile of %s from %s is not JSON: %s', model.name, peer, err.message)
        continue
      }
      const links = peer === this.c.self ? this.c.links.own() : (this.c.links.get(peer)?.links ?? [])
      const speed = this.speeds?.factor(peer, held.profileSha256) ?? 1
      out.push({ peer, name: caps.name, profile, links, ...(speed !== 1 ? { speed } : {}) })
    }
    return out
  }

  private async planAll (reason: string): Promise<void> {
    for (const model of this.c.models.list()) {
      if (!this.c.election.isLeader || this.stopped) return
      await this.planModel(model, reason)
    }
  }

  private async planModel (model: HeldModel, reason: string): Promise<void> {
    const term = this.c.election.term
    const members = this.eligible(model)
    if (members.length === 0) {
      log('no member can run %s yet (no profiles)', model.name)
      return
    }
    const spec = buildScenarioSpec({ name: `mesh term ${term}`, model: model.name, inputShape: model.inputShape, members, requester: this.c.self })
    const basis: PlanBasis = { members: members.map(m => m.peer).sort().join(','), spec, speeds: speedsOf(spec) }
    const last = this.published.get(model.sha256)
    // the same members, and this leader serves a plan of this term: only the links moved, the served plan still
    // runs, and it stays served until the configured planner has planned on the new links (a quick plan would replace it meanwhile)
    let keepServed = false
    if (last != null && last.term === term) {
      if (basisHolds(last.basis, basis)) return
      const served = last.basis.members === basis.members ? this.servedOwnPlan(model, term) : undefined
      if (served != null) {
        // members that run at other speeds than planned for re-plan whatever the served plan's prediction on them
        const speedsMoved = last.basis.speeds !== basis.speeds
        if (!speedsMoved && !linksImproved(last.basis, basis) && await this.servedPlanHolds(model, served, last.predictedMs, spec)) return
        keepServed = true
      }
      if (!this.stillLeading(term)) return
    }
    this.refine.abort()
    this.refine = new AbortController()
    const refine = this.refine.signal
    const ids = deviceIds(members)
    const memberRecords: MemberRecord[] = members.map(m => ({ device: ids.get(m.peer)!, peer: m.peer, addrs: (m.peer === this.c.self ? this.c.caps.own() : this.c.caps.get(m.peer))?.addrs.slice(0, 16) ?? [] }))
    const seed = term * 1000 + this.nextPlanId
    const chosen = this.init.planner ?? defaultPlannerName(members.length)
    const quick = keepServed ? [] : this.init.quickPlanners.filter(p => p !== chosen)
    const scenario = await this.saveScenario(spec, model, term)
    const announce = (planner: string): void => {
      this.c.events.emit('planning', { model: model.name, planner, reason, devices: members.length, ...(scenario != null ? { scenario } : {}) })
    }
    let best: { plan: Plan, predictedMs: number, parts?: PartPrediction[] } | undefined
    for (const planner of quick) {
      announce(planner)
      try {
        const r = await this.quickRunner.run({ modelPath: model.path, planner, seed, spec, parts: this.speeds != null })
        if (best == null || r.predictedMs < best.predictedMs) best = r
      } catch (err: any) {
        if (!this.stopped) this.c.events.emit('failed', { model: model.name, planner, reason: err.message })
      }
      if (!this.stillLeading(term)) return
    }
    if (best != null) this.publish(model, term, best, memberRecords, basis)
    announce(chosen)
    const background = async (): Promise<void> => {
      try {
        const r = await this.runner.run({ modelPath: model.path, planner: chosen, seed, spec, parts: this.speeds != null }, { signal: refine })
        if (!this.stillLeading(term) || refine.aborted) return
        // the configured planner's plan replaces the quick one: it is what this mesh was asked to run
        const now = this.published.get(model.sha256)
        if (now != null && now.term === term && now.basis === basis && now.predictedMs < r.predictedMs) {
          log('%s plan (%d ms predicted) replaces a quick plan predicted at %d ms', chosen, r.predictedMs.toFixed(1), now.predictedMs.toFixed(1))
        }
        this.publish(model, term, r, memberRecords, basis)
      } catch (err: any) {
        if (!refine.aborted) this.c.events.emit('failed', { model: model.name, planner: chosen, reason: err.message })
      }
    }
    if (best == null) {
      await background()
    } else {
      background().catch((err: Error) => { log('refining failed: %s', err.message) })
    }
  }

  /** The plan of `model` this peer serves, when this leader made it in `term`. */
  private servedOwnPlan (model: HeldModel, term: number): Accepted | undefined {
    const served = this.current.get(model.sha256)
    return served != null && served.from === this.c.self && served.ann.term === term ? served : undefined
  }

  /** Whether this leader's served plan of `model`, scored on `spec`, is still predicted within 10% of `publishedMs` (predictionHolds). */
  private async servedPlanHolds (model: HeldModel, served: Accepted, publishedMs: number, spec: MeshScenarioSpec): Promise<boolean> {
    let nowMs: number
    try {
      nowMs = await this.quickRunner.predict({ modelPath: model.path, spec, plan: served.ann.plan })
    } catch (err: any) {
      log('scoring plan %s on the new links failed (%s): re-planning', served.key, err.message)
      return false
    }
    const holds = predictionHolds(publishedMs, nowMs)
    log('links moved: plan %s predicted %s ms on them (published at %s ms): %s', served.key, nowMs.toFixed(1), publishedMs.toFixed(1), holds ? 'kept' : 're-planning')
    return holds
  }

  /** Writes the scenario about to be planned on to the saveScenarios directory; its path, or undefined (none asked for, or the write failed: logged). */
  private async saveScenario (spec: MeshScenarioSpec, model: HeldModel, term: number): Promise<string | undefined> {
    const dir = this.init.saveScenarios
    if (dir == null) return undefined
    const prefix = `${model.name.replace(/[^\w.-]/g, '_')}-term${term}-${++this.savedScenarios}`
    const { scenario, profiles } = exportScenario(spec, prefix)
    const path = join(dir, `${prefix}.json`)
    try {
      await mkdir(dir, { recursive: true })
      for (const [file, profile] of profiles) await writeFile(join(dir, file), JSON.stringify(profile))
      await writeFile(path, JSON.stringify(scenario, null, 2) + '\n')
      return path
    } catch (err: any) {
      log('saving the scenario to %s failed: %s', path, err.message)
      return undefined
    }
  }

  private stillLeading (term: number): boolean {
    return !this.stopped && this.c.election.isLeader && this.c.election.term === term
  }

  private publish (model: HeldModel, term: number, result: { plan: Plan, predictedMs: number, parts?: PartPrediction[] }, members: MemberRecord[], basis: PlanBasis): void {
    const current = this.current.get(model.sha256)
    if (current != null && current.from === this.c.self && current.ann.term === term && samePlan(current.ann, result.plan, members)) {
      // the same parts on the same members: no new plan id, no round of preparation; but the prediction is
      // the newest measurements' (what the plan carries from now on, republished included)
      this.published.set(model.sha256, { term, basis, predictedMs: result.predictedMs })
      const again = repredict(current.ann, result.predictedMs)
      if (again != null) {
        this.c.events.emit('repredicted', { key: current.key, predictedMs: result.predictedMs, was: current.ann.plan.predictedMs! })
        current.ann = again
      }
      return
    }
    if (this.planTerm !== term) {
      this.planTerm = term
      this.nextPlanId = 1
    }
    const ann: PlanAnnouncement = { kind: 'plan', term, planId: this.nextPlanId++, members, plan: result.plan }
    this.published.set(model.sha256, { term, basis, predictedMs: result.predictedMs })
    if (result.parts != null) this.speeds?.track(planKey(term, ann.planId), result.parts)
    this.c.gossip.publish(PLAN_TOPIC, encodePlanRecord(ann))
    this.accept(this.c.self, ann)
  }

  /** A peer subscribed: it has none of the plans published before (gossip keeps no history). Joins close together republish once. */
  private republishSoon (): void {
    if (this.stopped || this.joinTimer != null) return
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined
      this.republishPlans()
    }, this.init.joinPublishDelayMs)
  }

  private republishPlans (): void {
    if (!this.c.election.isLeader) return
    for (const a of this.current.values()) {
      if (a.from === this.c.self && a.ann.term === this.c.election.term) this.c.gossip.publish(PLAN_TOPIC, encodePlanRecord(a.ann))
    }
  }

  private onPlan (from: PeerIdStr, ann: PlanAnnouncement): void {
    const sha = ann.plan.model.sha256
    const term = this.c.election.term
    if (ann.term < term) {
      this.c.events.emit('rejected', { from, term: ann.term, planId: ann.planId, reason: `stale term ${ann.term} (current term ${term})` })
      return
    }
    if (ann.term !== term || from !== this.c.election.leader) {
      // a new leader's plan can overtake its first heartbeat: hold it until the election catches up
      const held = this.pending.get(sha)
      if (held == null || newer(ann, held.ann)) this.pending.set(sha, { from, ann })
      log('holding plan %s from %s: leader is %s in term %d', planKey(ann.term, ann.planId), from, this.c.election.leader ?? 'none', term)
      return
    }
    this.accept(from, ann)
  }

  private accept (from: PeerIdStr, ann: PlanAnnouncement): void {
    const sha = ann.plan.model.sha256
    const key = planKey(ann.term, ann.planId)
    const existing = this.current.get(sha)
    if (existing != null && existing.key === key) {
      // a republished plan: repeat our report, gossip may have lost it
      if (existing.prepared != null || existing.failed != null) this.reportReady(existing)
      return
    }
    if (existing != null && !newer(ann, existing.ann)) return
    const accepted: Accepted = { ann, key, from }
    this.current.set(sha, accepted)
    const keys = [...(this.history.get(sha) ?? []), key]
    while (keys.length > this.init.keepPlans) {
      const old = keys.shift()!
      this.c.executor.retire(old).catch((err: Error) => { log('retiring plan %s failed: %s', old, err.message) })
      this.readiness.delete(old)
      this.speeds?.untrack(old)
    }
    this.history.set(sha, keys)
    this.c.events.emit('plan', { key, term: ann.term, planId: ann.planId, plan: ann.plan, members: ann.members, from, own: from === this.c.self })
    this.prepare(accepted).catch((err: Error) => { log('preparing plan %s failed: %s', key, err.message) })
  }

  private async prepare (a: Accepted): Promise<void> {
    const { ann } = a
    this.preparing++
    try {
      let model = this.c.models.get(ann.plan.model.sha256)
      if (model == null) {
        const sources = ann.members.filter(m => m.peer !== this.c.self).map(m => async (options?: { signal?: AbortSignal }) => await this.c.node.dialProtocol(peerIdFromString(m.peer), MODEL_PROTOCOL, options))
        model = await this.c.models.obtain({ name: ann.plan.model.name, sha256: ann.plan.model.sha256, inputShape: ann.plan.model.inputShape }, sources)
      }
      a.prepared = await this.c.executor.prepare(ann.term, ann.planId, ann.plan, ann.members, model.graph, model.path)
      this.c.events.emit('prepared', { key: a.key, ok: true, reason: '' })
    } catch (err: any) {
      a.failed = `${err?.name as string}: ${err?.message as string}`
      this.c.events.emit('prepared', { key: a.key, ok: false, reason: a.failed })
    } finally {
      this.preparing--
    }
    this.reportReady(a)
  }

  private reportReady (a: Accepted): void {
    const report: ReadyReport = { kind: 'ready', term: a.ann.term, planId: a.ann.planId, modelSha256: a.ann.plan.model.sha256, ok: a.prepared != null, reason: a.failed ?? '' }
    this.c.gossip.publish(PLAN_TOPIC, encodePlanRecord(report))
    this.onReady(this.c.self, report)
  }

  private onReady (from: PeerIdStr, report: ReadyReport): void {
    const key = planKey(report.term, report.planId)
    if (report.term < this.c.election.term - 1) return
    let reports = this.readiness.get(key)
    if (reports == null) {
      reports = new Map()
      this.readiness.set(key, reports)
    }
    const before = reports.get(from)?.ok
    reports.set(from, report)
    if (!report.ok && before !== false) log('%s could not prepare plan %s: %s', from, key, report.reason)
    const a = this.current.get(report.modelSha256)
    if (a?.key === key && a.prepared != null && before !== true && report.ok && this.isReady(a.prepared)) {
      this.c.events.emit('ready', { key, plan: a.ann.plan })
    }
    if (!report.ok && this.c.election.isLeader && a?.from === this.c.self && a.key === key && from !== this.c.self) {
      this.benched.set(from, performance.now() + 60_000)
      this.trigger(`${from} could not prepare plan ${key}`)
    }
    this.wake()
  }
}
