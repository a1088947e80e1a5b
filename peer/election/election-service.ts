// Runs the election state machine on the mesh: its messages on the election gossip topic, its clock
// the process's monotonic clock, its timers one interval, and connection closes as departures.
import { decodeElection, encodeElection } from '../../protocols/election/codec.js'
import { ELECTION_TOPIC } from '../../protocols/election/constants.js'
import { logger } from '../../src/logger.js'
import { ElectionState } from './election-state.js'
import type { ElectionChange, ElectionInit, ElectionRole, PeerIdStr } from './election-state.js'
import type { Gossip } from '../gossip.js'
import type { Libp2pEvents, TypedEventTarget, PeerId } from '@libp2p/interface'

const log = logger('election')

export interface ElectionServiceInit extends ElectionInit {
  /** How often timers are checked, ms (default 50). */
  tickMs?: number
}

export interface ElectionServiceComponents {
  self: PeerIdStr
  gossip: Gossip
  /** The node's events (peer:disconnect). */
  events: TypedEventTarget<Libp2pEvents>
}

export class ElectionService {
  private readonly state: ElectionState
  private readonly components: ElectionServiceComponents
  private readonly tickMs: number
  private timer?: ReturnType<typeof setInterval>
  private readonly onDisconnect: (evt: CustomEvent<PeerId>) => void

  constructor (components: ElectionServiceComponents, init: ElectionServiceInit, onChange: (change: ElectionChange) => void) {
    this.components = components
    this.tickMs = init.tickMs ?? 50
    this.state = new ElectionState(init, {
      self: components.self,
      now: () => performance.now(),
      random: Math.random,
      send: (msg) => { components.gossip.publish(ELECTION_TOPIC, encodeElection(msg)) }
    }, (change) => {
      if (change.kind === 'leader') log('term %d: leader %s (was %s)', change.term, change.leader ?? 'none', change.previous ?? 'none')
      onChange(change)
    })
    this.onDisconnect = (evt) => { this.state.disconnected(evt.detail.toString()) }
  }

  get term (): number { return this.state.term }
  get leader (): PeerIdStr | undefined { return this.state.leader }
  get role (): ElectionRole { return this.state.role }
  get isLeader (): boolean { return this.state.role === 'leader' }
  members (): PeerIdStr[] { return this.state.members() }

  start (): void {
    this.components.gossip.subscribe({ topic: ELECTION_TOPIC, decode: decodeElection }, (from, msg) => { this.state.receive(from, msg) })
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.state.start()
    this.timer = setInterval(() => { this.state.tick() }, this.tickMs)
  }

  /** Announces the departure (LEAVE) and stops the timers. */
  stop (): void {
    if (this.timer != null) clearInterval(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.state.stop()
  }
}
