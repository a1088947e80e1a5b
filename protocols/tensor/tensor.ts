import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum DType {
  DTYPE_UNSPECIFIED = 'DTYPE_UNSPECIFIED',
  FLOAT32 = 'FLOAT32'
}

enum __DTypeValues {
  DTYPE_UNSPECIFIED = 0,
  FLOAT32 = 1
}

export namespace DType {
  export const codec = (): Codec<DType> => {
    return enumeration<DType>(__DTypeValues)
  }
}

export enum FrameKind {
  FRAME_KIND_UNSPECIFIED = 'FRAME_KIND_UNSPECIFIED',
  SLICE = 'SLICE',
  OUTPUT = 'OUTPUT',
  ERROR = 'ERROR'
}

enum __FrameKindValues {
  FRAME_KIND_UNSPECIFIED = 0,
  SLICE = 1,
  OUTPUT = 2,
  ERROR = 3
}

export namespace FrameKind {
  export const codec = (): Codec<FrameKind> => {
    return enumeration<FrameKind>(__FrameKindValues)
  }
}

export interface TraceEntry {
  device: string
  volume: number
  part: number
  waitMs: number
  computeMs: number
  rows: number
  readyAt: number
  startedAt: number
  runMs: number
}

export namespace TraceEntry {
  let _codec: Codec<TraceEntry>

  export const codec = (): Codec<TraceEntry> => {
    if (_codec == null) {
      _codec = message<TraceEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.device != null && obj.device !== '')) {
          w.uint32(10)
          w.string(obj.device)
        }

        if ((obj.volume != null && obj.volume !== 0)) {
          w.uint32(16)
          w.uint32(obj.volume)
        }

        if ((obj.part != null && obj.part !== 0)) {
          w.uint32(24)
          w.uint32(obj.part)
        }

        if ((obj.waitMs != null && obj.waitMs !== 0)) {
          w.uint32(33)
          w.double(obj.waitMs)
        }

        if ((obj.computeMs != null && obj.computeMs !== 0)) {
          w.uint32(41)
          w.double(obj.computeMs)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(48)
          w.uint32(obj.rows)
        }

        if ((obj.readyAt != null && obj.readyAt !== 0)) {
          w.uint32(57)
          w.double(obj.readyAt)
        }

        if ((obj.startedAt != null && obj.startedAt !== 0)) {
          w.uint32(65)
          w.double(obj.startedAt)
        }

        if ((obj.runMs != null && obj.runMs !== 0)) {
          w.uint32(73)
          w.double(obj.runMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          device: '',
          volume: 0,
          part: 0,
          waitMs: 0,
          computeMs: 0,
          rows: 0,
          readyAt: 0,
          startedAt: 0,
          runMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.device = reader.string()
              break
            }
            case 2: {
              obj.volume = reader.uint32()
              break
            }
            case 3: {
              obj.part = reader.uint32()
              break
            }
            case 4: {
              obj.waitMs = reader.double()
              break
            }
            case 5: {
              obj.computeMs = reader.double()
              break
            }
            case 6: {
              obj.rows = reader.uint32()
              break
            }
            case 7: {
              obj.readyAt = reader.double()
              break
            }
            case 8: {
              obj.startedAt = reader.double()
              break
            }
            case 9: {
              obj.runMs = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.device`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.volume`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.part`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.waitMs`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.computeMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.rows`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.readyAt`,
                value: reader.double()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.startedAt`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.runMs`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TraceEntryDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface TraceEntryVolumeFieldEvent {
    field: '$.volume'
    value: number
  }

  export interface TraceEntryPartFieldEvent {
    field: '$.part'
    value: number
  }

  export interface TraceEntryWaitMsFieldEvent {
    field: '$.waitMs'
    value: number
  }

  export interface TraceEntryComputeMsFieldEvent {
    field: '$.computeMs'
    value: number
  }

  export interface TraceEntryRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface TraceEntryReadyAtFieldEvent {
    field: '$.readyAt'
    value: number
  }

  export interface TraceEntryStartedAtFieldEvent {
    field: '$.startedAt'
    value: number
  }

  export interface TraceEntryRunMsFieldEvent {
    field: '$.runMs'
    value: number
  }

  export function encode (obj: Partial<TraceEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TraceEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TraceEntry>): TraceEntry {
    return decodeMessage(buf, TraceEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TraceEntry>): Generator<TraceEntryDeviceFieldEvent | TraceEntryVolumeFieldEvent | TraceEntryPartFieldEvent | TraceEntryWaitMsFieldEvent | TraceEntryComputeMsFieldEvent | TraceEntryRowsFieldEvent | TraceEntryReadyAtFieldEvent | TraceEntryStartedAtFieldEvent | TraceEntryRunMsFieldEvent> {
    return streamMessage(buf, TraceEntry.codec(), opts)
  }
}

export interface TensorHeader {
  kind: FrameKind
  requestId: string
  term: number
  planId: number
  volume: number
  part: number
  tensor: string
  rowStart: number
  rowEnd: number
  colStart: number
  colEnd: number
  dtype: DType
  shape: number[]
  byteLength: number
  trace: TraceEntry[]
  error: string
  errorDevice: string
  requester: string
}

export namespace TensorHeader {
  let _codec: Codec<TensorHeader>

  export const codec = (): Codec<TensorHeader> => {
    if (_codec == null) {
      _codec = message<TensorHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __FrameKindValues[obj.kind] !== 0) {
          w.uint32(8)
          FrameKind.codec().encode(obj.kind, w)
        }

        if ((obj.requestId != null && obj.requestId !== '')) {
          w.uint32(18)
          w.string(obj.requestId)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.term)
        }

        if ((obj.planId != null && obj.planId !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.planId)
        }

        if ((obj.volume != null && obj.volume !== 0)) {
          w.uint32(40)
          w.uint32(obj.volume)
        }

        if ((obj.part != null && obj.part !== 0)) {
          w.uint32(48)
          w.uint32(obj.part)
        }

        if ((obj.tensor != null && obj.tensor !== '')) {
          w.uint32(58)
          w.string(obj.tensor)
        }

        if ((obj.rowStart != null && obj.rowStart !== 0)) {
          w.uint32(64)
          w.uint32(obj.rowStart)
        }

        if ((obj.rowEnd != null && obj.rowEnd !== 0)) {
          w.uint32(72)
          w.uint32(obj.rowEnd)
        }

        if ((obj.colStart != null && obj.colStart !== 0)) {
          w.uint32(80)
          w.uint32(obj.colStart)
        }

        if ((obj.colEnd != null && obj.colEnd !== 0)) {
          w.uint32(88)
          w.uint32(obj.colEnd)
        }

        if (obj.dtype != null && __DTypeValues[obj.dtype] !== 0) {
          w.uint32(96)
          DType.codec().encode(obj.dtype, w)
        }

        if (obj.shape != null && obj.shape.length > 0) {
          for (const value of obj.shape) {
            w.uint32(104)
            w.uint32(value)
          }
        }

        if ((obj.byteLength != null && obj.byteLength !== 0)) {
          w.uint32(112)
          w.uint64Number(obj.byteLength)
        }

        if (obj.trace != null && obj.trace.length > 0) {
          for (const value of obj.trace) {
            w.uint32(122)
            TraceEntry.codec().encode(value, w)
          }
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(130)
          w.string(obj.error)
        }

        if ((obj.errorDevice != null && obj.errorDevice !== '')) {
          w.uint32(138)
          w.string(obj.errorDevice)
        }

        if ((obj.requester != null && obj.requester !== '')) {
          w.uint32(146)
          w.string(obj.requester)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: FrameKind.FRAME_KIND_UNSPECIFIED,
          requestId: '',
          term: 0,
          planId: 0,
          volume: 0,
          part: 0,
          tensor: '',
          rowStart: 0,
          rowEnd: 0,
          colStart: 0,
          colEnd: 0,
          dtype: DType.DTYPE_UNSPECIFIED,
          shape: [],
          byteLength: 0,
          trace: [],
          error: '',
          errorDevice: '',
          requester: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = FrameKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.requestId = reader.string()
              break
            }
            case 3: {
              obj.term = reader.uint64Number()
              break
            }
            case 4: {
              obj.planId = reader.uint64Number()
              break
            }
            case 5: {
              obj.volume = reader.uint32()
              break
            }
            case 6: {
              obj.part = reader.uint32()
              break
            }
            case 7: {
              obj.tensor = reader.string()
              break
            }
            case 8: {
              obj.rowStart = reader.uint32()
              break
            }
            case 9: {
              obj.rowEnd = reader.uint32()
              break
            }
            case 10: {
              obj.colStart = reader.uint32()
              break
            }
            case 11: {
              obj.colEnd = reader.uint32()
              break
            }
            case 12: {
              obj.dtype = DType.codec().decode(reader)
              break
            }
            case 13: {
              if (opts.limits?.shape != null && obj.shape.length === opts.limits.shape) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              if (obj.shape.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              obj.shape.push(reader.uint32())
              break
            }
            case 14: {
              obj.byteLength = reader.uint64Number()
              break
            }
            case 15: {
              if (opts.limits?.trace != null && obj.trace.length === opts.limits.trace) {
                throw new MaxLengthError('Decode error - repeated field "trace" had too many elements')
              }

              if (obj.trace.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "trace" had too many elements')
              }

              obj.trace.push(TraceEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.trace$
              }))
              break
            }
            case 16: {
              obj.error = reader.string()
              break
            }
            case 17: {
              obj.errorDevice = reader.string()
              break
            }
            case 18: {
              obj.requester = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shape: 8,
          trace: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: FrameKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.planId`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.volume`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.part`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.tensor`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.rowStart`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.rowEnd`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.colStart`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.colEnd`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.dtype`,
                value: DType.codec().decode(reader)
              }
              break
            }
            case 13: {
              if (opts.limits?.shape != null && obj.shape === opts.limits.shape) {
                throw new MaxLengthError('Streaming decode error - repeated field "shape" had too many elements')
              }

              if (obj.shape === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "shape" had too many elements')
              }

              yield {
                field: `${prefix}.shape[]`,
                index: obj.shape,
                value: reader.uint32()
              }

              obj.shape++

              break
            }
            case 14: {
              yield {
                field: `${prefix}.byteLength`,
                value: reader.uint64Number()
              }
              break
            }
            case 15: {
              if (opts.limits?.trace != null && obj.trace === opts.limits.trace) {
                throw new MaxLengthError('Streaming decode error - repeated field "trace" had too many elements')
              }

              if (obj.trace === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "trace" had too many elements')
              }

              for (const evt of TraceEntry.codec().stream(reader, reader.uint32(), `${prefix}.trace[]`, {
                limits: opts.limits?.trace$
              })) {
                yield {
                  ...evt,
                  index: obj.trace
                }
              }

              obj.trace++

              break
            }
            case 16: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.errorDevice`,
                value: reader.string()
              }
              break
            }
            case 18: {
              yield {
                field: `${prefix}.requester`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TensorHeaderKindFieldEvent {
    field: '$.kind'
    value: FrameKind
  }

  export interface TensorHeaderRequestIdFieldEvent {
    field: '$.requestId'
    value: string
  }

  export interface TensorHeaderTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface TensorHeaderPlanIdFieldEvent {
    field: '$.planId'
    value: number
  }

  export interface TensorHeaderVolumeFieldEvent {
    field: '$.volume'
    value: number
  }

  export interface TensorHeaderPartFieldEvent {
    field: '$.part'
    value: number
  }

  export interface TensorHeaderTensorFieldEvent {
    field: '$.tensor'
    value: string
  }

  export interface TensorHeaderRowStartFieldEvent {
    field: '$.rowStart'
    value: number
  }

  export interface TensorHeaderRowEndFieldEvent {
    field: '$.rowEnd'
    value: number
  }

  export interface TensorHeaderColStartFieldEvent {
    field: '$.colStart'
    value: number
  }

  export interface TensorHeaderColEndFieldEvent {
    field: '$.colEnd'
    value: number
  }

  export interface TensorHeaderDtypeFieldEvent {
    field: '$.dtype'
    value: DType
  }

  export interface TensorHeaderShapeFieldEvent {
    field: '$.shape[]'
    index: number
    value: number
  }

  export interface TensorHeaderByteLengthFieldEvent {
    field: '$.byteLength'
    value: number
  }

  export interface TensorHeaderTraceDeviceFieldEvent {
    field: '$.trace[].device'
    value: string
    index: number
  }

  export interface TensorHeaderTraceVolumeFieldEvent {
    field: '$.trace[].volume'
    value: number
    index: number
  }

  export interface TensorHeaderTracePartFieldEvent {
    field: '$.trace[].part'
    value: number
    index: number
  }

  export interface TensorHeaderTraceWaitMsFieldEvent {
    field: '$.trace[].waitMs'
    value: number
    index: number
  }

  export interface TensorHeaderTraceComputeMsFieldEvent {
    field: '$.trace[].computeMs'
    value: number
    index: number
  }

  export interface TensorHeaderTraceRowsFieldEvent {
    field: '$.trace[].rows'
    value: number
    index: number
  }

  export interface TensorHeaderTraceReadyAtFieldEvent {
    field: '$.trace[].readyAt'
    value: number
    index: number
  }

  export interface TensorHeaderTraceStartedAtFieldEvent {
    field: '$.trace[].startedAt'
    value: number
    index: number
  }

  export interface TensorHeaderTraceRunMsFieldEvent {
    field: '$.trace[].runMs'
    value: number
    index: number
  }

  export interface TensorHeaderErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface TensorHeaderErrorDeviceFieldEvent {
    field: '$.errorDevice'
    value: string
  }

  export interface TensorHeaderRequesterFieldEvent {
    field: '$.requester'
    value: string
  }

  export function encode (obj: Partial<TensorHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TensorHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorHeader>): TensorHeader {
    return decodeMessage(buf, TensorHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorHeader>): Generator<TensorHeaderKindFieldEvent | TensorHeaderRequestIdFieldEvent | TensorHeaderTermFieldEvent | TensorHeaderPlanIdFieldEvent | TensorHeaderVolumeFieldEvent | TensorHeaderPartFieldEvent | TensorHeaderTensorFieldEvent | TensorHeaderRowStartFieldEvent | TensorHeaderRowEndFieldEvent | TensorHeaderColStartFieldEvent | TensorHeaderColEndFieldEvent | TensorHeaderDtypeFieldEvent | TensorHeaderShapeFieldEvent | TensorHeaderByteLengthFieldEvent | TensorHeaderTraceDeviceFieldEvent | TensorHeaderTraceVolumeFieldEvent | TensorHeaderTracePartFieldEvent | TensorHeaderTraceWaitMsFieldEvent | TensorHeaderTraceComputeMsFieldEvent | TensorHeaderTraceRowsFieldEvent | TensorHeaderTraceReadyAtFieldEvent | TensorHeaderTraceStartedAtFieldEvent | TensorHeaderTraceRunMsFieldEvent | TensorHeaderErrorFieldEvent | TensorHeaderErrorDeviceFieldEvent | TensorHeaderRequesterFieldEvent> {
    return streamMessage(buf, TensorHeader.codec(), opts)
  }
}
