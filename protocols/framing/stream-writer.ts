// Writes to a libp2p stream in bounded chunks, waiting for 'drain' whenever the transport is full,
// so a slow reader holds the writer back instead of letting its queue grow.
import { Uint8ArrayList } from 'uint8arraylist'
import type { AbortOptions, MessageStream } from '@libp2p/interface'

/**
 * Bytes handed to the stream at once. Each send becomes one yamux data frame, and the receiver
 * answers every data frame with a window update (a write of its own): 1 MiB frames cost a quarter
 * of the window updates 256 KiB frames did.
 */
export const WRITE_CHUNK = 1024 * 1024

/** Most bytes left queued in a stream (not yet taken by the muxer) before the writer waits. */
export const MAX_QUEUED = WRITE_CHUNK

/**
 * Waits until the stream has taken its queue below MAX_QUEUED. A 'drain' event alone is not enough:
 * the muxer sends one to every stream whenever the connection drains, even to a stream whose remote
 * window is still shut, so the queue is checked again after each event.
 */
async function waitForRoom (stream: MessageStream, options?: AbortOptions): Promise<void> {
  while (stream.writeBufferLength >= MAX_QUEUED) {
    options?.signal?.throwIfAborted()
    if (stream.status !== 'open') throw new StreamNotWritableError(`stream is ${stream.status}`)
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        stream.removeEventListener('drain', done)
        stream.removeEventListener('idle', done)
        stream.removeEventListener('close', done)
        options?.signal?.removeEventListener('abort', aborted)
        resolve()
      }
      const aborted = (): void => { done(); reject(options?.signal?.reason) }
      stream.addEventListener('drain', done)
      stream.addEventListener('idle', done)
      stream.addEventListener('close', done)
      options?.signal?.addEventListener('abort', aborted)
    })
  }
}

/** The stream closed while data was still to be written. */
export class StreamNotWritableError extends Error {
  static name = 'StreamNotWritableError'
  name = 'StreamNotWritableError'
}

/** Sends `data`, at most WRITE_CHUNK bytes at a time, never leaving more than MAX_QUEUED bytes queued. */
export async function writeAll (stream: MessageStream, data: Uint8Array | Uint8ArrayList, options?: AbortOptions): Promise<void> {
  for (let offset = 0; offset < data.byteLength; offset += WRITE_CHUNK) {
    options?.signal?.throwIfAborted()
    await waitForRoom(stream, options)
    const end = Math.min(offset + WRITE_CHUNK, data.byteLength)
    // a list is cut without copying (its subarray() would join the pieces into a new buffer)
    stream.send(data instanceof Uint8Array ? data.subarray(offset, end) : data.sublist(offset, end))
  }
}

/** Sends `head` and `body` as if one buffer (no copy): a small head goes out in the same frame as the body's first chunk. */
export async function writeHeadAndBody (stream: MessageStream, head: Uint8Array, body: Uint8Array, options?: AbortOptions): Promise<void> {
  await writeAll(stream, body.byteLength === 0 ? head : new Uint8ArrayList(head, body), options)
}

/** A varint length prefix. */
export function encodeLength (n: number): Uint8Array {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** `message` behind its varint length prefix, in one buffer. */
export function lengthPrefixed (message: Uint8Array): Uint8Array {
  const prefix = encodeLength(message.byteLength)
  const framed = new Uint8Array(prefix.byteLength + message.byteLength)
  framed.set(prefix, 0)
  framed.set(message, prefix.byteLength)
  return framed
}

/** Sends one varint-length-prefixed message. */
export async function writeLengthPrefixed (stream: MessageStream, message: Uint8Array, options?: AbortOptions): Promise<void> {
  await writeAll(stream, lengthPrefixed(message), options)
}
