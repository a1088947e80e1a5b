// Checks for decoded wire fields: every check names the protocol and the field, so a rejected
// message is logged with a reason a reader can act on.
import { MalformedMessageError, MessageTooLargeError } from '../src/errors.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Longest name (device, model, tensor) a message may carry. */
export const MAX_NAME_LENGTH = 256

/** Most dimensions a tensor shape may have. */
export const MAX_RANK = 8

/** Largest single dimension a tensor may have. */
export const MAX_DIM = 1 << 24

const PEER_ID = /^(?:[1-9A-HJ-NP-Za-km-z]{32,128}|b[a-z2-7]{32,128})$/
const SHA256 = /^[0-9a-f]{64}$/

/** Rejects a message longer than `max` before it is decoded. */
export function checkSize (protocol: string, data: Uint8Array | Uint8ArrayList, max: number): void {
  if (data.byteLength > max) {
    throw new MessageTooLargeError(protocol, `message of ${data.byteLength} bytes exceeds the limit of ${max}`)
  }
}

/** Decodes with the generated protons codec, turning its errors into MalformedMessageError. */
export function decodeWith<T> (protocol: string, decode: () => T): T {
  try {
    return decode()
  } catch (err: any) {
    throw new MalformedMessageError(protocol, `undecodable message: ${err?.message ?? String(err)}`)
  }
}

export function checkString (protocol: string, field: string, value: string, options: { min?: number, max?: number } = {}): void {
  const min = options.min ?? 0
  const max = options.max ?? MAX_NAME_LENGTH
  if (value.length < min || value.length > max) {
    throw new MalformedMessageError(protocol, `${field} must be ${min}-${max} characters, got ${value.length}`)
  }
}

export function checkPeerId (protocol: string, field: string, value: string): void {
  if (!PEER_ID.test(value)) {
    throw new MalformedMessageError(protocol, `${field} is not a peer id: "${value.slice(0, 80)}"`)
  }
}

export function checkSha256 (protocol: string, field: string, value: string): void {
  if (!SHA256.test(value)) {
    throw new MalformedMessageError(protocol, `${field} must be 64 lowercase hex digits, got "${value.slice(0, 80)}"`)
  }
}

export function checkNumber (protocol: string, field: string, value: number, options: { min?: number, max?: number, integer?: boolean } = {}): void {
  const min = options.min ?? 0
  const max = options.max ?? Number.MAX_SAFE_INTEGER
  if (!Number.isFinite(value) || value < min || value > max || (options.integer === true && !Number.isInteger(value))) {
    throw new MalformedMessageError(protocol, `${field} must be ${options.integer === true ? 'an integer ' : ''}in [${min}, ${max}], got ${value}`)
  }
}

/** A tensor shape: 1..MAX_RANK dimensions, each 1..MAX_DIM; returns its element count. */
export function checkShape (protocol: string, field: string, shape: number[]): number {
  if (shape.length < 1 || shape.length > MAX_RANK) {
    throw new MalformedMessageError(protocol, `${field} must have 1-${MAX_RANK} dimensions, got ${shape.length}`)
  }
  let elements = 1
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > MAX_DIM) {
      throw new MalformedMessageError(protocol, `${field} has a dimension ${d} outside [1, ${MAX_DIM}]`)
    }
    elements *= d
  }
  return elements
}
