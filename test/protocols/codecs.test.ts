import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeCaps, encodeCaps, sha256Hex } from '../../protocols/caps/codec.js'
import { Capabilities, Role } from '../../protocols/caps/caps.js'
import { decodeElection, encodeElection } from '../../protocols/election/codec.js'
import { ElectionKind, ElectionMessage, ElectionRole } from '../../protocols/election/election.js'
import { decodeLinks, encodeLinks } from '../../protocols/links/codec.js'
import { decodePlanRecord, encodePlanRecord, planOrder } from '../../protocols/plan/codec.js'
import { decodeTensorHeader, encodeTensorHeader } from '../../protocols/tensor/codec.js'
import { DType, FrameKind, TensorHeader } from '../../protocols/tensor/tensor.js'
import type { CapsRecord } from '../../protocols/caps/codec.js'
import type { PlanAnnouncement } from '../../protocols/plan/codec.js'
import type { TensorFrame } from '../../protocols/tensor/codec.js'

const PEER = '12D3KooWGo8jj5MuqR2g4rWKh4ib8pz92c6HbTT15x1ESxivinvg'
const PEER2 = '12D3KooWNvV2BkQt4BmJPqedvc9te2Yfqk7dqsUg6poo5uZjZTtB'
const SHA = 'ab'.repeat(32)

/** Seeded junk of every length up to `max`, plus every truncation of a valid message. */
function* hostile (valid: Uint8Array, max = 300): Generator<Uint8Array> {
  let s = 7
  for (let n = 0; n < max; n += 7) {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; b[i] = s & 0xff }
    yield b
  }
  for (let n = 0; n < valid.length; n++) yield valid.subarray(0, n)
  // single flipped bytes
  for (let i = 0; i < valid.length; i += Math.max(1, Math.floor(valid.length / 40))) {
    const b = Uint8Array.from(valid)
    b[i] ^= 0xff
    yield b
  }
}

/** Decoding must either give a value or throw a MalformedMessageError (never anything else). */
function assertOnlyNamedErrors (decode: (b: Uint8Array) => unknown, valid: Uint8Array): void {
  for (const bytes of hostile(valid)) {
    try {
      decode(bytes)
    } catch (err: any) {
      assert.ok(err.name === 'MalformedMessageError' || err.name === 'MessageTooLargeError', `threw ${err.name as string}: ${err.message as string}`)
    }
  }
}

const caps: CapsRecord = {
  seq: 3, name: 'node-a', version: '0.1.0', role: 'provider', cpus: 4, memoryBytes: 8e9, machine: 'x86',
  models: [{ name: 'vgg16', sha256: SHA, inputShape: [1, 3, 224, 224], profile: new TextEncoder().encode('{"kind":"measured"}'), profileSha256: sha256Hex(new TextEncoder().encode('{"kind":"measured"}')) }],
  addrs: ['/ip4/127.0.0.1/tcp/4001']
}

describe('caps codec', () => {
  it('round-trips a record', () => {
    const back = decodeCaps(encodeCaps(caps))
    assert.deepEqual({ ...back, models: back.models.map(m => ({ ...m, profile: [...m.profile] })) }, { ...caps, models: caps.models.map(m => ({ ...m, profile: [...m.profile] })) })
  })
  it('rejects hostile bytes with named errors only', () => {
    assertOnlyNamedErrors(decodeCaps, encodeCaps(caps))
  })
  it('names the bad field', () => {
    const bad = (patch: Partial<CapsRecord>, re: RegExp): void => {
      assert.throws(() => decodeCaps(encodeCaps({ ...caps, ...patch })), (err: any) => err.name === 'MalformedMessageError' && re.test(err.message))
    }
    bad({ name: 'no spaces allowed' }, /name/)
    bad({ seq: 0 }, /seq/)
    bad({ models: [{ ...caps.models[0], sha256: 'zz' }] }, /models\[0\]\.sha256/)
    bad({ models: [{ ...caps.models[0], profileSha256: SHA }] }, /profileSha256/)
    bad({ models: [caps.models[0], caps.models[0]] }, /listed twice/)
    bad({ models: [{ ...caps.models[0], inputShape: [] }] }, /inputShape/)
    assert.throws(() => decodeCaps(Capabilities.encode({ seq: 1, name: 'a', role: Role.ROLE_UNSPECIFIED })), /role/)
  })
  it('bounds sizes before decoding', () => {
    const models = Array.from({ length: 17 }, (_, i) => ({ ...caps.models[0], sha256: i.toString(16).padStart(64, '0') }))
    assert.throws(() => decodeCaps(Capabilities.encode({ ...caps, role: Role.PROVIDER, models })), (err: any) => err.name === 'MalformedMessageError' && /too many/.test(err.message))
    assert.throws(() => decodeCaps(new Uint8Array(2 * 1024 * 1024)), { name: 'MessageTooLargeError' })
  })
})

describe('links and election codecs', () => {
  it('round-trip and reject hostile bytes', () => {
    const links = { seq: 2, links: [{ peer: PEER, mbps: 940.5, rttMs: 0.4, samples: 3 }] }
    assert.deepEqual(decodeLinks(encodeLinks(links)), links)
    assertOnlyNamedErrors(decodeLinks, encodeLinks(links))
    assert.throws(() => decodeLinks(encodeLinks({ seq: 1, links: [{ peer: 'not a peer', mbps: 1, rttMs: 1, samples: 1 }] })), /links\[0\]\.peer/)
    assert.throws(() => decodeLinks(encodeLinks({ seq: 1, links: [{ peer: PEER, mbps: -1, rttMs: 1, samples: 1 }] })), /mbps/)
    for (const m of [
      { kind: 'heartbeat', term: 4, role: 'leader', leader: PEER },
      { kind: 'heartbeat', term: 0, role: 'follower', leader: undefined },
      { kind: 'vote-request', term: 5, pre: true },
      { kind: 'vote', term: 5, candidate: PEER2, pre: false },
      { kind: 'leave', term: 5 }
    ] as const) {
      assert.deepEqual(decodeElection(encodeElection(m)), m)
      assertOnlyNamedErrors(decodeElection, encodeElection(m))
    }
    assert.throws(() => decodeElection(ElectionMessage.encode({ kind: ElectionKind.ELECTION_KIND_UNSPECIFIED, term: 1, role: ElectionRole.FOLLOWER })), /kind/)
    assert.throws(() => decodeElection(ElectionMessage.encode({ kind: ElectionKind.VOTE, term: 1, candidate: 'x' })), /candidate/)
    assert.throws(() => decodeElection(ElectionMessage.encode({ kind: ElectionKind.VOTE_REQUEST, term: 0 })), /term/)
  })
})

const plan: PlanAnnouncement = {
  kind: 'plan', term: 2, planId: 5,
  members: [{ device: 'a', peer: PEER, addrs: ['/ip4/10.0.0.1/tcp/1'] }, { device: 'b', peer: PEER2, addrs: [] }],
  plan: {
    planner: 'distredge', scenario: 'mesh term 2', predictedMs: 41.5,
    model: { name: 'vgg16', sha256: SHA, inputShape: [1, 3, 224, 224] },
    volumes: [{ input: 'input', output: 'pool2', parts: [{ device: 'a', rows: [0, 40] }, { device: 'b', rows: [40, 56], cols: [0, 56] }] }],
    tail: { device: 'a' }
  }
}

describe('plan codec', () => {
  it('orders plans by term, then plan id', () => {
    const keys = [{ term: 2, planId: 1 }, { term: 1, planId: 9 }, { term: 2, planId: 0 }, { term: 1, planId: 3 }].sort(planOrder).map(p => `${p.term}.${p.planId}`)
    assert.deepEqual(keys, ['1.3', '1.9', '2.0', '2.1'])
  })

  it('round-trips a plan and a readiness report', () => {
    assert.deepEqual(decodePlanRecord(encodePlanRecord(plan)), plan)
    const ready = { kind: 'ready', term: 2, planId: 5, modelSha256: SHA, ok: false, reason: 'out of memory' } as const
    assert.deepEqual(decodePlanRecord(encodePlanRecord(ready)), ready)
  })
  it('rejects hostile bytes with named errors only', () => {
    assertOnlyNamedErrors(decodePlanRecord, encodePlanRecord(plan))
  })
  it('rejects parts on devices that are not members, bad rows, duplicate members', () => {
    const withParts = (parts: any[]): PlanAnnouncement => ({ ...plan, plan: { ...plan.plan, volumes: [{ ...plan.plan.volumes[0], parts }] } })
    assert.throws(() => decodePlanRecord(encodePlanRecord(withParts([{ device: 'zz', rows: [0, 1] }]))), /not a member/)
    assert.throws(() => decodePlanRecord(encodePlanRecord(withParts([{ device: 'a', rows: [5, 1] }]))), /rows\.end/)
    assert.throws(() => decodePlanRecord(encodePlanRecord({ ...plan, members: [plan.members[0], { ...plan.members[1], device: 'a' }] })), /listed twice/)
    assert.throws(() => decodePlanRecord(encodePlanRecord({ ...plan, plan: { ...plan.plan, tail: { device: 'nobody' } } })), /tailDevice/)
    assert.throws(() => decodePlanRecord(encodePlanRecord({ ...plan, term: 0 })), /term/)
  })
})

const frame: TensorFrame = {
  kind: 'slice', requestId: 'r1.1', term: 2, planId: 5, volume: 1, part: 0, tensor: 'pool2', rows: [4, 6], cols: [0, 3],
  shape: [1, 2, 2, 3], data: new Float32Array(12), trace: [{ device: 'a', volume: 0, part: 1, waitMs: 1.5, computeMs: 7.25, rows: 2, readyAt: 1795811176088.25, startedAt: 1795811176089.5, runMs: 6.125 }], requester: PEER
}

describe('tensor header codec', () => {
  it('round-trips a header', () => {
    const h = decodeTensorHeader(encodeTensorHeader(frame))
    const { data, ...rest } = frame
    assert.deepEqual(h, { ...rest, byteLength: 48 })
  })
  it('rejects hostile bytes with named errors only', () => {
    assertOnlyNamedErrors(b => decodeTensorHeader(b), encodeTensorHeader(frame))
  })
  it('checks the payload size against the shape before anything is allocated', () => {
    const base = { kind: FrameKind.SLICE, requestId: 'r', term: 1, planId: 1, tensor: 't', rowStart: 0, rowEnd: 2, colStart: 0, colEnd: 2, dtype: DType.FLOAT32, shape: [1, 1, 2, 2], requester: PEER }
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 15 })), /does not match shape/)
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 2 ** 40, shape: [1, 1 << 20, 1 << 20] })), { name: 'MessageTooLargeError' })
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16 }), { maxTensorBytes: 8 }), { name: 'MessageTooLargeError' })
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16, dtype: DType.DTYPE_UNSPECIFIED })), /dtype/)
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16, shape: [1, 0, 2, 2] })), /dimension 0/)
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16, requestId: 'a b' })), /requestId/)
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16, rowEnd: 0 })), /at least one row/)
    assert.throws(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16, shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] })), /too many/)
    assert.doesNotThrow(() => decodeTensorHeader(TensorHeader.encode({ ...base, byteLength: 16 })))
  })
})
