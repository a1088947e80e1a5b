// What the mesh's own machinery costs this device, measured the way the mesh does it, under the
// device's CPU (or its share of one): handing a part to the compute thread and its outputs back, and
// pushing a tensor frame through the stream stack (protobuf header, yamux, noise over TCP). On a device
// held to a fraction of a core these are milliseconds a part, and the simulator charges them to the
// device like its compute (docs/simulator.md "Mesh costs").
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OnnxBuilder } from '../../models/onnx-builder.js'
import { logger } from '../../src/logger.js'
import { createMeshNode } from '../node.js'
import { SessionCache } from '../execution/session-cache.js'
import { writeTensorFrame, zeroSliceFrame } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'
import { handleTensorStream } from '../../protocols/tensor/handler.js'
import { median } from '../../src/stats.js'
import type { MeshCosts } from '../../src/sim/profile-measure.js'
import type { FrameCost } from '../../src/sim/types.js'

const log = logger('profile')

/** The hand-over is timed with an input of this shape (64 KiB: a slice of a few rows). */
const HANDOVER_INPUT_SHAPE = [1, 16, 32, 32]
const HANDOVER_SAMPLES = 40
const SMALL_FRAME = 4096
const LARGE_FRAME = 1 << 20
const FRAME_ROUNDS = 9

/**
 * ms of handing a part's input to the compute thread and taking its outputs back, beyond the
 * onnxruntime run itself: the median over runs of a small convolution of (round trip through the
 * peer's compute worker - the run as that worker timed it).
 */
export async function measureHandover (options: { signal?: AbortSignal } = {}): Promise<number> {
  const b = new OnnxBuilder({ name: 'handover', seed: 1 })
  const x = b.input('input', HANDOVER_INPUT_SHAPE)
  b.output(b.conv(x, { name: 'conv', out: 16, kernel: 3, pad: 1, output: 'output' }))
  const dir = await mkdtemp(join(tmpdir(), 'tessera-handover-'))
  const modelPath = join(dir, 'handover.onnx')
  const sessions = new SessionCache({ threads: 1 })
  try {
    await writeFile(modelPath, b.encode())
    const session = await sessions.acquire({ key: 'handover', modelPath, name: 'handover', inputShape: HANDOVER_INPUT_SHAPE, spec: { kind: 'tail', from: 'input' } }, 'profile')
    if (session == null) throw new Error('the hand-over model has nothing to run')
    const feeds = { input: { dataType: 'float32' as const, dims: HANDOVER_INPUT_SHAPE, data: new Float32Array(HANDOVER_INPUT_SHAPE.reduce((p, d) => p * d, 1)).fill(0.5) } }
    const samples: number[] = []
    for (let i = 0; i < 5 + HANDOVER_SAMPLES; i++) {
      options.signal?.throwIfAborted()
      const t0 = performance.now()
      const { runMs } = await session.run(feeds)
      if (i >= 5) samples.push(Math.max(0, performance.now() - t0 - runMs))
    }
    return median(samples)
  } finally {
    await sessions.dispose()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The CPU a tensor frame costs one end (sender or receiver) through the stream stack: two libp2p nodes
 * in this thread on loopback exchange 4 KiB and 1 MiB frames; a frame's time covers both ends, half is
 * charged to each. Medians of 9 rounds, fitted as fixedMs + msPerMiB x MiB.
 */
export async function measureFrameCost (options: { signal?: AbortSignal } = {}): Promise<FrameCost> {
  const init = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
  const sender = await createMeshNode(init)
  const receiver = await createMeshNode(init)
  try {
    let received = 0
    let wake: (() => void) | undefined
    await receiver.handle(TENSOR_PROTOCOL, async (stream, conn) => {
      await handleTensorStream(stream, conn.remotePeer.toString(), {
        deliver: async () => {
          received++
          wake?.()
        }
      }, {}, log)
    })
    await sender.dial(receiver.getMultiaddrs()[0])
    const stream = await sender.dialProtocol(receiver.getMultiaddrs()[0], TENSOR_PROTOCOL)
    const perFrame = async (bytes: number, count: number): Promise<number> => {
      options.signal?.throwIfAborted()
      const frame = zeroSliceFrame(bytes, sender.peerId.toString())
      const target = received + count
      const t0 = performance.now()
      for (let i = 0; i < count; i++) await writeTensorFrame(stream, frame)
      while (received < target) await new Promise<void>(resolve => { wake = resolve })
      wake = undefined
      return (performance.now() - t0) / count
    }
    await perFrame(SMALL_FRAME, 16)
    await perFrame(LARGE_FRAME, 4)
    const small: number[] = []
    const large: number[] = []
    for (let r = 0; r < FRAME_ROUNDS; r++) {
      small.push(await perFrame(SMALL_FRAME, 16))
      large.push(await perFrame(LARGE_FRAME, 4))
    }
    await stream.close()
    const s = median(small)
    const l = median(large)
    const mib = (bytes: number): number => bytes / (1 << 20)
    const msPerMiB = Math.max(0, (l - s) / (mib(LARGE_FRAME) - mib(SMALL_FRAME)))
    const fixedMs = Math.max(0, s - msPerMiB * mib(SMALL_FRAME))
    return { fixedMs: fixedMs / 2, msPerMiB: msPerMiB / 2 }
  } finally {
    await Promise.all([sender.stop(), receiver.stop()])
  }
}

/** Both: what MeasureOptions.meshCosts asks for. */
export async function measureMeshCosts (signal?: AbortSignal): Promise<MeshCosts> {
  const handoverMs = await measureHandover({ signal })
  const frameCost = await measureFrameCost({ signal })
  log('mesh costs here: hand-over %s ms, a frame %s ms + %s ms/MiB an end', handoverMs.toFixed(2), frameCost.fixedMs.toFixed(3), frameCost.msPerMiB.toFixed(2))
  return { handoverMs, frameCost }
}
