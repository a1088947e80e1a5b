// Tensor frames: a length-prefixed TensorHeader, then exactly `byteLength` raw float32 bytes.
// The header is checked (sizes, shape against byte length, names) before the payload is allocated.
import { MalformedMessageError, MessageTooLargeError } from '../../src/errors.js'
import { checkNumber, checkPeerId, checkShape, checkString, decodeWith, MAX_DIM } from '../fields.js'
import { lengthPrefixed, writeHeadAndBody } from '../framing/stream-writer.js'
import { DEFAULT_MAX_TENSOR_BYTES, FLOAT32_BYTES, MAX_HEADER_BYTES, MAX_REQUEST_ID_LENGTH, TENSOR_PROTOCOL } from './constants.js'
import { DType, FrameKind, TensorHeader } from './tensor.js'
import type { StreamReader } from '../framing/stream-reader.js'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export type TensorFrameKind = 'slice' | 'output' | 'error'

/** How long one part took on one peer. */
export interface TraceRecord {
  device: string
  /** Volume index; the plan's volume count stands for the tail. */
  volume: number
  part: number
  /** Waiting for the part's inputs, from the request's first frame at that peer. */
  waitMs: number
  computeMs: number
  rows: number
  /**
   * When the part's inputs were all there and when its compute started, ms since the epoch by the peer's
   * own wall clock: comparable across peers only where their clocks agree (the testbed's one machine).
   */
  readyAt: number
  startedAt: number
  /** Of computeMs, the onnxruntime run alone, timed in the compute thread (the rest: the hand-over to that thread and back). */
  runMs: number
}

export interface TensorFrame {
  kind: TensorFrameKind
  requestId: string
  term: number
  planId: number
  /** The receiving part's volume (the plan's volume count: the tail). */
  volume: number
  /** The receiving part's index in that volume. */
  part: number
  /** The cut tensor or model output the data belongs to. */
  tensor: string
  /** Rows [start, end) of `tensor` that `data` holds. */
  rows: readonly [number, number]
  /** Columns [start, end) of `tensor` that `data` holds. */
  cols: readonly [number, number]
  shape: number[]
  data: Float32Array
  trace: TraceRecord[]
  /** The peer the request's outputs (or its failure) go to. */
  requester: string
  /** ERROR frames: why the request failed, and where. */
  error?: string
  errorDevice?: string
}

export interface TensorLimits {
  /** Largest payload accepted, bytes (default 512 MiB). */
  maxTensorBytes?: number
}

const KIND_TO_WIRE: Record<TensorFrameKind, FrameKind> = { slice: FrameKind.SLICE, output: FrameKind.OUTPUT, error: FrameKind.ERROR }
const WIRE_TO_KIND: Partial<Record<FrameKind, TensorFrameKind>> = { [FrameKind.SLICE]: 'slice', [FrameKind.OUTPUT]: 'output', [FrameKind.ERROR]: 'error' }
const REQUEST_ID = /^[\w.:-]+$/

/** A slice frame of zeros with about `bytes` of payload (16 columns, at least one row): what benchmarks and the mesh-cost measurement send. */
export function zeroSliceFrame (bytes: number, requester: string): TensorFrame {
  const elements = Math.max(16, Math.floor(bytes / 4 / 16) * 16)
  return { kind: 'slice', requestId: 'filler', term: 1, planId: 1, volume: 0, part: 0, tensor: 't', rows: [0, elements / 16], cols: [0, 16], shape: [1, 1, elements / 16, 16], data: new Float32Array(elements), trace: [], requester }
}

export function encodeTensorHeader (frame: TensorFrame): Uint8Array {
  return TensorHeader.encode({
    kind: KIND_TO_WIRE[frame.kind],
    requestId: frame.requestId,
    term: frame.term,
    planId: frame.planId,
    volume: frame.volume,
    part: frame.part,
    tensor: frame.tensor,
    rowStart: frame.rows[0],
    rowEnd: frame.rows[1],
    colStart: frame.cols[0],
    colEnd: frame.cols[1],
    dtype: frame.kind === 'error' ? DType.DTYPE_UNSPECIFIED : DType.FLOAT32,
    shape: frame.shape,
    byteLength: frame.data.byteLength,
    trace: frame.trace,
    error: frame.error ?? '',
    errorDevice: frame.errorDevice ?? '',
    requester: frame.requester
  })
}

/** A checked header, its payload not yet read. */
export type TensorFrameHeader = Omit<TensorFrame, 'data'> & { byteLength: number }

/** Decodes and checks a frame header; throws MalformedMessageError naming the bad field. */
export function decodeTensorHeader (data: Uint8Array | Uint8ArrayList, limits: TensorLimits = {}): TensorFrameHeader {
  const p = TENSOR_PROTOCOL
  if (data.byteLength > MAX_HEADER_BYTES) throw new MessageTooLargeError(p, `header of ${data.byteLength} bytes exceeds ${MAX_HEADER_BYTES}`)
  const h = decodeWith(p, () => TensorHeader.decode(data))
  const kind = WIRE_TO_KIND[h.kind]
  if (kind == null) throw new MalformedMessageError(p, `kind must be SLICE, OUTPUT or ERROR, got ${String(h.kind)}`)
  checkString(p, 'requestId', h.requestId, { min: 1, max: MAX_REQUEST_ID_LENGTH })
  if (!REQUEST_ID.test(h.requestId)) throw new MalformedMessageError(p, 'requestId may hold only letters, digits and ".:_-"')
  checkNumber(p, 'term', h.term, { integer: true })
  checkNumber(p, 'planId', h.planId, { integer: true })
  checkNumber(p, 'volume', h.volume, { max: 1 << 16, integer: true })
  checkNumber(p, 'part', h.part, { max: 1 << 16, integer: true })
  checkString(p, 'tensor', h.tensor, { max: 1024 })
  const trace = h.trace.map((t, i) => {
    checkString(p, `trace[${i}].device`, t.device, { min: 1 })
    checkNumber(p, `trace[${i}].volume`, t.volume, { max: 1 << 16, integer: true })
    checkNumber(p, `trace[${i}].part`, t.part, { max: 1 << 16, integer: true })
    checkNumber(p, `trace[${i}].waitMs`, t.waitMs)
    checkNumber(p, `trace[${i}].computeMs`, t.computeMs)
    checkNumber(p, `trace[${i}].rows`, t.rows, { max: MAX_DIM, integer: true })
    checkNumber(p, `trace[${i}].readyAt`, t.readyAt)
    checkNumber(p, `trace[${i}].startedAt`, t.startedAt)
    checkNumber(p, `trace[${i}].runMs`, t.runMs)
    return { ...t }
  })
  if (h.requester !== '') checkPeerId(p, 'requester', h.requester)
  const common = { kind, requestId: h.requestId, term: h.term, planId: h.planId, volume: h.volume, part: h.part, tensor: h.tensor, trace, requester: h.requester }
  if (kind === 'error') {
    checkString(p, 'error', h.error, { min: 1, max: 4096 })
    checkString(p, 'errorDevice', h.errorDevice)
    if (h.byteLength !== 0) throw new MalformedMessageError(p, 'an ERROR frame carries no payload')
    return { ...common, rows: [0, 0], cols: [0, 0], shape: [], byteLength: 0, error: h.error, errorDevice: h.errorDevice }
  }
  if (h.dtype !== DType.FLOAT32) throw new MalformedMessageError(p, `dtype must be FLOAT32, got ${String(h.dtype)}`)
  checkString(p, 'tensor', h.tensor, { min: 1, max: 1024 })
  const elements = checkShape(p, 'shape', h.shape)
  const maxBytes = limits.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES
  if (h.byteLength > maxBytes) throw new MessageTooLargeError(p, `payload of ${h.byteLength} bytes exceeds the limit of ${maxBytes}`)
  if (h.byteLength !== elements * FLOAT32_BYTES) {
    throw new MalformedMessageError(p, `byteLength ${h.byteLength} does not match shape [${h.shape.join(', ')}] (${elements * FLOAT32_BYTES} bytes of float32)`)
  }
  checkNumber(p, 'rowStart', h.rowStart, { max: MAX_DIM, integer: true })
  checkNumber(p, 'rowEnd', h.rowEnd, { min: h.rowStart, max: MAX_DIM, integer: true })
  checkNumber(p, 'colStart', h.colStart, { max: MAX_DIM, integer: true })
  checkNumber(p, 'colEnd', h.colEnd, { min: h.colStart, max: MAX_DIM, integer: true })
  if (kind === 'slice') {
    checkNumber(p, 'term', h.term, { min: 1, integer: true })
    checkNumber(p, 'planId', h.planId, { min: 1, integer: true })
    checkPeerId(p, 'requester', h.requester)
    if (h.rowEnd === h.rowStart) throw new MalformedMessageError(p, 'a SLICE frame must hold at least one row')
  }
  return { ...common, rows: [h.rowStart, h.rowEnd], cols: [h.colStart, h.colEnd], shape: [...h.shape], byteLength: h.byteLength }
}

/**
 * Writes one frame: header, then payload in bounded chunks (waits for drain when the reader is slow).
 * The header rides in the same send as the payload's first chunk: a send of its own would cost a
 * yamux frame, a noise message and a window update from the receiver.
 */
export async function writeTensorFrame (stream: Stream, frame: TensorFrame, options?: AbortOptions): Promise<void> {
  const payload = new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength)
  await writeHeadAndBody(stream, lengthPrefixed(encodeTensorHeader(frame)), payload, options)
}

/** Reads the next frame, or null at the end of the stream. The payload is allocated only after its header checks out. */
export async function readTensorFrame (reader: StreamReader, limits: TensorLimits = {}, options?: AbortOptions): Promise<TensorFrame | null> {
  const raw = await reader.readLengthPrefixed(MAX_HEADER_BYTES, options)
  if (raw == null) return null
  const header = decodeTensorHeader(raw, limits)
  const data = new Float32Array(header.byteLength / FLOAT32_BYTES)
  await reader.readInto(new Uint8Array(data.buffer), options)
  const { byteLength, ...rest } = header
  return { ...rest, data }
}
