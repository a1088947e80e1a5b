// Probe messages: a ProbeRequest announces `size` raw bytes; a ProbeReply confirms them.
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, decodeWith } from '../fields.js'
import { MAX_PROBE_BYTES, MAX_PROBE_MESSAGE_BYTES, PROBE_PROTOCOL } from './constants.js'
import { ProbeReply, ProbeRequest } from './probe.js'
import type { StreamReader } from '../framing/stream-reader.js'
import type { AbortOptions } from '@libp2p/interface'

export function encodeProbeRequest (size: number): Uint8Array {
  return ProbeRequest.encode({ size })
}

export function encodeProbeReply (received: number, busy = false): Uint8Array {
  return ProbeReply.encode({ received, busy })
}

/** The next request's size, or null at the end of the stream. */
export async function readProbeRequest (reader: StreamReader, options?: AbortOptions): Promise<number | null> {
  const raw = await reader.readLengthPrefixed(MAX_PROBE_MESSAGE_BYTES, options)
  if (raw == null) return null
  const request = decodeWith(PROBE_PROTOCOL, () => ProbeRequest.decode(raw))
  checkNumber(PROBE_PROTOCOL, 'size', request.size, { max: MAX_PROBE_BYTES, integer: true })
  return request.size
}

/** The next reply: the confirmed byte count, and whether the listener is busy running inference. */
export async function readProbeReply (reader: StreamReader, options?: AbortOptions): Promise<{ received: number, busy: boolean }> {
  const raw = await reader.readLengthPrefixed(MAX_PROBE_MESSAGE_BYTES, options)
  if (raw == null) throw new MalformedMessageError(PROBE_PROTOCOL, 'listener closed the stream before replying')
  const reply = decodeWith(PROBE_PROTOCOL, () => ProbeReply.decode(raw))
  return { received: reply.received, busy: reply.busy }
}
