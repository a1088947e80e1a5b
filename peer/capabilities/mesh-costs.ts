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
import type { FrameCost, LongHandover } from '../../src/sim/types.js'

const log = logger('profile')

/** The hand-over is timed with an input of this shape (64 KiB: a slice of a few rows). */
const HANDOVER_INPUT_SHAPE = [1, 16, 32, 32]
const HANDOVER_SAMPLES = 40
/**
 * The long hand-over follows a convolution of this input (512 channels of 16 x 16, 512 out: 0.6 GFLOP,
 * about 16 ms on a free core here and some 30 on half of one), timed with a pause before each run as
 * a part waits for its input.
 */
const LONG_HANDOVER_INPUT_SHAPE = [1, 512, 16, 16]
const LONG_HANDOVER_SAMPLES = 12
const LONG_HANDOVER_PAUSE_MS = 10
const SMALL_FRAME = 4096
const LARGE_FRAME = 1 << 20
const FRAME_ROUNDS = 9

/**
 * Runs a 3x3 convolution of `shape` (as many channels out as in) through the peer's compute worker
 * `samples` times after 5 untimed: the medians of the run as the worker timed it and of the round trip
 * beyond it.
 */
async function timeHandover (shape: number[], samples: number, pauseMs: number, signal?: AbortSignal): Promise<LongHandover> {
  const name = `handover-${shape.join('x')}`
  const b = new OnnxBuilder({ name, seed: 1 })
  b.output(b.conv(b.input('input', shape), { name: 'conv', out: shape[1], kernel: 3, pad: 1, output: 'output' }))
  const dir = await mkdtemp(join(tmpdir(), 'tessera-handover-'))
  const modelPath = join(dir, `${name}.onnx`)
  const sessions = new SessionCache({ threads: 1 })
  try {
    await writeFile(modelPath, b.encode())
    const session = await sessions.acquire({ key: name, modelPath, name, inputShape: shape, spec: { kind: 'tail', from: 'input' } }, 'profile')
    if (session == null) throw new Error('the hand-over model has nothing to run')
    const feeds = { input: { dataType: 'float32' as const, dims: shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(0.5) } }
    const runs: number[] = []
    const over: number[] = []
    for (let i = 0; i < 5 + samples; i++) {
      signal?.throwIfAborted()
      if (pauseMs > 0) await new Promise(resolve => setTimeout(resolve, pauseMs))
      const t0 = performance.now()
      const { runMs } = await session.run(feeds)
      if (i < 5) continue
      runs.push(runMs)
      over.push(Math.max(0, performance.now() - t0 - runMs))
    }
    return { runMs: median(runs), ms: median(over) }
  } finally {
    await sessions.dispose()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * ms of handing a part's input to the compute thread and taking its outputs back, beyond the
 * onnxruntime run itself: the median over back-to-back runs of a small convolution of (round trip
 * through the peer's compute worker - the run as that worker timed it).
 */
export async function measureHandover (options: { signal?: AbortSignal } = {}): Promise<number> {
  return (await timeHandover(HANDOVER_INPUT_SHAPE, HANDOVER_SAMPLES, 0, options.signal)).ms
}

/**
 * The hand-over after a long run (MeasuredProfile.longHandover): under a CPU quota such a run spends the
 * period's share, and the outputs wait for the next one before the peer takes them (0.5-1 ms after a
 * short run on a 0.55 quota with a 4 ms period here, 2.3-2.8 ms after a 20 ms one).
 */
export async function measureLongHandover (options: { signal?: AbortSignal } = {}): Promise<LongHandover> {
  return await timeHandover(LONG_HANDOVER_INPUT_SHAPE, LONG_HANDOVER_SAMPLES, LONG_HANDOVER_PAUSE_MS, options.signal)
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
  const longHandover = await measureLongHandover({ signal })
  const frameCost = await measureFrameCost({ signal })
  log('mesh costs here: hand-over %s ms (%s ms after a %s ms run), a frame %s ms + %s ms/MiB an end', handoverMs.toFixed(2), longHandover.ms.toFixed(2), longHandover.runMs.toFixed(1), frameCost.fixedMs.toFixed(3), frameCost.msPerMiB.toFixed(2))
  return { handoverMs, longHandover, frameCost }
}
