// The listening side of /tessera/model/1.0.0: streams a held model file from disk in chunks.
import { open } from 'node:fs/promises'
import { StreamReader } from '../framing/stream-reader.js'
import { writeAll, writeLengthPrefixed } from '../framing/stream-writer.js'
import { encodeModelReply, readModelRequest } from './codec.js'
import { MODEL_PROTOCOL } from './constants.js'
import type { Logger } from '../../src/logger.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** A model file this peer can hand out. */
export interface HeldModelFile {
  name: string
  path: string
}

/** Finds held models by sha256. */
export interface ModelStore {
  find (sha256: string): HeldModelFile | undefined
}

const READ_CHUNK = 1024 * 1024

/** Serves one inbound model request; never throws (a bad request is logged and the stream aborted). */
export async function handleModelStream (stream: Stream, from: string, store: ModelStore, log: Logger, options?: AbortOptions): Promise<void> {
  const reader = new StreamReader(stream, { protocol: MODEL_PROTOCOL, highWaterMark: 4096 })
  try {
    const sha256 = await readModelRequest(reader, options)
    const held = store.find(sha256)
    if (held == null) {
      log('%s asked for model %s, not held', from, sha256)
      await writeLengthPrefixed(stream, encodeModelReply({ found: false, name: '', byteLength: 0 }), options)
    } else {
      const file = await open(held.path, 'r')
      try {
        const { size } = await file.stat()
        await writeLengthPrefixed(stream, encodeModelReply({ found: true, name: held.name, byteLength: size }), options)
        const chunk = Buffer.allocUnsafe(READ_CHUNK)
        for (let offset = 0; offset < size;) {
          const { bytesRead } = await file.read(chunk, 0, Math.min(READ_CHUNK, size - offset), offset)
          if (bytesRead === 0) throw new Error(`model file ${held.path} shrank while being sent`)
          // copy: the chunk buffer is reused while the stream may still hold the previous one
          await writeAll(stream, Uint8Array.prototype.slice.call(chunk, 0, bytesRead), options)
          offset += bytesRead
        }
        log('sent model %s (%d bytes) to %s', held.name, size, from)
      } finally {
        await file.close()
      }
    }
    await stream.close(options)
  } catch (err: any) {
    log('model stream from %s failed: %s: %s', from, err?.name, err?.message)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    reader.release()
  }
}
