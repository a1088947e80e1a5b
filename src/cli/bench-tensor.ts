// tessera bench tensor: throughput of /tessera/tensor/1.0.0 between two peers (two processes on
// loopback) against raw TCP carrying the same frames, read the same way (header checked, payload
// copied into a Float32Array).
import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { createMeshNode } from '../../peer/node.js'
import { encodeTensorHeader, decodeTensorHeader, writeTensorFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { encodeLength } from '../../protocols/framing/stream-writer.js'
import { logger } from '../logger.js'
import { parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
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
  // each stream or socket reports the CPU time this process spent while it was read
  const report = (since: NodeJS.CpuUsage): void => {
    const used = process.cpuUsage(since)
    process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }) + '\n')
  }
  await node.handle(TENSOR_PROTOCOL, async (stream, conn) => {
    const since = process.cpuUsage()
    await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async () => {} }, {}, log)
    report(since)
  }, { maxInboundStreams: 64 })
  const server = createServer((socket: Socket) => {
    const since = process.cpuUsage()
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
    socket.on('end', () => {
      report(since)
      socket.end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  process.stdout.write(JSON.stringify({ libp2p: node.getMultiaddrs()[0].toString(), tcpPort: port }) + '\n')
  await new Promise<void>(resolve => process.stdin.once('end', resolve).resume())
  server.close()
  await node.stop()
  return 0
}

/** Wall and CPU time of one transfer: this process's, and the receiver's as it reported. */
interface Timing {
  ms: number
  sendCpuMs: number
  receiveCpuMs: number
}

async function overTcp (port: number, frame: TensorFrame, count: number, received: () => Promise<number>): Promise<Timing> {
  const header = encodeTensorHeader(frame)
  const prefix = encodeLength(header.byteLength)
  const payload = new Uint8Array(frame.data.buffer)
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  socket.setNoDelay(true)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const write = async (b: Uint8Array): Promise<void> => { if (!socket.write(b)) await new Promise(resolve => socket.once('drain', resolve)) }
  for (let i = 0; i < count; i++) {
    await write(prefix)
    await write(header)
    for (let o = 0; o < payload.length; o += 256 * 1024) await write(payload.subarray(o, Math.min(payload.length, o + 256 * 1024)))
  }
  socket.end()
  await new Promise(resolve => socket.once('close', resolve))
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { ms, sendCpuMs: (cpu.user + cpu.system) / 1000, receiveCpuMs: await received() }
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    options: {
      megabytes: { type: 'string' },
      frames: { type: 'string' },
      repeat: { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'boolean', default: false },
      receiver: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  if (values.receiver) return await receiver()
  const megabytes = parseIntFlag(values.megabytes, '--megabytes', 256, 1, 100_000)
  const repeat = parseIntFlag(values.repeat, '--repeat', 3, 1, 100)
  const warmup = parseIntFlag(values.warmup, '--warmup', 64, 0, 100_000)
  const sizes = (values.frames ?? '65536,1048576,16777216').split(',').map(s => parseIntFlag(s.trim(), '--frames', 0, 64, 512 * 1024 * 1024))
  const child = spawn(process.execPath, [...process.execArgv, BIN, 'bench', 'tensor', '--receiver'], { stdio: ['pipe', 'pipe', 'inherit'] })
  // the receiver's lines: its addresses first, then one CPU report per transfer
  const lines: string[] = []
  let waiting: { resolve: (line: string) => void, reject: (err: Error) => void } | undefined
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (waiting != null) waiting.resolve(line)
    else lines.push(line)
    waiting = undefined
  })
  child.once('exit', (code) => { waiting?.reject(new Error(`the receiving process exited (${String(code)})`)) })
  const nextLine = async (): Promise<string> => lines.shift() ?? await new Promise<string>((resolve, reject) => { waiting = { resolve, reject } })
  const received = async (): Promise<number> => (JSON.parse(await nextLine()) as { cpuMs: number }).cpuMs
  const addrs = JSON.parse(await nextLine()) as { libp2p: string, tcpPort: number }
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const rows: Array<{ frameBytes: number, rawMBps: number, libp2pMBps: number, ratio: number, cpuMsPerMB: { raw: { send: number, receive: number }, libp2p: { send: number, receive: number } } }> = []
  try {
    const target = multiaddr(addrs.libp2p)
    await node.dial(target)
    const overLibp2p = async (frame: TensorFrame, count: number): Promise<Timing> => {
      const stream = await node.dialProtocol(target, TENSOR_PROTOCOL)
      const closed = new Promise<void>(resolve => stream.addEventListener('close', () => resolve()))
      const t0 = performance.now()
      const cpu0 = process.cpuUsage()
      for (let i = 0; i < count; i++) await writeTensorFrame(stream, frame)
      await stream.close()
      await closed
      const ms = performance.now() - t0
      const cpu = process.cpuUsage(cpu0)
      return { ms, sendCpuMs: (cpu.user + cpu.system) / 1000, receiveCpuMs: await received() }
    }
    if (warmup > 0) {
      const frame = frameOf(1024 * 1024, node.peerId.toString())
      const count = Math.max(1, Math.round(warmup * 1e6 / frame.data.byteLength))
      await overTcp(addrs.tcpPort, frame, count, received)
      await overLibp2p(frame, count)
    }
    for (const size of sizes) {
      const frame = frameOf(size, node.peerId.toString())
      const count = Math.max(1, Math.round(megabytes * 1e6 / frame.data.byteLength))
      const bytes = count * frame.data.byteLength
      // per kind: the fastest run's wall time, and the least CPU per side over the runs
      const best = (a: Timing | undefined, b: Timing): Timing => a == null ? b : { ms: Math.min(a.ms, b.ms), sendCpuMs: Math.min(a.sendCpuMs, b.sendCpuMs), receiveCpuMs: Math.min(a.receiveCpuMs, b.receiveCpuMs) }
      let raw: Timing | undefined
      let p2p: Timing | undefined
      for (let k = 0; k < repeat; k++) {
        raw = best(raw, await overTcp(addrs.tcpPort, frame, count, received))
        p2p = best(p2p, await overLibp2p(frame, count))
      }
      const mb = bytes / 1e6
      const rawMBps = mb / (raw!.ms / 1000)
      const libp2pMBps = mb / (p2p!.ms / 1000)
      const perMB = (t: Timing): { send: number, receive: number } => ({ send: t.sendCpuMs / mb, receive: t.receiveCpuMs / mb })
      rows.push({ frameBytes: frame.data.byteLength, rawMBps, libp2pMBps, ratio: libp2pMBps / rawMBps, cpuMsPerMB: { raw: perMB(raw!), libp2p: perMB(p2p!) } })
    }
  } finally {
    await node.stop()
    child.stdin!.end()
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ megabytes, repeat, warmup, rows }) + '\n')
  } else {
    process.stdout.write(`${megabytes} MB per run, best of ${repeat} after ${warmup} MB of warm-up, two processes on 127.0.0.1; CPU ms per MB: sender / receiver, least over the runs\n\n| frame | raw TCP (MB/s) | /tessera/tensor/1.0.0 (MB/s) | ratio | raw TCP CPU (ms/MB) | tensor CPU (ms/MB) |\n|---|---|---|---|---|---|\n`)
    const cpu = (c: { send: number, receive: number }): string => `${c.send.toFixed(2)} / ${c.receive.toFixed(2)}`
    for (const r of rows) process.stdout.write(`| ${(r.frameBytes / 1024).toFixed(0)} KiB | ${r.rawMBps.toFixed(0)} | ${r.libp2pMBps.toFixed(0)} | ${r.ratio.toFixed(2)} | ${cpu(r.cpuMsPerMB.raw)} | ${cpu(r.cpuMsPerMB.libp2p)} |\n`)
  }
  return 0
}
