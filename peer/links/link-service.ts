// Measures this peer's links to the other members over /tessera/probe/1.0.0 (round-trip probes and
// bandwidth probes of bounded size, repeated), gossips them on tessera/links/1, and keeps every other
// peer's latest measurements. A link's estimate is taken over its last few rounds: the least round
// trip and the best rate, as TCP congestion control (BBR) filters its own path estimates. A probe can
// only be slowed by what else is running at either end (a peer preparing a plan, a CPU held to its
// quota), never sped up, so the best of a window is the link and the rest is noise: with an average,
// a testbed leader saw 8-68 ms half round trips on links that measure under 2 ms.
import { decodeLinks, encodeLinks } from '../../protocols/links/codec.js'
import { LINKS_TOPIC, MAX_LINK_MBPS } from '../../protocols/links/constants.js'
import { runProbes } from '../../protocols/probe/client.js'
import { PROBE_PROTOCOL, MAX_PROBE_BYTES } from '../../protocols/probe/constants.js'
import { handleProbeStream } from '../../protocols/probe/handler.js'
import { logger } from '../../src/logger.js'
import type { LinkRecord, LinksRecord } from '../../protocols/links/codec.js'
import type { ProbeSample } from '../../protocols/probe/client.js'
import type { Gossip, PeerIdStr } from '../gossip.js'
import type { MeshNode } from '../node.js'
import { peerIdFromString } from '@libp2p/peer-id'

const log = logger('links')

export interface LinkServiceInit {
  /** Bytes of the bandwidth probe (default 1 MiB, at most 8 MiB). */
  probeBytes?: number
  /** Time between probe rounds, ms (default 10000). */
  intervalMs?: number
  /** Rounds a link's estimate is taken over: the least round trip and the best rate among them (default 5). */
  window?: number
  /** Give up on one peer's probe after this long, ms (default 5000). */
  timeoutMs?: number
  /**
   * How long a measured link's refresh may wait while this peer or the probed one runs inference, ms
   * (default 60000): a probe saturates the link it measures, so it waits for a pause in the requests.
   */
  maxDeferMs?: number
  /** Retry a deferred refresh after this long, ms (default 1000). */
  deferRetryMs?: number
}

export interface LinkServiceComponents {
  node: MeshNode
  gossip: Gossip
  /** The peers to measure (the live members). */
  peers: () => PeerIdStr[]
  /** Whether this peer is running inference now (probes yield to it). */
  busy?: () => boolean
}

/** Link estimate from probe samples: the least RTT of the empty probes, the best rate of the big ones net of that RTT. */
export function estimateLink (samples: Array<{ bytes: number, ms: number }>): { rttMs: number, mbps: number } {
  const empty = samples.filter(s => s.bytes === 0).map(s => s.ms)
  const rttMs = empty.length > 0 ? Math.min(...empty) : 0
  const big = samples.filter(s => s.bytes > 0)
  const rates = big.map(s => (s.bytes * 8) / (Math.max(s.ms - rttMs, 0.001) * 1000))
  const mbps = rates.length > 0 ? Math.min(MAX_LINK_MBPS, Math.max(...rates)) : 0
  return { rttMs, mbps }
}

/** How soon after a member joins its links are probed, ms (before jitter). */
const PROBE_SOON_MS = 500

/**
 * `ms` scaled by a random factor in [0.5, 1.5): peers that saw the same join, or collided in the same
 * round, would otherwise probe in step round after round, each reading a share of the link they share.
 */
export function jittered (ms: number): number {
  return ms * (0.5 + Math.random())
}

function checkWindow (size: number): void {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`window must be a whole number of rounds >= 1, got ${size}`)
}

/**
 * A link's probe rounds, the last `size` of them, and the estimate over them. A round taken while an end was
 * busy (`provisional`) counts only until a round with both ends free arrives, which drops it: a busy end
 * answers an empty probe late and then a big one sooner than that RTT allows, so such a round can hold the
 * best rate (as high as MAX_LINK_MBPS) for the whole window.
 */
export class LinkWindow {
  private readonly rounds: Array<{ samples: ProbeSample[], provisional: boolean }> = []
  constructor (readonly size: number) {
    checkWindow(size)
  }

  /** Adds a round's samples; the estimate over the window (the least RTT, the best rate). */
  add (samples: ProbeSample[], provisional = false): { rttMs: number, mbps: number } {
    if (!provisional) {
      for (let i = this.rounds.length - 1; i >= 0; i--) if (this.rounds[i].provisional) this.rounds.splice(i, 1)
    }
    this.rounds.push({ samples, provisional })
    if (this.rounds.length > this.size) this.rounds.shift()
    return estimateLink(this.rounds.flatMap(r => r.samples))
  }

  get length (): number {
    return this.rounds.length
  }
}

export class LinkService {
  private readonly init: Required<LinkServiceInit>
  private readonly components: LinkServiceComponents
  private readonly mine = new Map<PeerIdStr, LinkRecord>()
  /** Each link's probe samples of its last `window` rounds, oldest first. */
  private readonly history = new Map<PeerIdStr, LinkWindow>()
  /** When each of this peer's links was last measured (performance.now()). */
  private readonly measuredAt = new Map<PeerIdStr, number>()
  /**
   * Links whose last round ran while either end was busy (a link measured for the first time never
   * waits): measured again as soon as both ends are free, not a round later.
   */
  private readonly provisional = new Set<PeerIdStr>()
  private readonly others = new Map<PeerIdStr, LinksRecord>()
  private seq = 0
  /** Probe streams this peer is answering now. */
  private answering = 0
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>
  private abort = new AbortController()
  private readonly onChanged: (peer: PeerIdStr, record: LinksRecord) => void

  constructor (components: LinkServiceComponents, init: LinkServiceInit, onChanged: (peer: PeerIdStr, record: LinksRecord) => void) {
    this.components = components
    this.init = { probeBytes: 1024 * 1024, intervalMs: 10_000, window: 5, timeoutMs: 5000, maxDeferMs: 60_000, deferRetryMs: 1000, ...init }
    checkWindow(this.init.window)
    if (this.init.probeBytes > MAX_PROBE_BYTES) throw new RangeError(`probeBytes must be at most ${MAX_PROBE_BYTES}`)
    this.onChanged = onChanged
  }

  async start (): Promise<void> {
    this.abort = new AbortController()
    // two probes at once share this peer's downlink and read half its rate each: while it answers
    // another probe, a peer says it is busy, and both probers measure that link again later (a newcomer
    // is probed by every member as soon as it joins)
    const busy = (): boolean => this.answering > 1 || (this.components.busy?.() ?? false)
    await this.components.node.handle(PROBE_PROTOCOL, async (stream, connection) => {
      this.answering++
      try {
        await handleProbeStream(stream, connection.remotePeer.toString(), log, { signal: AbortSignal.timeout(60_000), busy })
      } finally {
        this.answering--
      }
    }, { maxInboundStreams: 4 })
    this.components.gossip.subscribe({ topic: LINKS_TOPIC, decode: decodeLinks }, (from, record) => {
      const known = this.others.get(from)
      if (known != null && known.seq >= record.seq) return
      this.others.set(from, record)
      this.onChanged(from, record)
    })
    this.schedule(jittered(1000))
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
    this.abort.abort()
    await this.running
    await this.components.node.unhandle(PROBE_PROTOCOL)
  }

  /** Measures peers without a measurement now (a newcomer), not waiting for the next round. */
  probeSoon (): void {
    if (this.running == null) this.schedule(jittered(PROBE_SOON_MS))
  }

  /** This peer's links, each estimated over its last rounds. */
  own (): LinkRecord[] {
    return [...this.mine.values()]
  }

  /** Another peer's latest published links. */
  get (peer: PeerIdStr): LinksRecord | undefined {
    return this.others.get(peer)
  }

  forget (peer: PeerIdStr): void {
    this.dropMeasurements(peer)
    this.others.delete(peer)
  }

  /** Forgets this peer's own measurements of its link to `peer`. */
  private dropMeasurements (peer: PeerIdStr): void {
    this.mine.delete(peer)
    this.history.delete(peer)
    this.measuredAt.delete(peer)
    this.provisional.delete(peer)
  }

  private schedule (ms: number): void {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.round().then((deferred) => deferred ? this.init.deferRetryMs : this.init.intervalMs, (err: Error) => {
        log('probe round failed: %s', err.message)
        return this.init.intervalMs
      }).then((next) => {
        this.running = undefined
        if (!this.abort.signal.aborted) this.schedule(jittered(next))
      })
    }, ms)
  }

  /** One probe round; true when a link was left unrefreshed because inference was running. */
  private async round (): Promise<boolean> {
    const peers = this.components.peers().filter(p => p !== this.components.node.peerId.toString())
    for (const known of [...this.mine.keys()]) {
      if (!peers.includes(known)) {
        this.dropMeasurements(known)
      }
    }
    let measured = 0
    let deferred = false
    const busy = this.components.busy?.() ?? false
    for (const peer of peers) {
      if (this.abort.signal.aborted) return false
      const at = this.measuredAt.get(peer)
      const age = at == null ? Infinity : performance.now() - at
      // measured moments ago, in a round a busy peer cut short: nothing to refresh yet (unless it was
      // measured while an end was busy)
      if (age < this.init.intervalMs / 2 && !this.provisional.has(peer)) continue
      // a measured link may wait for a pause in the requests, up to maxDeferMs; a new one never waits
      const mayDefer = age < this.init.maxDeferMs
      if (busy && mayDefer) {
        deferred = true
        continue
      }
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.init.timeoutMs)])
      try {
        const stream = await this.components.node.dialProtocol(peerIdFromString(peer), PROBE_PROTOCOL, { signal })
        const samples = await runProbes(stream, [0, 0, this.init.probeBytes, 0, this.init.probeBytes], { signal, yieldToBusy: mayDefer })
        if (samples.some(s => s.busy) && mayDefer) {
          log('link to %s: refresh waits, it is running inference or answering another probe', peer)
          deferred = true
          continue
        }
        let rounds = this.history.get(peer)
        if (rounds == null) this.history.set(peer, rounds = new LinkWindow(this.init.window))
        const provisional = busy || samples.some(s => s.busy)
        const { rttMs, mbps } = rounds.add(samples, provisional)
        const next: LinkRecord = { peer, mbps, rttMs, samples: (this.mine.get(peer)?.samples ?? 0) + 1 }
        this.mine.set(peer, next)
        this.measuredAt.set(peer, performance.now())
        measured++
        if (provisional) {
          this.provisional.add(peer)
          deferred = true
        } else {
          this.provisional.delete(peer)
        }
        log('link to %s: %d Mbps, rtt %d ms (best of the last %d of %d rounds)', peer, Math.round(next.mbps), next.rttMs.toFixed(2), rounds.length, next.samples)
      } catch (err: any) {
        if (this.abort.signal.aborted) return false
        log('probe of %s failed: %s: %s', peer, err?.name, err?.message)
      }
    }
    if (measured > 0) {
      this.seq++
      const record = { seq: this.seq, links: this.own() }
      this.components.gossip.publish(LINKS_TOPIC, encodeLinks(record))
      // gossip does not deliver a peer's own message back to it: its own links changed here
      this.onChanged(this.components.node.peerId.toString(), record)
    }
    return deferred
  }
}
