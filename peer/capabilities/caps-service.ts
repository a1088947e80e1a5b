// Publishes this peer's capabilities on tessera/caps/1 (when they change, when a peer subscribes to the
// topic, and every 10 s) and keeps the latest record of every other peer.
import { cpus, totalmem } from 'node:os'
import { decodeCaps, encodeCaps } from '../../protocols/caps/codec.js'
import { CAPS_TOPIC } from '../../protocols/caps/constants.js'
import { logger } from '../../src/logger.js'
import type { CapsRecord, HeldModelRecord, PeerRole } from '../../protocols/caps/codec.js'
import type { Gossip, PeerIdStr } from '../gossip.js'

const log = logger('caps')

export interface CapsServiceInit {
  name: string
  role: PeerRole
  version: string
  /**
   * Republish interval, ms (default 10000). A peer that subscribes gets this record within
   * `joinPublishDelayMs`; the interval only catches a member that dropped out of the election and came
   * back on the same connection (its record forgotten meanwhile). A record is a profile of some 14 KiB
   * per model, sent on to every member.
   */
  publishIntervalMs?: number
  /** How long after a peer subscribes to publish, ms (default 250): its own stream to this peer opens meanwhile, and joins close together publish once. */
  joinPublishDelayMs?: number
}

export interface CapsServiceComponents {
  gossip: Gossip
  /** The node's current listen addresses. */
  addrs: () => string[]
}

export interface CapsEvents {
  /** A peer's record arrived that differs from the last one known (or is the first). */
  changed: (peer: PeerIdStr, record: CapsRecord, first: boolean) => void
}

export class CapsService {
  private readonly init: Required<CapsServiceInit>
  private readonly components: CapsServiceComponents
  private readonly records = new Map<PeerIdStr, CapsRecord>()
  private models: HeldModelRecord[] = []
  private seq = 0
  private timer?: ReturnType<typeof setInterval>
  private joinTimer?: ReturnType<typeof setTimeout>
  private readonly onChanged: CapsEvents['changed']

  constructor (components: CapsServiceComponents, init: CapsServiceInit, onChanged: CapsEvents['changed']) {
    this.components = components
    this.init = { publishIntervalMs: 10_000, joinPublishDelayMs: 250, ...init }
    this.onChanged = onChanged
  }

  get name (): string { return this.init.name }

  start (): void {
    this.components.gossip.subscribe({ topic: CAPS_TOPIC, decode: decodeCaps }, (from, record) => { this.receive(from, record) })
    this.components.gossip.onSubscribe(CAPS_TOPIC, () => { this.publishSoon() })
    this.publish()
    this.timer = setInterval(() => { this.publish() }, this.init.publishIntervalMs)
  }

  stop (): void {
    if (this.timer != null) clearInterval(this.timer)
    if (this.joinTimer != null) clearTimeout(this.joinTimer)
    this.timer = undefined
    this.joinTimer = undefined
  }

  /** Replaces the models this peer advertises and publishes at once. */
  setModels (models: HeldModelRecord[]): void {
    this.models = models
    this.seq++
    this.publish()
  }

  /** This peer's record as published. */
  own (): CapsRecord {
    return {
      seq: Math.max(1, this.seq),
      name: this.init.name,
      version: this.init.version,
      role: this.init.role,
      cpus: cpus().length,
      memoryBytes: totalmem(),
      machine: `${cpus()[0]?.model ?? 'unknown cpu'}, ${process.platform}`,
      models: this.models,
      addrs: this.components.addrs()
    }
  }

  /** The latest record of a peer. */
  get (peer: PeerIdStr): CapsRecord | undefined {
    return this.records.get(peer)
  }

  /** Forgets a peer that left. */
  forget (peer: PeerIdStr): void {
    this.records.delete(peer)
  }

  private publishSoon (): void {
    if (this.timer == null || this.joinTimer != null) return
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined
      this.publish()
    }, this.init.joinPublishDelayMs)
  }

  private publish (): void {
    this.components.gossip.publish(CAPS_TOPIC, encodeCaps(this.own()))
  }

  private receive (from: PeerIdStr, record: CapsRecord): void {
    const known = this.records.get(from)
    if (known != null && known.seq > record.seq) return
    this.records.set(from, record)
    const same = known != null && known.seq === record.seq && known.name === record.name && known.addrs.join() === record.addrs.join()
    if (!same) {
      log('%s (%s): %d model(s), seq %d', record.name, from, record.models.length, record.seq)
      this.onChanged(from, record, known == null)
    }
  }
}
