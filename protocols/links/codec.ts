// Link measurement records: encode, and decode hostile bytes into a checked record.
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, checkPeerId, checkSize, decodeWith } from '../fields.js'
import { LINKS_TOPIC, MAX_LINK_MBPS, MAX_LINKS_BYTES } from './constants.js'
import { Links } from './links.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface LinkRecord {
  /** The remote peer id. */
  peer: string
  mbps: number
  rttMs: number
  samples: number
}

export interface LinksRecord {
  seq: number
  links: LinkRecord[]
}

export function encodeLinks (record: LinksRecord): Uint8Array {
  return Links.encode(record)
}

/** Decodes and checks a links record; throws MalformedMessageError naming the bad field. */
export function decodeLinks (data: Uint8Array | Uint8ArrayList): LinksRecord {
  checkSize(LINKS_TOPIC, data, MAX_LINKS_BYTES)
  const msg = decodeWith(LINKS_TOPIC, () => Links.decode(data))
  checkNumber(LINKS_TOPIC, 'seq', msg.seq, { min: 1, integer: true })
  const seen = new Set<string>()
  msg.links.forEach((l, i) => {
    checkPeerId(LINKS_TOPIC, `links[${i}].peer`, l.peer)
    if (seen.has(l.peer)) throw new MalformedMessageError(LINKS_TOPIC, `links[${i}].peer ${l.peer} listed twice`)
    seen.add(l.peer)
    checkNumber(LINKS_TOPIC, `links[${i}].mbps`, l.mbps, { min: 0, max: MAX_LINK_MBPS })
    checkNumber(LINKS_TOPIC, `links[${i}].rttMs`, l.rttMs, { min: 0, max: 60_000 })
    checkNumber(LINKS_TOPIC, `links[${i}].samples`, l.samples, { min: 1, integer: true })
  })
  return { seq: msg.seq, links: msg.links.map(l => ({ ...l })) }
}
