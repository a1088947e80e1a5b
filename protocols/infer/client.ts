// The dialing side of /tessera/infer/1.0.0.
import { RemoteError } from '../../src/errors.js'
import { StreamReader } from '../framing/stream-reader.js'
import { readInferResponse, writeInferRequest } from './codec.js'
import { INFER_PROTOCOL } from './constants.js'
import type { InferLimits, InferRequestRecord, InferResult } from './codec.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** Sends one request and waits for its result; a remote failure throws RemoteError. */
export async function requestInference (stream: Stream, request: InferRequestRecord, limits: InferLimits = {}, options?: AbortOptions): Promise<InferResult> {
  const reader = new StreamReader(stream, { protocol: INFER_PROTOCOL, highWaterMark: 4 * 1024 * 1024 })
  try {
    await writeInferRequest(stream, request, options)
    const response = await readInferResponse(reader, limits, options)
    await stream.close(options)
    if (!response.ok) throw new RemoteError(response.errorName, response.error)
    return response.result
  } catch (err) {
    if (stream.status === 'open') stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    reader.release()
  }
}
