// Moves tensor frames between peers over /tessera/tensor/1.0.0: one stream per message (frames to a
// peer are written with backpressure), frames to this peer handed over in-process. Received SLICE
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
import type { AbortOptions } from '@libp2p/interface'

const log = logger('tensor')

export interface TensorRouterInit extends TensorLimits {
  /** Bytes buffered per inbound stream before it is paused (default 1 MiB). */
  highWaterMark?: number
  /** Inbound tensor streams allowed at once per connection (default 256). */
  maxInboundStreams?: number
}

export interface TensorRouterComponents {
  node: MeshNode
}

/** Receives the OUTPUT and ERROR frames of one request. */
export type RequestListener = (frame: TensorFrame, from: PeerIdStr) => void

export class TensorRouter implements TensorSink {
  private readonly components: TensorRouterComponents
  private readonly init: TensorRouterInit
  private readonly requests = new Map<string, RequestListener>()
  private slices?: TensorSink
  private readonly self: PeerIdStr

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

  /** Sends frames to a peer in order on one stream (to this peer: delivered in-process). */
  async send (peer: PeerIdStr, frames: TensorFrame[], options?: AbortOptions): Promise<void> {
    if (peer === this.self) {
      for (const frame of frames) await this.deliver(frame, this.self, options)
      return
    }
    const stream = await this.components.node.dialProtocol(peerIdFromString(peer), TENSOR_PROTOCOL, { ...options, negotiateFully: false })
    try {
      for (const frame of frames) await writeTensorFrame(stream, frame, options)
      await stream.close(options)
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }
}
