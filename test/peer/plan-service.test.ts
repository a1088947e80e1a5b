// The leader's planning loop over fake mesh components (no network): which planners run on a re-plan, and
// which plans it publishes. The planners themselves run for real, in the planner worker, on a tiny model.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { PlanService, type PlanEvents, type PlanServiceComponents, type PlanServiceInit } from '../../peer/planning/plan-service.js'
import type { TraceRecord } from '../../protocols/tensor/codec.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { linearProfile, tinyGraph, tinyModelBytes } from '../sim/fixtures.js'
import { decodePlanRecord, type PlanRecord } from '../../protocols/plan/codec.js'
import type { CapsRecord } from '../../protocols/caps/codec.js'
import type { LinkRecord } from '../../protocols/links/codec.js'

const PEERS = ['12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2', '12D3KooWCccccccccccccccccccccccccccccccccccccccccccccc3']
const [SELF] = PEERS

type Named = 'planning' | 'plan' | 'repredicted' | 'speeds'
type Event = { [K in Named]: { name: K, detail: PlanEvents[K] } }[Named] | { name: 'prepared' | 'ready' | 'rejected' | 'failed', detail: unknown }

/** A leader of term 1 over PEERS, each with a profile of the tiny model and links at `mbps` to the others. */
function leaderOf (dir: string, mbps: number, init: PlanServiceInit = {}): { service: PlanService, events: Event[], setLinks: (mbps: number) => void, setMembers: (peers: string[]) => void, published: PlanRecord[], subscribed: () => void, sha256: string } {
  const graph = tinyGraph()
  const path = join(dir, 'tiny.onnx')
  writeFileSync(path, tinyModelBytes())
  const model = { name: 'tiny', sha256: graph.sha256, path, inputShape: graph.inputShape, builtin: false, graph }
  const caps = new Map<string, CapsRecord>(PEERS.map((peer, i) => {
    const profile = new TextEncoder().encode(JSON.stringify(measuredProfileToJson(linearProfile(graph, `p${i}`, 1 + i, 1 + i, 1))))
    return [peer, { seq: 1, name: `p${i}`, version: '0', role: 'provider', cpus: 1, memoryBytes: 1, machine: 'test', addrs: [], models: [{ name: 'tiny', sha256: graph.sha256, inputShape: graph.inputShape, profile, profileSha256: 'x' }] }]
  }))
  let links = new Map<string, LinkRecord[]>()
  const setLinks = (rate: number): void => {
    links = new Map(PEERS.map(p => [p, PEERS.filter(q => q !== p).map(q => ({ peer: q, mbps: rate, rttMs: 1, samples: 3 }))]))
  }
  setLinks(mbps)
  let members = PEERS
  const events: Event[] = []
  const published: PlanRecord[] = []
  const joinHandlers: Array<() => void> = []
  const components = {
    self: SELF,
    node: {},
    gossip: {
      subscribe: () => {},
      publish: (_topic: string, data: Uint8Array) => { published.push(decodePlanRecord(data)) },
      onSubscribe: (_topic: string, handler: () => void) => { joinHandlers.push(handler) }
    },
    election: { isLeader: true, term: 1, leader: SELF, members: () => members },
    caps: { own: () => caps.get(SELF), get: (p: string) => caps.get(p) },
    links: { own: () => links.get(SELF), get: (p: string) => ({ seq: 1, links: links.get(p) }) },
    models: { list: () => [model], get: () => model },
    executor: {
      prepare: async (term: number, planId: number, plan: unknown, members: Array<{ device: string, peer: string }>) => ({ key: `${term}.${planId}`, term, planId, plan, graph, members, peerOf: new Map(members.map(m => [m.device, m.peer])) }),
      retire: async () => {}
    },
    events: { emit: (name: keyof PlanEvents, detail: unknown) => { events.push({ name, detail } as Event) } }
  } as unknown as PlanServiceComponents
  const setMembers = (peers: string[]): void => { members = peers }
  const subscribed = (): void => { for (const h of joinHandlers) h() }
  return { service: new PlanService(components, { planner: 'modnn', debounceMs: 10, republishMs: 60_000, ...init }), events, setLinks, setMembers, published, subscribed, sha256: graph.sha256 }
}

async function until (what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!test()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('the leader re-planning', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-plan-service-'))
  const services: PlanService[] = []
  after(async () => {
    await Promise.all(services.map(async s => await s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  /** A leader that has published its modnn plan and is done planning. */
  async function planned (init: PlanServiceInit = {}): Promise<ReturnType<typeof leaderOf>> {
    const leader = leaderOf(dir, 1, init)
    services.push(leader.service)
    leader.service.start()
    leader.service.trigger('elected')
    await until('a modnn plan published', () => leader.events.some(e => e.name === 'plan' && e.detail.plan.planner === 'modnn'))
    await until('modnn done', () => !leader.service.isPlanning())
    return leader
  }

  it('publishes the quick plans first, then the configured planner\'s; when only links got better it keeps serving that plan and runs only the configured planner', async () => {
    const { service, events, setLinks } = leaderOf(dir, 1)
    services.push(service)
    service.start()
    service.trigger('elected')
    const planners = (from = 0): string[] => events.slice(from).flatMap(e => e.name === 'plan' ? [e.detail.plan.planner] : [])
    await until('a modnn plan published', () => planners().includes('modnn'))
    // both quick planners ran, and the faster one's plan was published before modnn's
    const announced = events.flatMap(e => e.name === 'planning' ? [e.detail.planner] : [])
    assert.deepEqual(announced, ['offload', 'aofl', 'modnn'])
    assert.notEqual(planners()[0], 'modnn')
    await until('modnn done', () => !service.isPlanning())

    const mark = events.length
    setLinks(4)
    service.trigger('links')
    await until('a re-plan announced', () => events.slice(mark).some(e => e.name === 'planning'))
    await until('the re-plan done', () => !service.isPlanning() && events.slice(mark).some(e => e.name === 'plan' || e.name === 'repredicted'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.deepEqual(events.slice(mark).flatMap(e => e.name === 'planning' ? [[e.detail.planner, e.detail.reason]] : []), [['modnn', 'links']])
    assert.deepEqual(planners(mark).filter(p => p !== 'modnn'), [], 'a quick plan replaced the served modnn plan')
  })

  it('runs the quick planners again when the members change', async () => {
    const { service, events, setMembers } = await planned()
    const mark = events.length
    setMembers(PEERS.slice(0, 2))
    service.trigger('left')
    await until('a re-plan on two', () => events.slice(mark).some(e => e.name === 'plan' && e.detail.plan.planner === 'modnn'))
    const announced = events.slice(mark).flatMap(e => e.name === 'planning' ? [e.detail.planner] : [])
    assert.deepEqual(announced, ['offload', 'aofl', 'modnn'])
    assert.ok(events.slice(mark).some(e => e.name === 'planning' && e.detail.devices === 2))
  })

  it('plans again with a member\'s tables scaled when that member runs its parts slower than they say in the requests the leader serves', async () => {
    // the tiny model's parts take well under the default thresholds' 10 and 20 ms
    const { service, events, sha256 } = await planned({ serviceSpeeds: { minPartMs: 0, minPredictedMs: 0 } })
    const prepared = service.currentPlan(sha256)!
    const before = prepared.plan.predictedMs!
    // p1's parts take 1 s each in the trace: far beyond its tables (the factor stops at its limit, 4)
    const trace: TraceRecord[] = prepared.plan.volumes.flatMap((v, volume) => v.parts.flatMap((p, part) => p.device === 'p1' && p.rows[1] > p.rows[0]
      ? [{ device: 'p1', volume, part, computeMs: 1000, runMs: 1000, waitMs: 0, rows: p.rows[1] - p.rows[0], readyAt: 0, startedAt: 0 }]
      : []))
    assert.ok(trace.length > 0, 'modnn gave p1 no part')
    const mark = events.length
    // a plan's first request is not counted
    for (let i = 0; i < 3; i++) service.observeService(prepared, trace)
    assert.equal(events.slice(mark).filter(e => e.name === 'speeds').length, 0, 'moved on two requests')
    service.observeService(prepared, trace)
    const speeds = events.slice(mark).flatMap(e => e.name === 'speeds' ? [e.detail] : [])
    assert.deepEqual(speeds, [{ key: prepared.key, moves: [{ device: 'p1', factor: 4, was: 1, requests: 3 }] }])
    await until('the re-plan done', () => !service.isPlanning() && events.slice(mark).some(e => e.name === 'plan' || e.name === 'repredicted'))
    const planning = events.slice(mark).flatMap(e => e.name === 'planning' ? [[e.detail.planner, e.detail.reason]] : [])
    assert.deepEqual(planning, [['modnn', 'service speeds moved: p1 x4.00 (was x1.00)']])
    // the plan (modnn's split ignores speeds) predicted again on p1's tables x4: slower than before
    const after = events.slice(mark).flatMap(e => e.name === 'repredicted' ? [e.detail.predictedMs] : e.name === 'plan' ? [e.detail.plan.predictedMs!] : [])
    assert.equal(after.length, 1)
    assert.ok(after[0] > before * 1.2, `predicted ${after[0]} ms after the move, ${before} before`)
  })

  it('by default (service speeds off) plans on the profiles as published whatever the requests show', async () => {
    const { service, events, sha256 } = await planned()
    const prepared = service.currentPlan(sha256)!
    const mark = events.length
    const trace: TraceRecord[] = prepared.plan.volumes.flatMap((v, volume) => v.parts.map((p, part) => ({ device: p.device, volume, part, computeMs: 1000, runMs: 1000, waitMs: 0, rows: 1, readyAt: 0, startedAt: 0 })))
    for (let i = 0; i < 5; i++) service.observeService(prepared, trace)
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.deepEqual(events.slice(mark).map(e => e.name), [])
  })

  it('republishes its plans a moment after a peer subscribes to the plan topic, once for joins close together', async () => {
    const { service, events, published, subscribed } = await planned()
    const announcements = (): Array<{ term: number, planId: number }> => published.flatMap(r => r.kind === 'plan' ? [{ term: r.term, planId: r.planId }] : [])
    const newest = announcements()[announcements().length - 1]
    const before = announcements().length
    // two peers subscribe 50 ms apart; the interval is a minute
    subscribed()
    await new Promise(resolve => setTimeout(resolve, 50))
    subscribed()
    await until('the plan republished', () => announcements().length > before, 5_000)
    await new Promise(resolve => setTimeout(resolve, 600))
    assert.deepEqual(announcements().slice(before), [newest])
  })
})
