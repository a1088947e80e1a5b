// How fast each member runs its parts in service, against its profile. A profile is measured with the
// peer alone; in service the same device also carries the mesh's own work (gossip, probes, the frames of
// the request, and on the entry peer the requester's input and the result), which shares its CPU with the
// parts, and may be slower or faster for reasons no profile sees (a phone's other apps, heat). The leader
// sees every part's compute span in the trace of each request it serves, divides it by what the member's
// own tables give that part, and keeps the median of its last requests as the member's service factor.
// When a factor moves past a tolerance the leader plans again with the member's tables scaled by it. The
// ratios of one request swing by 10-20% on a shared machine: a member is measured over its requests on every
// plan (a ratio is against its unscaled tables, whatever plan it came from), and once its window is full
// and did not move, only a large drift (a device that got busy) moves it again.
import { median } from '../../src/stats.js'
import type { TraceRecord } from '../../protocols/tensor/codec.js'
import type { PeerIdStr } from '../gossip.js'

/** What the member's own (unscaled) tables give one part of a plan, ms; `volume` = the plan's volume count for the tail. */
export interface PartPrediction {
  volume: number
  part: number
  device: string
  ms: number
}

/** Requests whose ratios are kept per member by default. */
export const DEFAULT_SERVICE_WINDOW = 8

export interface ServiceSpeedsInit {
  /** Requests whose ratios are kept per member, over the plans it served (default DEFAULT_SERVICE_WINDOW). */
  window?: number
  /** Requests a member's parts must have run in before its factor counts (default 3). */
  minRequests?: number
  /** A factor moves when its new median is beyond this fraction of the one planned with (default 0.1). */
  tolerance?: number
  /** Once a member's window was full and did not move, its factor moves only beyond this fraction (default 0.5). */
  driftTolerance?: number
  /**
   * A part its member's tables give less than this is not counted, ms (default 10): its span is mostly the
   * hand-over to the compute thread and back and the event loop's latency, which do not scale with the tables.
   */
  minPartMs?: number
  /** A request in which a member's counted parts are predicted shorter than this in all is not counted for it, ms (default 20). */
  minPredictedMs?: number
  /** Factors are kept within [1 / limit, limit] (default 4). */
  limit?: number
}

/** A member's factor, what it was planned with, and how many requests it rests on. */
export interface SpeedMove {
  peer: PeerIdStr
  device: string
  factor: number
  was: number
  requests: number
}

interface Member {
  /** The factor plans are made with (1 until a move). */
  factor: number
  /** The profile it was measured against: a new profile starts again at 1. */
  profileTag: string
  ratios: number[]
  /** Ratios since its factor last moved: a member moves the factors only on minRequests of them, not on the one request that tips a median. */
  fresh: number
  /** Its window was full and within the tolerance: from then on only driftTolerance moves it. */
  settled: boolean
}

interface Tracked {
  parts: Map<string, PartPrediction>
  /** Requests observed on the plan: its first runs the sub-models cold and is not counted. */
  seen: number
}

export class ServiceSpeeds {
  private readonly init: Required<ServiceSpeedsInit>
  private readonly members = new Map<PeerIdStr, Member>()
  private readonly predictions = new Map<string, Tracked>()

  constructor (init: ServiceSpeedsInit = {}) {
    this.init = { window: DEFAULT_SERVICE_WINDOW, minRequests: 3, tolerance: 0.1, driftTolerance: 0.5, minPartMs: 10, minPredictedMs: 20, limit: 4, ...init }
    if (!(this.init.minRequests >= 1 && this.init.window >= this.init.minRequests)) throw new RangeError(`service speeds: window (${this.init.window}) must be at least minRequests (${this.init.minRequests}) >= 1`)
  }

  /** Records what a plan's parts should take by its members' unscaled tables (`key`: the plan's term.planId). */
  track (key: string, parts: PartPrediction[]): void {
    this.predictions.set(key, { parts: new Map(parts.map(p => [`${p.volume}:${p.part}`, p])), seen: 0 })
  }

  /** Forgets the predictions of a plan no longer served. */
  untrack (key: string): void {
    this.predictions.delete(key)
  }

  /**
   * The factor to plan a member with: its service factor when measured against the profile it publishes
   * now (`profileTag`), else 1. A member whose profile changed starts afresh.
   */
  factor (peer: PeerIdStr, profileTag: string): number {
    const m = this.members.get(peer)
    if (m == null) return 1
    if (m.profileTag !== profileTag) {
      this.members.set(peer, { factor: 1, profileTag, ratios: [], fresh: 0, settled: false })
      return 1
    }
    return m.factor
  }

  /**
   * Takes in the trace of one request served on plan `key` (whose members are `peerOf` device to peer, with
   * the profiles tagged `profileTags`); a plan's first request is not counted. When some member's median
   * ratio, with at least minRequests requests since its factor last moved, is past its tolerance from that factor,
   * every member with enough requests takes its median as its factor and the moves are returned (the caller
   * plans again); otherwise undefined.
   */
  observe (key: string, trace: TraceRecord[], peerOf: ReadonlyMap<string, PeerIdStr>, profileTags: ReadonlyMap<PeerIdStr, string>): SpeedMove[] | undefined {
    const tracked = this.predictions.get(key)
    if (tracked == null || ++tracked.seen === 1) return undefined
    const predicted = tracked.parts
    const measured = new Map<string, { ms: number, predicted: number }>()
    for (const t of trace) {
      const p = predicted.get(`${t.volume}:${t.part}`)
      if (p == null || p.device !== t.device || p.ms < this.init.minPartMs || !(t.computeMs >= 0)) continue
      const m = measured.get(t.device) ?? { ms: 0, predicted: 0 }
      m.ms += t.computeMs
      m.predicted += p.ms
      measured.set(t.device, m)
    }
    for (const [device, m] of measured) {
      const peer = peerOf.get(device)
      if (peer == null || m.predicted < this.init.minPredictedMs) continue
      const tag = profileTags.get(peer)
      if (tag == null) continue
      this.factor(peer, tag)
      const member = this.members.get(peer) ?? { factor: 1, profileTag: tag, ratios: [], fresh: 0, settled: false }
      member.ratios.push(m.ms / m.predicted)
      member.fresh++
      if (member.ratios.length > this.init.window) member.ratios.shift()
      this.members.set(peer, member)
    }
    const deviceOf = new Map([...peerOf].map(([d, p]) => [p, d]))
    const ready = [...this.members].filter(([peer, m]) => deviceOf.has(peer) && m.ratios.length >= this.init.minRequests)
    const clamp = (f: number): number => Math.min(this.init.limit, Math.max(1 / this.init.limit, f))
    const moved = ready.some(([, m]) => m.fresh >= this.init.minRequests && Math.abs(clamp(median(m.ratios)) / m.factor - 1) > (m.settled ? this.init.driftTolerance : this.init.tolerance))
    if (!moved) {
      for (const [, m] of ready) if (m.ratios.length >= this.init.window) m.settled = true
      return undefined
    }
    return ready.map(([peer, m]) => {
      const move = { peer, device: deviceOf.get(peer)!, factor: clamp(median(m.ratios)), was: m.factor, requests: m.ratios.length }
      m.factor = move.factor
      m.fresh = 0
      m.settled = false
      return move
    })
  }
}
