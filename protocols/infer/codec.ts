// Inference requests and responses: a length-prefixed header, then raw float32 tensors.
import { MalformedMessageError, MessageTooLargeError } from '../../src/errors.js'
import { checkNumber, checkShape, checkSha256, checkString, decodeWith, MAX_DIM } from '../fields.js'
import { writeAll, writeLengthPrefixed } from '../framing/stream-writer.js'
import { DEFAULT_MAX_INFER_TENSOR_BYTES, INFER_PROTOCOL, MAX_INFER_HEADER_BYTES } from './constants.js'
import { InferDType, InferRequest, InferResponse } from './infer.js'
import type { StreamReader } from '../framing/stream-reader.js'
import type { TraceRecord } from '../tensor/codec.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

export interface NamedTensor {
  name: string
  shape: number[]
  data: Float32Array
}

export interface InferRequestRecord {
  requestId: string
  /** The model by sha256 ('' = by `modelName`). */
  modelSha256: string
  modelName: string
  input: NamedTensor
}

export interface InferResult {
  term: number
  planId: number
  planner: string
  devices: string[]
  outputs: NamedTensor[]
  timings: TraceRecord[]
  totalMs: number
  attempts: number
  /** The serving attempt: input sent from, outputs all back at (the serving peer's wall clock, ms since the epoch). */
  sentAt: number
  receivedAt: number
}

export interface InferLimits {
  /** Largest input or output tensor, bytes (default 256 MiB). */
  maxTensorBytes?: number
}

const P = INFER_PROTOCOL

function bytesOf (data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

function checkTensorBytes (field: string, shape: number[], byteLength: number, limits: InferLimits): void {
  const elements = checkShape(P, `${field}.shape`, shape)
  const max = limits.maxTensorBytes ?? DEFAULT_MAX_INFER_TENSOR_BYTES
  if (byteLength > max) throw new MessageTooLargeError(P, `${field} of ${byteLength} bytes exceeds the limit of ${max}`)
  if (byteLength !== elements * 4) throw new MalformedMessageError(P, `${field}.byteLength ${byteLength} does not match shape [${shape.join(', ')}] as float32`)
}

async function readHeader (reader: StreamReader, what: string, options?: AbortOptions): Promise<Uint8Array> {
  const raw = await reader.readLengthPrefixed(MAX_INFER_HEADER_BYTES, options)
  if (raw == null) throw new MalformedMessageError(P, `stream ended before the ${what}`)
  return raw.subarray()
}

async function readTensor (reader: StreamReader, byteLength: number, options?: AbortOptions): Promise<Float32Array> {
  const data = new Float32Array(byteLength / 4)
  await reader.readInto(new Uint8Array(data.buffer), options)
  return data
}

export async function writeInferRequest (stream: Stream, request: InferRequestRecord, options?: AbortOptions): Promise<void> {
  await writeLengthPrefixed(stream, InferRequest.encode({
    requestId: request.requestId,
    modelSha256: request.modelSha256,
    modelName: request.modelName,
    dtype: InferDType.INFER_FLOAT32,
    shape: request.input.shape,
    byteLength: request.input.data.byteLength
  }), options)
  await writeAll(stream, bytesOf(request.input.data), options)
}

/** Reads and checks a request; the input is allocated only after its header checks out. */
export async function readInferRequest (reader: StreamReader, limits: InferLimits = {}, options?: AbortOptions): Promise<InferRequestRecord> {
  const raw = await readHeader(reader, 'request', options)
  const h = decodeWith(P, () => InferRequest.decode(raw))
  checkString(P, 'requestId', h.requestId, { min: 1, max: 64 })
  if (!/^[\w.:-]+$/.test(h.requestId)) throw new MalformedMessageError(P, 'requestId may hold only letters, digits and ".:_-"')
  if (h.modelSha256 !== '') checkSha256(P, 'modelSha256', h.modelSha256)
  checkString(P, 'modelName', h.modelName)
  if (h.modelSha256 === '' && h.modelName === '') throw new MalformedMessageError(P, 'the request names no model (modelSha256 and modelName both empty)')
  if (h.dtype !== InferDType.INFER_FLOAT32) throw new MalformedMessageError(P, `dtype must be INFER_FLOAT32, got ${String(h.dtype)}`)
  checkTensorBytes('input', h.shape, h.byteLength, limits)
  const data = await readTensor(reader, h.byteLength, options)
  return { requestId: h.requestId, modelSha256: h.modelSha256, modelName: h.modelName, input: { name: 'input', shape: [...h.shape], data } }
}

export async function writeInferResult (stream: Stream, result: InferResult, options?: AbortOptions): Promise<void> {
  await writeLengthPrefixed(stream, InferResponse.encode({
    ok: true,
    errorName: '',
    error: '',
    term: result.term,
    planId: result.planId,
    planner: result.planner,
    devices: result.devices,
    outputs: result.outputs.map(o => ({ name: o.name, shape: o.shape, byteLength: o.data.byteLength })),
    timings: result.timings,
    totalMs: result.totalMs,
    attempts: result.attempts,
    sentAt: result.sentAt,
    receivedAt: result.receivedAt
  }), options)
  for (const o of result.outputs) await writeAll(stream, bytesOf(o.data), options)
}

export async function writeInferError (stream: Stream, err: { name: string, message: string }, options?: AbortOptions): Promise<void> {
  await writeLengthPrefixed(stream, InferResponse.encode({ ok: false, errorName: err.name.slice(0, 128), error: err.message.slice(0, 4096) }), options)
}

/** A response: the result, or the remote failure as { errorName, error }. */
export type InferResponseRecord = { ok: true, result: InferResult } | { ok: false, errorName: string, error: string }

/** Reads and checks a response; each output is allocated only after the header checks out. */
export async function readInferResponse (reader: StreamReader, limits: InferLimits = {}, options?: AbortOptions): Promise<InferResponseRecord> {
  const raw = await readHeader(reader, 'response', options)
  const h = decodeWith(P, () => InferResponse.decode(raw))
  if (!h.ok) {
    checkString(P, 'errorName', h.errorName, { min: 1, max: 128 })
    checkString(P, 'error', h.error, { max: 4096 })
    return { ok: false, errorName: h.errorName, error: h.error }
  }
  checkNumber(P, 'term', h.term, { min: 1, integer: true })
  checkNumber(P, 'planId', h.planId, { min: 1, integer: true })
  checkString(P, 'planner', h.planner, { min: 1, max: 64 })
  h.devices.forEach((d, i) => { checkString(P, `devices[${i}]`, d, { min: 1 }) })
  checkNumber(P, 'totalMs', h.totalMs)
  checkNumber(P, 'sentAt', h.sentAt)
  checkNumber(P, 'receivedAt', h.receivedAt, { min: h.sentAt })
  checkNumber(P, 'attempts', h.attempts, { min: 1, max: 1000, integer: true })
  if (h.outputs.length === 0) throw new MalformedMessageError(P, 'a successful response has no outputs')
  h.outputs.forEach((o, i) => {
    checkString(P, `outputs[${i}].name`, o.name, { min: 1, max: 1024 })
    checkTensorBytes(`outputs[${i}]`, o.shape, o.byteLength, limits)
  })
  const timings = h.timings.map((t, i) => {
    checkString(P, `timings[${i}].device`, t.device, { min: 1 })
    for (const k of ['waitMs', 'computeMs', 'readyAt', 'startedAt', 'runMs'] as const) checkNumber(P, `timings[${i}].${k}`, t[k])
    checkNumber(P, `timings[${i}].volume`, t.volume, { max: 1 << 16, integer: true })
    checkNumber(P, `timings[${i}].part`, t.part, { max: 1 << 16, integer: true })
    checkNumber(P, `timings[${i}].rows`, t.rows, { max: MAX_DIM, integer: true })
    return { ...t }
  })
  const outputs: NamedTensor[] = []
  for (const o of h.outputs) outputs.push({ name: o.name, shape: [...o.shape], data: await readTensor(reader, o.byteLength, options) })
  return {
    ok: true,
    result: { term: h.term, planId: h.planId, planner: h.planner, devices: [...h.devices], outputs, timings, totalMs: h.totalMs, attempts: h.attempts, sentAt: h.sentAt, receivedAt: h.receivedAt }
  }
}
