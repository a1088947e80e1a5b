// The stream protocols between two real libp2p nodes on loopback (TCP, noise, yamux).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createMeshNode } from '../../peer/node.js'
import { estimateLink } from '../../peer/links/link-service.js'
import { requestInference } from '../../protocols/infer/client.js'
import { INFER_PROTOCOL } from '../../protocols/infer/constants.js'
import { handleInferStream } from '../../protocols/infer/handler.js'
import { fetchModel } from '../../protocols/model/client.js'
import { MODEL_PROTOCOL } from '../../protocols/model/constants.js'
import { handleModelStream } from '../../protocols/model/handler.js'
import { runProbes } from '../../protocols/probe/client.js'
import { PROBE_PROTOCOL } from '../../protocols/probe/constants.js'
import { handleProbeStream } from '../../protocols/probe/handler.js'
import { writeTensorFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { WRITE_CHUNK } from '../../protocols/framing/stream-writer.js'
import { logger } from '../../src/logger.js'
import type { MeshNode } from '../../peer/node.js'
import type { TensorFrame } from '../../protocols/tensor/codec.js'

const log = logger('test')
let a: MeshNode
let b: MeshNode

function frame (i: number, elements: number): TensorFrame {
  const data = new Float32Array(elements)
  for (let k = 0; k < elements; k++) data[k] = i * 1000 + (k % 997)
  return { kind: 'slice', requestId: `r${i}`, term: 1, planId: 1, volume: 0, part: 0, tensor: 't', rows: [0, elements / 16], cols: [0, 16], shape: [1, 1, elements / 16, 16], data, trace: [], requester: a.peerId.toString() }
}

before(async () => {
  a = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  b = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  await a.dial(b.getMultiaddrs()[0])
})

after(async () => {
  await a?.stop()
  await b?.stop()
})

describe('tensor streaming', () => {
  it('delivers frames intact and in order', async () => {
    const got: TensorFrame[] = []
    await b.handle(TENSOR_PROTOCOL, async (stream, conn) => {
      await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async (f) => { got.push(f) } }, {}, log)
    }, { force: true })
    const stream = await a.dialProtocol(b.peerId, TENSOR_PROTOCOL)
    const sent = [frame(1, 1024), frame(2, 64 * 1024), frame(3, 16)]
    for (const f of sent) await writeTensorFrame(stream, f)
    await stream.close()
    while (got.length < 3) await new Promise(resolve => setTimeout(resolve, 20))
    assert.deepEqual(got.map(f => f.requestId), ['r1', 'r2', 'r3'])
    for (let i = 0; i < 3; i++) assert.deepEqual(got[i].data, sent[i].data)
  })

  it('delivers frames larger than a write chunk, and frames without payload, intact', async () => {
    const got: TensorFrame[] = []
    await b.handle(TENSOR_PROTOCOL, async (stream, conn) => {
      await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async (f) => { got.push(f) } }, {}, log)
    }, { force: true })
    const stream = await a.dialProtocol(b.peerId, TENSOR_PROTOCOL)
    // 2.5 write chunks and a bit: the header travels with the first chunk, the rest in chunks of its own
    const big = frame(4, (WRITE_CHUNK * 5) / 8 + 16)
    const error: TensorFrame = { ...frame(5, 16), kind: 'error', rows: [0, 0], cols: [0, 0], shape: [], data: new Float32Array(0), error: 'part 0 failed', errorDevice: 'd0' }
    for (const f of [big, error, frame(6, 16)]) await writeTensorFrame(stream, f)
    await stream.close()
    while (got.length < 3) await new Promise(resolve => setTimeout(resolve, 20))
    assert.deepEqual(got.map(f => f.requestId), ['r4', 'r5', 'r6'])
    assert.deepEqual(got[0].data, big.data)
    assert.equal(got[1].kind, 'error')
    assert.equal(got[1].error, 'part 0 failed')
    assert.equal(got[1].data.length, 0)
    assert.equal(got[2].data.length, 16)
  })

  it('a slow consumer holds the sender back: its queued bytes stay bounded', async () => {
    let release!: () => void
    const stalled = new Promise<void>(resolve => { release = resolve })
    let delivered = 0
    await b.handle(TENSOR_PROTOCOL, async (stream, conn) => {
      await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async () => { delivered++; await stalled } }, { highWaterMark: 256 * 1024 }, log)
    }, { force: true })
    const stream = await a.dialProtocol(b.peerId, TENSOR_PROTOCOL)
    // 16 frames of 4 MiB: 64 MiB the receiver will not take until released
    const frames = Array.from({ length: 16 }, (_, i) => frame(i, 1024 * 1024))
    let written = 0
    let maxQueued = 0
    const writing = (async () => {
      for (const f of frames) {
        await writeTensorFrame(stream, f)
        written++
        maxQueued = Math.max(maxQueued, stream.writeBufferLength)
      }
      await stream.close()
    })()
    const sampler = setInterval(() => { maxQueued = Math.max(maxQueued, stream.writeBufferLength) }, 5)
    await new Promise(resolve => setTimeout(resolve, 1500))
    // the first frame reached the consumer; the sender is blocked far from the end
    assert.equal(delivered, 1)
    assert.ok(written <= 5, `sender got ${written} frames out past a stalled consumer`)
    release()
    await writing
    clearInterval(sampler)
    while (delivered < 16) await new Promise(resolve => setTimeout(resolve, 20))
    assert.ok(maxQueued <= 2 * WRITE_CHUNK, `sender queued up to ${maxQueued} bytes`)
  })

  it('a malformed stream is aborted and the node keeps serving', async () => {
    const got: string[] = []
    await b.handle(TENSOR_PROTOCOL, async (stream, conn) => {
      await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async (f) => { got.push(f.requestId) } }, {}, log)
    }, { force: true })
    const bad = await a.dialProtocol(b.peerId, TENSOR_PROTOCOL)
    const closed = new Promise<Error | undefined>(resolve => bad.addEventListener('close', e => resolve(e.error)))
    bad.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]))
    assert.ok((await closed) != null, 'the peer should reset a stream with an oversized header')
    const good = await a.dialProtocol(b.peerId, TENSOR_PROTOCOL)
    await writeTensorFrame(good, frame(9, 64))
    await good.close()
    while (got.length < 1) await new Promise(resolve => setTimeout(resolve, 20))
    assert.deepEqual(got, ['r9'])
  })
})

describe('probe, model and infer protocols', () => {
  it('probes confirm every byte; the estimate nets out the round trip', async () => {
    await b.handle(PROBE_PROTOCOL, async (stream, conn) => { await handleProbeStream(stream, conn.remotePeer.toString(), log) }, { force: true })
    const samples = await runProbes(await a.dialProtocol(b.peerId, PROBE_PROTOCOL), [0, 0, 256 * 1024])
    assert.deepEqual(samples.map(s => s.bytes), [0, 0, 256 * 1024])
    const est = estimateLink(samples)
    assert.ok(est.mbps > 0 && est.rttMs >= 0)
    assert.deepEqual(estimateLink([{ bytes: 0, ms: 1 }, { bytes: 1_000_000, ms: 9 }]), { rttMs: 1, mbps: 1000 })
  })

  it('fetches a model verified by sha256, and refuses bytes that do not match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-model-'))
    const bytes = Uint8Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 31) & 0xff)
    const sha = createHash('sha256').update(bytes).digest('hex')
    writeFileSync(join(dir, 'served.onnx'), bytes)
    const liar = 'cd'.repeat(32)
    const store = { find: (s: string) => (s === sha || s === liar ? { name: 'm', path: join(dir, 'served.onnx') } : undefined) }
    await b.handle(MODEL_PROTOCOL, async (stream, conn) => { await handleModelStream(stream, conn.remotePeer.toString(), store, log) }, { force: true })
    const got = await fetchModel(await a.dialProtocol(b.peerId, MODEL_PROTOCOL), sha, join(dir, 'got.onnx'))
    assert.equal(got.byteLength, bytes.length)
    assert.equal(createHash('sha256').update(await import('node:fs').then(f => f.readFileSync(join(dir, 'got.onnx')))).digest('hex'), sha)
    await assert.rejects(fetchModel(await a.dialProtocol(b.peerId, MODEL_PROTOCOL), liar, join(dir, 'liar.onnx')), { name: 'ModelIntegrityError' })
    assert.equal(existsSync(join(dir, 'liar.onnx')), false)
    await assert.rejects(fetchModel(await a.dialProtocol(b.peerId, MODEL_PROTOCOL), 'ef'.repeat(32), join(dir, 'none.onnx')), { name: 'ModelUnavailableError' })
  })

  it('carries a request and its result, or the remote error by name', async () => {
    await b.handle(INFER_PROTOCOL, async (stream, conn) => {
      await handleInferStream(stream, conn.remotePeer.toString(), {
        infer: async (req) => {
          if (req.modelName === 'broken') throw Object.assign(new Error('no plan yet'), { name: 'NoPlanError' })
          const out = req.input.data.map(v => v * 2)
          return { term: 3, planId: 2, planner: 'aofl', devices: ['x'], outputs: [{ name: 'y', shape: req.input.shape, data: out }], timings: [{ device: 'x', volume: 0, part: 0, waitMs: 1, computeMs: 2, rows: 4, readyAt: 1795811176001, startedAt: 1795811176001.5, runMs: 1.75 }], totalMs: 5, attempts: 1, sentAt: 1795811176000, receivedAt: 1795811176004.75 }
        }
      }, {}, log)
    }, { force: true })
    const input = { name: 'input', shape: [1, 2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }
    const r = await requestInference(await a.dialProtocol(b.peerId, INFER_PROTOCOL), { requestId: 'q1', modelSha256: '', modelName: 'm', input })
    assert.deepEqual([...r.outputs[0].data], [2, 4, 6, 8, 10, 12])
    assert.equal(r.planner, 'aofl')
    assert.deepEqual([r.sentAt, r.receivedAt, r.timings[0].readyAt, r.timings[0].startedAt, r.timings[0].runMs], [1795811176000, 1795811176004.75, 1795811176001, 1795811176001.5, 1.75])
    await assert.rejects(requestInference(await a.dialProtocol(b.peerId, INFER_PROTOCOL), { requestId: 'q2', modelSha256: '', modelName: 'broken', input }),
      (err: any) => err.name === 'RemoteError' && err.remoteName === 'NoPlanError' && /no plan yet/.test(err.message))
  })
})
