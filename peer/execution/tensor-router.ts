// Moves tensor frames between peers over /tessera/tensor/1.0.0: one stream kept open per peer, frames
// written with backpressure; frames to this peer handed over in-process. Received SLICE
// frames go to the executor; OUTPUT and ERROR frames to the request waiting for them.
import { peerIdFromString } from '@libp2p/peer-id'
import { writeTensorFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { logger } from '../../src/logger.js'
import type { TensorFrame, TensorLimits } from '../../protocols/tensor/codec.js'
import type { TensorSink } from '../../protocols/tensor/handler.js'
import type { PeerIdStr } from '../gossip.js'
import type { MeshNode } from '../node.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

const log = logger('tensor')

export interface TensorRouterInit extends TensorLimits {
  /** Bytes buffered per inbound stream before it is paused (default 4 MiB). */
  highWaterMark?: number
  /** Inbound tensor streams allowed at once per connection (default 256). */
  maxInboundStreams?: number
}

export interface TensorRouterComponents {
  node: MeshNode
}

/** The stream kept open to one peer, and the queue of sends on it. */
interface Channel {
  stream?: Stream
  queue: Promise<void>
}

/** Receives the OUTPUT and ERROR frames of one request. */
export type RequestListener = (frame: TensorFrame, from: PeerIdStr) => void

export class TensorRouter implements TensorSink {
  private readonly components: TensorRouterComponents
  private readonly init: TensorRouterInit
  private readonly requests = new Map<string, RequestListener>()
  private slices?: TensorSink
  private readonly self: PeerIdStr
  private readonly outbound = new Map<PeerIdStr, Channel>()

  constructor (components: TensorRouterComponents, init: TensorRouterInit = {}) {
    this.components = components
    this.init = init
    this.self = components.node.peerId.toString()
  }

  /** Where SLICE frames go. */
  setSliceSink (sink: TensorSink): void {
    this.slices = sink
  }

  async start (): Promise<void> {
    await this.components.node.handle(TENSOR_PROTOCOL, async (stream, connection) => {
      await handleTensorStream(stream, connection.remotePeer.toString(), this, this.init, log)
    }, { maxInboundStreams: this.init.maxInboundStreams ?? 256 })
  }

  async stop (): Promise<void> {
    for (const ch of this.outbound.values()) ch.stream?.abort(new Error('the peer is stopping'))
    this.outbound.clear()
    await this.components.node.unhandle(TENSOR_PROTOCOL)
  }

  /** Routes OUTPUT and ERROR frames of request `requestId` to `listener` until the returned function is called. */
  expect (requestId: string, listener: RequestListener): () => void {
    this.requests.set(requestId, listener)
    return () => {
      if (this.requests.get(requestId) === listener) this.requests.delete(requestId)
    }
  }

  async deliver (frame: TensorFrame, from: PeerIdStr, options?: AbortOptions): Promise<void> {
    if (frame.kind === 'slice') {
      if (this.slices == null) throw new Error('this peer runs no parts')
      await this.slices.deliver(frame, from, options)
      return
    }
    const listener = this.requests.get(frame.requestId)
    if (listener == null) {
      log('dropped %s frame of request %s from %s: no such request waits here', frame.kind, frame.requestId, from)
      return
    }
    listener(frame, from)
  }

  /**
   * Sends frames to a peer, in order, on the one stream kept open to it (to this peer: in-process).
   * Opening a stream per message cost about 5 ms each on loopback; a kept stream carries a small
   * frame in under 1 ms. Frames to one peer queue behind each other (and behind a slow reader).
   */
  async send (peer: PeerIdStr, frames: TensorFrame[], options?: AbortOptions): Promise<void> {
    if (peer === this.self) {
      for (const frame of frames) await this.deliver(frame, this.self, options)
      return
    }
    let channel = this.outbound.get(peer)
    if (channel == null) {
      channel = { stream: undefined, queue: Promise.resolve() }
      this.outbound.set(peer, channel)
    }
    const ch = channel
    const run = ch.queue.then(async () => {
      let stream = await this.streamTo(peer, ch, options)
      if (stream.status !== 'open' || stream.writeStatus !== 'writable') {
        // the kept stream was closed by the other side since it was last used: open another
        ch.stream = undefined
        stream = await this.streamTo(peer, ch, options)
      }
      try {
        for (const frame of frames) await writeTensorFrame(stream, frame, options)
      } catch (err) {
        if (ch.stream === stream) ch.stream = undefined
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        throw err
      }
    })
    // the caller awaits `run` and sees its error; the queue only orders the next send after it
    ch.queue = run.catch((err: Error) => { log('send failed: %s', err.message) })
    await run
  }

  private async streamTo (peer: PeerIdStr, ch: Channel, options?: AbortOptions): Promise<Stream> {
    if (ch.stream != null) return ch.stream
    const stream = await this.components.node.dialProtocol(peerIdFromString(peer), TENSOR_PROTOCOL, { ...options, negotiateFully: false })
    ch.stream = stream
    stream.addEventListener('close', () => {
      if (ch.stream === stream) ch.stream = undefined
    })
    return stream
  }
}
