// Small graphs and scenarios with costs simple enough to work timelines out by hand.
import { OnnxBuilder } from '../../models/onnx-builder.js'
import { cutPoints } from '../../src/graph/cuts.js'
import { loadGraph } from '../../src/graph/load.js'
import type { Graph } from '../../src/graph/types.js'
import type { Plan, PlanVolume } from '../../src/plan/types.js'
import type { Device, MeasuredProfile, Requester, Scenario } from '../../src/sim/types.js'

/**
 * input [1,1,8,4] -> conv "a" (2 channels, 3x3, pad 1) -> relu "r" -> conv "b" (1 channel, 3x3, pad 1)
 * -> global average pool -> flatten -> gemm "output" [1,3]. Cut points: input, a, r, b.
 * Bytes per row: input 16, a and r 32, b 16; the output is 12 bytes.
 */
export function tinyGraph (): Graph {
  return loadGraph(tinyModelBytes(), { name: 'tiny' })
}

/** tinyGraph's ONNX file. */
export function tinyModelBytes (): Uint8Array {
  const b = new OnnxBuilder({ name: 'tiny', seed: 1 })
  let x = b.input('input', [1, 1, 8, 4])
  x = b.conv(x, { name: 'a', out: 2, kernel: 3, pad: 1 })
  x = b.relu(x, 'r')
  x = b.conv(x, { name: 'b', out: 1, kernel: 3, pad: 1 })
  x = b.globalAvgPool(x, 'gap')
  x = b.flatten(x, 'flat')
  x = b.gemm(x, { name: 'fc', out: 3, output: 'output' })
  b.output(x)
  return b.encode()
}

/**
 * A measured profile of tinyGraph with linear tables: `perRow` ms per output row of a and of b (relu free), tail `tailMs`.
 */
export function linearProfile (graph: Graph, name: string, perRowA: number, perRowB: number, tailMs: number): MeasuredProfile {
  const cuts = cutPoints(graph)
  const per = [perRowA, 0, perRowB]
  return {
    kind: 'measured',
    name,
    model: { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape },
    machine: { cpu: 'test', cores: 1, threads: 1, clock: 'wall' },
    segments: cuts.slice(1).map((out, i) => ({ input: cuts[i], output: out, height: 8, points: [[1, per[i]], [8, 8 * per[i]]] as const })),
    layers: [],
    pairs: [],
    callMs: 0,
    tailMs,
    receiveMs: 0,
    handoverMs: 0,
    frameCost: { fixedMs: 0, msPerMiB: 0 },
    wholeMs: 0,
    longHandover: { runMs: 0, ms: 0 }
  }
}

/** 16 bytes (one input row) take 1 ms at this bandwidth. */
export const SLOW_MBPS = 0.128

export function device (id: string, index: number, profile: MeasuredProfile, mbps = SLOW_MBPS): Device {
  return { id, index, profile, uplinkMbps: mbps, downlinkMbps: mbps }
}

export function scenario (graph: Graph, devices: Device[], options: { requester?: Requester, latencyMs?: number, linkMbps?: Record<string, Record<string, number>>, linkLatencyMs?: Record<string, Record<string, number>> } = {}): Scenario {
  return {
    name: 'hand',
    model: 'tiny',
    inputShape: graph.inputShape,
    graph,
    devices,
    requester: options.requester ?? { kind: 'external', uplinkMbps: SLOW_MBPS, downlinkMbps: SLOW_MBPS },
    linkMbps: options.linkMbps ?? {},
    latencyMs: options.latencyMs ?? 0,
    linkLatencyMs: options.linkLatencyMs ?? {},
    testbed: {}
  }
}

export function plan (graph: Graph, volumes: PlanVolume[], tail: string): Plan {
  return { planner: 'hand', model: { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape }, volumes, tail: { device: tail } }
}
