// tessera bench tensor: throughput of /tessera/tensor/1.0.0 between two peers (two processes on
// loopback) against raw TCP carrying the same frames, read the same way (header checked, payload
// copied into a Float32Array).
import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { createMeshNode } from '../../peer/node.js'
import { encodeTensorHeader, decodeTensorHeader, writeTensorFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { encodeLength } from '../../protocols/framing/stream-writer.js'
import { logger } from '../logger.js'
import { parseIntFlag } from './args.js'
import type { TensorFrame } from '../../protocols/tensor/codec.js'
import type { Socket } from 'node:net'

const HELP = `usage: tessera bench tensor [--megabytes M] [--frames 65536,1048576,16777216] [--repeat K] [--warmup W] [--json]

Sends M megabytes (default 256) of tensor frames of each size from this process to a receiving
process on 127.0.0.1, once over /tessera/tensor/1.0.0 (libp2p: TCP + noise + yamux) and once over a
plain TCP socket with the same framing; reports MB/s of each and their ratio (best of K runs, default 3).
Before timing, W megabytes (default 64) go once each way untimed: a peer runs for hours, and the
first megabytes through a fresh process run cold code.`

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))

function frameOf (bytes: number, requester: string): TensorFrame {
  const elements = Math.max(16, Math.floor(bytes / 4 / 16) * 16)
  return { kind: 'slice', requestId: 'bench', term: 1, planId: 1, volume: 0, part: 0, tensor: 't', rows: [0, elements / 16], cols: [0, 16], shape: [1, 1, elements / 16, 16], data: new Float32Array(elements), trace: [], requester }
}

/** The receiving side: libp2p and raw TCP listeners on loopback; prints their addresses as JSON. */
async function receiver (): Promise<number> {
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const log = logger('bench')
  await node.handle(TENSOR_PROTOCOL, async (stream, conn) => {
    await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async () => {} }, {}, log)
  }, { maxInboundStreams: 64 })
  const server = createServer((socket: Socket) => {
    // the same reading work as the libp2p side: length-prefixed header decoded and checked, payload copied out
    let pending: Buffer = Buffer.alloc(0)
    let payload: Float32Array | undefined
    let filled = 0
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length > 0) {
        if (payload != null) {
          const bytes = new Uint8Array(payload.buffer)
          const take = Math.min(bytes.length - filled, pending.length)
          bytes.set(pending.subarray(0, take), filled)
          filled += take
          pending = pending.subarray(take)
          if (filled === bytes.length) payload = undefined
          continue
        }
        let len = 0
        let shift = 0
        let i = 0
        for (; i < pending.length && i < 5; i++) {
          len += (pending[i] & 0x7f) * 2 ** shift
          shift += 7
          if ((pending[i] & 0x80) === 0) break
        }
        if (i >= pending.length || pending.length < i + 1 + len) return
        const header = decodeTensorHeader(pending.subarray(i + 1, i + 1 + len))
        pending = pending.subarray(i + 1 + len)
        payload = new Float32Array(header.byteLength / 4)
        filled = 0
        if (header.byteLength === 0) payload = undefined
      }
    })
    socket.on('end', () => { socket.end() })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  process.stdout.write(JSON.stringify({ libp2p: node.getMultiaddrs()[0].toString(), tcpPort: port }) + '\n')
  await new Promise<void>(resolve => process.stdin.once('end', resolve).resume())
  server.close()
  await node.stop()
  return 0
}

async function overTcp (port: number, frame: TensorFrame, count: number): Promise<number> {
  const header = encodeTensorHeader(frame)
  const prefix = encodeLength(header.byteLength)
  const payload = new Uint8Array(frame.data.buffer)
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  socket.setNoDelay(true)
  const t0 = performance.now()
  const write = async (b: Uint8Array): Promise<void> => { if (!socket.write(b)) await new Promise(resolve => socket.once('drain', resolve)) }
  for (let i = 0; i < count; i++) {
    await write(prefix)
    await write(header)
    for (let o = 0; o < payload.length; o += 256 * 1024) await write(payload.subarray(o, Math.min(payload.length, o + 256 * 1024)))
  }
  socket.end()
  await new Promise(resolve => socket.once('close', resolve))
  return performance.now() - t0
}

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      megabytes: { type: 'string' },
      frames: { type: 'string' },
      repeat: { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'boolean', default: false },
      receiver: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (values.receiver) return await receiver()
  const megabytes = parseIntFlag(values.megabytes, '--megabytes', 256, 1, 100_000)
  const repeat = parseIntFlag(values.repeat, '--repeat', 3, 1, 100)
  const warmup = parseIntFlag(values.warmup, '--warmup', 64, 0, 100_000)
  const sizes = (values.frames ?? '65536,1048576,16777216').split(',').map(s => parseIntFlag(s.trim(), '--frames', 0, 64, 512 * 1024 * 1024))
  const child = spawn(process.execPath, [...process.execArgv, BIN, 'bench', 'tensor', '--receiver'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const addrs = await new Promise<{ libp2p: string, tcpPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => resolve(JSON.parse(line)))
    child.once('exit', code => reject(new Error(`the receiving process exited (${String(code)})`)))
  })
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const rows: Array<{ frameBytes: number, rawMBps: number, libp2pMBps: number, ratio: number }> = []
  try {
    const target = multiaddr(addrs.libp2p)
    await node.dial(target)
    const overLibp2p = async (frame: TensorFrame, count: number): Promise<number> => {
      const stream = await node.dialProtocol(target, TENSOR_PROTOCOL)
      const closed = new Promise<void>(resolve => stream.addEventListener('close', () => resolve()))
      const t0 = performance.now()
      for (let i = 0; i < count; i++) await writeTensorFrame(stream, frame)
      await stream.close()
      await closed
      return performance.now() - t0
    }
    if (warmup > 0) {
      const frame = frameOf(1024 * 1024, node.peerId.toString())
      const count = Math.max(1, Math.round(warmup * 1e6 / frame.data.byteLength))
      await overTcp(addrs.tcpPort, frame, count)
      await overLibp2p(frame, count)
    }
    for (const size of sizes) {
      const frame = frameOf(size, node.peerId.toString())
      const count = Math.max(1, Math.round(megabytes * 1e6 / frame.data.byteLength))
      const bytes = count * frame.data.byteLength
      let raw = Infinity
      let p2p = Infinity
      for (let k = 0; k < repeat; k++) {
        raw = Math.min(raw, await overTcp(addrs.tcpPort, frame, count))
        p2p = Math.min(p2p, await overLibp2p(frame, count))
      }
      const rawMBps = bytes / 1e6 / (raw / 1000)
      const libp2pMBps = bytes / 1e6 / (p2p / 1000)
      rows.push({ frameBytes: frame.data.byteLength, rawMBps, libp2pMBps, ratio: libp2pMBps / rawMBps })
    }
  } finally {
    await node.stop()
    child.stdin!.end()
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ megabytes, repeat, warmup, rows }) + '\n')
  } else {
    process.stdout.write(`${megabytes} MB per run, best of ${repeat} after ${warmup} MB of warm-up, two processes on 127.0.0.1\n\n| frame | raw TCP (MB/s) | /tessera/tensor/1.0.0 (MB/s) | ratio |\n|---|---|---|---|\n`)
    for (const r of rows) process.stdout.write(`| ${(r.frameBytes / 1024).toFixed(0)} KiB | ${r.rawMBps.toFixed(0)} | ${r.libp2pMBps.toFixed(0)} | ${r.ratio.toFixed(2)} |\n`)
  }
  return 0
}
