// A requester that joins the mesh only to ask: it discovers the peers, listens to the election (never
// voting), and sends each request to the leader over /tessera/infer/1.0.0 (another member if the
// leader cannot be reached).
import { peerIdFromString } from '@libp2p/peer-id'
import { requestInference } from '../../protocols/infer/client.js'
import { INFER_PROTOCOL } from '../../protocols/infer/constants.js'
import { MeshUnavailableError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { ElectionService } from '../election/election-service.js'
import { Gossip } from '../gossip.js'
import { createMeshNode } from '../node.js'
import type { InferRequestRecord, InferResult } from '../../protocols/infer/codec.js'
import type { PeerIdStr } from '../gossip.js'
import type { MeshNode, MeshNodeInit } from '../node.js'
import type { AbortOptions } from '@libp2p/interface'

const log = logger('infer-client')

export class InferClient {
  private constructor (readonly node: MeshNode, private readonly gossip: Gossip, readonly election: ElectionService) {}

  static async create (init: MeshNodeInit = {}): Promise<InferClient> {
    const node = await createMeshNode({ listen: ['/ip4/0.0.0.0/tcp/0'], ...init })
    const gossip = new Gossip({ pubsub: node.services.pubsub })
    const election = new ElectionService({ self: node.peerId.toString(), gossip, events: node }, { observer: true }, () => {})
    gossip.start()
    election.start()
    return new InferClient(node, gossip, election)
  }

  /** Waits until a leader is known. */
  async leader (options: { timeoutMs: number, signal?: AbortSignal }): Promise<PeerIdStr> {
    const deadline = performance.now() + options.timeoutMs
    while (true) {
      options.signal?.throwIfAborted()
      const leader = this.election.leader
      if (leader != null) return leader
      if (performance.now() > deadline) {
        const seen = this.node.getPeers().length
        throw new MeshUnavailableError(`no mesh leader found within ${options.timeoutMs} ms (${seen} peer(s) connected${seen === 0 ? ': is a tessera peer running, and reachable by mDNS or --bootstrap?' : ''})`)
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  /** Runs one inference through the mesh, entering at the leader (or another member if that fails). */
  async infer (request: InferRequestRecord, options: AbortOptions & { timeoutMs: number }): Promise<InferResult> {
    const leader = await this.leader({ timeoutMs: options.timeoutMs, signal: options.signal })
    const candidates = [leader, ...this.election.members().filter(p => p !== leader)]
    let last: any
    for (const peer of candidates) {
      let stream
      try {
        stream = await this.node.dialProtocol(peerIdFromString(peer), INFER_PROTOCOL, { signal: options.signal ?? AbortSignal.timeout(10_000) })
      } catch (err: any) {
        last = err
        log('could not reach %s: %s', peer, err?.message)
        continue
      }
      return await requestInference(stream, request, {}, { signal: options.signal ?? AbortSignal.timeout(options.timeoutMs) })
    }
    throw new MeshUnavailableError(`no mesh peer accepted the request: ${String(last?.message)}`)
  }

  async stop (): Promise<void> {
    this.election.stop()
    this.gossip.stop()
    await this.node.stop()
  }
}
