// Link probes yield to inference: a measured link's refresh waits while either end is busy (up to
// maxDeferMs), a link never measured is probed at once, and an idle pair is probed every interval; a
// peer answering two probes at once tells both it is busy.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Gossip } from '../../peer/gossip.js'
import { LinkService, LinkWindow, jittered, type LinkServiceInit } from '../../peer/links/link-service.js'
import { StreamReader } from '../../protocols/framing/stream-reader.js'
import { writeAll, writeLengthPrefixed } from '../../protocols/framing/stream-writer.js'
import { MAX_LINK_MBPS } from '../../protocols/links/constants.js'
import { runProbes } from '../../protocols/probe/client.js'
import { encodeProbeRequest, readProbeReply } from '../../protocols/probe/codec.js'
import { PROBE_PROTOCOL } from '../../protocols/probe/constants.js'
import { createMeshNode } from '../../peer/node.js'
import type { MeshNode } from '../../peer/node.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function until (what: string, test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!test()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** Two nodes on loopback, connected; `prober` probes `probed` only (the probed one probes nobody). */
async function probePair (init: LinkServiceInit, busy: { prober: () => boolean, probed: () => boolean }): Promise<{ nodes: MeshNode[], prober: LinkService, probed: LinkService }> {
  const a = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const b = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  await a.dial(b.getMultiaddrs()[0])
  const prober = new LinkService({ node: a, gossip: new Gossip({ pubsub: a.services.pubsub }), peers: () => [a.peerId.toString(), b.peerId.toString()], busy: busy.prober }, init, () => {})
  const probed = new LinkService({ node: b, gossip: new Gossip({ pubsub: b.services.pubsub }), peers: () => [], busy: busy.probed }, init, () => {})
  await probed.start()
  await prober.start()
  return { nodes: [a, b], prober, probed }
}

type ProbePair = Awaited<ReturnType<typeof probePair>>

async function stopPair (pair?: ProbePair): Promise<void> {
  await pair?.prober.stop()
  await pair?.probed.stop()
  for (const n of pair?.nodes ?? []) await n.stop()
}

describe('link probes and inference', { timeout: 60_000 }, () => {
  let pair: ProbePair
  const busy = { a: false, b: true }

  before(async () => {
    // b never probes a: only a's probes of b are counted
    pair = await probePair({ probeBytes: 64 * 1024, intervalMs: 300, deferRetryMs: 50, maxDeferMs: 1500 }, { prober: () => busy.a, probed: () => busy.b })
  })

  after(async () => { await stopPair(pair) })

  const measured = (): number => pair.prober.own()[0]?.samples ?? 0

  it('measures a new link at once, even while the other end is busy', async () => {
    await until('a first measurement of a -> b', () => measured() === 1, 10_000)
    assert.ok(pair.prober.own()[0].mbps > 0)
  })

  it('holds a measured link\'s refresh while the other end runs inference, at most maxDeferMs', async () => {
    const start = performance.now()
    await sleep(900)
    assert.equal(measured(), 1, 'no refresh while b is busy and the link is fresh enough')
    await until('a refresh once the link is maxDeferMs old', () => measured() === 2, 5000)
    assert.ok(performance.now() - start >= 900)
  })

  it('refreshes every interval once both ends are idle', async () => {
    busy.b = false
    const from = measured()
    await until('two refreshes of an idle link', () => measured() >= from + 2, 5000)
  })

  it('does not probe while this peer runs inference', async () => {
    await sleep(100)
    busy.a = true
    // a round already under way may still finish
    await sleep(350)
    const from = measured()
    await sleep(900)
    assert.equal(measured(), from)
    busy.a = false
    await until('a refresh after this peer is idle again', () => measured() > from, 5000)
  })
})

describe('a link estimate over its last rounds', () => {
  const round = (rttMs: number, bigMs: number): Array<{ bytes: number, ms: number, busy: boolean }> =>
    [{ bytes: 0, ms: rttMs, busy: false }, { bytes: 1_000_000, ms: bigMs, busy: false }]

  it('keeps the least round trip and the best rate of the window, not an average', () => {
    const w = new LinkWindow(3)
    assert.deepEqual(w.add(round(1, 9)), { rttMs: 1, mbps: 1000 })
    // a slow round (both ends busy): the link is still what the first round saw
    assert.deepEqual(w.add(round(60, 100)), { rttMs: 1, mbps: 1000 })
    // the slow round's big probe is judged against the window's least RTT, not its own inflated one
    assert.deepEqual(w.add(round(2, 17)), { rttMs: 1, mbps: 1000 })
    assert.equal(w.length, 3)
  })

  it('forgets a round once it leaves the window, so a slower link is seen', () => {
    const w = new LinkWindow(2)
    w.add(round(1, 9))
    w.add(round(4, 44))
    // the fast round has left: RTT 4 ms, and 8 Mbit in 44 - 4 ms from the better of the two rounds left
    assert.deepEqual(w.add(round(4, 84)), { rttMs: 4, mbps: 200 })
    assert.throws(() => new LinkWindow(0), /window must be a whole number of rounds >= 1/)
  })

  it('drops the rounds taken while an end was busy once a round with both ends free arrives', () => {
    const w = new LinkWindow(5)
    // busy: the empty probe answered after 616 ms, the big one sooner than that RTT allows
    assert.deepEqual(w.add(round(616, 200), true), { rttMs: 616, mbps: MAX_LINK_MBPS })
    assert.deepEqual(w.add(round(190, 150), true), { rttMs: 190, mbps: MAX_LINK_MBPS })
    assert.equal(w.length, 2)
    // both ends free: the link as this round saw it, not the busy rounds' best rate
    assert.deepEqual(w.add(round(1, 41)), { rttMs: 1, mbps: 200 })
    assert.equal(w.length, 1)
    // a busy round after a sound one stays in the window until the next sound round, judged by the sound round's RTT
    assert.deepEqual(w.add(round(30, 70), true), { rttMs: 1, mbps: 200 })
    assert.deepEqual(w.add(round(1, 33)), { rttMs: 1, mbps: 250 })
    assert.equal(w.length, 2)
  })
})

describe('a link measured while an end was busy', { timeout: 60_000 }, () => {
  let pair: ProbePair
  const busy = { d: true }

  before(async () => {
    // a round every 10 s: a refresh within a second or two is the busy rule's, not the interval's
    pair = await probePair({ probeBytes: 64 * 1024, intervalMs: 10_000, deferRetryMs: 50, maxDeferMs: 60_000 }, { prober: () => false, probed: () => busy.d })
  })

  after(async () => { await stopPair(pair) })

  const measured = (): number => pair.prober.own()[0]?.samples ?? 0

  it('is measured again as soon as both ends are free, not an interval later', async () => {
    await until('a first measurement of c -> d', () => measured() === 1, 10_000)
    await sleep(500)
    assert.equal(measured(), 1, 'no refresh while d is still busy')
    busy.d = false
    const freed = performance.now()
    await until('a refresh once d is free', () => measured() === 2, 3000)
    assert.ok(performance.now() - freed < 3000)
    // measured with both ends free: the next refresh waits for the interval
    await sleep(1000)
    assert.equal(measured(), 2)
  })
})

describe('two probes of one peer at once', { timeout: 30_000 }, () => {
  let nodes: MeshNode[] = []
  let probed: LinkService

  before(async () => {
    const a = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    const b = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    nodes = [a, b]
    await a.dial(b.getMultiaddrs()[0])
    // b answers probes and probes nobody; a probes by hand
    probed = new LinkService({ node: b, gossip: new Gossip({ pubsub: b.services.pubsub }), peers: () => [], busy: () => false }, {}, () => {})
    await probed.start()
  })

  after(async () => {
    await probed.stop()
    for (const n of nodes) await n.stop()
  })

  /** A probe stream held open: each probe's reply says whether b is busy. */
  const open = async (): Promise<{ busy: (size: number) => Promise<boolean>, close: () => Promise<void> }> => {
    const stream = await nodes[0].dialProtocol(nodes[1].peerId, PROBE_PROTOCOL)
    const reader = new StreamReader(stream, { protocol: PROBE_PROTOCOL })
    return {
      busy: async (size) => {
        await writeLengthPrefixed(stream, encodeProbeRequest(size))
        if (size > 0) await writeAll(stream, new Uint8Array(size))
        return (await readProbeReply(reader)).busy
      },
      close: async () => {
        reader.release()
        await stream.close()
      }
    }
  }

  /** A whole probe round on a stream of its own. */
  const round = async (): Promise<boolean[]> => {
    const stream = await nodes[0].dialProtocol(nodes[1].peerId, PROBE_PROTOCOL)
    return (await runProbes(stream, [0, 64 * 1024])).map(s => s.busy)
  }

  /** Rounds until one is not busy (the handler of a closed stream ends a moment after it closed). */
  const idleRound = async (): Promise<boolean[]> => {
    const deadline = performance.now() + 5000
    let got: boolean[]
    do got = await round()
    while (got.some(b => b) && performance.now() < deadline)
    return got
  }

  it('are both told the peer is busy: they would share its downlink', async () => {
    assert.deepEqual(await round(), [false, false], 'a probe alone is not busy')
    const first = await open()
    assert.equal(await first.busy(0), false)
    const second = await open()
    assert.equal(await second.busy(0), true, 'the second probe, while the first stream is open')
    assert.equal(await second.busy(64 * 1024), true)
    assert.equal(await first.busy(64 * 1024), true, 'the first probe, while the second stream is open')
    await second.close()
    let alone = false
    const deadline = performance.now() + 5000
    do alone = !(await first.busy(0))
    while (!alone && performance.now() < deadline)
    assert.ok(alone, 'the first probe alone again once the second stream closed')
    await first.close()
    assert.deepEqual(await idleRound(), [false, false], 'a round alone')
  })

  it('spreads rounds: the delay is scaled by 0.5 to 1.5', () => {
    const delays = Array.from({ length: 200 }, () => jittered(1000))
    assert.ok(delays.every(d => d >= 500 && d < 1500))
    assert.ok(Math.max(...delays) - Math.min(...delays) > 500, 'the delays differ')
  })
})
