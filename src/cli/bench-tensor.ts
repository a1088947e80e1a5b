// tessera bench tensor: throughput of /tessera/tensor/1.0.0 between two peers (two processes on
// loopback) against raw TCP carrying the same frames, read the same way (header checked, payload
// copied into a Float32Array), and against that raw TCP path encrypted as noise encrypts.
import { spawn } from 'node:child_process'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { multiaddr } from '@multiformats/multiaddr'
import { createMeshNode } from '../../peer/node.js'
import { encodeTensorHeader, decodeTensorHeader, writeTensorFrame, zeroSliceFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { encodeLength } from '../../protocols/framing/stream-writer.js'
import { MalformedMessageError, TesseraError } from '../errors.js'
import { logger } from '../logger.js'
import { tesseraArgs } from '../node-flags.js'
import { parseIntFlag } from './args.js'
import { parseCommand } from './command.js'
import type { TensorFrame, TensorFrameHeader } from '../../protocols/tensor/codec.js'
import type { CipherChaCha20Poly1305, DecipherChaCha20Poly1305 } from 'node:crypto'
import type { Server, Socket } from 'node:net'

const HELP = `usage: tessera bench tensor [--megabytes M] [--frames 65536,1048576,16777216] [--repeat K] [--warmup W] [--json]

Sends M megabytes (default 256) of tensor frames of each size from this process to a receiving
process on 127.0.0.1: over /tessera/tensor/1.0.0 (libp2p: TCP + noise + yamux), over a plain TCP
socket with the same framing, and over that socket with every message of at most 65519 bytes sealed
with ChaCha20-Poly1305 (node:crypto, as noise seals; no libp2p): the ceiling for an encrypted stream.
Reports MB/s of each and their ratio to raw TCP (best of K runs, default 3).
Before timing, W megabytes (default 64) go once each way untimed: a peer runs for hours, and the
first megabytes through a fresh process run cold code.`

/** Reads the raw path's bytes as the tensor stream's reader does: length-prefixed header decoded and checked, payload copied into a Float32Array; `onFrame` sees each whole frame. */
export function frameReader (onFrame?: (header: TensorFrameHeader, payload: Float32Array) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  let header: TensorFrameHeader | undefined
  let payload: Float32Array | undefined
  let filled = 0
  return (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length > 0) {
      if (payload != null) {
        const bytes = new Uint8Array(payload.buffer)
        const take = Math.min(bytes.length - filled, pending.length)
        bytes.set(pending.subarray(0, take), filled)
        filled += take
        pending = pending.subarray(take)
        if (filled === bytes.length) {
          onFrame?.(header!, payload)
          payload = undefined
        }
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
      header = decodeTensorHeader(pending.subarray(i + 1, i + 1 + len))
      pending = pending.subarray(i + 1 + len)
      payload = new Float32Array(header.byteLength / 4)
      filled = 0
      if (header.byteLength === 0) {
        onFrame?.(header, payload)
        payload = undefined
      }
    }
  }
}

// The encrypted reference column: raw TCP with every message sealed as noise seals its transport
// messages (ChaCha20-Poly1305 from node:crypto, a fresh 4-zero-byte + 64-bit little-endian counter
// nonce per message, 16-byte tag, 2-byte big-endian length in front, at most 65519 plaintext bytes).
// It measures what encryption alone costs an encrypted stream in Node on this machine, the ceiling
// for noise over libp2p. A benchmark reference only, not a protocol for the mesh: no handshake, the
// key comes over the receiver's stdout, and nothing here may carry mesh traffic.
const SEALED_PROTOCOL = 'bench tcp+chacha20-poly1305'
/** Noise's largest transport message, 65535 bytes, less its 16-byte tag. */
export const SEALED_MAX_PLAINTEXT = 65519
const TAG_BYTES = 16

function nonceOf (n: number): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeBigUInt64LE(BigInt(n), 4)
  return nonce
}

/** Seals the bytes pushed into messages of at most SEALED_MAX_PLAINTEXT bytes (a message may span pushes); `out` gets each message's parts: length, ciphertext pieces, tag. */
export function chachaSealer (key: Uint8Array, out: (parts: Buffer[]) => void): { push: (bytes: Uint8Array) => void, flush: () => void } {
  let counter = 0
  let cipher: CipherChaCha20Poly1305 | undefined
  let parts: Buffer[] = []
  let filled = 0
  const flush = (): void => {
    if (cipher == null) return
    cipher.final()
    parts[0].writeUInt16BE(filled + TAG_BYTES)
    parts.push(cipher.getAuthTag())
    out(parts)
    cipher = undefined
  }
  const push = (bytes: Uint8Array): void => {
    for (let o = 0; o < bytes.length;) {
      if (cipher == null) {
        cipher = createCipheriv('chacha20-poly1305', key, nonceOf(counter++), { authTagLength: TAG_BYTES })
        parts = [Buffer.alloc(2)]
        filled = 0
      }
      const take = Math.min(SEALED_MAX_PLAINTEXT - filled, bytes.length - o)
      parts.push(cipher.update(bytes.subarray(o, o + take)))
      filled += take
      o += take
      if (filled === SEALED_MAX_PLAINTEXT) flush()
    }
  }
  return { push, flush }
}

/** Opens sealed messages from a byte stream in any chunking; a message's plaintext reaches `onPlain` only once its tag verifies, and a message that fails throws MalformedMessageError. */
export function chachaOpener (key: Uint8Array, onPlain: (plaintext: Buffer) => void): (chunk: Buffer) => void {
  let counter = 0
  const lenBytes = Buffer.alloc(2)
  const tag = Buffer.alloc(TAG_BYTES)
  let have = 0 // bytes of the length or the tag collected so far
  let remaining = -1 // ciphertext bytes still to come; -1 while reading the length
  let decipher: DecipherChaCha20Poly1305 | undefined
  let held: Buffer[] = []
  return (chunk: Buffer): void => {
    let o = 0
    while (o < chunk.length) {
      if (decipher == null) {
        const take = Math.min(2 - have, chunk.length - o)
        chunk.copy(lenBytes, have, o, o + take)
        have += take
        o += take
        if (have < 2) return
        const len = lenBytes.readUInt16BE(0)
        if (len < TAG_BYTES) throw new MalformedMessageError(SEALED_PROTOCOL, `message ${counter} is ${len} bytes, shorter than its tag`)
        decipher = createDecipheriv('chacha20-poly1305', key, nonceOf(counter++), { authTagLength: TAG_BYTES })
        remaining = len - TAG_BYTES
        have = 0
        held = []
      }
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - o)
        held.push(decipher.update(chunk.subarray(o, o + take)))
        remaining -= take
        o += take
        continue
      }
      const take = Math.min(TAG_BYTES - have, chunk.length - o)
      chunk.copy(tag, have, o, o + take)
      have += take
      o += take
      if (have < TAG_BYTES) return
      decipher.setAuthTag(tag)
      try {
        decipher.final()
      } catch (err) {
        throw new MalformedMessageError(SEALED_PROTOCOL, `message ${counter - 1} fails authentication (${(err as Error).message})`)
      }
      decipher = undefined
      have = 0
      for (const plain of held) onPlain(plain)
      held = []
    }
  }
}

/** A TCP server reading the raw path's frames, sealed with `key` when given; each socket calls `done` once at its end, with the error that stopped it if any. */
export function frameServer (key: Uint8Array | undefined, done: (err?: Error) => void, onFrame?: (header: TensorFrameHeader, payload: Float32Array) => void): Server {
  return createServer((socket: Socket) => {
    const frames = frameReader(onFrame)
    const read = key == null ? frames : chachaOpener(key, frames)
    socket.on('data', (chunk: Buffer) => {
      try {
        read(chunk)
      } catch (err) {
        socket.destroy()
        done(err as Error)
      }
    })
    socket.on('error', (err) => { done(err) })
    socket.on('end', () => {
      done()
      socket.end()
    })
  })
}

/** The receiving side: libp2p, raw TCP and sealed TCP listeners on loopback; prints their addresses (and the sealing key) as JSON. */
async function receiver (): Promise<number> {
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const log = logger('bench')
  // each stream or socket reports the CPU time this process spent while it was read, or what stopped it
  const reporter = (): ((err?: Error) => void) => {
    const since = process.cpuUsage()
    let reported = false
    return (err?: Error): void => {
      if (reported) return
      reported = true
      const used = process.cpuUsage(since)
      process.stdout.write(JSON.stringify(err == null ? { cpuMs: (used.user + used.system) / 1000 } : { error: `${err.name}: ${err.message}` }) + '\n')
    }
  }
  await node.handle(TENSOR_PROTOCOL, async (stream, conn) => {
    const report = reporter()
    await handleTensorStream(stream, conn.remotePeer.toString(), { deliver: async () => {} }, {}, log)
    report()
  }, { maxInboundStreams: 64 })
  const key = randomBytes(32)
  const servers = [undefined, key].map(k => {
    let report = reporter()
    const server = frameServer(k, (err) => report(err))
    // the reporter's clock starts when a socket connects
    server.on('connection', () => { report = reporter() })
    return server
  })
  const ports = await Promise.all(servers.map(async server => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    return (server.address() as { port: number }).port
  }))
  process.stdout.write(JSON.stringify({ libp2p: node.getMultiaddrs()[0].toString(), tcpPort: ports[0], sealedPort: ports[1], sealedKey: key.toString('hex') }) + '\n')
  await new Promise<void>(resolve => process.stdin.once('end', resolve).resume())
  for (const server of servers) server.close()
  await node.stop()
  return 0
}

/** Wall and CPU time of one transfer: this process's, and the receiver's as it reported. */
interface Timing {
  ms: number
  sendCpuMs: number
  receiveCpuMs: number
}

/** Sends `count` copies of `frame` over one TCP connection in the raw path's framing, sealed with `key` when given; returns the wall and CPU ms until the connection closed. */
export async function sendFrames (port: number, frame: TensorFrame, count: number, key?: Uint8Array): Promise<{ ms: number, cpuMs: number }> {
  const header = encodeTensorHeader(frame)
  const prefix = encodeLength(header.byteLength)
  const payload = new Uint8Array(frame.data.buffer)
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  let failed: Error | undefined
  socket.on('error', (err) => { failed = err })
  const closed = new Promise(resolve => socket.once('close', resolve))
  socket.setNoDelay(true)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const drained = async (): Promise<void> => { if (socket.writableNeedDrain && !socket.destroyed) await Promise.race([new Promise(resolve => socket.once('drain', resolve)), closed]) }
  // `more`: the frame's next bytes follow at once (the raw path writes regardless)
  let write = async (b: Uint8Array, more: boolean): Promise<void> => { socket.write(b); await drained() }
  let flush = (): void => {}
  if (key != null) {
    const sealer = chachaSealer(key, parts => { for (const p of parts) socket.write(p) })
    // the sealed messages of a frame's length and header go out with its first payload chunk, one
    // writev per chunk: as favourable to the sealed path as its own framing allows
    let corked = false
    write = async (b: Uint8Array, more: boolean): Promise<void> => {
      if (!corked) socket.cork()
      corked = true
      sealer.push(b)
      if (more) return
      socket.uncork()
      corked = false
      await drained()
    }
    flush = sealer.flush
  }
  for (let i = 0; i < count && failed == null && !socket.destroyed; i++) {
    await write(prefix, true)
    await write(header, payload.length > 0)
    for (let o = 0; o < payload.length; o += 256 * 1024) await write(payload.subarray(o, Math.min(payload.length, o + 256 * 1024)), false)
  }
  flush()
  socket.end()
  await closed
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  if (failed != null) throw failed
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
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
  const child = spawn(process.execPath, tesseraArgs(['bench', 'tensor', '--receiver'], process.execArgv), { stdio: ['pipe', 'pipe', 'inherit'] })
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
  const received = async (): Promise<number> => {
    const line = JSON.parse(await nextLine()) as { cpuMs: number } | { error: string }
    if ('error' in line) throw new TesseraError(`the receiving process failed: ${line.error}`)
    return line.cpuMs
  }
  const addrs = JSON.parse(await nextLine()) as { libp2p: string, tcpPort: number, sealedPort: number, sealedKey: string }
  const sealedKey = Buffer.from(addrs.sealedKey, 'hex')
  const overTcp = async (frame: TensorFrame, count: number, sealed: boolean): Promise<Timing> => {
    const sent = await sendFrames(sealed ? addrs.sealedPort : addrs.tcpPort, frame, count, sealed ? sealedKey : undefined)
    return { ms: sent.ms, sendCpuMs: sent.cpuMs, receiveCpuMs: await received() }
  }
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  type PerMB = { send: number, receive: number }
  const rows: Array<{ frameBytes: number, rawMBps: number, libp2pMBps: number, ratio: number, chachaMBps: number, chachaRatio: number, cpuMsPerMB: { raw: PerMB, libp2p: PerMB, chacha: PerMB } }> = []
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
      const frame = zeroSliceFrame(1024 * 1024, node.peerId.toString())
      const count = Math.max(1, Math.round(warmup * 1e6 / frame.data.byteLength))
      await overTcp(frame, count, false)
      await overTcp(frame, count, true)
      await overLibp2p(frame, count)
    }
    for (const size of sizes) {
      const frame = zeroSliceFrame(size, node.peerId.toString())
      const count = Math.max(1, Math.round(megabytes * 1e6 / frame.data.byteLength))
      const bytes = count * frame.data.byteLength
      // per kind: the fastest run's wall time, and the least CPU per side over the runs
      const best = (a: Timing | undefined, b: Timing): Timing => a == null ? b : { ms: Math.min(a.ms, b.ms), sendCpuMs: Math.min(a.sendCpuMs, b.sendCpuMs), receiveCpuMs: Math.min(a.receiveCpuMs, b.receiveCpuMs) }
      let raw: Timing | undefined
      let chacha: Timing | undefined
      let p2p: Timing | undefined
      for (let k = 0; k < repeat; k++) {
        raw = best(raw, await overTcp(frame, count, false))
        chacha = best(chacha, await overTcp(frame, count, true))
        p2p = best(p2p, await overLibp2p(frame, count))
      }
      const mb = bytes / 1e6
      const rawMBps = mb / (raw!.ms / 1000)
      const libp2pMBps = mb / (p2p!.ms / 1000)
      const chachaMBps = mb / (chacha!.ms / 1000)
      const perMB = (t: Timing): PerMB => ({ send: t.sendCpuMs / mb, receive: t.receiveCpuMs / mb })
      rows.push({ frameBytes: frame.data.byteLength, rawMBps, libp2pMBps, ratio: libp2pMBps / rawMBps, chachaMBps, chachaRatio: chachaMBps / rawMBps, cpuMsPerMB: { raw: perMB(raw!), libp2p: perMB(p2p!), chacha: perMB(chacha!) } })
    }
  } finally {
    await node.stop()
    child.stdin!.end()
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ megabytes, repeat, warmup, rows }) + '\n')
  } else {
    process.stdout.write(`${megabytes} MB per run, best of ${repeat} after ${warmup} MB of warm-up, two processes on 127.0.0.1; CPU ms per MB: sender / receiver, least over the runs; TCP + ChaCha20-Poly1305: the raw path sealed with node:crypto as noise seals (no libp2p), the ceiling for an encrypted stream here\n\n| frame | raw TCP (MB/s) | TCP + ChaCha20-Poly1305 (MB/s) | ChaCha / raw | /tessera/tensor/1.0.0 (MB/s) | tensor / raw | raw TCP CPU (ms/MB) | ChaCha CPU (ms/MB) | tensor CPU (ms/MB) |\n|---|---|---|---|---|---|---|---|---|\n`)
    const cpu = (c: PerMB): string => `${c.send.toFixed(2)} / ${c.receive.toFixed(2)}`
    for (const r of rows) process.stdout.write(`| ${(r.frameBytes / 1024).toFixed(0)} KiB | ${r.rawMBps.toFixed(0)} | ${r.chachaMBps.toFixed(0)} | ${r.chachaRatio.toFixed(2)} | ${r.libp2pMBps.toFixed(0)} | ${r.ratio.toFixed(2)} | ${cpu(r.cpuMsPerMB.raw)} | ${cpu(r.cpuMsPerMB.chacha)} | ${cpu(r.cpuMsPerMB.libp2p)} |\n`)
  }
  return 0
}
