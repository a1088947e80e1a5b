// The libp2p node a peer runs on: TCP, noise, yamux, identify, ping, gossipsub, and mDNS discovery
// when asked for. Discovered and bootstrap peers are dialled (libp2p 3 does not dial on its own).
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { toString } from 'uint8arrays/to-string'
import { InvalidInputError } from '../src/errors.js'
import { logger } from '../src/logger.js'
import { coalescedNoise } from './coalesced-noise.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('node')

export type MeshServices = { identify: Identify, ping: Ping, pubsub: GossipSub }
export type MeshNode = Libp2p<MeshServices>

export interface MeshNodeInit {
  /** Multiaddrs to listen on (default: every IPv4 interface, a free port). */
  listen?: string[]
  /** Discover peers with mDNS (default true). */
  mdns?: boolean
  /**
   * mDNS query interval, ms (default 10000, the library's). A starting peer queries at once, and every
   * other peer's answer reaches everyone (multicast), so a newcomer finds the mesh at start whatever the
   * interval; later queries only find peers again after a partition. Each query costs every peer its
   * answers' parsing and peer-store writes: at 2000 ms with five peers, mDNS took 8% of an idle testbed
   * follower's event loop and the peer store, which every answer writes to, 10% (docs/benchmarks.md).
   */
  mdnsIntervalMs?: number
  /** Multiaddrs (with /p2p/<id>) dialled at start and re-dialled while not connected. */
  bootstrap?: string[]
  /** How often bootstrap peers are re-dialled while disconnected, ms (default 2000). */
  bootstrapIntervalMs?: number
  privateKey?: PrivateKey
}

/**
 * TCP socket options (passed through to net.connect and net.createServer). With Node's default 16 KiB
 * write high-water mark every write of a batch reports the socket full, so noise encrypts the next
 * batch only after the kernel took the last one, while the receiver waits for it; 4 MiB lets the
 * sender encrypt ahead (at most that much waits in the socket per connection). noDelay is the
 * transport's own default.
 */
const SOCKET_OPTIONS = { noDelay: true, highWaterMark: 4 * 1024 * 1024 }

/** Parses multiaddr flags, naming the bad one. */
export function parseMultiaddrs (values: string[], flag: string): Multiaddr[] {
  return values.map((v) => {
    try {
      return multiaddr(v)
    } catch (err: any) {
      throw new InvalidInputError(`${flag}: "${v}" is not a multiaddr (${err?.message as string})`)
    }
  })
}

/**
 * A gossip message's id before its signature is checked: its publisher and sequence number (what
 * gossipsub's own id is made of under strict signing). Every message reaches a peer once from its
 * publisher and again from each other peer that forwards it; with this id the copies are dropped
 * before their ed25519 signature is verified again. Only a message that passed validation enters the
 * cache, so a forged copy can only be dropped, never accepted.
 */
export function gossipFastMsgId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  if (msg.from == null || msg.seqno == null) return ''
  return toString(msg.from, 'base64url') + '.' + toString(msg.seqno, 'base64url')
}

/** Creates and starts the node. */
export async function createMeshNode (init: MeshNodeInit = {}): Promise<MeshNode> {
  const listen = parseMultiaddrs(init.listen ?? ['/ip4/0.0.0.0/tcp/0'], '--listen').map(String)
  const bootstrap = parseMultiaddrs(init.bootstrap ?? [], '--bootstrap')
  const node = await createLibp2p({
    ...(init.privateKey != null ? { privateKey: init.privateKey } : {}),
    addresses: { listen },
    transports: [tcp({ dialOpts: SOCKET_OPTIONS, listenOpts: SOCKET_OPTIONS })],
    // noise as it is, its encrypted messages written to the socket in one write per batch
    connectionEncrypters: [coalescedNoise()],
    // a tensor slice is megabytes sent on a fresh stream: starting at yamux's 256 KiB window it would
    // wait several round trips for the window to grow; the reader pauses a stream it cannot keep up with
    streamMuxers: [yamux({ streamOptions: { initialStreamWindowSize: 4 * 1024 * 1024, maxStreamWindowSize: 16 * 1024 * 1024, maxReadBufferLength: 32 * 1024 * 1024 } })],
    peerDiscovery: init.mdns === false ? [] : [mdns({ interval: init.mdnsIntervalMs ?? 10_000 })],
    // the connection monitor pings every connection on a new stream at the library's 10 s; the election's
    // heartbeats (docs/election.md) notice a silent member well before that
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        floodPublish: true,
        // the mesh is a handful of peers on one network: keep gossip quick
        heartbeatInterval: 500,
        fastMsgIdFn: gossipFastMsgId
      })
    }
  })
  node.addEventListener('peer:discovery', (evt) => {
    const { id, multiaddrs } = evt.detail
    if (id.equals(node.peerId) || node.getConnections(id).length > 0) return
    log('discovered %p at %s', id, multiaddrs.map(String).join(', '))
    node.dial(id).catch((err: Error) => { log('dial of discovered %p failed: %s', id, err.message) })
  })
  if (bootstrap.length > 0) {
    const dialBootstrap = (): void => {
      for (const addr of bootstrap) {
        const peer = addr.getComponents().find(c => c.name === 'p2p')?.value
        if (peer != null && peer === node.peerId.toString()) continue
        if (peer != null && node.getConnections().some(c => c.remotePeer.toString() === peer)) continue
        node.dial(addr).catch((err: Error) => { log('dial of bootstrap %s failed: %s', addr.toString(), err.message) })
      }
    }
    dialBootstrap()
    const timer = setInterval(dialBootstrap, init.bootstrapIntervalMs ?? 2000)
    timer.unref()
    node.addEventListener('stop', () => { clearInterval(timer) })
  }
  return node
}
