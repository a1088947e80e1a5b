// The listening side of /tessera/probe/1.0.0: reads each probe in small chunks (never allocating a
// whole one) and confirms it.
import { MalformedMessageError } from '../../src/errors.js'
import { StreamReader } from '../framing/stream-reader.js'
import { writeLengthPrefixed } from '../framing/stream-writer.js'
import { encodeProbeReply, readProbeRequest } from './codec.js'
import { MAX_PROBES_PER_STREAM, PROBE_PROTOCOL } from './constants.js'
import type { Logger } from '../../src/logger.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

const DISCARD_CHUNK = 64 * 1024

export interface ProbeHandlerOptions extends AbortOptions {
  /** Whether this peer is busy now, running inference or answering another probe (told to the dialer in every reply). */
  busy?: () => boolean
}

/** Serves one inbound probe stream; never throws (a bad request is logged and the stream aborted). */
export async function handleProbeStream (stream: Stream, from: string, log: Logger, options?: ProbeHandlerOptions): Promise<void> {
  const reader = new StreamReader(stream, { protocol: PROBE_PROTOCOL, highWaterMark: DISCARD_CHUNK * 4 })
  try {
    for (let i = 0; ; i++) {
      const size = await readProbeRequest(reader, options)
      if (size == null) break
      if (i >= MAX_PROBES_PER_STREAM) throw new MalformedMessageError(PROBE_PROTOCOL, `more than ${MAX_PROBES_PER_STREAM} probes on one stream`)
      for (let left = size; left > 0;) {
        const n = Math.min(left, DISCARD_CHUNK)
        await reader.read(n, options)
        left -= n
      }
      await writeLengthPrefixed(stream, encodeProbeReply(size, options?.busy?.() ?? false), options)
    }
    await stream.close(options)
  } catch (err: any) {
    log('rejected probe stream from %s: %s: %s', from, err?.name, err?.message)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    reader.release()
  }
}
