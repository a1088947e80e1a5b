// Writes to a libp2p stream in bounded chunks, waiting for 'drain' whenever the transport is full,
// so a slow reader holds the writer back instead of letting its queue grow.
import type { AbortOptions, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes handed to the stream at once. */
export const WRITE_CHUNK = 256 * 1024

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
    stream.send(data.subarray(offset, end))
  }
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

/** Sends one varint-length-prefixed message. */
export async function writeLengthPrefixed (stream: MessageStream, message: Uint8Array, options?: AbortOptions): Promise<void> {
  const prefix = encodeLength(message.byteLength)
  const framed = new Uint8Array(prefix.byteLength + message.byteLength)
  framed.set(prefix, 0)
  framed.set(message, prefix.byteLength)
  await writeAll(stream, framed, options)
}
