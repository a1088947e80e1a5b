// A Tessera peer: the libp2p node with every mesh service wired together. Membership and leadership
// come from the election, capabilities and links from gossip, plans from the leader; this peer runs
// its share of each plan and serves inference requests that arrive at it.
import { hostname } from 'node:os'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { INFER_PROTOCOL } from '../protocols/infer/constants.js'
import { handleInferStream } from '../protocols/infer/handler.js'
import { MODEL_PROTOCOL } from '../protocols/model/constants.js'
import { handleModelStream } from '../protocols/model/handler.js'
import { logger } from '../src/logger.js'
import { sha256Hex } from '../protocols/caps/codec.js'
import { CapsService } from './capabilities/caps-service.js'
import { ProfileCache } from './capabilities/profile-cache.js'
import type { SpeedCheck } from './capabilities/profile-cache.js'
import { ElectionService } from './election/election-service.js'
import { Emitter } from './emitter.js'
import { Executor } from './execution/executor.js'
import { TensorRouter } from './execution/tensor-router.js'
import { Gossip } from './gossip.js'
import { LinkService } from './links/link-service.js'
import { ModelStore } from './models/model-store.js'
import { createMeshNode } from './node.js'
import { PlanService } from './planning/plan-service.js'
import { Coordinator } from './requester/coordinator.js'
import { TESSERA_VERSION } from './version.js'
import type { ProfileProgress } from './capabilities/profile-cache.js'
import type { ElectionInit } from './election/election-state.js'
import type { CapsRecord, HeldModelRecord } from '../protocols/caps/codec.js'
import type { PeerIdStr } from './gossip.js'
import type { HeldModel } from './models/model-store.js'
import type { MeshNode, MeshNodeInit } from './node.js'
import type { PlanEvents, PlanServiceInit } from './planning/plan-service.js'
import type { CoordinatorEvents, CoordinatorInit } from './requester/coordinator.js'
import type { LinkServiceInit } from './links/link-service.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('peer')

/** A peer counts as running inference until this long after its last request (requests come in bursts). */
const BUSY_LINGER_MS = 2000

export interface TesseraPeerInit extends MeshNodeInit {
  /** The device name plans use (default: the host name and a short peer id). */
  name?: string
  /** Models to serve (built-in names or .onnx paths). None: serve what the mesh serves. */
  models?: string[]
  /** Input shape for the models (default: each model's own). */
  inputShape?: number[]
  /** onnxruntime threads per part (default 1). */
  threads?: number
  /** Timed runs per profile point (default 3). */
  profileRepeats?: number
  /** Where measured profiles are cached. */
  profileDir?: string
  /** Check a cached profile against the machine's speed now (default true; ProfileCacheInit.speedCheck). */
  profileSpeedCheck?: boolean
  planning?: PlanServiceInit
  election?: ElectionInit
  links?: LinkServiceInit
  requests?: CoordinatorInit
}

export interface PeerEvents extends PlanEvents, CoordinatorEvents {
  /** A peer joined the mesh (its capabilities arrived). */
  joined: { peer: PeerIdStr, name: string, models: string[] }
  /** A peer left the mesh. */
  left: { peer: PeerIdStr, name?: string }
  /** Leadership moved (leader undefined: an election is on). */
  leader: { term: number, leader?: PeerIdStr, name?: string, self: boolean }
  /** Profiling progress. */
  profile: { model: string, progress?: ProfileProgress, cached?: boolean, done?: boolean, speed?: SpeedCheck }
  /** A model became available here. */
  model: { name: string, sha256: string, how: 'loaded' | 'obtained' }
}

export class TesseraPeer {
  readonly events = new Emitter<PeerEvents>()
  readonly node: MeshNode
  readonly name: string
  readonly models = new ModelStore()
  readonly election: ElectionService
  readonly caps: CapsService
  readonly links: LinkService
  readonly plans: PlanService
  readonly executor: Executor
  readonly router: TensorRouter
  readonly coordinator: Coordinator
  private readonly gossip: Gossip
  private readonly profiles: ProfileCache
  private readonly init: TesseraPeerInit
  private readonly held = new Map<string, HeldModelRecord>()
  private readonly names = new Map<PeerIdStr, string>()
  private readonly obtaining = new Set<string>()
  private stopping = false
  /** Profiles being measured (or read) now. */
  private profiling = 0

  private constructor (node: MeshNode, init: TesseraPeerInit) {
    this.node = node
    this.init = init
    const self = node.peerId.toString()
    this.name = init.name ?? `${hostname().replace(/[^\w.-]/g, '_')}-${self.slice(-6)}`
    this.gossip = new Gossip({ pubsub: node.services.pubsub })
    this.profiles = new ProfileCache({ dir: init.profileDir, threads: init.threads, repeats: init.profileRepeats, speedCheck: init.profileSpeedCheck })
    this.election = new ElectionService({ self, gossip: this.gossip, events: node }, init.election ?? {}, (change) => {
      if (change.kind === 'leader') {
        this.events.emit('leader', { term: change.term, leader: change.leader, name: change.leader == null ? undefined : this.nameOf(change.leader), self: change.leader === self })
        this.plans.onElectionChange()
        if (change.leader === self) this.plans.trigger('elected leader')
      } else {
        for (const peer of change.left) {
          this.events.emit('left', { peer, name: this.names.get(peer) })
          this.caps.forget(peer)
          this.links.forget(peer)
        }
        if (change.joined.length > 0) this.links.probeSoon()
        this.plans.onElectionChange()
        this.plans.trigger(change.left.length > 0 ? `${change.left.map(p => this.nameOf(p)).join(', ')} left` : `${change.joined.map(p => this.nameOf(p)).join(', ')} joined`)
      }
    })
    this.caps = new CapsService({ gossip: this.gossip, addrs: () => node.getMultiaddrs().map(String) }, { name: this.name, role: 'provider', version: TESSERA_VERSION }, (peer, record, first) => {
      this.names.set(peer, record.name)
      this.connect(peer, record.addrs)
      if (first) this.events.emit('joined', { peer, name: record.name, models: record.models.map(m => m.name) })
      this.adoptModels(peer, record)
      this.plans.trigger(`${record.name} updated its capabilities`)
    })
    this.links = new LinkService({ node, gossip: this.gossip, peers: () => this.election.members(), busy: () => this.busy() }, init.links ?? {}, () => {
      this.plans.trigger('links measured')
    })
    this.router = new TensorRouter({ node })
    this.executor = new Executor({ self, router: this.router }, { threads: init.threads })
    this.router.setSliceSink(this.executor)
    this.plans = new PlanService({ self, node, gossip: this.gossip, election: this.election, caps: this.caps, links: this.links, models: this.models, executor: this.executor, events: this.events }, init.planning)
    this.coordinator = new Coordinator({ self, router: this.router, plans: this.plans, models: this.models, events: node, emitter: this.events }, init.requests)
  }

  /** Creates the node, loads the models, starts every service; profiling continues in the background. */
  static async create (init: TesseraPeerInit = {}): Promise<TesseraPeer> {
    const node = await createMeshNode(init)
    const peer = new TesseraPeer(node, init)
    try {
      await peer.start()
    } catch (err) {
      await node.stop()
      throw err
    }
    return peer
  }

  get peerId (): PeerIdStr {
    return this.node.peerId.toString()
  }

  /** Running inference (a part, a tail or a request it coordinates; or did moments ago), planning, preparing a plan or profiling: link probes would measure this peer's CPU, not the link. */
  private busy (): boolean {
    return Math.min(this.executor.idleForMs(), this.coordinator.idleForMs()) < BUSY_LINGER_MS || this.plans.isPlanning() || this.plans.isPreparing() || this.profiling > 0
  }

  /** The name a peer advertises (its short id until its capabilities arrive). */
  nameOf (peer: PeerIdStr): string {
    if (peer === this.peerId) return this.name
    return this.names.get(peer) ?? peer.slice(-8)
  }

  private async start (): Promise<void> {
    const loaded: HeldModel[] = []
    for (const spec of this.init.models ?? []) loaded.push(await this.models.add(spec, this.init.inputShape))
    this.gossip.start()
    await this.router.start()
    this.executor.start()
    await this.node.handle(INFER_PROTOCOL, async (stream, connection) => {
      await handleInferStream(stream, connection.remotePeer.toString(), this.coordinator, {}, log)
    }, { maxInboundStreams: 16 })
    await this.node.handle(MODEL_PROTOCOL, async (stream, connection) => {
      await handleModelStream(stream, connection.remotePeer.toString(), this.models, log, { signal: AbortSignal.timeout(10 * 60_000) })
    }, { maxInboundStreams: 4 })
    this.caps.start()
    await this.links.start()
    this.plans.start()
    this.election.start()
    for (const m of loaded) {
      this.events.emit('model', { name: m.name, sha256: m.sha256, how: 'loaded' })
      this.profileModel(m)
    }
  }

  /** Measures (or reads the cached) profile of a model, then advertises the model with it. */
  private profileModel (model: HeldModel): void {
    this.plans.warm()
    this.held.set(model.sha256, { name: model.name, sha256: model.sha256, inputShape: model.inputShape, profile: new Uint8Array(0), profileSha256: '' })
    this.caps.setModels([...this.held.values()])
    this.profiling++
    this.profiles.get(model.graph, model.path, {
      onProgress: (progress) => { this.events.emit('profile', { model: model.name, progress }) }
    }).then(({ json, fresh, speed }) => {
      const profile = new Uint8Array(json)
      this.held.set(model.sha256, { name: model.name, sha256: model.sha256, inputShape: model.inputShape, profile, profileSha256: sha256Hex(profile) })
      this.events.emit('profile', { model: model.name, cached: !fresh, done: true, ...(speed != null ? { speed } : {}) })
      this.caps.setModels([...this.held.values()])
      // gossip does not bring a peer its own record: a leader alone would otherwise plan only once another peer came
      this.plans.trigger(`${this.name} updated its capabilities`)
    }).catch((err: Error) => {
      if (!this.stopping) log('profiling %s failed: %s', model.name, err.message)
    }).finally(() => { this.profiling-- })
  }

  /**
   * Records a member's advertised addresses and connects to it: plans send tensors between any two
   * members, and peers that met through a bootstrap peer may not be connected to each other yet.
   */
  private connect (peer: PeerIdStr, addrs: string[]): void {
    if (this.stopping || peer === this.peerId) return
    let id
    const known: Multiaddr[] = []
    try {
      id = peerIdFromString(peer)
      for (const a of addrs) known.push(multiaddr(a))
    } catch (err: any) {
      log('ignoring the addresses %s advertised: %s', peer, err.message)
      return
    }
    this.node.peerStore.merge(id, { multiaddrs: known }).then(async () => {
      if (this.node.getConnections(id).length === 0 && !this.stopping) await this.node.dial(id)
    }).catch((err: Error) => { log('could not connect to %s: %s', peer, err.message) })
  }

  /** A peer started with no model serves what the mesh serves: it fetches (or regenerates) those models. */
  private adoptModels (from: PeerIdStr, record: CapsRecord): void {
    if ((this.init.models ?? []).length > 0 || record.role !== 'provider') return
    for (const m of record.models) {
      if (this.models.get(m.sha256) != null || this.obtaining.has(m.sha256)) continue
      this.obtaining.add(m.sha256)
      this.models.obtain(m, [async (options) => await this.node.dialProtocol(peerIdFromString(from), MODEL_PROTOCOL, options)]).then((model) => {
        this.events.emit('model', { name: model.name, sha256: model.sha256, how: 'obtained' })
        this.profileModel(model)
      }).catch((err: Error) => {
        log('could not obtain %s from %s: %s', m.name, from, err.message)
      }).finally(() => { this.obtaining.delete(m.sha256) })
    }
  }

  /** Leaves the mesh cleanly: announces the departure, stops every service and the node. */
  async stop (): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.election.stop()
    // give the LEAVE message a moment to go out before the connections close
    await new Promise(resolve => setTimeout(resolve, 150))
    await this.plans.stop()
    await this.links.stop()
    this.caps.stop()
    await this.executor.stop()
    await this.router.stop()
    this.gossip.stop()
    await this.node.stop()
  }
}
