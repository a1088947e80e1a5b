// Typed gossip topics over gossipsub: each topic has a decoder that assumes hostile bytes; a message
// that fails to decode is dropped with a logged reason (and gossipsub is told to reject it, so it
// is not forwarded). Only signed messages are accepted: their sender is authenticated.
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { logger } from '../src/logger.js'
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = logger('gossip')

/** A peer id as a string. */
export type PeerIdStr = string
/** A gossip topic name. */
export type TopicStr = string

export interface TopicSpec<T> {
  topic: TopicStr
  decode: (data: Uint8Array | Uint8ArrayList) => T
}

export interface GossipComponents {
  pubsub: GossipSub
}

type Handler = (from: PeerIdStr, data: Uint8Array) => void
type JoinHandler = (peer: PeerIdStr) => void

/** Publishes and receives typed records on gossip topics. */
export class Gossip {
  private readonly pubsub: GossipSub
  private readonly handlers = new Map<TopicStr, Handler>()
  private readonly joinHandlers = new Map<TopicStr, JoinHandler[]>()
  private readonly onMessage: (evt: CustomEvent<Message>) => void
  private readonly onSubscriptionChange: (evt: CustomEvent<SubscriptionChangeData>) => void
  private started = false

  constructor (components: GossipComponents) {
    this.pubsub = components.pubsub
    this.onMessage = (evt) => {
      const msg = evt.detail
      const handler = this.handlers.get(msg.topic)
      if (handler == null) return
      if (msg.type !== 'signed') {
        log('dropped an unsigned message on %s', msg.topic)
        return
      }
      handler(msg.from.toString(), msg.data)
    }
    this.onSubscriptionChange = (evt) => {
      const peer = evt.detail.peerId.toString()
      for (const sub of evt.detail.subscriptions) {
        if (!sub.subscribe) continue
        for (const h of this.joinHandlers.get(sub.topic) ?? []) {
          try {
            h(peer)
          } catch (err: any) {
            log('handling %s subscribing to %s failed: %s: %s', peer, sub.topic, err?.name, err?.message)
          }
        }
      }
    }
  }

  start (): void {
    if (this.started) return
    this.started = true
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    for (const topic of this.handlers.keys()) {
      this.pubsub.unsubscribe(topic)
      this.pubsub.topicValidators.delete(topic)
    }
    this.handlers.clear()
    this.joinHandlers.clear()
  }

  /** Subscribes to a topic; `onRecord` gets every valid record with its authenticated sender. */
  subscribe<T> (spec: TopicSpec<T>, onRecord: (from: PeerIdStr, record: T) => void): void {
    // rejected here, a message is neither delivered nor forwarded to other peers
    this.pubsub.topicValidators.set(spec.topic, (peer, msg) => {
      if (msg.type !== 'signed') return TopicValidatorResult.Reject
      try {
        spec.decode(msg.data)
        return TopicValidatorResult.Accept
      } catch (err: any) {
        log('rejected a message on %s from %s (relayed by %p): %s: %s', spec.topic, msg.from.toString(), peer, err?.name, err?.message)
        return TopicValidatorResult.Reject
      }
    })
    this.handlers.set(spec.topic, (from, data) => {
      let record: T
      try {
        record = spec.decode(data)
      } catch (err: any) {
        log('dropped a message on %s from %s: %s: %s', spec.topic, from, err?.name, err?.message)
        return
      }
      try {
        onRecord(from, record)
      } catch (err: any) {
        log('handling a message on %s from %s failed: %s: %s', spec.topic, from, err?.name, err?.message)
      }
    })
    this.pubsub.subscribe(spec.topic)
  }

  /**
   * Calls `onJoin` with every peer that subscribes to `topic`: one that connected, or one already connected
   * that subscribed later. Gossip keeps no history, so a record published before a peer subscribed never
   * reaches it: this is when to publish again what a newcomer must know.
   */
  onSubscribe (topic: TopicStr, onJoin: (peer: PeerIdStr) => void): void {
    this.joinHandlers.set(topic, [...(this.joinHandlers.get(topic) ?? []), onJoin])
  }

  /** Publishes bytes; failures are logged (gossip is best effort, the next round repeats it). */
  publish (topic: TopicStr, data: Uint8Array): void {
    if (!this.started) return
    this.pubsub.publish(topic, data).catch((err: Error) => {
      log('publish on %s failed: %s: %s', topic, err.name, err.message)
    })
  }
}
