// The listening side of /tessera/tensor/1.0.0: reads frames one at a time and hands each to the
// sink, reading the next only once the sink has taken it (so a slow sink pauses the stream).
import { StreamReader } from '../framing/stream-reader.js'
import { readTensorFrame } from './codec.js'
import { TENSOR_PROTOCOL } from './constants.js'
import type { TensorFrame, TensorLimits } from './codec.js'
import type { Logger } from '../../src/logger.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** Where received frames go. Throwing rejects the frame (and closes the stream). */
export interface TensorSink {
  deliver (frame: TensorFrame, from: string, options?: AbortOptions): Promise<void>
}

/**
 * Bytes buffered on a tensor stream before it is paused. Above the writer's 1 MiB chunk, so that
 * a whole data frame fits without pausing (a pause per frame would hold back window updates).
 */
export const TENSOR_HIGH_WATER_MARK = 4 * 1024 * 1024

export interface TensorHandlerInit extends TensorLimits {
  /** Bytes buffered before the stream is paused (default TENSOR_HIGH_WATER_MARK, 4 MiB). */
  highWaterMark?: number
}

/** Serves one inbound tensor stream; never throws (a bad frame is logged and the stream aborted). */
export async function handleTensorStream (stream: Stream, from: string, sink: TensorSink, init: TensorHandlerInit, log: Logger, options?: AbortOptions): Promise<number> {
  const reader = new StreamReader(stream, { protocol: TENSOR_PROTOCOL, highWaterMark: init.highWaterMark ?? TENSOR_HIGH_WATER_MARK })
  let frames = 0
  try {
    while (true) {
      const frame = await readTensorFrame(reader, init, options)
      if (frame == null) break
      frames++
      await sink.deliver(frame, from, options)
    }
    await stream.close(options)
  } catch (err: any) {
    log('rejected tensor stream from %s after %d frames: %s: %s', from, frames, err?.name, err?.message)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    reader.release()
  }
  return frames
}
