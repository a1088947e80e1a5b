import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum PlanKind {
  PLAN_KIND_UNSPECIFIED = 'PLAN_KIND_UNSPECIFIED',
  PLAN = 'PLAN',
  READY = 'READY'
}

enum __PlanKindValues {
  PLAN_KIND_UNSPECIFIED = 0,
  PLAN = 1,
  READY = 2
}

export namespace PlanKind {
  export const codec = (): Codec<PlanKind> => {
    return enumeration<PlanKind>(__PlanKindValues)
  }
}

export interface Range {
  start: number
  end: number
}

export namespace Range {
  let _codec: Codec<Range>

  export const codec = (): Codec<Range> => {
    if (_codec == null) {
      _codec = message<Range>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.start != null && obj.start !== 0)) {
          w.uint32(8)
          w.uint32(obj.start)
        }

        if ((obj.end != null && obj.end !== 0)) {
          w.uint32(16)
          w.uint32(obj.end)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          start: 0,
          end: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.start = reader.uint32()
              break
            }
            case 2: {
              obj.end = reader.uint32()
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
                field: `${prefix}.start`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.end`,
                value: reader.uint32()
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

  export interface RangeStartFieldEvent {
    field: '$.start'
    value: number
  }

  export interface RangeEndFieldEvent {
    field: '$.end'
    value: number
  }

  export function encode (obj: Partial<Range>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Range.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Range>): Range {
    return decodeMessage(buf, Range.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Range>): Generator<RangeStartFieldEvent | RangeEndFieldEvent> {
    return streamMessage(buf, Range.codec(), opts)
  }
}

export interface Part {
  device: string
  rows?: Range
  cols?: Range
}

export namespace Part {
  let _codec: Codec<Part>

  export const codec = (): Codec<Part> => {
    if (_codec == null) {
      _codec = message<Part>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.device != null && obj.device !== '')) {
          w.uint32(10)
          w.string(obj.device)
        }

        if (obj.rows != null) {
          w.uint32(18)
          Range.codec().encode(obj.rows, w)
        }

        if (obj.cols != null) {
          w.uint32(26)
          Range.codec().encode(obj.cols, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          device: ''
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
              obj.rows = Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.rows
              })
              break
            }
            case 3: {
              obj.cols = Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cols
              })
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
              yield * Range.codec().stream(reader, reader.uint32(), `${prefix}.rows`, {
                limits: opts.limits?.rows
              })

              break
            }
            case 3: {
              yield * Range.codec().stream(reader, reader.uint32(), `${prefix}.cols`, {
                limits: opts.limits?.cols
              })

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

  export interface PartDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface PartRowsStartFieldEvent {
    field: '$.rows.start'
    value: number
  }

  export interface PartRowsEndFieldEvent {
    field: '$.rows.end'
    value: number
  }

  export interface PartColsStartFieldEvent {
    field: '$.cols.start'
    value: number
  }

  export interface PartColsEndFieldEvent {
    field: '$.cols.end'
    value: number
  }

  export function encode (obj: Partial<Part>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Part.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Part>): Part {
    return decodeMessage(buf, Part.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Part>): Generator<PartDeviceFieldEvent | PartRowsStartFieldEvent | PartRowsEndFieldEvent | PartColsStartFieldEvent | PartColsEndFieldEvent> {
    return streamMessage(buf, Part.codec(), opts)
  }
}

export interface Volume {
  input: string
  output: string
  parts: Part[]
}

export namespace Volume {
  let _codec: Codec<Volume>

  export const codec = (): Codec<Volume> => {
    if (_codec == null) {
      _codec = message<Volume>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.input != null && obj.input !== '')) {
          w.uint32(10)
          w.string(obj.input)
        }

        if ((obj.output != null && obj.output !== '')) {
          w.uint32(18)
          w.string(obj.output)
        }

        if (obj.parts != null && obj.parts.length > 0) {
          for (const value of obj.parts) {
            w.uint32(26)
            Part.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          input: '',
          output: '',
          parts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.input = reader.string()
              break
            }
            case 2: {
              obj.output = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.parts != null && obj.parts.length === opts.limits.parts) {
                throw new MaxLengthError('Decode error - repeated field "parts" had too many elements')
              }

              if (obj.parts.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "parts" had too many elements')
              }

              obj.parts.push(Part.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.parts$
              }))
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
          parts: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.input`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.output`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.parts != null && obj.parts === opts.limits.parts) {
                throw new MaxLengthError('Streaming decode error - repeated field "parts" had too many elements')
              }

              if (obj.parts === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "parts" had too many elements')
              }

              for (const evt of Part.codec().stream(reader, reader.uint32(), `${prefix}.parts[]`, {
                limits: opts.limits?.parts$
              })) {
                yield {
                  ...evt,
                  index: obj.parts
                }
              }

              obj.parts++

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

  export interface VolumeInputFieldEvent {
    field: '$.input'
    value: string
  }

  export interface VolumeOutputFieldEvent {
    field: '$.output'
    value: string
  }

  export interface VolumePartsDeviceFieldEvent {
    field: '$.parts[].device'
    value: string
    index: number
  }

  export interface VolumePartsRowsStartFieldEvent {
    field: '$.parts[].rows.start'
    value: number
    index: number
  }

  export interface VolumePartsRowsEndFieldEvent {
    field: '$.parts[].rows.end'
    value: number
    index: number
  }

  export interface VolumePartsColsStartFieldEvent {
    field: '$.parts[].cols.start'
    value: number
    index: number
  }

  export interface VolumePartsColsEndFieldEvent {
    field: '$.parts[].cols.end'
    value: number
    index: number
  }

  export function encode (obj: Partial<Volume>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Volume.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Volume>): Volume {
    return decodeMessage(buf, Volume.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Volume>): Generator<VolumeInputFieldEvent | VolumeOutputFieldEvent | VolumePartsDeviceFieldEvent | VolumePartsRowsStartFieldEvent | VolumePartsRowsEndFieldEvent | VolumePartsColsStartFieldEvent | VolumePartsColsEndFieldEvent> {
    return streamMessage(buf, Volume.codec(), opts)
  }
}

export interface Member {
  device: string
  peer: string
  addrs: string[]
}

export namespace Member {
  let _codec: Codec<Member>

  export const codec = (): Codec<Member> => {
    if (_codec == null) {
      _codec = message<Member>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.device != null && obj.device !== '')) {
          w.uint32(10)
          w.string(obj.device)
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(18)
          w.string(obj.peer)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          device: '',
          peer: '',
          addrs: []
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
              obj.peer = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
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
          addrs: 16
        }

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
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

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

  export interface MemberDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface MemberPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface MemberAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Member>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Member.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Member>): Member {
    return decodeMessage(buf, Member.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Member>): Generator<MemberDeviceFieldEvent | MemberPeerFieldEvent | MemberAddrsFieldEvent> {
    return streamMessage(buf, Member.codec(), opts)
  }
}

export interface PlanBody {
  planner: string
  scenario: string
  predictedMs?: number
  modelName: string
  modelSha256: string
  inputShape: number[]
  volumes: Volume[]
  tailDevice: string
}

export namespace PlanBody {
  let _codec: Codec<PlanBody>

  export const codec = (): Codec<PlanBody> => {
    if (_codec == null) {
      _codec = message<PlanBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.planner != null && obj.planner !== '')) {
          w.uint32(10)
          w.string(obj.planner)
        }

        if ((obj.scenario != null && obj.scenario !== '')) {
          w.uint32(18)
          w.string(obj.scenario)
        }

        if (obj.predictedMs != null) {
          w.uint32(25)
          w.double(obj.predictedMs)
        }

        if ((obj.modelName != null && obj.modelName !== '')) {
          w.uint32(34)
          w.string(obj.modelName)
        }

        if ((obj.modelSha256 != null && obj.modelSha256 !== '')) {
          w.uint32(42)
          w.string(obj.modelSha256)
        }

        if (obj.inputShape != null && obj.inputShape.length > 0) {
          for (const value of obj.inputShape) {
            w.uint32(48)
            w.uint32(value)
          }
        }

        if (obj.volumes != null && obj.volumes.length > 0) {
          for (const value of obj.volumes) {
            w.uint32(58)
            Volume.codec().encode(value, w)
          }
        }

        if ((obj.tailDevice != null && obj.tailDevice !== '')) {
          w.uint32(66)
          w.string(obj.tailDevice)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          planner: '',
          scenario: '',
          modelName: '',
          modelSha256: '',
          inputShape: [],
          volumes: [],
          tailDevice: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.planner = reader.string()
              break
            }
            case 2: {
              obj.scenario = reader.string()
              break
            }
            case 3: {
              obj.predictedMs = reader.double()
              break
            }
            case 4: {
              obj.modelName = reader.string()
              break
            }
            case 5: {
              obj.modelSha256 = reader.string()
              break
            }
            case 6: {
              if (opts.limits?.inputShape != null && obj.inputShape.length === opts.limits.inputShape) {
                throw new MaxLengthError('Decode error - repeated field "inputShape" had too many elements')
              }

              if (obj.inputShape.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "inputShape" had too many elements')
              }

              obj.inputShape.push(reader.uint32())
              break
            }
            case 7: {
              if (opts.limits?.volumes != null && obj.volumes.length === opts.limits.volumes) {
                throw new MaxLengthError('Decode error - repeated field "volumes" had too many elements')
              }

              if (obj.volumes.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "volumes" had too many elements')
              }

              obj.volumes.push(Volume.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.volumes$
              }))
              break
            }
            case 8: {
              obj.tailDevice = reader.string()
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
          inputShape: 8,
          volumes: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.planner`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.scenario`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.predictedMs`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.modelName`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.modelSha256`,
                value: reader.string()
              }
              break
            }
            case 6: {
              if (opts.limits?.inputShape != null && obj.inputShape === opts.limits.inputShape) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputShape" had too many elements')
              }

              if (obj.inputShape === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputShape" had too many elements')
              }

              yield {
                field: `${prefix}.inputShape[]`,
                index: obj.inputShape,
                value: reader.uint32()
              }

              obj.inputShape++

              break
            }
            case 7: {
              if (opts.limits?.volumes != null && obj.volumes === opts.limits.volumes) {
                throw new MaxLengthError('Streaming decode error - repeated field "volumes" had too many elements')
              }

              if (obj.volumes === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "volumes" had too many elements')
              }

              for (const evt of Volume.codec().stream(reader, reader.uint32(), `${prefix}.volumes[]`, {
                limits: opts.limits?.volumes$
              })) {
                yield {
                  ...evt,
                  index: obj.volumes
                }
              }

              obj.volumes++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.tailDevice`,
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

  export interface PlanBodyPlannerFieldEvent {
    field: '$.planner'
    value: string
  }

  export interface PlanBodyScenarioFieldEvent {
    field: '$.scenario'
    value: string
  }

  export interface PlanBodyPredictedMsFieldEvent {
    field: '$.predictedMs'
    value: number
  }

  export interface PlanBodyModelNameFieldEvent {
    field: '$.modelName'
    value: string
  }

  export interface PlanBodyModelSha256FieldEvent {
    field: '$.modelSha256'
    value: string
  }

  export interface PlanBodyInputShapeFieldEvent {
    field: '$.inputShape[]'
    index: number
    value: number
  }

  export interface PlanBodyVolumesInputFieldEvent {
    field: '$.volumes[].input'
    value: string
    index: number
  }

  export interface PlanBodyVolumesOutputFieldEvent {
    field: '$.volumes[].output'
    value: string
    index: number
  }

  export interface PlanBodyVolumesPartsDeviceFieldEvent {
    field: '$.volumes[].parts[].device'
    value: string
    index: number
  }

  export interface PlanBodyVolumesPartsRowsStartFieldEvent {
    field: '$.volumes[].parts[].rows.start'
    value: number
    index: number
  }

  export interface PlanBodyVolumesPartsRowsEndFieldEvent {
    field: '$.volumes[].parts[].rows.end'
    value: number
    index: number
  }

  export interface PlanBodyVolumesPartsColsStartFieldEvent {
    field: '$.volumes[].parts[].cols.start'
    value: number
    index: number
  }

  export interface PlanBodyVolumesPartsColsEndFieldEvent {
    field: '$.volumes[].parts[].cols.end'
    value: number
    index: number
  }

  export interface PlanBodyTailDeviceFieldEvent {
    field: '$.tailDevice'
    value: string
  }

  export function encode (obj: Partial<PlanBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PlanBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlanBody>): PlanBody {
    return decodeMessage(buf, PlanBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlanBody>): Generator<PlanBodyPlannerFieldEvent | PlanBodyScenarioFieldEvent | PlanBodyPredictedMsFieldEvent | PlanBodyModelNameFieldEvent | PlanBodyModelSha256FieldEvent | PlanBodyInputShapeFieldEvent | PlanBodyVolumesInputFieldEvent | PlanBodyVolumesOutputFieldEvent | PlanBodyVolumesPartsDeviceFieldEvent | PlanBodyVolumesPartsRowsStartFieldEvent | PlanBodyVolumesPartsRowsEndFieldEvent | PlanBodyVolumesPartsColsStartFieldEvent | PlanBodyVolumesPartsColsEndFieldEvent | PlanBodyTailDeviceFieldEvent> {
    return streamMessage(buf, PlanBody.codec(), opts)
  }
}

export interface PlanMessage {
  kind: PlanKind
  term: number
  planId: number
  members: Member[]
  plan?: PlanBody
  ok: boolean
  reason: string
  modelSha256: string
}

export namespace PlanMessage {
  let _codec: Codec<PlanMessage>

  export const codec = (): Codec<PlanMessage> => {
    if (_codec == null) {
      _codec = message<PlanMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __PlanKindValues[obj.kind] !== 0) {
          w.uint32(8)
          PlanKind.codec().encode(obj.kind, w)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if ((obj.planId != null && obj.planId !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.planId)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(34)
            Member.codec().encode(value, w)
          }
        }

        if (obj.plan != null) {
          w.uint32(42)
          PlanBody.codec().encode(obj.plan, w)
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(48)
          w.bool(obj.ok)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(58)
          w.string(obj.reason)
        }

        if ((obj.modelSha256 != null && obj.modelSha256 !== '')) {
          w.uint32(66)
          w.string(obj.modelSha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: PlanKind.PLAN_KIND_UNSPECIFIED,
          term: 0,
          planId: 0,
          members: [],
          ok: false,
          reason: '',
          modelSha256: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = PlanKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.planId = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(Member.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.members$
              }))
              break
            }
            case 5: {
              obj.plan = PlanBody.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.plan
              })
              break
            }
            case 6: {
              obj.ok = reader.bool()
              break
            }
            case 7: {
              obj.reason = reader.string()
              break
            }
            case 8: {
              obj.modelSha256 = reader.string()
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
          members: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: PlanKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.planId`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              for (const evt of Member.codec().stream(reader, reader.uint32(), `${prefix}.members[]`, {
                limits: opts.limits?.members$
              })) {
                yield {
                  ...evt,
                  index: obj.members
                }
              }

              obj.members++

              break
            }
            case 5: {
              yield * PlanBody.codec().stream(reader, reader.uint32(), `${prefix}.plan`, {
                limits: opts.limits?.plan
              })

              break
            }
            case 6: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.modelSha256`,
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

  export interface PlanMessageKindFieldEvent {
    field: '$.kind'
    value: PlanKind
  }

  export interface PlanMessageTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface PlanMessagePlanIdFieldEvent {
    field: '$.planId'
    value: number
  }

  export interface PlanMessageMembersDeviceFieldEvent {
    field: '$.members[].device'
    value: string
    index: number
  }

  export interface PlanMessageMembersPeerFieldEvent {
    field: '$.members[].peer'
    value: string
    index: number
  }

  export interface PlanMessageMembersAddrsFieldEvent {
    field: '$.members[].addrs[]'
    index: number
    value: string
  }

  export interface PlanMessagePlanPlannerFieldEvent {
    field: '$.plan.planner'
    value: string
  }

  export interface PlanMessagePlanScenarioFieldEvent {
    field: '$.plan.scenario'
    value: string
  }

  export interface PlanMessagePlanPredictedMsFieldEvent {
    field: '$.plan.predictedMs'
    value: number
  }

  export interface PlanMessagePlanModelNameFieldEvent {
    field: '$.plan.modelName'
    value: string
  }

  export interface PlanMessagePlanModelSha256FieldEvent {
    field: '$.plan.modelSha256'
    value: string
  }

  export interface PlanMessagePlanInputShapeFieldEvent {
    field: '$.plan.inputShape[]'
    index: number
    value: number
  }

  export interface PlanMessagePlanVolumesInputFieldEvent {
    field: '$.plan.volumes[].input'
    value: string
    index: number
  }

  export interface PlanMessagePlanVolumesOutputFieldEvent {
    field: '$.plan.volumes[].output'
    value: string
    index: number
  }

  export interface PlanMessagePlanVolumesPartsDeviceFieldEvent {
    field: '$.plan.volumes[].parts[].device'
    value: string
    index: number
  }

  export interface PlanMessagePlanVolumesPartsRowsStartFieldEvent {
    field: '$.plan.volumes[].parts[].rows.start'
    value: number
    index: number
  }

  export interface PlanMessagePlanVolumesPartsRowsEndFieldEvent {
    field: '$.plan.volumes[].parts[].rows.end'
    value: number
    index: number
  }

  export interface PlanMessagePlanVolumesPartsColsStartFieldEvent {
    field: '$.plan.volumes[].parts[].cols.start'
    value: number
    index: number
  }

  export interface PlanMessagePlanVolumesPartsColsEndFieldEvent {
    field: '$.plan.volumes[].parts[].cols.end'
    value: number
    index: number
  }

  export interface PlanMessagePlanTailDeviceFieldEvent {
    field: '$.plan.tailDevice'
    value: string
  }

  export interface PlanMessageOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface PlanMessageReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface PlanMessageModelSha256FieldEvent {
    field: '$.modelSha256'
    value: string
  }

  export function encode (obj: Partial<PlanMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PlanMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlanMessage>): PlanMessage {
    return decodeMessage(buf, PlanMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PlanMessage>): Generator<PlanMessageKindFieldEvent | PlanMessageTermFieldEvent | PlanMessagePlanIdFieldEvent | PlanMessageMembersDeviceFieldEvent | PlanMessageMembersPeerFieldEvent | PlanMessageMembersAddrsFieldEvent | PlanMessagePlanPlannerFieldEvent | PlanMessagePlanScenarioFieldEvent | PlanMessagePlanPredictedMsFieldEvent | PlanMessagePlanModelNameFieldEvent | PlanMessagePlanModelSha256FieldEvent | PlanMessagePlanInputShapeFieldEvent | PlanMessagePlanVolumesInputFieldEvent | PlanMessagePlanVolumesOutputFieldEvent | PlanMessagePlanVolumesPartsDeviceFieldEvent | PlanMessagePlanVolumesPartsRowsStartFieldEvent | PlanMessagePlanVolumesPartsRowsEndFieldEvent | PlanMessagePlanVolumesPartsColsStartFieldEvent | PlanMessagePlanVolumesPartsColsEndFieldEvent | PlanMessagePlanTailDeviceFieldEvent | PlanMessageOkFieldEvent | PlanMessageReasonFieldEvent | PlanMessageModelSha256FieldEvent> {
    return streamMessage(buf, PlanMessage.codec(), opts)
  }
}
