import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { describe, it } from 'node:test'
import { chachaOpener, chachaSealer, frameServer, SEALED_MAX_PLAINTEXT, sendFrames } from '../../src/cli/bench-tensor.js'
import { tessera } from './cli-scenario.js'
import type { TensorFrame, TensorFrameHeader } from '../../protocols/tensor/codec.js'

/** A frame of `rows` x 16 floats with distinct values. */
function frameOf (rows: number): TensorFrame {
  const data = new Float32Array(rows * 16)
  for (let i = 0; i < data.length; i++) data[i] = i * 0.25 - 1000
  return { kind: 'slice', requestId: 'test', term: 1, planId: 1, volume: 0, part: 0, tensor: 't', rows: [0, rows], cols: [0, 16], shape: [1, 1, rows, 16], data, trace: [], requester: '12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1' }
}

/** The sealed messages for `plain`, pushed in pieces of `piece` bytes. */
function seal (key: Uint8Array, plain: Uint8Array, piece: number): Buffer[] {
  const messages: Buffer[] = []
  const sealer = chachaSealer(key, parts => messages.push(Buffer.concat(parts)))
  for (let o = 0; o < plain.length; o += piece) sealer.push(plain.subarray(o, Math.min(plain.length, o + piece)))
  sealer.flush()
  return messages
}

/** Feeds `wire` to an opener in chunks of 1..`most` bytes; what it let through, and what it threw. */
function open (key: Uint8Array, wire: Buffer, most: number): { plain: Buffer, err?: Error } {
  const out: Buffer[] = []
  const feed = chachaOpener(key, p => out.push(p))
  let size = 1
  for (let o = 0; o < wire.length;) {
    const end = Math.min(wire.length, o + size)
    try {
      feed(wire.subarray(o, end))
    } catch (err) {
      return { plain: Buffer.concat(out), err: err as Error }
    }
    o = end
    size = size * 7 % most + 1
  }
  return { plain: Buffer.concat(out) }
}

describe('tessera bench tensor', () => {
  it('moves frames over raw TCP, sealed TCP and the tensor stream between two processes and reports rate, ratio and CPU per MB', () => {
    const r = tessera('bench', 'tensor', '--megabytes', '4', '--repeat', '1', '--warmup', '1', '--frames', '65536,1048576', '--json')
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.warmup, 1)
    assert.deepEqual(out.rows.map((x: any) => x.frameBytes), [65536, 1048576])
    for (const row of out.rows) {
      for (const kind of ['raw', 'libp2p', 'chacha']) assert.deepEqual(Object.keys(row.cpuMsPerMB[kind]).sort(), ['receive', 'send'])
      for (const v of [row.rawMBps, row.libp2pMBps, row.chachaMBps, ...Object.values(row.cpuMsPerMB).flatMap((c: any) => [c.send, c.receive])]) {
        assert.ok(Number.isFinite(v) && v > 0, `${JSON.stringify(row)}`)
      }
      assert.ok(Math.abs(row.ratio - row.libp2pMBps / row.rawMBps) < 1e-9)
      assert.ok(Math.abs(row.chachaRatio - row.chachaMBps / row.rawMBps) < 1e-9)
    }
  })

  it('rejects a bad --warmup with exit code 2', () => {
    const r = tessera('bench', 'tensor', '--warmup', '-1')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--warmup/)
  })
})

describe('the sealed reference path', () => {
  const key = randomBytes(32)
  const plain = randomBytes(3 * SEALED_MAX_PLAINTEXT + 1234)

  it('seals into messages of at most 65519 plaintext bytes behind a 2-byte length, none carrying the plaintext', () => {
    const messages = seal(key, plain, 10_000)
    assert.deepEqual(messages.map(m => m.length), [65535, 65535, 65535, 1250].map(n => n + 2))
    for (const m of messages) assert.equal(m.readUInt16BE(0), m.length - 2)
    assert.equal(Buffer.concat(messages).indexOf(plain.subarray(70_000, 70_032)), -1)
    // a fresh nonce per message: two messages of equal plaintext differ
    const zeros = seal(key, Buffer.alloc(2 * SEALED_MAX_PLAINTEXT), SEALED_MAX_PLAINTEXT)
    assert.notDeepEqual(zeros[0], zeros[1])
  })

  it('opens what it sealed in any chunking', () => {
    const wire = Buffer.concat(seal(key, plain, 777))
    for (const most of [1, 5000, 70_000]) {
      const r = open(key, wire, most)
      assert.equal(r.err, undefined)
      assert.ok(r.plain.equals(plain), `chunks up to ${most}`)
    }
  })

  it('rejects a flipped ciphertext or tag byte, or another key, before the message reaches the reader', () => {
    const messages = seal(key, plain, SEALED_MAX_PLAINTEXT)
    for (const at of [2 + 100, messages[1].length - 3]) {
      const bad = messages.map(m => Buffer.from(m))
      bad[1][at] ^= 0x01
      const r = open(key, Buffer.concat(bad), 3000)
      assert.equal(r.err?.name, 'MalformedMessageError', `byte ${at}`)
      assert.match(r.err!.message, /message 1 fails authentication/)
      assert.ok(r.plain.equals(plain.subarray(0, SEALED_MAX_PLAINTEXT)), 'only message 0 got through')
    }
    const other = open(randomBytes(32), Buffer.concat(messages), 3000)
    assert.equal(other.err?.name, 'MalformedMessageError')
    assert.equal(other.plain.length, 0)
  })

  it('carries frames over loopback TCP, each decrypted frame equal to the one sent', async () => {
    const frame = frameOf(3001) // 192064 bytes: messages span frames
    const got: Array<{ header: TensorFrameHeader, payload: Float32Array }> = []
    const ended = Promise.withResolvers<Error | undefined>()
    const server = frameServer(key, err => ended.resolve(err), (header, payload) => got.push({ header, payload }))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      await sendFrames((server.address() as { port: number }).port, frame, 3, key)
      assert.equal(await ended.promise, undefined)
    } finally {
      server.close()
    }
    assert.equal(got.length, 3)
    for (const { header, payload } of got) {
      assert.equal(header.byteLength, frame.data.byteLength)
      assert.deepEqual(header.shape, frame.shape)
      assert.ok(Buffer.from(payload.buffer).equals(Buffer.from(frame.data.buffer)))
    }
  })

  it('a TCP receiver stops at a corrupted message with MalformedMessageError and delivers no frame from it', async () => {
    const frame = frameOf(100)
    const got: TensorFrameHeader[] = []
    const ended = Promise.withResolvers<Error | undefined>()
    const server = frameServer(key, err => ended.resolve(err), header => got.push(header))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      // a whole frame, as the sender lays it out: varint header length, header, payload
      const capture: Buffer[] = []
      const capturing = frameServer(undefined, () => {})
      capturing.on('connection', s => s.on('data', (c: Buffer) => capture.push(c)))
      await new Promise<void>(resolve => capturing.listen(0, '127.0.0.1', resolve))
      await sendFrames((capturing.address() as { port: number }).port, frame, 1)
      capturing.close()
      const wire = Buffer.concat(seal(key, Buffer.concat(capture), 5000))
      wire[wire.length - 40] ^= 0x80
      const socket = connect((server.address() as { port: number }).port, '127.0.0.1')
      socket.on('error', () => {}) // the receiver may reset the connection; its verdict is what is checked
      socket.end(wire)
      const err = await ended.promise
      assert.equal(err?.name, 'MalformedMessageError')
      assert.match(err!.message, /message 0 fails authentication/)
      assert.equal(got.length, 0)
    } finally {
      server.close()
    }
  })
})
