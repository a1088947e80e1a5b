// Writes to a libp2p stream in bounded chunks, waiting for 'drain' whenever the transport is full,
// so a slow reader holds the writer back instead of letting its queue grow.
import type { AbortOptions, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes handed to the stream at once. */
export const WRITE_CHUNK = 256 * 1024

/** Sends `data`, at most WRITE_CHUNK bytes at a time, awaiting drain when the stream is full. */
export async function writeAll (stream: MessageStream, data: Uint8Array | Uint8ArrayList, options?: AbortOptions): Promise<void> {
  for (let offset = 0; offset < data.byteLength; offset += WRITE_CHUNK) {
    options?.signal?.throwIfAborted()
    const end = Math.min(offset + WRITE_CHUNK, data.byteLength)
    const chunk = data.subarray(offset, end)
    if (!stream.send(chunk)) {
      await stream.onDrain(options)
    }
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
