// A served plan's measured timeline beside the simulator's: per part, when its inputs were all there,
// when it started and when it ended, medians over the timed requests. The instants come from the
// peers' own wall clocks, which agree on the testbed's one machine.
import { median } from '../../src/stats.js'
import type { TraceRecord } from '../../protocols/tensor/codec.js'
import type { SimResult } from '../../src/sim/types.js'

/** One request as `tessera infer --json` reports it. */
export interface ServedRequest {
  sentAt: number
  receivedAt: number
  timings: TraceRecord[]
}

interface Span { readyMs: number, startMs: number, endMs: number }
/** A measured span also says how much of the compute was the onnxruntime run itself (the rest: handing it to the compute thread and back). */
interface MeasuredSpan extends Span { runMs: number }

export interface TimelinePart {
  /** The plan's volume index (the volume count for the tail) and part index. */
  volume: number
  part: number
  device: string
  /** ms from the requester's first send, as the simulator has it. */
  simulated: Span
  /** ms from the serving peer sending the input: medians over the requests. */
  measured: MeasuredSpan
}

export interface TimelineComparison {
  parts: TimelinePart[]
  /** Median over the requests of the compute summed over every part and the tail, measured / simulated. */
  computeRatio: number
  /** The same for the onnxruntime runs alone (computeRatio less the hand-over to the compute thread and back). */
  runRatio: number
  /** Median over the requests of the serving peer's send-to-receive time. */
  measuredMs: number
  /** The simulator's latency of the plan (the row's nominalMs). */
  simulatedMs: number
}

/** Compares the simulator's schedule of a plan with the timelines of the requests that plan served. */
export function compareTimeline (sim: SimResult, volumes: number, requests: readonly ServedRequest[]): TimelineComparison {
  if (requests.length === 0) throw new RangeError('no requests to compare')
  const simulated = new Map<string, TimelinePart>()
  for (const p of sim.parts) {
    const inbound = sim.messages.filter(m => Array.isArray(m.receiver) && m.receiver[0] === p.volume && m.receiver[1] === p.part)
    simulated.set(`${p.volume}:${p.part}`, { volume: p.volume, part: p.part, device: p.device, simulated: { readyMs: Math.max(0, ...inbound.map(m => m.arrived)), startMs: p.start, endMs: p.end }, measured: { readyMs: NaN, startMs: NaN, endMs: NaN, runMs: NaN } })
  }
  const tailInbound = sim.messages.filter(m => m.receiver === 'tail')
  simulated.set(`${volumes}:0`, { volume: volumes, part: 0, device: sim.tail.device, simulated: { readyMs: Math.max(0, ...tailInbound.map(m => m.arrived)), startMs: sim.tail.start, endMs: sim.tail.end }, measured: { readyMs: NaN, startMs: NaN, endMs: NaN, runMs: NaN } })
  const simulatedCompute = [...simulated.values()].reduce((s, p) => s + p.simulated.endMs - p.simulated.startMs, 0)

  const spans = new Map<string, MeasuredSpan[]>()
  const ratios: number[] = []
  const runRatios: number[] = []
  for (const q of requests) {
    let compute = 0
    let run = 0
    for (const t of q.timings) {
      const key = `${t.volume}:${t.part}`
      if (!simulated.has(key)) throw new RangeError(`request timings name part ${key}, which the plan does not run`)
      const start = t.startedAt - q.sentAt
      let list = spans.get(key)
      if (list == null) spans.set(key, list = [])
      list.push({ readyMs: t.readyAt - q.sentAt, startMs: start, endMs: start + t.computeMs, runMs: t.runMs })
      compute += t.computeMs
      run += t.runMs
    }
    ratios.push(compute / simulatedCompute)
    runRatios.push(run / simulatedCompute)
  }
  const parts = [...simulated.entries()].map(([key, p]) => {
    const list = spans.get(key) ?? []
    const m = (f: (s: MeasuredSpan) => number): number => list.length === 0 ? NaN : median(list.map(f))
    return { ...p, measured: { readyMs: m(s => s.readyMs), startMs: m(s => s.startMs), endMs: m(s => s.endMs), runMs: m(s => s.runMs) } }
  })
  return { parts, computeRatio: median(ratios), runRatio: median(runRatios), measuredMs: median(requests.map(q => q.receivedAt - q.sentAt)), simulatedMs: sim.latencyMs }
}
