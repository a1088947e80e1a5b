import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ElectionState } from '../../peer/election/election-state.js'
import type { ElectionChange } from '../../peer/election/election-state.js'
import type { ElectionRecord } from '../../protocols/election/codec.js'

// A deterministic mesh: a shared fake clock, a broadcast channel with a fixed delay, partitions, pauses.
class Sim {
  t = 0
  readonly nodes = new Map<string, ElectionState>()
  readonly changes = new Map<string, ElectionChange[]>()
  private queue: Array<{ at: number, from: string, to: string, msg: ElectionRecord }> = []
  private seed = 12345
  /** Peers that are frozen: they neither tick nor receive nor send. */
  readonly paused = new Set<string>()
  /** Groups that cannot hear each other (a peer not in any group hears everyone). */
  partition: Array<Set<string>> = []
  readonly sent: Array<{ from: string, msg: ElectionRecord }> = []

  constructor (readonly delayMs = 5) {}

  random (): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648
    return this.seed / 2147483648
  }

  add (id: string, observer = false): ElectionState {
    const changes: ElectionChange[] = []
    this.changes.set(id, changes)
    const node = new ElectionState({ observer }, {
      self: id,
      now: () => this.t,
      random: () => this.random(),
      send: (msg) => { this.broadcast(id, msg) }
    }, (c) => changes.push(c))
    this.nodes.set(id, node)
    node.start()
    return node
  }

  remove (id: string, clean: boolean): void {
    const node = this.nodes.get(id)
    if (node == null) throw new Error(id)
    if (clean) node.stop()
    this.nodes.delete(id)
    if (clean) for (const other of this.nodes.values()) other.disconnected(id)
  }

  canHear (a: string, b: string): boolean {
    const ga = this.partition.find(g => g.has(a))
    const gb = this.partition.find(g => g.has(b))
    return ga == null || gb == null || ga === gb
  }

  broadcast (from: string, msg: ElectionRecord): void {
    if (this.paused.has(from)) return
    this.sent.push({ from, msg })
    for (const to of this.nodes.keys()) {
      if (to !== from) this.queue.push({ at: this.t + this.delayMs, from, to, msg })
    }
  }

  run (ms: number, until?: () => boolean): number {
    const end = this.t + ms
    while (this.t < end) {
      this.t += 10
      const due = this.queue.filter(m => m.at <= this.t)
      this.queue = this.queue.filter(m => m.at > this.t)
      for (const m of due) {
        const node = this.nodes.get(m.to)
        if (node == null || this.paused.has(m.to) || this.paused.has(m.from) || !this.canHear(m.from, m.to)) continue
        node.receive(m.from, m.msg)
      }
      for (const [id, node] of this.nodes) if (!this.paused.has(id)) node.tick()
      if (until?.() === true) return this.t
    }
    return this.t
  }

  leaders (ids = [...this.nodes.keys()]): string[] {
    return ids.filter(id => this.nodes.get(id)?.role === 'leader')
  }

  /** Every listed peer follows the same leader in the same term. */
  agreed (ids = [...this.nodes.keys()].filter(id => !this.paused.has(id))): { leader: string, term: number } | undefined {
    const first = this.nodes.get(ids[0])
    if (first?.leader == null) return undefined
    for (const id of ids) {
      const n = this.nodes.get(id)
      if (n?.leader !== first.leader || n.term !== first.term) return undefined
    }
    if (this.leaders(ids).length !== 1) return undefined
    return { leader: first.leader, term: first.term }
  }
}

function mesh (n: number): Sim {
  const sim = new Sim()
  for (let i = 0; i < n; i++) sim.add(`peer${i}`)
  return sim
}

describe('election state machine', () => {
  it('a lone peer elects itself after its startup grace', () => {
    const sim = mesh(1)
    const at = sim.run(10_000, () => sim.agreed() != null)
    assert.equal(sim.agreed()?.leader, 'peer0')
    assert.ok(at >= 2000 && at <= 5000, `elected at ${at} ms`)
    assert.equal(sim.nodes.get('peer0')?.term, 1)
  })

  it('peers starting together converge on exactly one leader and term', () => {
    for (const n of [2, 3, 4, 7]) {
      const sim = mesh(n)
      sim.run(10_000, () => sim.agreed() != null)
      const agreed = sim.agreed()
      assert.ok(agreed != null, `${n} peers did not agree`)
      // stays stable: no further elections while everyone is healthy
      sim.run(20_000)
      assert.deepEqual(sim.agreed(), agreed)
      assert.equal(sim.leaders().length, 1)
    }
  })

  it('the leader heartbeats every 400 ms, followers every 1000; no member drops out between them, a silent one within 3.5 s', () => {
    const sim = mesh(4)
    sim.run(10_000, () => sim.agreed() != null)
    const { leader } = sim.agreed()!
    sim.run(1000)
    const from = sim.sent.length
    const changes = [...sim.changes.values()].map(c => c.length)
    sim.run(10_000)
    const beats = (id: string): number => sim.sent.slice(from).filter(s => s.from === id && s.msg.kind === 'heartbeat').length
    assert.ok(Math.abs(beats(leader) - 25) <= 1, `leader: ${beats(leader)} heartbeats in 10 s`)
    for (const id of sim.nodes.keys()) if (id !== leader) assert.ok(Math.abs(beats(id) - 10) <= 1, `${id}: ${beats(id)} heartbeats in 10 s`)
    assert.deepEqual([...sim.changes.values()].map(c => c.length), changes, 'membership or leadership moved while every member heartbeat')
    const follower = [...sim.nodes.keys()].find(id => id !== leader)!
    sim.paused.add(follower)
    const silent = sim.t
    const at = sim.run(10_000, () => !sim.nodes.get(leader)!.members().includes(follower))
    assert.ok(at - silent > 2500 && at - silent <= 3500 + 20, `dropped after ${at - silent} ms`)
  })

  it('a leader that leaves cleanly is replaced well within 5 s, with a higher term', () => {
    const sim = mesh(4)
    sim.run(10_000, () => sim.agreed() != null)
    const before = sim.agreed()!
    sim.remove(before.leader, true)
    const left = sim.t
    const at = sim.run(10_000, () => sim.agreed() != null)
    const after = sim.agreed()!
    assert.notEqual(after.leader, before.leader)
    assert.ok(after.term > before.term)
    assert.ok(at - left < 2000, `re-elected after ${at - left} ms`)
  })

  it('a silent leader is replaced within 5 s, and when it wakes it is fenced and follows', () => {
    for (const n of [2, 3, 4]) {
      const sim = mesh(n)
      sim.run(10_000, () => sim.agreed() != null)
      const before = sim.agreed()!
      sim.paused.add(before.leader)
      const silent = sim.t
      const at = sim.run(10_000, () => sim.agreed() != null)
      const after = sim.agreed()
      assert.ok(after != null, `${n} peers: no new leader`)
      assert.notEqual(after.leader, before.leader)
      assert.ok(after.term > before.term)
      assert.ok(at - silent <= 5000, `${n} peers: replaced after ${at - silent} ms`)
      // the old leader wakes: it sees the higher term, steps down and follows; the new leader keeps its term
      sim.paused.delete(before.leader)
      sim.run(3000)
      const healed = sim.agreed()
      assert.deepEqual(healed, after)
      assert.equal(sim.nodes.get(before.leader)?.role, 'follower')
    }
  })

  it('a peer joining a running mesh follows the leader without an election', () => {
    const sim = mesh(3)
    sim.run(10_000, () => sim.agreed() != null)
    const before = sim.agreed()!
    sim.add('peer9')
    sim.run(6000)
    assert.deepEqual(sim.agreed(), before)
    const joined = sim.changes.get(before.leader)!.filter(c => c.kind === 'members' && c.joined.includes('peer9'))
    assert.equal(joined.length, 1)
    assert.ok(sim.nodes.get(before.leader)!.members().includes('peer9'))
  })

  it('a briefly stalled follower does not depose a live leader (pre-vote)', () => {
    const sim = mesh(3)
    sim.run(10_000, () => sim.agreed() != null)
    const before = sim.agreed()!
    const follower = [...sim.nodes.keys()].find(id => id !== before.leader)!
    sim.paused.add(follower)
    sim.run(1800)
    sim.paused.delete(follower)
    sim.run(5000)
    assert.deepEqual(sim.agreed(), before)
  })

  it('a partition elects on each side; after healing one leader remains with the highest term', () => {
    const sim = mesh(4)
    sim.run(10_000, () => sim.agreed() != null)
    sim.partition = [new Set(['peer0', 'peer1']), new Set(['peer2', 'peer3'])]
    sim.run(8000)
    assert.ok(sim.agreed(['peer0', 'peer1']) != null)
    assert.ok(sim.agreed(['peer2', 'peer3']) != null)
    const terms = [...sim.nodes.values()].map(n => n.term)
    sim.partition = []
    sim.run(8000, () => sim.agreed() != null)
    const healed = sim.agreed()
    assert.ok(healed != null, 'no single leader after healing')
    assert.ok(healed.term >= Math.max(...terms))
  })

  it('an observer learns the leader but never votes, stands or counts', () => {
    const sim = mesh(2)
    const observer = sim.add('aaa-observer', true)
    sim.run(10_000, () => sim.agreed(['peer0', 'peer1']) != null)
    sim.run(5000)
    const agreed = sim.agreed(['peer0', 'peer1'])!
    assert.equal(observer.leader, agreed.leader)
    assert.equal(observer.role, 'observer')
    assert.equal(sim.sent.filter(s => s.from === 'aaa-observer').length, 0)
    assert.ok(!sim.nodes.get(agreed.leader)!.members().includes('aaa-observer'))
  })

  it('grants at most one vote per term and none while its leader is live', () => {
    const sent: ElectionRecord[] = []
    let t = 0
    const node = new ElectionState({}, { self: 'voter', now: () => t, random: () => 0.5, send: (m) => sent.push(m) }, () => {})
    node.start()
    t = 3000
    node.receive('candA', { kind: 'vote-request', term: 1, pre: false })
    node.receive('candB', { kind: 'vote-request', term: 1, pre: false })
    const votes = sent.filter(m => m.kind === 'vote')
    assert.deepEqual(votes, [{ kind: 'vote', term: 1, candidate: 'candA', pre: false }])
    assert.equal(node.term, 1)
    // candA wins and leads; a later candidate's requests, real or pre, are ignored while candA is heard
    node.receive('candA', { kind: 'heartbeat', term: 1, role: 'leader', leader: 'candA' })
    assert.equal(node.leader, 'candA')
    sent.length = 0
    t += 100
    node.receive('candB', { kind: 'vote-request', term: 2, pre: true })
    node.receive('candB', { kind: 'vote-request', term: 2, pre: false })
    assert.equal(sent.filter(m => m.kind === 'vote').length, 0)
    assert.equal(node.term, 1)
    // a stale leader's heartbeat (lower term) does not move the voter
    node.receive('old', { kind: 'heartbeat', term: 0, role: 'leader' })
    assert.equal(node.leader, 'candA')
  })

  it('of two leaders claiming one term, every peer settles on the lower id', () => {
    let t = 0
    const node = new ElectionState({}, { self: 'mmm', now: () => t, random: () => 0.5, send: () => {} }, () => {})
    node.start()
    t = 100
    node.receive('zzz', { kind: 'heartbeat', term: 3, role: 'leader', leader: 'zzz' })
    assert.equal(node.leader, 'zzz')
    node.receive('bbb', { kind: 'heartbeat', term: 3, role: 'leader', leader: 'bbb' })
    assert.equal(node.leader, 'bbb')
    node.receive('zzz', { kind: 'heartbeat', term: 3, role: 'leader', leader: 'zzz' })
    assert.equal(node.leader, 'bbb')
  })
})
