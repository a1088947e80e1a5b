// Real `tessera peer` processes in network namespaces this test makes: discovery by mDNS, one leader,
// a plan, inferences equal to a whole-model run; the leader leaving; a peer joining; a provider killed
// mid-request; malformed input on every protocol. Skipped, with the reason, where namespaces cannot be made.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { resolveModel } from '../../models/zoo.js'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { loadGraphFile } from '../../src/graph/load.js'
import { netnsUnavailable, PeerProcess, TestNet } from './netns.js'
import type { Host } from './netns.js'

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))
const HOSTILE = fileURLToPath(new URL('./hostile-peer.ts', import.meta.url))
const SETUP = fileURLToPath(new URL('../setup.js', import.meta.url))
const MODEL = 'resnet18'
const SHAPE = '1,3,64,64'
const skip = netnsUnavailable()

interface Running {
  host: Host
  proc: PeerProcess
}

/** The plan events (own or accepted) of a peer whose members are exactly `names`, that became ready. */
function readyPlanWith (events: Array<Record<string, any>>, names: string[], planner?: string): Record<string, any> | undefined {
  const want = [...names].sort().join(',')
  const plans = events.filter(e => e.event === 'plan' && e.members.map((m: any) => m.device).sort().join(',') === want && (planner == null || e.plan.planner === planner))
  return plans.reverse().find(p => events.some(e => e.event === 'ready' && e.key === p.key))
}

describe('mesh of tessera peer processes in network namespaces', { skip, timeout: 300_000 }, () => {
  let net: TestNet
  const peers = new Map<string, Running>()

  const startPeer = (name: string, host = net.addHost()): Running => {
    const child = net.spawn(host, process.execPath, [BIN, 'peer', '--json', '--model', MODEL, '--input-shape', SHAPE, '--listen', `/ip4/${host.addr}/tcp/0`, '--name', name, '--planner', 'modnn'])
    const r = { host, proc: new PeerProcess(name, child) }
    peers.set(name, r)
    return r
  }

  const infer = async (host: Host, extra: string[] = []): Promise<{ code: number | null, json?: any, stderr: string }> => {
    const child = net.spawn(host, process.execPath, [BIN, 'infer', '--json', '--verify', '--model', MODEL, '--input-shape', SHAPE, '--listen', `/ip4/${host.addr}/tcp/0`, '--timeout', '60', ...extra])
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
    const line = out.trim().split('\n').pop()
    return { code, json: line != null && line.startsWith('{') ? JSON.parse(line) : undefined, stderr: err }
  }

  const live = (): Running[] => [...peers.values()].filter(p => p.proc.alive)

  /** Every live peer follows the same leader; returns its name. */
  const agreedLeader = async (timeoutMs: number): Promise<string> => {
    const first = live()[0]
    return await first.proc.until('agreement on one leader', () => {
      const seen = live().map(p => p.proc.leader()?.leader)
      if (seen.some(l => l == null) || new Set(seen).size !== 1) return undefined
      const id = seen[0]!
      return [...peers.entries()].find(([, p]) => p.proc.events.some(e => e.event === 'listening' && e.peerId === id))?.[0]
    }, timeoutMs)
  }

  before(async () => {
    // the model and this machine's profile are made once here; the peers read them from the cache
    const model = await resolveModel(MODEL, { inputShape: SHAPE.split(',').map(Number) })
    const graph = loadGraphFile(model.path, { name: model.name, inputShape: SHAPE.split(',').map(Number) })
    await new ProfileCache().get(graph, model.path)
    net = new TestNet()
  })

  after(async () => {
    await net?.destroy()
  })

  it('discovers by mDNS, elects one leader, plans over every peer and serves inferences equal to a whole-model run', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) startPeer(name)
    for (const p of live()) {
      await p.proc.until('discovering the other two peers by mDNS', ev => ev.filter(e => e.event === 'joined').length >= 2, 60_000)
    }
    const leader = await agreedLeader(30_000)
    assert.ok(['alpha', 'beta', 'gamma'].includes(leader))
    const plan = await peers.get(leader)!.proc.until('a modnn plan over all three peers ready', ev => readyPlanWith(ev, ['alpha', 'beta', 'gamma'], 'modnn'), 90_000)
    assert.equal(plan.plan.planner, 'modnn')
    // modnn gives every device rows of every layer: the inference really crosses the mesh
    const used = new Set(plan.plan.volumes.flatMap((v: any) => v.parts.filter((p: any) => p.rows[1] > p.rows[0]).map((p: any) => p.device)))
    assert.equal(used.size, 3)
    const r = await infer(net.addHost(), ['--repeat', '2', '--interval', '300'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.verified, true)
    assert.ok(r.json.maxAbsError < 1e-3, `max abs error ${r.json.maxAbsError as number}`)
    assert.equal(r.json.latencyMs.length, 2)
    assert.deepEqual([...r.json.plan.devices].sort(), ['alpha', 'beta', 'gamma'])
    assert.ok(r.json.timings.some((t: any) => t.device !== r.json.plan.devices[0]))
    // every request's own timeline; the peers share this machine's clock, so their instants fall inside the serving peer's attempt
    assert.equal(r.json.requests.length, 2)
    for (const q of r.json.requests) {
      assert.ok(q.sentAt <= q.receivedAt && q.meshMs <= q.latencyMs)
      for (const t of q.timings) assert.ok(t.readyAt >= q.sentAt - 1 && t.startedAt >= t.readyAt && t.startedAt + t.computeMs <= q.receivedAt + 1, `${t.device} part ${t.volume}:${t.part} outside request ${q.plan}'s timeline`)
    }
    // --interval: the second input entered the mesh at least 300 ms after the first result left it
    assert.ok(r.json.requests[1].sentAt - r.json.requests[0].receivedAt >= 300, `requests ${r.json.requests[1].sentAt - r.json.requests[0].receivedAt} ms apart`)
  })

  it('replaces a leader that leaves with a new leader and plan within 5 s, and serves again', async () => {
    const old = await agreedLeader(10_000)
    const left = Date.now()
    peers.get(old)!.proc.child.kill('SIGTERM')
    assert.equal(await peers.get(old)!.proc.exited, 0)
    const rest = live().map(p => p.proc.name)
    const newLeader = await agreedLeader(15_000)
    assert.notEqual(newLeader, old)
    const plan = await peers.get(newLeader)!.proc.until('a plan over the remaining peers ready', ev => readyPlanWith(ev, rest), 30_000)
    const elected = peers.get(newLeader)!.proc.events.find(e => e.event === 'leader' && e.self === true && e.t >= left)!
    const readyAt = peers.get(newLeader)!.proc.events.find(e => e.event === 'ready' && e.key === plan.key)!.t
    assert.ok(elected.t - left <= 5000, `new leader after ${elected.t - left as number} ms`)
    assert.ok(readyAt - left <= 5000, `new plan ready after ${readyAt - left as number} ms`)
    const r = await infer(net.addHost())
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.verified, true)
    assert.deepEqual([...r.json.plan.devices].sort(), [...rest].sort())
  })

  it('re-plans with a peer that joins', async () => {
    const leader = await agreedLeader(10_000)
    startPeer('delta')
    const names = live().map(p => p.proc.name)
    const plan = await peers.get(leader)!.proc.until('a plan including the newcomer', ev => readyPlanWith(ev, names), 60_000)
    assert.ok(plan.members.some((m: any) => m.device === 'delta'))
    const r = await infer(net.addHost())
    assert.equal(r.code, 0, r.stderr)
    assert.ok(r.json.plan.devices.includes('delta'))
  })

  it('a provider killed mid-request fails or retries that request clearly; the next ones succeed', async () => {
    const leader = await agreedLeader(10_000)
    const victim = live().find(p => p.proc.name !== leader)!
    const host = net.addHost()
    const running = infer(host, ['--repeat', '30'])
    // let a few requests through, then kill a provider without warning
    await new Promise(resolve => setTimeout(resolve, 1500))
    victim.proc.child.kill('SIGKILL')
    const r = await running
    if (r.code === 0) {
      assert.equal(r.json.verified, true)
    } else {
      assert.match(r.stderr, /ProviderLost|left during request|failed|no ready plan/i)
    }
    const again = await infer(net.addHost(), ['--repeat', '2'])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.json.verified, true)
    assert.ok(!again.json.plan.devices.includes(victim.proc.name))
  })

  it('malformed frames on every protocol and topic leave the peer up and serving', async () => {
    const target = live()[0]
    const addr = target.proc.events.find(e => e.event === 'listening')!.addrs[0]
    const host = net.addHost()
    const child = net.spawn(host, process.execPath, ['--import', SETUP, HOSTILE, addr, `/ip4/${host.addr}/tcp/0`])
    let out = ''
    child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
    assert.equal(await new Promise(resolve => child.once('exit', resolve)), 0)
    const results = JSON.parse(out.trim().split('\n').pop()!)
    assert.ok(Object.keys(results).length >= 20)
    // every stream attempt was refused by the peer, none accepted
    for (const [name, outcome] of Object.entries(results)) {
      if (name.startsWith('gossip')) continue
      assert.doesNotMatch(String(outcome), /no answer/, `${name}: ${String(outcome)}`)
    }
    assert.match(results['unknown version /tessera/tensor/2.0.0'], /^error: UnsupportedProtocolError/)
    assert.match(results['unknown version /tessera/infer/0.9.0'], /^error: UnsupportedProtocolError/)
    assert.ok(target.proc.alive)
    const plans = target.proc.events.filter(e => e.event === 'plan' && e.members.some((m: any) => m.device === 'evil'))
    assert.equal(plans.length, 0)
    const r = await infer(net.addHost())
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.verified, true)
  })
})
