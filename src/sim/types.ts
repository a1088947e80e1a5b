// The resolved scenario (what planners and the simulator see) and the simulator's result.
import type { Graph, Range, TensorName } from '../graph/types.js'
import type { DeviceId } from '../plan/types.js'

/** Parametric compute model (architecture.md "roofline"). */
export interface RooflineProfile {
  readonly kind: 'roofline'
  /** The built-in name (pi3, nano, tx2, xavier) or 'custom'. */
  readonly name: string
  readonly gflops: number
  readonly memGBps: number
  readonly overheadMs: number
  readonly rowQuantum: number
}

/** Latency of one segment (the nodes between two consecutive cut points) against its output rows. */
export interface MeasuredSegment {
  readonly input: TensorName
  readonly output: TensorName
  /** Height of the segment's output. */
  readonly height: number
  /** [rows, ms] points, rows strictly increasing, the last one = height; interpolated linearly. */
  readonly points: ReadonlyArray<readonly [rows: number, ms: number]>
}

/** Tables measured by `tessera profile` on one machine for one model and input shape. */
export interface MeasuredProfile {
  readonly kind: 'measured'
  /** Where the table came from (a file path, or a peer's name). */
  readonly name: string
  readonly model: { readonly name: string, readonly sha256: string, readonly inputShape: readonly number[] }
  /** Where and how it was measured: 'wall' clock, or 'cpu' time of the run (one thread, on a shared machine). */
  readonly machine: { readonly cpu: string, readonly cores: number, readonly threads: number, readonly clock: 'wall' | 'cpu' }
  /** One entry per pair of consecutive cut points, in order. */
  readonly segments: readonly MeasuredSegment[]
  /**
   * Layers that span several segments (a conv and the activation after it), measured as one sub-model:
   * onnxruntime fuses them, so a volume holding the whole layer costs this rather than its segments' sum.
   */
  readonly layers: readonly MeasuredSegment[]
  /**
   * Two consecutive layers measured fused, with the cut between them (`middle`): T_a + T_b - T_ab is what
   * running them as one sub-model saves (a call, the middle tensor's copy out and in).
   */
  readonly pairs: ReadonlyArray<{ readonly middle: TensorName, readonly table: MeasuredSegment }>
  /** ms of one onnxruntime call of a trivial model: what a boundary without a pair table saves. */
  readonly callMs: number
  /** ms of everything after the spatial prefix (global pooling, fully connected, ...), run whole. */
  readonly tailMs: number
  /**
   * ms a slice arriving while the device computes waits to be taken in: the device's one CPU (or its
   * share of one) runs the compute and the stream stack both. 0 in profiles measured before it was.
   */
  readonly receiveMs: number
  /**
   * ms of handing a part's input to the compute thread and taking its outputs back, beyond the run:
   * every part and the tail pay it. 0 in profiles measured before version 3.
   */
  readonly handoverMs: number
  /**
   * The hand-over after a run that kept the compute thread busy for `runMs` (tens of ms): on a device held
   * to a share of a core (a CPU quota, a governor) that run has spent the share, and taking its outputs back
   * waits for more (about (1 - share) x the quota's period). Between a run of 0 and `runMs` the simulator
   * takes the hand-over linearly from `handoverMs` to `ms`. Zeros before version 5 (`handoverMs` throughout).
   */
  readonly longHandover: LongHandover
  /** What a tensor frame costs this device to send or to take in (its CPU). Zeros before version 3. */
  readonly frameCost: FrameCost
  /**
   * ms of the whole model run as one sub-model (one call, as a device serving a request alone runs it).
   * The tables' chain misjudges a run of many tables as one sub-model (0.72 to 1.07 of it on the testbed's
   * devices); the simulator scales every chain of two tables or more, in a tail or a part, by what this
   * measures against the whole chain. 0 in profiles measured before version 4 (the chain alone then).
   */
  readonly wholeMs: number
}

/** The hand-over after a long run: see MeasuredProfile.longHandover. */
export interface LongHandover {
  /** ms of the run it follows. */
  readonly runMs: number
  /** ms of the hand-over, beyond the run. */
  readonly ms: number
}

/**
 * The CPU one end of a tensor frame spends on it (protobuf header, yamux, noise), in ms of the
 * device's own speed: fixedMs + msPerMiB x (bytes / 2^20). The sender and the receiver each pay it.
 */
export interface FrameCost {
  readonly fixedMs: number
  readonly msPerMiB: number
}

export type ComputeProfile = RooflineProfile | MeasuredProfile

export interface Device {
  readonly id: DeviceId
  /** Position in the scenario's device list (the tie-break order). */
  readonly index: number
  readonly profile: ComputeProfile
  readonly uplinkMbps: number
  readonly downlinkMbps: number
}

/** The requester: its own links, or a provider that holds the input. */
export type Requester =
  | { readonly kind: 'external', readonly uplinkMbps: number, readonly downlinkMbps: number }
  | { readonly kind: 'device', readonly device: DeviceId }

/** A scenario resolved for planning and simulation: defaults filled, model loaded, profiles resolved. */
export interface Scenario {
  readonly name: string
  /** The model as the scenario names it (a built-in name or a path). */
  readonly model: string
  readonly inputShape: readonly number[]
  readonly graph: Graph
  readonly devices: readonly Device[]
  readonly requester: Requester
  /** Directed overrides: linkMbps[from][to]; 'requester' names an external requester. */
  readonly linkMbps: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Per-message latency of every link, ms, unless linkLatencyMs overrides it. */
  readonly latencyMs: number
  /** Directed overrides of latencyMs: linkLatencyMs[from][to] (a mesh measures each link's round trip). */
  readonly linkLatencyMs?: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Read only by the real testbed. */
  readonly testbed: Readonly<Record<DeviceId, { readonly cpuQuota: number }>>
}

/** The name the simulator and linkMbps use for an external requester. */
export const REQUESTER = 'requester'

/** One busy interval on a device's timeline. */
export type TimelineInterval =
  | { kind: 'compute', start: number, end: number, volume: number, part: number, rows: Range }
  | { kind: 'tail', start: number, end: number }
  | { kind: 'send', start: number, end: number, to: string, bytes: number }
  | { kind: 'receive', start: number, end: number, from: string, bytes: number }

/** One message of the schedule (free local moves included, with start = end = arrival). */
export interface SimMessage {
  from: string
  to: string
  /** Receiving part as [volume, part]; 'tail' for the tail device, 'requester' for the result. */
  receiver: readonly [number, number] | 'tail' | 'requester'
  bytes: number
  ready: number
  /** On the links from start to end; taken in by the receiver at `arrived` (end + its receive delay). */
  start: number
  end: number
  arrived: number
  local: boolean
}

export interface SimPart {
  volume: number
  part: number
  device: DeviceId
  rows: Range
  start: number
  end: number
}

export interface SimResult {
  /** End-to-end latency: arrival of the result at the requester (ms). */
  latencyMs: number
  /** Non-empty parts in plan order with their start and finish. */
  parts: SimPart[]
  tail: { device: DeviceId, start: number, end: number }
  messages: SimMessage[]
  /** Per device (scenario order, then 'requester' when external): its busy intervals, by start. */
  timeline: Array<{ device: string, intervals: TimelineInterval[] }>
}
