// The leader's planning loop over fake mesh components (no network): which planners run on a re-plan, and
// which plans it publishes. The planners themselves run for real, in the planner worker, on a tiny model.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { PlanService, type PlanEvents, type PlanServiceComponents } from '../../peer/planning/plan-service.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { linearProfile, tinyGraph, tinyModelBytes } from '../sim/fixtures.js'
import { decodePlanRecord, type PlanRecord } from '../../protocols/plan/codec.js'
import type { CapsRecord } from '../../protocols/caps/codec.js'
import type { LinkRecord } from '../../protocols/links/codec.js'

const PEERS = ['12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2', '12D3KooWCccccccccccccccccccccccccccccccccccccccccccccc3']
const [SELF] = PEERS

type Named = 'planning' | 'plan' | 'repredicted'
type Event = { [K in Named]: { name: K, detail: PlanEvents[K] } }[Named] | { name: 'prepared' | 'ready' | 'rejected' | 'failed', detail: unknown }

/** A leader of term 1 over PEERS, each with a profile of the tiny model and links at `mbps` to the others. */
function leaderOf (dir: string, mbps: number): { service: PlanService, events: Event[], setLinks: (mbps: number) => void, setMembers: (peers: string[]) => void, published: PlanRecord[], subscribed: () => void } {
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
      prepare: async (term: number, planId: number, plan: unknown, members: unknown) => ({ key: `${term}.${planId}`, term, planId, plan, graph, members }),
      retire: async () => {}
    },
    events: { emit: (name: keyof PlanEvents, detail: unknown) => { events.push({ name, detail } as Event) } }
  } as unknown as PlanServiceComponents
  const setMembers = (peers: string[]): void => { members = peers }
  const subscribed = (): void => { for (const h of joinHandlers) h() }
  return { service: new PlanService(components, { planner: 'modnn', debounceMs: 10, republishMs: 60_000 }), events, setLinks, setMembers, published, subscribed }
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
    const { service, events, setMembers } = leaderOf(dir, 1)
    services.push(service)
    service.start()
    service.trigger('elected')
    await until('a modnn plan published', () => events.some(e => e.name === 'plan' && e.detail.plan.planner === 'modnn'))
    await until('modnn done', () => !service.isPlanning())
    const mark = events.length
    setMembers(PEERS.slice(0, 2))
    service.trigger('left')
    await until('a re-plan on two', () => events.slice(mark).some(e => e.name === 'plan' && e.detail.plan.planner === 'modnn'))
    const announced = events.slice(mark).flatMap(e => e.name === 'planning' ? [e.detail.planner] : [])
    assert.deepEqual(announced, ['offload', 'aofl', 'modnn'])
    assert.ok(events.slice(mark).some(e => e.name === 'planning' && e.detail.devices === 2))
  })

  it('republishes its plans a moment after a peer subscribes to the plan topic, once for joins close together', async () => {
    const { service, events, published, subscribed } = leaderOf(dir, 1)
    services.push(service)
    service.start()
    service.trigger('elected')
    await until('a modnn plan published', () => events.some(e => e.name === 'plan' && e.detail.plan.planner === 'modnn'))
    await until('modnn done', () => !service.isPlanning())
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
