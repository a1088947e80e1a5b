// The dialing side of /tessera/model/1.0.0: fetches a model by sha256 into a file, hashing as it
// goes; the file appears at `path` only if the bytes hash to the sha256 asked for.
import { createHash } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { ModelIntegrityError, ModelUnavailableError } from '../../src/errors.js'
import { StreamReader } from '../framing/stream-reader.js'
import { writeLengthPrefixed } from '../framing/stream-writer.js'
import { encodeModelRequest, readModelReply } from './codec.js'
import { DEFAULT_MAX_MODEL_BYTES, MODEL_PROTOCOL } from './constants.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

export interface FetchModelOptions extends AbortOptions {
  /** Largest model accepted (default 2 GiB). */
  maxBytes?: number
}

/** Fetches model `sha256` over `stream` into `path`; returns the model's name. */
export async function fetchModel (stream: Stream, sha256: string, path: string, options: FetchModelOptions = {}): Promise<{ name: string, byteLength: number }> {
  const reader = new StreamReader(stream, { protocol: MODEL_PROTOCOL, highWaterMark: 4 * 1024 * 1024 })
  const partial = `${path}.${process.pid}.partial`
  try {
    await writeLengthPrefixed(stream, encodeModelRequest(sha256), options)
    const reply = await readModelReply(reader, options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES, options)
    if (!reply.found) throw new ModelUnavailableError(`the peer does not hold model ${sha256}`)
    const hash = createHash('sha256')
    const file = await open(partial, 'w')
    try {
      for (let left = reply.byteLength; left > 0;) {
        const chunk = await reader.read(Math.min(left, 1024 * 1024), options)
        for (const buf of chunk) {
          hash.update(buf)
          await file.write(buf)
        }
        left -= chunk.byteLength
      }
    } finally {
      await file.close()
    }
    const got = hash.digest('hex')
    if (got !== sha256) throw new ModelIntegrityError(`model "${reply.name}" from the peer hashes to ${got}, expected ${sha256}`)
    await rename(partial, path)
    await stream.close(options)
    return { name: reply.name, byteLength: reply.byteLength }
  } catch (err) {
    await rm(partial, { force: true })
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    reader.release()
  }
}
