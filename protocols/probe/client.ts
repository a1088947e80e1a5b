// The dialing side of /tessera/probe/1.0.0.
import { MalformedMessageError } from '../../src/errors.js'
import { StreamReader } from '../framing/stream-reader.js'
import { writeAll, writeLengthPrefixed } from '../framing/stream-writer.js'
import { encodeProbeRequest, readProbeReply } from './codec.js'
import { MAX_PROBE_BYTES, MAX_PROBES_PER_STREAM, PROBE_PROTOCOL } from './constants.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** One probe's result: the bytes sent, how long until the listener confirmed them, and whether it said it was busy. */
export interface ProbeSample {
  bytes: number
  ms: number
  busy: boolean
}

export interface RunProbesOptions extends AbortOptions {
  /** Stop after the first reply in which the listener says it is running inference. */
  yieldToBusy?: boolean
}

/**
 * Sends probes of the given sizes on one stream (0 = round trip only), in order; returns their timings.
 * With yieldToBusy the probes end at the first busy reply (its sample is the last one returned).
 */
export async function runProbes (stream: Stream, sizes: number[], options?: RunProbesOptions): Promise<ProbeSample[]> {
  if (sizes.length > MAX_PROBES_PER_STREAM) throw new RangeError(`at most ${MAX_PROBES_PER_STREAM} probes per stream`)
  const reader = new StreamReader(stream, { protocol: PROBE_PROTOCOL })
  const samples: ProbeSample[] = []
  try {
    for (const size of sizes) {
      if (size > MAX_PROBE_BYTES) throw new RangeError(`probe of ${size} bytes exceeds ${MAX_PROBE_BYTES}`)
      const start = performance.now()
      await writeLengthPrefixed(stream, encodeProbeRequest(size), options)
      if (size > 0) await writeAll(stream, new Uint8Array(size), options)
      const { received, busy } = await readProbeReply(reader, options)
      if (received !== size) throw new MalformedMessageError(PROBE_PROTOCOL, `listener confirmed ${received} bytes, sent ${size}`)
      samples.push({ bytes: size, ms: performance.now() - start, busy })
      if (busy && options?.yieldToBusy === true) break
    }
    await stream.close(options)
  } finally {
    reader.release()
  }
  return samples
}
