// The listening side of /tessera/infer/1.0.0: reads one request, runs it through the mesh, answers.
import { StreamReader } from '../framing/stream-reader.js'
import { readInferRequest, writeInferError, writeInferResult } from './codec.js'
import { INFER_PROTOCOL } from './constants.js'
import type { InferLimits, InferRequestRecord, InferResult } from './codec.js'
import type { Logger } from '../../src/logger.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** Runs one inference for a requester. */
export interface InferServer {
  infer (request: InferRequestRecord, options?: AbortOptions): Promise<InferResult>
}

/** Serves one inbound inference request; never throws (failures are answered, or logged when the stream broke). */
export async function handleInferStream (stream: Stream, from: string, server: InferServer, limits: InferLimits, log: Logger, options?: AbortOptions): Promise<void> {
  const reader = new StreamReader(stream, { protocol: INFER_PROTOCOL })
  try {
    const request = await readInferRequest(reader, limits, options)
    try {
      const result = await server.infer(request, options)
      await writeInferResult(stream, result, options)
    } catch (err: any) {
      log('inference %s for %s failed: %s: %s', request.requestId, from, err?.name, err?.message)
      await writeInferError(stream, { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) }, options)
    }
    await stream.close(options)
  } catch (err: any) {
    log('rejected infer stream from %s: %s: %s', from, err?.name, err?.message)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    reader.release()
  }
}
