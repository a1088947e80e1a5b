// Leader election as a pure state machine: Raft's election (terms, one vote per term, a quorum of
// votes) with pre-vote and leader stickiness, over a broadcast channel, with membership taken from
// heartbeats. The clock, randomness and the channel are injected, so it runs the same under a test's
// fake clock as on the mesh. docs/election.md states the algorithm and what it guarantees.
import type { ElectionRecord, ElectionRoleName } from '../../protocols/election/codec.js'

/** A peer id as a string. */
export type PeerIdStr = string

export interface ElectionInit {
  /** How often the leader announces itself, ms (default 400): followers time it out after electionTimeoutMs. */
  heartbeatIntervalMs?: number
  /**
   * How often a follower or candidate announces itself, ms (default 1000): only memberTtlMs hangs on it. Every
   * heartbeat is a signed gossip message every other member decrypts, decodes and checks; at 400 ms from
   * every member an idle mesh of four spent 42 ms of CPU a second on each peer, at 1000 ms from followers 33.
   */
  followerHeartbeatIntervalMs?: number
  /** A follower that has not heard its leader for a random time in this range stands, ms (default [2000, 3000]). */
  electionTimeoutMs?: readonly [number, number]
  /** A member not heard from for this long is dropped, ms (default 3500: three follower heartbeats and a half). */
  memberTtlMs?: number
  /** How long a candidate waits for a quorum before giving up the round, ms (default 600). */
  voteRoundMs?: number
  /** A starting peer listens this long before it may stand, ms (default 2000). */
  startupGraceMs?: number
  /** Extra delay per rank when the leader is known to be gone (lower peer ids stand first), ms (default 150). */
  rankDelayMs?: number
  /** Listen only: never vote, never stand, never counted (requesters). */
  observer?: boolean
}

export interface ElectionComponents {
  self: PeerIdStr
  /** Milliseconds, monotonic. */
  now: () => number
  /** Uniform in [0, 1). */
  random: () => number
  /** Broadcasts a message to every member. */
  send: (message: ElectionRecord) => void
}

export type ElectionChange =
  | { kind: 'leader', term: number, leader?: PeerIdStr, previous?: PeerIdStr }
  | { kind: 'members', members: PeerIdStr[], joined: PeerIdStr[], left: PeerIdStr[] }

export type ElectionRole = Exclude<ElectionRoleName, 'observer'> | 'observer'

interface Candidacy {
  pre: boolean
  term: number
  votes: Set<PeerIdStr>
  deadline: number
}

export const ELECTION_DEFAULTS = {
  heartbeatIntervalMs: 400,
  followerHeartbeatIntervalMs: 1000,
  electionTimeoutMs: [2000, 3000] as const,
  memberTtlMs: 3500,
  voteRoundMs: 600,
  startupGraceMs: 2000,
  rankDelayMs: 150
}

export class ElectionState {
  private readonly config: Required<Omit<ElectionInit, 'observer'>> & { observer: boolean }
  private readonly c: ElectionComponents
  private readonly onChange: (change: ElectionChange) => void
  private currentTerm = 0
  private votedFor?: PeerIdStr
  private currentRole: ElectionRole
  private currentLeader?: PeerIdStr
  private leaderContact = -Infinity
  private readonly lastSeen = new Map<PeerIdStr, number>()
  private candidacy?: Candidacy
  private electionDeadline = Infinity
  private nextHeartbeat = -Infinity
  private startedAt = -Infinity
  private stopped = false

  constructor (init: ElectionInit, components: ElectionComponents, onChange: (change: ElectionChange) => void) {
    this.config = {
      heartbeatIntervalMs: init.heartbeatIntervalMs ?? ELECTION_DEFAULTS.heartbeatIntervalMs,
      followerHeartbeatIntervalMs: init.followerHeartbeatIntervalMs ?? ELECTION_DEFAULTS.followerHeartbeatIntervalMs,
      electionTimeoutMs: init.electionTimeoutMs ?? ELECTION_DEFAULTS.electionTimeoutMs,
      memberTtlMs: init.memberTtlMs ?? ELECTION_DEFAULTS.memberTtlMs,
      voteRoundMs: init.voteRoundMs ?? ELECTION_DEFAULTS.voteRoundMs,
      startupGraceMs: init.startupGraceMs ?? ELECTION_DEFAULTS.startupGraceMs,
      rankDelayMs: init.rankDelayMs ?? ELECTION_DEFAULTS.rankDelayMs,
      observer: init.observer ?? false
    }
    const [lo, hi] = this.config.electionTimeoutMs
    if (!(lo > 0 && hi >= lo)) throw new RangeError(`electionTimeoutMs must be [min, max] with 0 < min <= max, got [${lo}, ${hi}]`)
    if (this.config.heartbeatIntervalMs * 2 > lo) throw new RangeError('heartbeatIntervalMs must be at most half the minimum election timeout')
    if (this.config.followerHeartbeatIntervalMs * 2 > this.config.memberTtlMs) throw new RangeError('followerHeartbeatIntervalMs must be at most half memberTtlMs')
    this.c = components
    this.onChange = onChange
    this.currentRole = this.config.observer ? 'observer' : 'follower'
  }

  get term (): number { return this.currentTerm }
  get role (): ElectionRole { return this.currentRole }
  get leader (): PeerIdStr | undefined { return this.currentLeader }
  get self (): PeerIdStr { return this.c.self }

  /** Live members (self included unless observing), sorted. */
  members (): PeerIdStr[] {
    const now = this.c.now()
    const out: PeerIdStr[] = []
    for (const [peer, seen] of this.lastSeen) if (now - seen <= this.config.memberTtlMs) out.push(peer)
    if (!this.config.observer) out.push(this.c.self)
    return out.sort()
  }

  /** Begins: the peer listens for a grace period, then may stand. */
  start (): void {
    const now = this.c.now()
    this.startedAt = now
    this.stopped = false
    const [lo, hi] = this.config.electionTimeoutMs
    this.electionDeadline = now + this.config.startupGraceMs + this.c.random() * (hi - lo)
    if (!this.config.observer) this.sendHeartbeat(now)
  }

  /** Announces a clean departure; the state stays inert afterwards. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    if (!this.config.observer) this.c.send({ kind: 'leave', term: this.currentTerm })
  }

  /** A connection to `peer` closed: it is gone now, not after its TTL. */
  disconnected (peer: PeerIdStr): void {
    if (this.stopped || !this.lastSeen.has(peer)) return
    this.removeMember(peer)
  }

  /** Handles one message from `from` (its authenticated sender). */
  receive (from: PeerIdStr, msg: ElectionRecord): void {
    if (this.stopped || from === this.c.self) return
    const now = this.c.now()
    if (msg.kind === 'leave') {
      if (this.lastSeen.has(from)) this.removeMember(from)
      return
    }
    if (msg.kind === 'heartbeat' && msg.role === 'observer') return
    this.touch(from, now)
    switch (msg.kind) {
      case 'heartbeat':
        this.onHeartbeat(from, msg.term, msg.role, now)
        break
      case 'vote-request':
        this.onVoteRequest(from, msg.term, msg.pre, now)
        break
      case 'vote':
        this.onVote(from, msg.term, msg.candidate, msg.pre)
        break
    }
  }

  /** Advances timers: heartbeats, member expiry, election timeouts. Call often (every ~50-100 ms). */
  tick (): void {
    if (this.stopped) return
    const now = this.c.now()
    for (const [peer, seen] of [...this.lastSeen]) {
      if (now - seen > this.config.memberTtlMs) this.removeMember(peer)
    }
    if (this.config.observer) return
    if (now >= this.nextHeartbeat) this.sendHeartbeat(now)
    if (this.currentRole === 'leader') return
    if (this.candidacy != null && now >= this.candidacy.deadline) {
      // no quorum this round: back off a random part of a round, then try again if still leaderless
      this.candidacy = undefined
      if (this.currentRole === 'candidate') this.currentRole = 'follower'
      this.electionDeadline = now + this.config.voteRoundMs * (0.5 + this.c.random())
    }
    if (this.candidacy == null && now >= this.electionDeadline && now >= this.startedAt + this.config.startupGraceMs && !this.hasLiveLeader(now)) {
      this.startPreVote(now)
    }
  }

  private onHeartbeat (from: PeerIdStr, term: number, role: ElectionRoleName, now: number): void {
    const fromLeader = role === 'leader'
    if (term > this.currentTerm && (fromLeader || !this.hasLiveLeader(now))) this.stepDown(term)
    if (!fromLeader || term !== this.currentTerm) return
    if (this.currentRole === 'leader') {
      // two leaders of one term (views that split and healed): the lower peer id keeps it
      if (from < this.c.self) this.follow(from, now)
      return
    }
    if (this.currentLeader == null || this.currentLeader === from || from < this.currentLeader || !this.hasLiveLeader(now)) {
      this.follow(from, now)
    }
  }

  private onVoteRequest (candidate: PeerIdStr, term: number, pre: boolean, now: number): void {
    if (this.config.observer) return
    const leaderLive = this.hasLiveLeader(now)
    if (pre) {
      // a pre-vote changes nothing here: it only says whether a real vote would be granted
      if (term > this.currentTerm && !leaderLive) this.c.send({ kind: 'vote', term, candidate, pre: true })
      return
    }
    // leader stickiness: while our leader is live, a vote request neither moves our term nor wins our vote
    if (leaderLive) return
    if (term > this.currentTerm) this.stepDown(term)
    if (term === this.currentTerm && (this.votedFor == null || this.votedFor === candidate)) {
      this.votedFor = candidate
      this.electionDeadline = now + this.randomTimeout()
      this.c.send({ kind: 'vote', term, candidate, pre: false })
    }
  }

  private onVote (from: PeerIdStr, term: number, candidate: PeerIdStr, pre: boolean): void {
    const c = this.candidacy
    if (candidate !== this.c.self || c == null || c.pre !== pre || c.term !== term) return
    if (!pre && this.currentRole !== 'candidate') return
    c.votes.add(from)
    this.checkQuorum()
  }

  private startPreVote (now: number): void {
    this.candidacy = { pre: true, term: this.currentTerm + 1, votes: new Set([this.c.self]), deadline: now + this.config.voteRoundMs }
    this.c.send({ kind: 'vote-request', term: this.currentTerm + 1, pre: true })
    this.checkQuorum()
  }

  private startElection (now: number): void {
    this.currentTerm += 1
    this.votedFor = this.c.self
    this.currentRole = 'candidate'
    const previous = this.currentLeader
    this.currentLeader = undefined
    this.candidacy = { pre: false, term: this.currentTerm, votes: new Set([this.c.self]), deadline: now + this.config.voteRoundMs }
    if (previous != null) this.onChange({ kind: 'leader', term: this.currentTerm, previous })
    this.c.send({ kind: 'vote-request', term: this.currentTerm, pre: false })
    this.checkQuorum()
  }

  private checkQuorum (): void {
    const c = this.candidacy
    if (c == null) return
    const members = this.members()
    const granted = members.filter(m => c.votes.has(m)).length
    if (granted < Math.floor(members.length / 2) + 1) return
    const now = this.c.now()
    if (c.pre) {
      this.startElection(now)
    } else {
      this.candidacy = undefined
      this.currentRole = 'leader'
      const previous = this.currentLeader
      this.currentLeader = this.c.self
      this.leaderContact = now
      this.sendHeartbeat(now)
      this.onChange({ kind: 'leader', term: this.currentTerm, leader: this.c.self, previous })
    }
  }

  private follow (leader: PeerIdStr, now: number): void {
    const previous = this.currentLeader
    this.currentLeader = leader
    this.leaderContact = now
    this.currentRole = this.config.observer ? 'observer' : 'follower'
    this.candidacy = undefined
    this.electionDeadline = now + this.randomTimeout()
    if (previous !== leader) this.onChange({ kind: 'leader', term: this.currentTerm, leader, previous })
  }

  /** A higher term was seen: adopt it as a follower with no leader and no vote yet. */
  private stepDown (term: number): void {
    const previous = this.currentLeader
    this.currentTerm = term
    this.votedFor = undefined
    this.candidacy = undefined
    this.currentRole = this.config.observer ? 'observer' : 'follower'
    this.currentLeader = undefined
    if (previous != null) this.onChange({ kind: 'leader', term, previous })
  }

  private hasLiveLeader (now: number): boolean {
    if (this.currentLeader == null) return false
    if (this.currentLeader === this.c.self) return this.currentRole === 'leader'
    return this.lastSeen.has(this.currentLeader) && now - this.leaderContact < this.config.electionTimeoutMs[0]
  }

  private touch (peer: PeerIdStr, now: number): void {
    const known = this.lastSeen.has(peer)
    this.lastSeen.set(peer, now)
    if (!known) {
      this.onChange({ kind: 'members', members: this.members(), joined: [peer], left: [] })
      // a newcomer may change what a quorum is
      this.checkQuorum()
    }
  }

  private removeMember (peer: PeerIdStr): void {
    this.lastSeen.delete(peer)
    const now = this.c.now()
    if (peer === this.currentLeader) {
      const previous = this.currentLeader
      this.currentLeader = undefined
      // the leader is known to be gone: stand soon, lower ids first, rather than wait out a timeout
      const rank = Math.max(0, this.members().indexOf(this.c.self))
      this.electionDeadline = now + rank * this.config.rankDelayMs + this.c.random() * this.config.rankDelayMs
      this.onChange({ kind: 'leader', term: this.currentTerm, previous })
    }
    this.onChange({ kind: 'members', members: this.members(), joined: [], left: [peer] })
    this.checkQuorum()
  }

  private sendHeartbeat (now: number): void {
    this.nextHeartbeat = now + (this.currentRole === 'leader' ? this.config.heartbeatIntervalMs : this.config.followerHeartbeatIntervalMs)
    if (this.currentRole === 'leader') this.leaderContact = now
    this.c.send({ kind: 'heartbeat', term: this.currentTerm, role: this.currentRole === 'observer' ? 'observer' : this.currentRole, leader: this.currentLeader })
  }

  private randomTimeout (): number {
    const [lo, hi] = this.config.electionTimeoutMs
    return lo + this.c.random() * (hi - lo)
  }
}
