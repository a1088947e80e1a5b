import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ElectionKind {
  ELECTION_KIND_UNSPECIFIED = 'ELECTION_KIND_UNSPECIFIED',
  HEARTBEAT = 'HEARTBEAT',
  VOTE_REQUEST = 'VOTE_REQUEST',
  VOTE = 'VOTE',
  LEAVE = 'LEAVE'
}

enum __ElectionKindValues {
  ELECTION_KIND_UNSPECIFIED = 0,
  HEARTBEAT = 1,
  VOTE_REQUEST = 2,
  VOTE = 3,
  LEAVE = 4
}

export namespace ElectionKind {
  export const codec = (): Codec<ElectionKind> => {
    return enumeration<ElectionKind>(__ElectionKindValues)
  }
}

export enum ElectionRole {
  ELECTION_ROLE_UNSPECIFIED = 'ELECTION_ROLE_UNSPECIFIED',
  FOLLOWER = 'FOLLOWER',
  CANDIDATE = 'CANDIDATE',
  LEADER = 'LEADER',
  OBSERVER = 'OBSERVER'
}

enum __ElectionRoleValues {
  ELECTION_ROLE_UNSPECIFIED = 0,
  FOLLOWER = 1,
  CANDIDATE = 2,
  LEADER = 3,
  OBSERVER = 4
}

export namespace ElectionRole {
  export const codec = (): Codec<ElectionRole> => {
    return enumeration<ElectionRole>(__ElectionRoleValues)
  }
}

export interface ElectionMessage {
  kind: ElectionKind
  term: number
  role: ElectionRole
  leader: string
  candidate: string
  pre: boolean
}

export namespace ElectionMessage {
  let _codec: Codec<ElectionMessage>

  export const codec = (): Codec<ElectionMessage> => {
    if (_codec == null) {
      _codec = message<ElectionMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __ElectionKindValues[obj.kind] !== 0) {
          w.uint32(8)
          ElectionKind.codec().encode(obj.kind, w)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if (obj.role != null && __ElectionRoleValues[obj.role] !== 0) {
          w.uint32(24)
          ElectionRole.codec().encode(obj.role, w)
        }

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(34)
          w.string(obj.leader)
        }

        if ((obj.candidate != null && obj.candidate !== '')) {
          w.uint32(42)
          w.string(obj.candidate)
        }

        if ((obj.pre != null && obj.pre !== false)) {
          w.uint32(48)
          w.bool(obj.pre)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: ElectionKind.ELECTION_KIND_UNSPECIFIED,
          term: 0,
          role: ElectionRole.ELECTION_ROLE_UNSPECIFIED,
          leader: '',
          candidate: '',
          pre: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ElectionKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.role = ElectionRole.codec().decode(reader)
              break
            }
            case 4: {
              obj.leader = reader.string()
              break
            }
            case 5: {
              obj.candidate = reader.string()
              break
            }
            case 6: {
              obj.pre = reader.bool()
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
                field: `${prefix}.kind`,
                value: ElectionKind.codec().decode(reader)
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
                field: `${prefix}.role`,
                value: ElectionRole.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leader`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.candidate`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.pre`,
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

  export interface ElectionMessageKindFieldEvent {
    field: '$.kind'
    value: ElectionKind
  }

  export interface ElectionMessageTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface ElectionMessageRoleFieldEvent {
    field: '$.role'
    value: ElectionRole
  }

  export interface ElectionMessageLeaderFieldEvent {
    field: '$.leader'
    value: string
  }

  export interface ElectionMessageCandidateFieldEvent {
    field: '$.candidate'
    value: string
  }

  export interface ElectionMessagePreFieldEvent {
    field: '$.pre'
    value: boolean
  }

  export function encode (obj: Partial<ElectionMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ElectionMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ElectionMessage>): ElectionMessage {
    return decodeMessage(buf, ElectionMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ElectionMessage>): Generator<ElectionMessageKindFieldEvent | ElectionMessageTermFieldEvent | ElectionMessageRoleFieldEvent | ElectionMessageLeaderFieldEvent | ElectionMessageCandidateFieldEvent | ElectionMessagePreFieldEvent> {
    return streamMessage(buf, ElectionMessage.codec(), opts)
  }
}
