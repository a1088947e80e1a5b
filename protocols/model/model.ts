import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ModelRequest {
  sha256: string
}

export namespace ModelRequest {
  let _codec: Codec<ModelRequest>

  export const codec = (): Codec<ModelRequest> => {
    if (_codec == null) {
      _codec = message<ModelRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sha256 != null && obj.sha256 !== '')) {
          w.uint32(10)
          w.string(obj.sha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sha256: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sha256 = reader.string()
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
                field: `${prefix}.sha256`,
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

  export interface ModelRequestSha256FieldEvent {
    field: '$.sha256'
    value: string
  }

  export function encode (obj: Partial<ModelRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelRequest>): ModelRequest {
    return decodeMessage(buf, ModelRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelRequest>): Generator<ModelRequestSha256FieldEvent> {
    return streamMessage(buf, ModelRequest.codec(), opts)
  }
}

export interface ModelReply {
  found: boolean
  name: string
  byteLength: number
}

export namespace ModelReply {
  let _codec: Codec<ModelReply>

  export const codec = (): Codec<ModelReply> => {
    if (_codec == null) {
      _codec = message<ModelReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.found != null && obj.found !== false)) {
          w.uint32(8)
          w.bool(obj.found)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
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
          found: false,
          name: '',
          byteLength: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.found = reader.bool()
              break
            }
            case 2: {
              obj.name = reader.string()
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.found`,
                value: reader.bool()
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

  export interface ModelReplyFoundFieldEvent {
    field: '$.found'
    value: boolean
  }

  export interface ModelReplyNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ModelReplyByteLengthFieldEvent {
    field: '$.byteLength'
    value: number
  }

  export function encode (obj: Partial<ModelReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelReply>): ModelReply {
    return decodeMessage(buf, ModelReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelReply>): Generator<ModelReplyFoundFieldEvent | ModelReplyNameFieldEvent | ModelReplyByteLengthFieldEvent> {
    return streamMessage(buf, ModelReply.codec(), opts)
  }
}
