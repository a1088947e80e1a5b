import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Link {
  peer: string
  mbps: number
  rttMs: number
  samples: number
}

export namespace Link {
  let _codec: Codec<Link>

  export const codec = (): Codec<Link> => {
    if (_codec == null) {
      _codec = message<Link>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.mbps != null && obj.mbps !== 0)) {
          w.uint32(17)
          w.double(obj.mbps)
        }

        if ((obj.rttMs != null && obj.rttMs !== 0)) {
          w.uint32(25)
          w.double(obj.rttMs)
        }

        if ((obj.samples != null && obj.samples !== 0)) {
          w.uint32(32)
          w.uint32(obj.samples)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          mbps: 0,
          rttMs: 0,
          samples: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.mbps = reader.double()
              break
            }
            case 3: {
              obj.rttMs = reader.double()
              break
            }
            case 4: {
              obj.samples = reader.uint32()
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
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.mbps`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.rttMs`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.samples`,
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

  export interface LinkPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface LinkMbpsFieldEvent {
    field: '$.mbps'
    value: number
  }

  export interface LinkRttMsFieldEvent {
    field: '$.rttMs'
    value: number
  }

  export interface LinkSamplesFieldEvent {
    field: '$.samples'
    value: number
  }

  export function encode (obj: Partial<Link>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Link.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Link>): Link {
    return decodeMessage(buf, Link.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Link>): Generator<LinkPeerFieldEvent | LinkMbpsFieldEvent | LinkRttMsFieldEvent | LinkSamplesFieldEvent> {
    return streamMessage(buf, Link.codec(), opts)
  }
}

export interface Links {
  seq: number
  links: Link[]
}

export namespace Links {
  let _codec: Codec<Links>

  export const codec = (): Codec<Links> => {
    if (_codec == null) {
      _codec = message<Links>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if (obj.links != null && obj.links.length > 0) {
          for (const value of obj.links) {
            w.uint32(18)
            Link.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          links: []
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
              if (opts.limits?.links != null && obj.links.length === opts.limits.links) {
                throw new MaxLengthError('Decode error - repeated field "links" had too many elements')
              }

              if (obj.links.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "links" had too many elements')
              }

              obj.links.push(Link.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.links$
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
          links: 256
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
              if (opts.limits?.links != null && obj.links === opts.limits.links) {
                throw new MaxLengthError('Streaming decode error - repeated field "links" had too many elements')
              }

              if (obj.links === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "links" had too many elements')
              }

              for (const evt of Link.codec().stream(reader, reader.uint32(), `${prefix}.links[]`, {
                limits: opts.limits?.links$
              })) {
                yield {
                  ...evt,
                  index: obj.links
                }
              }

              obj.links++

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

  export interface LinksSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface LinksLinksPeerFieldEvent {
    field: '$.links[].peer'
    value: string
    index: number
  }

  export interface LinksLinksMbpsFieldEvent {
    field: '$.links[].mbps'
    value: number
    index: number
  }

  export interface LinksLinksRttMsFieldEvent {
    field: '$.links[].rttMs'
    value: number
    index: number
  }

  export interface LinksLinksSamplesFieldEvent {
    field: '$.links[].samples'
    value: number
    index: number
  }

  export function encode (obj: Partial<Links>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Links.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Links>): Links {
    return decodeMessage(buf, Links.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Links>): Generator<LinksSeqFieldEvent | LinksLinksPeerFieldEvent | LinksLinksMbpsFieldEvent | LinksLinksRttMsFieldEvent | LinksLinksSamplesFieldEvent> {
    return streamMessage(buf, Links.codec(), opts)
  }
}
