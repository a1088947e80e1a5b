// Capabilities records: encode, and decode hostile bytes into a checked record.
import { createHash } from 'node:crypto'
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, checkShape, checkSha256, checkSize, checkString, decodeWith } from '../fields.js'
import { Capabilities, Role } from './caps.js'
import { CAPS_TOPIC, MAX_CAPS_BYTES, MAX_PROFILE_BYTES } from './constants.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export type PeerRole = 'provider' | 'requester'

export interface HeldModelRecord {
  name: string
  sha256: string
  inputShape: number[]
  /** The measured profile's JSON bytes (empty when not profiled yet). */
  profile: Uint8Array<ArrayBuffer>
  /** sha256 of `profile` ('' when empty). */
  profileSha256: string
}

export interface CapsRecord {
  seq: number
  name: string
  version: string
  role: PeerRole
  cpus: number
  memoryBytes: number
  machine: string
  models: HeldModelRecord[]
  addrs: string[]
}

/** sha256 (hex) of bytes. */
export function sha256Hex (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export function encodeCaps (record: CapsRecord): Uint8Array {
  return Capabilities.encode({
    ...record,
    role: record.role === 'provider' ? Role.PROVIDER : Role.REQUESTER
  })
}

/** Decodes and checks a capabilities record; throws MalformedMessageError naming the bad field. */
export function decodeCaps (data: Uint8Array | Uint8ArrayList): CapsRecord {
  checkSize(CAPS_TOPIC, data, MAX_CAPS_BYTES)
  const msg = decodeWith(CAPS_TOPIC, () => Capabilities.decode(data))
  checkNumber(CAPS_TOPIC, 'seq', msg.seq, { min: 1, integer: true })
  checkString(CAPS_TOPIC, 'name', msg.name, { min: 1 })
  if (!/^[\w.-]+$/.test(msg.name)) throw new MalformedMessageError(CAPS_TOPIC, `name "${msg.name}" may hold only letters, digits, '.', '_' and '-'`)
  checkString(CAPS_TOPIC, 'version', msg.version, { max: 64 })
  if (msg.role !== Role.PROVIDER && msg.role !== Role.REQUESTER) {
    throw new MalformedMessageError(CAPS_TOPIC, `role must be PROVIDER or REQUESTER, got ${msg.role}`)
  }
  checkNumber(CAPS_TOPIC, 'cpus', msg.cpus, { max: 4096, integer: true })
  checkNumber(CAPS_TOPIC, 'memoryBytes', msg.memoryBytes, { integer: true })
  checkString(CAPS_TOPIC, 'machine', msg.machine, { max: 512 })
  msg.addrs.forEach((a, i) => { checkString(CAPS_TOPIC, `addrs[${i}]`, a, { min: 1, max: 512 }) })
  const shas = new Set<string>()
  msg.models.forEach((m, i) => {
    const f = `models[${i}]`
    checkString(CAPS_TOPIC, `${f}.name`, m.name, { min: 1 })
    checkSha256(CAPS_TOPIC, `${f}.sha256`, m.sha256)
    if (shas.has(m.sha256)) throw new MalformedMessageError(CAPS_TOPIC, `${f}.sha256 ${m.sha256} listed twice`)
    shas.add(m.sha256)
    checkShape(CAPS_TOPIC, `${f}.inputShape`, m.inputShape)
    if (m.profile.byteLength > MAX_PROFILE_BYTES) {
      throw new MalformedMessageError(CAPS_TOPIC, `${f}.profile of ${m.profile.byteLength} bytes exceeds ${MAX_PROFILE_BYTES}`)
    }
    if (m.profile.byteLength === 0 ? m.profileSha256 !== '' : m.profileSha256 !== sha256Hex(m.profile)) {
      throw new MalformedMessageError(CAPS_TOPIC, `${f}.profileSha256 does not match the profile's bytes`)
    }
  })
  return {
    seq: msg.seq,
    name: msg.name,
    version: msg.version,
    role: msg.role === Role.PROVIDER ? 'provider' : 'requester',
    cpus: msg.cpus,
    memoryBytes: msg.memoryBytes,
    machine: msg.machine,
    models: msg.models.map(m => ({ name: m.name, sha256: m.sha256, inputShape: [...m.inputShape], profile: m.profile, profileSha256: m.profileSha256 })),
    addrs: [...msg.addrs]
  }
}
