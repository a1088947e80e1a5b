import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Role {
  ROLE_UNSPECIFIED = 'ROLE_UNSPECIFIED',
  PROVIDER = 'PROVIDER',
  REQUESTER = 'REQUESTER'
}

enum __RoleValues {
  ROLE_UNSPECIFIED = 0,
  PROVIDER = 1,
  REQUESTER = 2
}

export namespace Role {
  export const codec = (): Codec<Role> => {
    return enumeration<Role>(__RoleValues)
  }
}

export interface HeldModel {
  name: string
  sha256: string
  inputShape: number[]
  profile: Uint8Array<ArrayBuffer>
  profileSha256: string
}

export namespace HeldModel {
  let _codec: Codec<HeldModel>

  export const codec = (): Codec<HeldModel> => {
    if (_codec == null) {
      _codec = message<HeldModel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.sha256 != null && obj.sha256 !== '')) {
          w.uint32(18)
          w.string(obj.sha256)
        }

        if (obj.inputShape != null && obj.inputShape.length > 0) {
          for (const value of obj.inputShape) {
            w.uint32(24)
            w.uint32(value)
          }
        }

        if ((obj.profile != null && obj.profile.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.profile)
        }

        if ((obj.profileSha256 != null && obj.profileSha256 !== '')) {
          w.uint32(42)
          w.string(obj.profileSha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          sha256: '',
          inputShape: [],
          profile: uint8ArrayAlloc(0),
          profileSha256: ''
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
              obj.sha256 = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.inputShape != null && obj.inputShape.length === opts.limits.inputShape) {
                throw new MaxLengthError('Decode error - repeated field "inputShape" had too many elements')
              }

              if (obj.inputShape.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "inputShape" had too many elements')
              }

              obj.inputShape.push(reader.uint32())
              break
            }
            case 4: {
              obj.profile = reader.bytes()
              break
            }
            case 5: {
              obj.profileSha256 = reader.string()
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
          inputShape: 8
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
              yield {
                field: `${prefix}.sha256`,
                value: reader.string()
              }
              break
            }
            case 3: {
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
            case 4: {
              yield {
                field: `${prefix}.profile`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.profileSha256`,
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

  export interface HeldModelNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface HeldModelSha256FieldEvent {
    field: '$.sha256'
    value: string
  }

  export interface HeldModelInputShapeFieldEvent {
    field: '$.inputShape[]'
    index: number
    value: number
  }

  export interface HeldModelProfileFieldEvent {
    field: '$.profile'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HeldModelProfileSha256FieldEvent {
    field: '$.profileSha256'
    value: string
  }

  export function encode (obj: Partial<HeldModel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeldModel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeldModel>): HeldModel {
    return decodeMessage(buf, HeldModel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeldModel>): Generator<HeldModelNameFieldEvent | HeldModelSha256FieldEvent | HeldModelInputShapeFieldEvent | HeldModelProfileFieldEvent | HeldModelProfileSha256FieldEvent> {
    return streamMessage(buf, HeldModel.codec(), opts)
  }
}

export interface Capabilities {
  seq: number
  name: string
  version: string
  role: Role
  cpus: number
  memoryBytes: number
  machine: string
  models: HeldModel[]
  addrs: string[]
}

export namespace Capabilities {
  let _codec: Codec<Capabilities>

  export const codec = (): Codec<Capabilities> => {
    if (_codec == null) {
      _codec = message<Capabilities>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(26)
          w.string(obj.version)
        }

        if (obj.role != null && __RoleValues[obj.role] !== 0) {
          w.uint32(32)
          Role.codec().encode(obj.role, w)
        }

        if ((obj.cpus != null && obj.cpus !== 0)) {
          w.uint32(40)
          w.uint32(obj.cpus)
        }

        if ((obj.memoryBytes != null && obj.memoryBytes !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.memoryBytes)
        }

        if ((obj.machine != null && obj.machine !== '')) {
          w.uint32(58)
          w.string(obj.machine)
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(66)
            HeldModel.codec().encode(value, w)
          }
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(74)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          name: '',
          version: '',
          role: Role.ROLE_UNSPECIFIED,
          cpus: 0,
          memoryBytes: 0,
          machine: '',
          models: [],
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64Number()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.version = reader.string()
              break
            }
            case 4: {
              obj.role = Role.codec().decode(reader)
              break
            }
            case 5: {
              obj.cpus = reader.uint32()
              break
            }
            case 6: {
              obj.memoryBytes = reader.uint64Number()
              break
            }
            case 7: {
              obj.machine = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              if (obj.models.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(HeldModel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.models$
              }))
              break
            }
            case 9: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs.length === 32) {
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
          models: 16,
          addrs: 32
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.role`,
                value: Role.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.cpus`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.memoryBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.machine`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              if (obj.models === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              for (const evt of HeldModel.codec().stream(reader, reader.uint32(), `${prefix}.models[]`, {
                limits: opts.limits?.models$
              })) {
                yield {
                  ...evt,
                  index: obj.models
                }
              }

              obj.models++

              break
            }
            case 9: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs === 32) {
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

  export interface CapabilitiesSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface CapabilitiesNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface CapabilitiesVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface CapabilitiesRoleFieldEvent {
    field: '$.role'
    value: Role
  }

  export interface CapabilitiesCpusFieldEvent {
    field: '$.cpus'
    value: number
  }

  export interface CapabilitiesMemoryBytesFieldEvent {
    field: '$.memoryBytes'
    value: number
  }

  export interface CapabilitiesMachineFieldEvent {
    field: '$.machine'
    value: string
  }

  export interface CapabilitiesModelsNameFieldEvent {
    field: '$.models[].name'
    value: string
    index: number
  }

  export interface CapabilitiesModelsSha256FieldEvent {
    field: '$.models[].sha256'
    value: string
    index: number
  }

  export interface CapabilitiesModelsInputShapeFieldEvent {
    field: '$.models[].inputShape[]'
    index: number
    value: number
  }

  export interface CapabilitiesModelsProfileFieldEvent {
    field: '$.models[].profile'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CapabilitiesModelsProfileSha256FieldEvent {
    field: '$.models[].profileSha256'
    value: string
    index: number
  }

  export interface CapabilitiesAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Capabilities>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Capabilities.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Capabilities {
    return decodeMessage(buf, Capabilities.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Generator<CapabilitiesSeqFieldEvent | CapabilitiesNameFieldEvent | CapabilitiesVersionFieldEvent | CapabilitiesRoleFieldEvent | CapabilitiesCpusFieldEvent | CapabilitiesMemoryBytesFieldEvent | CapabilitiesMachineFieldEvent | CapabilitiesModelsNameFieldEvent | CapabilitiesModelsSha256FieldEvent | CapabilitiesModelsInputShapeFieldEvent | CapabilitiesModelsProfileFieldEvent | CapabilitiesModelsProfileSha256FieldEvent | CapabilitiesAddrsFieldEvent> {
    return streamMessage(buf, Capabilities.codec(), opts)
  }
}
