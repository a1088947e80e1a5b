import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum InferDType {
  INFER_DTYPE_UNSPECIFIED = 'INFER_DTYPE_UNSPECIFIED',
  INFER_FLOAT32 = 'INFER_FLOAT32'
}

enum __InferDTypeValues {
  INFER_DTYPE_UNSPECIFIED = 0,
  INFER_FLOAT32 = 1
}

export namespace InferDType {
  export const codec = (): Codec<InferDType> => {
    return enumeration<InferDType>(__InferDTypeValues)
  }
}

export interface InferRequest {
  requestId: string
  modelSha256: string
  modelName: string
  dtype: InferDType
  shape: number[]
  byteLength: number
}

export namespace InferRequest {
  let _codec: Codec<InferRequest>

  export const codec = (): Codec<InferRequest> => {
    if (_codec == null) {
      _codec = message<InferRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.requestId != null && obj.requestId !== '')) {
          w.uint32(10)
          w.string(obj.requestId)
        }

        if ((obj.modelSha256 != null && obj.modelSha256 !== '')) {
          w.uint32(18)
          w.string(obj.modelSha256)
        }

        if ((obj.modelName != null && obj.modelName !== '')) {
          w.uint32(26)
          w.string(obj.modelName)
        }

        if (obj.dtype != null && __InferDTypeValues[obj.dtype] !== 0) {
          w.uint32(32)
          InferDType.codec().encode(obj.dtype, w)
        }

        if (obj.shape != null && obj.shape.length > 0) {
          for (const value of obj.shape) {
            w.uint32(40)
            w.uint32(value)
          }
        }

        if ((obj.byteLength != null && obj.byteLength !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.byteLength)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: '',
          modelSha256: '',
          modelName: '',
          dtype: InferDType.INFER_DTYPE_UNSPECIFIED,
          shape: [],
          byteLength: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.string()
              break
            }
            case 2: {
              obj.modelSha256 = reader.string()
              break
            }
            case 3: {
              obj.modelName = reader.string()
              break
            }
            case 4: {
              obj.dtype = InferDType.codec().decode(reader)
              break
            }
            case 5: {
              if (opts.limits?.shape != null && obj.shape.length === opts.limits.shape) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              if (obj.shape.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              obj.shape.push(reader.uint32())
              break
            }
            case 6: {
              obj.byteLength = reader.uint64Number()
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
          shape: 8
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.modelSha256`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.modelName`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.dtype`,
                value: InferDType.codec().decode(reader)
              }
              break
            }
            case 5: {
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
            case 6: {
              yield {
                field: `${prefix}.byteLength`,
                value: reader.uint64Number()
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

  export interface InferRequestRequestIdFieldEvent {
    field: '$.requestId'
    value: string
  }

  export interface InferRequestModelSha256FieldEvent {
    field: '$.modelSha256'
    value: string
  }

  export interface InferRequestModelNameFieldEvent {
    field: '$.modelName'
    value: string
  }

  export interface InferRequestDtypeFieldEvent {
    field: '$.dtype'
    value: InferDType
  }

  export interface InferRequestShapeFieldEvent {
    field: '$.shape[]'
    index: number
    value: number
  }

  export interface InferRequestByteLengthFieldEvent {
    field: '$.byteLength'
    value: number
  }

  export function encode (obj: Partial<InferRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InferRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InferRequest>): InferRequest {
    return decodeMessage(buf, InferRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InferRequest>): Generator<InferRequestRequestIdFieldEvent | InferRequestModelSha256FieldEvent | InferRequestModelNameFieldEvent | InferRequestDtypeFieldEvent | InferRequestShapeFieldEvent | InferRequestByteLengthFieldEvent> {
    return streamMessage(buf, InferRequest.codec(), opts)
  }
}

export interface OutputHeader {
  name: string
  shape: number[]
  byteLength: number
}

export namespace OutputHeader {
  let _codec: Codec<OutputHeader>

  export const codec = (): Codec<OutputHeader> => {
    if (_codec == null) {
      _codec = message<OutputHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.shape != null && obj.shape.length > 0) {
          for (const value of obj.shape) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if ((obj.byteLength != null && obj.byteLength !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.byteLength)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          shape: [],
          byteLength: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.shape != null && obj.shape.length === opts.limits.shape) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              if (obj.shape.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
              }

              obj.shape.push(reader.uint32())
              break
            }
            case 3: {
              obj.byteLength = reader.uint64Number()
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
          shape: 8
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
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
            case 3: {
              yield {
                field: `${prefix}.byteLength`,
                value: reader.uint64Number()
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

  export interface OutputHeaderNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface OutputHeaderShapeFieldEvent {
    field: '$.shape[]'
    index: number
    value: number
  }

  export interface OutputHeaderByteLengthFieldEvent {
    field: '$.byteLength'
    value: number
  }

  export function encode (obj: Partial<OutputHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputHeader>): OutputHeader {
    return decodeMessage(buf, OutputHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputHeader>): Generator<OutputHeaderNameFieldEvent | OutputHeaderShapeFieldEvent | OutputHeaderByteLengthFieldEvent> {
    return streamMessage(buf, OutputHeader.codec(), opts)
  }
}

export interface Timing {
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

export namespace Timing {
  let _codec: Codec<Timing>

  export const codec = (): Codec<Timing> => {
    if (_codec == null) {
      _codec = message<Timing>((obj, w, opts = {}) => {
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

  export interface TimingDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface TimingVolumeFieldEvent {
    field: '$.volume'
    value: number
  }

  export interface TimingPartFieldEvent {
    field: '$.part'
    value: number
  }

  export interface TimingWaitMsFieldEvent {
    field: '$.waitMs'
    value: number
  }

  export interface TimingComputeMsFieldEvent {
    field: '$.computeMs'
    value: number
  }

  export interface TimingRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface TimingReadyAtFieldEvent {
    field: '$.readyAt'
    value: number
  }

  export interface TimingStartedAtFieldEvent {
    field: '$.startedAt'
    value: number
  }

  export interface TimingRunMsFieldEvent {
    field: '$.runMs'
    value: number
  }

  export function encode (obj: Partial<Timing>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Timing.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Timing>): Timing {
    return decodeMessage(buf, Timing.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Timing>): Generator<TimingDeviceFieldEvent | TimingVolumeFieldEvent | TimingPartFieldEvent | TimingWaitMsFieldEvent | TimingComputeMsFieldEvent | TimingRowsFieldEvent | TimingReadyAtFieldEvent | TimingStartedAtFieldEvent | TimingRunMsFieldEvent> {
    return streamMessage(buf, Timing.codec(), opts)
  }
}

export interface InferResponse {
  ok: boolean
  errorName: string
  error: string
  term: number
  planId: number
  planner: string
  devices: string[]
  outputs: OutputHeader[]
  timings: Timing[]
  totalMs: number
  attempts: number
  sentAt: number
  receivedAt: number
}

export namespace InferResponse {
  let _codec: Codec<InferResponse>

  export const codec = (): Codec<InferResponse> => {
    if (_codec == null) {
      _codec = message<InferResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(8)
          w.bool(obj.ok)
        }

        if ((obj.errorName != null && obj.errorName !== '')) {
          w.uint32(18)
          w.string(obj.errorName)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(26)
          w.string(obj.error)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.term)
        }

        if ((obj.planId != null && obj.planId !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.planId)
        }

        if ((obj.planner != null && obj.planner !== '')) {
          w.uint32(50)
          w.string(obj.planner)
        }

        if (obj.devices != null && obj.devices.length > 0) {
          for (const value of obj.devices) {
            w.uint32(58)
            w.string(value)
          }
        }

        if (obj.outputs != null && obj.outputs.length > 0) {
          for (const value of obj.outputs) {
            w.uint32(66)
            OutputHeader.codec().encode(value, w)
          }
        }

        if (obj.timings != null && obj.timings.length > 0) {
          for (const value of obj.timings) {
            w.uint32(74)
            Timing.codec().encode(value, w)
          }
        }

        if ((obj.totalMs != null && obj.totalMs !== 0)) {
          w.uint32(81)
          w.double(obj.totalMs)
        }

        if ((obj.attempts != null && obj.attempts !== 0)) {
          w.uint32(88)
          w.uint32(obj.attempts)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(97)
          w.double(obj.sentAt)
        }

        if ((obj.receivedAt != null && obj.receivedAt !== 0)) {
          w.uint32(105)
          w.double(obj.receivedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          errorName: '',
          error: '',
          term: 0,
          planId: 0,
          planner: '',
          devices: [],
          outputs: [],
          timings: [],
          totalMs: 0,
          attempts: 0,
          sentAt: 0,
          receivedAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ok = reader.bool()
              break
            }
            case 2: {
              obj.errorName = reader.string()
              break
            }
            case 3: {
              obj.error = reader.string()
              break
            }
            case 4: {
              obj.term = reader.uint64Number()
              break
            }
            case 5: {
              obj.planId = reader.uint64Number()
              break
            }
            case 6: {
              obj.planner = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.devices != null && obj.devices.length === opts.limits.devices) {
                throw new MaxLengthError('Decode error - repeated field "devices" had too many elements')
              }

              if (obj.devices.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "devices" had too many elements')
              }

              obj.devices.push(reader.string())
              break
            }
            case 8: {
              if (opts.limits?.outputs != null && obj.outputs.length === opts.limits.outputs) {
                throw new MaxLengthError('Decode error - repeated field "outputs" had too many elements')
              }

              if (obj.outputs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "outputs" had too many elements')
              }

              obj.outputs.push(OutputHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.outputs$
              }))
              break
            }
            case 9: {
              if (opts.limits?.timings != null && obj.timings.length === opts.limits.timings) {
                throw new MaxLengthError('Decode error - repeated field "timings" had too many elements')
              }

              if (obj.timings.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "timings" had too many elements')
              }

              obj.timings.push(Timing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.timings$
              }))
              break
            }
            case 10: {
              obj.totalMs = reader.double()
              break
            }
            case 11: {
              obj.attempts = reader.uint32()
              break
            }
            case 12: {
              obj.sentAt = reader.double()
              break
            }
            case 13: {
              obj.receivedAt = reader.double()
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
          devices: 256,
          outputs: 16,
          timings: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.errorName`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.planId`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.planner`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.devices != null && obj.devices === opts.limits.devices) {
                throw new MaxLengthError('Streaming decode error - repeated field "devices" had too many elements')
              }

              if (obj.devices === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "devices" had too many elements')
              }

              yield {
                field: `${prefix}.devices[]`,
                index: obj.devices,
                value: reader.string()
              }

              obj.devices++

              break
            }
            case 8: {
              if (opts.limits?.outputs != null && obj.outputs === opts.limits.outputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "outputs" had too many elements')
              }

              if (obj.outputs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "outputs" had too many elements')
              }

              for (const evt of OutputHeader.codec().stream(reader, reader.uint32(), `${prefix}.outputs[]`, {
                limits: opts.limits?.outputs$
              })) {
                yield {
                  ...evt,
                  index: obj.outputs
                }
              }

              obj.outputs++

              break
            }
            case 9: {
              if (opts.limits?.timings != null && obj.timings === opts.limits.timings) {
                throw new MaxLengthError('Streaming decode error - repeated field "timings" had too many elements')
              }

              if (obj.timings === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "timings" had too many elements')
              }

              for (const evt of Timing.codec().stream(reader, reader.uint32(), `${prefix}.timings[]`, {
                limits: opts.limits?.timings$
              })) {
                yield {
                  ...evt,
                  index: obj.timings
                }
              }

              obj.timings++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.totalMs`,
                value: reader.double()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.attempts`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.double()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.receivedAt`,
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

  export interface InferResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface InferResponseErrorNameFieldEvent {
    field: '$.errorName'
    value: string
  }

  export interface InferResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface InferResponseTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface InferResponsePlanIdFieldEvent {
    field: '$.planId'
    value: number
  }

  export interface InferResponsePlannerFieldEvent {
    field: '$.planner'
    value: string
  }

  export interface InferResponseDevicesFieldEvent {
    field: '$.devices[]'
    index: number
    value: string
  }

  export interface InferResponseOutputsNameFieldEvent {
    field: '$.outputs[].name'
    value: string
    index: number
  }

  export interface InferResponseOutputsShapeFieldEvent {
    field: '$.outputs[].shape[]'
    index: number
    value: number
  }

  export interface InferResponseOutputsByteLengthFieldEvent {
    field: '$.outputs[].byteLength'
    value: number
    index: number
  }

  export interface InferResponseTimingsDeviceFieldEvent {
    field: '$.timings[].device'
    value: string
    index: number
  }

  export interface InferResponseTimingsVolumeFieldEvent {
    field: '$.timings[].volume'
    value: number
    index: number
  }

  export interface InferResponseTimingsPartFieldEvent {
    field: '$.timings[].part'
    value: number
    index: number
  }

  export interface InferResponseTimingsWaitMsFieldEvent {
    field: '$.timings[].waitMs'
    value: number
    index: number
  }

  export interface InferResponseTimingsComputeMsFieldEvent {
    field: '$.timings[].computeMs'
    value: number
    index: number
  }

  export interface InferResponseTimingsRowsFieldEvent {
    field: '$.timings[].rows'
    value: number
    index: number
  }

  export interface InferResponseTimingsReadyAtFieldEvent {
    field: '$.timings[].readyAt'
    value: number
    index: number
  }

  export interface InferResponseTimingsStartedAtFieldEvent {
    field: '$.timings[].startedAt'
    value: number
    index: number
  }

  export interface InferResponseTimingsRunMsFieldEvent {
    field: '$.timings[].runMs'
    value: number
    index: number
  }

  export interface InferResponseTotalMsFieldEvent {
    field: '$.totalMs'
    value: number
  }

  export interface InferResponseAttemptsFieldEvent {
    field: '$.attempts'
    value: number
  }

  export interface InferResponseSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface InferResponseReceivedAtFieldEvent {
    field: '$.receivedAt'
    value: number
  }

  export function encode (obj: Partial<InferResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InferResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InferResponse>): InferResponse {
    return decodeMessage(buf, InferResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InferResponse>): Generator<InferResponseOkFieldEvent | InferResponseErrorNameFieldEvent | InferResponseErrorFieldEvent | InferResponseTermFieldEvent | InferResponsePlanIdFieldEvent | InferResponsePlannerFieldEvent | InferResponseDevicesFieldEvent | InferResponseOutputsNameFieldEvent | InferResponseOutputsShapeFieldEvent | InferResponseOutputsByteLengthFieldEvent | InferResponseTimingsDeviceFieldEvent | InferResponseTimingsVolumeFieldEvent | InferResponseTimingsPartFieldEvent | InferResponseTimingsWaitMsFieldEvent | InferResponseTimingsComputeMsFieldEvent | InferResponseTimingsRowsFieldEvent | InferResponseTimingsReadyAtFieldEvent | InferResponseTimingsStartedAtFieldEvent | InferResponseTimingsRunMsFieldEvent | InferResponseTotalMsFieldEvent | InferResponseAttemptsFieldEvent | InferResponseSentAtFieldEvent | InferResponseReceivedAtFieldEvent> {
    return streamMessage(buf, InferResponse.codec(), opts)
  }
}
