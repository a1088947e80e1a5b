// Election messages: encode, and decode hostile bytes into a checked message.
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, checkPeerId, checkSize, decodeWith } from '../fields.js'
import { ELECTION_TOPIC, MAX_ELECTION_BYTES } from './constants.js'
import { ElectionKind, ElectionMessage, ElectionRole } from './election.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export type ElectionRoleName = 'follower' | 'candidate' | 'leader' | 'observer'

/** An election message; the sender is the gossip message's signed origin. */
export type ElectionRecord =
  | { kind: 'heartbeat', term: number, role: ElectionRoleName, leader?: string }
  | { kind: 'vote-request', term: number, pre: boolean }
  | { kind: 'vote', term: number, candidate: string, pre: boolean }
  | { kind: 'leave', term: number }

const ROLE_TO_WIRE: Record<ElectionRoleName, ElectionRole> = {
  follower: ElectionRole.FOLLOWER,
  candidate: ElectionRole.CANDIDATE,
  leader: ElectionRole.LEADER,
  observer: ElectionRole.OBSERVER
}

const WIRE_TO_ROLE: Partial<Record<ElectionRole, ElectionRoleName>> = {
  [ElectionRole.FOLLOWER]: 'follower',
  [ElectionRole.CANDIDATE]: 'candidate',
  [ElectionRole.LEADER]: 'leader',
  [ElectionRole.OBSERVER]: 'observer'
}

export function encodeElection (record: ElectionRecord): Uint8Array {
  switch (record.kind) {
    case 'heartbeat':
      return ElectionMessage.encode({ kind: ElectionKind.HEARTBEAT, term: record.term, role: ROLE_TO_WIRE[record.role], leader: record.leader ?? '', candidate: '', pre: false })
    case 'vote-request':
      return ElectionMessage.encode({ kind: ElectionKind.VOTE_REQUEST, term: record.term, role: ElectionRole.CANDIDATE, leader: '', candidate: '', pre: record.pre })
    case 'vote':
      return ElectionMessage.encode({ kind: ElectionKind.VOTE, term: record.term, role: ElectionRole.FOLLOWER, leader: '', candidate: record.candidate, pre: record.pre })
    case 'leave':
      return ElectionMessage.encode({ kind: ElectionKind.LEAVE, term: record.term, role: ElectionRole.FOLLOWER, leader: '', candidate: '', pre: false })
  }
}

/** Decodes and checks an election message; throws MalformedMessageError naming the bad field. */
export function decodeElection (data: Uint8Array | Uint8ArrayList): ElectionRecord {
  checkSize(ELECTION_TOPIC, data, MAX_ELECTION_BYTES)
  const msg = decodeWith(ELECTION_TOPIC, () => ElectionMessage.decode(data))
  checkNumber(ELECTION_TOPIC, 'term', msg.term, { integer: true })
  switch (msg.kind) {
    case ElectionKind.HEARTBEAT: {
      const role = WIRE_TO_ROLE[msg.role]
      if (role == null) throw new MalformedMessageError(ELECTION_TOPIC, `heartbeat role must be FOLLOWER, CANDIDATE, LEADER or OBSERVER, got ${msg.role}`)
      if (msg.leader !== '') checkPeerId(ELECTION_TOPIC, 'leader', msg.leader)
      return { kind: 'heartbeat', term: msg.term, role, leader: msg.leader === '' ? undefined : msg.leader }
    }
    case ElectionKind.VOTE_REQUEST:
      checkNumber(ELECTION_TOPIC, 'term', msg.term, { min: 1, integer: true })
      return { kind: 'vote-request', term: msg.term, pre: msg.pre }
    case ElectionKind.VOTE:
      checkNumber(ELECTION_TOPIC, 'term', msg.term, { min: 1, integer: true })
      checkPeerId(ELECTION_TOPIC, 'candidate', msg.candidate)
      return { kind: 'vote', term: msg.term, candidate: msg.candidate, pre: msg.pre }
    case ElectionKind.LEAVE:
      return { kind: 'leave', term: msg.term }
    default:
      throw new MalformedMessageError(ELECTION_TOPIC, `kind must be HEARTBEAT, VOTE_REQUEST, VOTE or LEAVE, got ${String(msg.kind)}`)
  }
}
