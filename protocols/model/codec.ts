// Model distribution messages.
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, checkSha256, checkString, decodeWith } from '../fields.js'
import { MAX_MODEL_MESSAGE_BYTES, MODEL_PROTOCOL } from './constants.js'
import { ModelReply, ModelRequest } from './model.js'
import type { StreamReader } from '../framing/stream-reader.js'
import type { AbortOptions } from '@libp2p/interface'

export interface ModelReplyRecord {
  found: boolean
  name: string
  byteLength: number
}

export function encodeModelRequest (sha256: string): Uint8Array {
  return ModelRequest.encode({ sha256 })
}

export function encodeModelReply (reply: ModelReplyRecord): Uint8Array {
  return ModelReply.encode(reply)
}

/** The requested sha256, checked. */
export async function readModelRequest (reader: StreamReader, options?: AbortOptions): Promise<string> {
  const raw = await reader.readLengthPrefixed(MAX_MODEL_MESSAGE_BYTES, options)
  if (raw == null) throw new MalformedMessageError(MODEL_PROTOCOL, 'stream ended before the request')
  const request = decodeWith(MODEL_PROTOCOL, () => ModelRequest.decode(raw))
  checkSha256(MODEL_PROTOCOL, 'sha256', request.sha256)
  return request.sha256
}

/** The reply, checked against the largest model the reader accepts. */
export async function readModelReply (reader: StreamReader, maxBytes: number, options?: AbortOptions): Promise<ModelReplyRecord> {
  const raw = await reader.readLengthPrefixed(MAX_MODEL_MESSAGE_BYTES, options)
  if (raw == null) throw new MalformedMessageError(MODEL_PROTOCOL, 'stream ended before the reply')
  const reply = decodeWith(MODEL_PROTOCOL, () => ModelReply.decode(raw))
  if (!reply.found) return { found: false, name: '', byteLength: 0 }
  checkString(MODEL_PROTOCOL, 'name', reply.name, { min: 1 })
  checkNumber(MODEL_PROTOCOL, 'byteLength', reply.byteLength, { min: 1, max: maxBytes, integer: true })
  return { found: true, name: reply.name, byteLength: reply.byteLength }
}
