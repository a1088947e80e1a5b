import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ProbeRequest {
  size: number
}

export namespace ProbeRequest {
  let _codec: Codec<ProbeRequest>

  export const codec = (): Codec<ProbeRequest> => {
    if (_codec == null) {
      _codec = message<ProbeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(8)
          w.uint32(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.size = reader.uint32()
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
                field: `${prefix}.size`,
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

  export interface ProbeRequestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<ProbeRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProbeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeRequest>): ProbeRequest {
    return decodeMessage(buf, ProbeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeRequest>): Generator<ProbeRequestSizeFieldEvent> {
    return streamMessage(buf, ProbeRequest.codec(), opts)
  }
}

export interface ProbeReply {
  received: number
  busy: boolean
}

export namespace ProbeReply {
  let _codec: Codec<ProbeReply>

  export const codec = (): Codec<ProbeReply> => {
    if (_codec == null) {
      _codec = message<ProbeReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.received != null && obj.received !== 0)) {
          w.uint32(8)
          w.uint32(obj.received)
        }

        if ((obj.busy != null && obj.busy !== false)) {
          w.uint32(16)
          w.bool(obj.busy)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          received: 0,
          busy: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.received = reader.uint32()
              break
            }
            case 2: {
              obj.busy = reader.bool()
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
                field: `${prefix}.received`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.busy`,
                value: reader.bool()
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

  export interface ProbeReplyReceivedFieldEvent {
    field: '$.received'
    value: number
  }

  export interface ProbeReplyBusyFieldEvent {
    field: '$.busy'
    value: boolean
  }

  export function encode (obj: Partial<ProbeReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProbeReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeReply>): ProbeReply {
    return decodeMessage(buf, ProbeReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeReply>): Generator<ProbeReplyReceivedFieldEvent | ProbeReplyBusyFieldEvent> {
    return streamMessage(buf, ProbeReply.codec(), opts)
  }
}
