// coalescedNoise: wire-compatible with stock noise (either side may run either), and it hands the
// socket one write per batch of encrypted messages instead of two per message.
import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { afterEach, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { coalescedNoise } from '../../peer/coalesced-noise.js'
import { writeTensorFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { logger } from '../../src/logger.js'
import type { TensorFrame } from '../../protocols/tensor/codec.js'
import type { Libp2p } from '@libp2p/interface'

const log = logger('test')
/** Plaintext bytes in one noise message (65535 minus the 16-byte tag). */
const NOISE_PAYLOAD = 65519
const nodes: Libp2p[] = []

async function node (coalesced: boolean): Promise<Libp2p> {
  const n = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [coalesced ? coalescedNoise() : noise()],
    streamMuxers: [yamux()]
  })
  nodes.push(n)
  return n
}

function frame (elements: number, requester: string): TensorFrame {
  const data = new Float32Array(elements)
  for (let k = 0; k < elements; k++) data[k] = (k * 7919) % 104729
  return { kind: 'slice', requestId: 'r1', term: 1, planId: 1, volume: 0, part: 0, tensor: 't', rows: [0, elements / 16], cols: [0, 16], shape: [1, 1, elements / 16, 16], data, trace: [], requester }
}

/** Sends one frame from `from` to `to`; returns what arrived and how many socket writes the process made meanwhile. */
async function transfer (from: Libp2p, to: Libp2p, elements: number): Promise<{ sent: TensorFrame, got: TensorFrame[], writes: number }> {
  const got: TensorFrame[] = []
  await to.handle(TENSOR_PROTOCOL, async (stream, conn) => {
    await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async (f) => { got.push(f) } }, {}, log)
  }, { force: true })
  await from.dial(to.getMultiaddrs()[0])
  const stream = await from.dialProtocol(to.peerId, TENSOR_PROTOCOL)
  const sent = frame(elements, from.peerId.toString())
  const write = Socket.prototype.write
  let writes = 0
  Socket.prototype.write = function (this: Socket, ...args: any[]) {
    writes++
    return (write as any).apply(this, args)
  } as typeof write
  try {
    const closed = new Promise<void>(resolve => stream.addEventListener('close', () => resolve()))
    await writeTensorFrame(stream, sent)
    await stream.close()
    await closed
  } finally {
    Socket.prototype.write = write
  }
  while (got.length < 1) await new Promise(resolve => setTimeout(resolve, 10))
  return { sent, got, writes }
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
})

describe('coalescedNoise', () => {
  it('talks to stock noise in both directions', async () => {
    for (const [fromCoalesced, toCoalesced] of [[true, false], [false, true], [true, true]]) {
      const { sent, got } = await transfer(await node(fromCoalesced), await node(toCoalesced), 3 * 65536 + 16)
      assert.equal(got.length, 1)
      assert.deepEqual(got[0].data, sent.data, `coalesced sender ${String(fromCoalesced)}, coalesced receiver ${String(toCoalesced)}`)
    }
  })

  it('writes a batch of noise messages to the socket at once', async (t) => {
    const elements = 2 * 1024 * 1024 // 8 MiB
    const messages = Math.ceil(elements * 4 / NOISE_PAYLOAD)
    const stock = await transfer(await node(false), await node(false), elements)
    const coalesced = await transfer(await node(true), await node(true), elements)
    assert.deepEqual(coalesced.got[0].data, coalesced.sent.data)
    t.diagnostic(`socket writes for ${messages} noise messages: stock ${stock.writes}, coalesced ${coalesced.writes}`)
    // stock noise: a length write and a ciphertext write per message
    assert.ok(stock.writes >= 2 * messages, `stock noise made ${stock.writes} writes for ${messages} messages`)
    // coalesced: one write per batch, whatever the batches are (control frames included)
    assert.ok(coalesced.writes < messages / 2, `coalesced noise made ${coalesced.writes} writes for ${messages} messages`)
  })
})
