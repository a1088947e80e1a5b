// The data movement of a plan: who sends which rows of which tensor to whom. Pure and deterministic;
// the simulator, the single-machine executor and the mesh all derive their transfers from it.
//
// Messages, in this order:
//   1. requester -> each part of the first volume: the region of the model input the part reads
//      (its halo included);
//   2. for each volume l, each part j of l -> each part k of volume l + 1: the region of l's output that
//      k reads and j computed (j's region intersected with k's needs), senders in plan order, then
//      receivers in plan order;
//   3. each part of the last volume -> the tail: all it computed (the tail needs the whole tensor);
//      with no volumes, the requester sends the tail the whole input.
// Then `result`: the tail -> the requester, the model's outputs in one message.
// Parts with no rows send and receive nothing. Messages between parts on the same device are listed
// too (with `local: true`): the data is already there, and the simulator charges nothing for them.
// The plan is assumed valid (validatePlan).
import { partAnalysis } from '../graph/regions.js'
import type { DataType, Graph, Range, Region, TensorName } from '../graph/types.js'
import type { DeviceId, Plan } from './types.js'

/** One end of a message. */
export type Endpoint =
  | { kind: 'requester' }
  | { kind: 'part', volume: number, part: number, device: DeviceId }
  | { kind: 'tail', device: DeviceId }

export interface Message {
  from: Endpoint
  to: Endpoint
  /** The tensor a region of which moves (a cut tensor). */
  tensor: TensorName
  rows: Range
  cols: Range
  bytes: number
  /** Sender and receiver are the same device (nothing crosses a link). */
  local: boolean
}

export interface Movement {
  messages: Message[]
  /** The model outputs going back to the requester. */
  result: { from: Endpoint, to: Endpoint, tensors: TensorName[], bytes: number }
}

const BYTES: Record<DataType, number> = {
  float32: 4, float16: 2, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1
}

/** Bytes of `region` of tensor `t` (every non-spatial element of each row and column). */
export function regionBytes (graph: Graph, t: TensorName, region: Region): number {
  const shape = graph.shapes.get(t)!
  const axes = graph.layout.get(t)!
  const perPixel = shape.reduce((a, b) => a * b, 1) / (shape[axes.h] * shape[axes.w])
  const rows = Math.max(0, region.rows[1] - region.rows[0])
  const cols = Math.max(0, region.cols[1] - region.cols[0])
  return BYTES[graph.dtypes.get(t) ?? 'float32'] * perPixel * rows * cols
}

function deviceOf (e: Endpoint): DeviceId | undefined {
  return e.kind === 'requester' ? undefined : e.device
}

function intersect (a: Region, b: Region): Region | undefined {
  const rows: Range = [Math.max(a.rows[0], b.rows[0]), Math.min(a.rows[1], b.rows[1])]
  const cols: Range = [Math.max(a.cols[0], b.cols[0]), Math.min(a.cols[1], b.cols[1])]
  return rows[1] > rows[0] && cols[1] > cols[0] ? { rows, cols } : undefined
}

/** The region of a volume's output a part computes (its rows, all columns unless it names some). */
export function partOutputRegion (graph: Graph, plan: Plan, volume: number, part: number): Region {
  const v = plan.volumes[volume]
  const p = v.parts[part]
  const shape = graph.shapes.get(v.output)!
  const axes = graph.layout.get(v.output)!
  return { rows: p.rows, cols: p.cols ?? [0, shape[axes.w]] }
}

/** The region of a volume's input a part reads (empty for a part with no rows). */
export function partInputRegion (graph: Graph, plan: Plan, volume: number, part: number): Region {
  const v = plan.volumes[volume]
  const out = partOutputRegion(graph, plan, volume, part)
  return partAnalysis(graph, v, out.rows, out.cols).regions.get(v.input)!
}

/** All messages of a plan (see the top of this file for their order and meaning). */
export function planMovement (graph: Graph, plan: Plan): Movement {
  const messages: Message[] = []
  const push = (from: Endpoint, to: Endpoint, tensor: TensorName, r: Region): void => {
    const a = deviceOf(from)
    const b = deviceOf(to)
    messages.push({ from, to, tensor, rows: r.rows, cols: r.cols, bytes: regionBytes(graph, tensor, r), local: a != null && a === b })
  }
  const requester: Endpoint = { kind: 'requester' }
  const tail: Endpoint = { kind: 'tail', device: plan.tail.device }
  const partEnd = (volume: number, part: number): Endpoint => ({ kind: 'part', volume, part, device: plan.volumes[volume].parts[part].device })
  const L = plan.volumes.length
  if (L === 0) {
    const shape = graph.shapes.get(graph.input)!
    const axes = graph.layout.get(graph.input)!
    push(requester, tail, graph.input, { rows: [0, shape[axes.h]], cols: [0, shape[axes.w]] })
  } else {
    plan.volumes[0].parts.forEach((_, k) => {
      const need = partInputRegion(graph, plan, 0, k)
      if (need.rows[1] > need.rows[0] && need.cols[1] > need.cols[0]) push(requester, partEnd(0, k), graph.input, need)
    })
    for (let l = 0; l + 1 < L; l++) {
      const next = plan.volumes[l + 1]
      const needs = next.parts.map((_, k) => partInputRegion(graph, plan, l + 1, k))
      plan.volumes[l].parts.forEach((_, j) => {
        const made = partOutputRegion(graph, plan, l, j)
        needs.forEach((need, k) => {
          const r = intersect(made, need)
          if (r != null) push(partEnd(l, j), partEnd(l + 1, k), next.input, r)
        })
      })
    }
    const last = plan.volumes[L - 1]
    last.parts.forEach((_, j) => {
      const made = partOutputRegion(graph, plan, L - 1, j)
      if (made.rows[1] > made.rows[0] && made.cols[1] > made.cols[0]) push(partEnd(L - 1, j), tail, last.output, made)
    })
  }
  const bytes = graph.outputs.reduce((s, o) => {
    const shape = graph.shapes.get(o)!
    return s + BYTES[graph.dtypes.get(o) ?? 'float32'] * shape.reduce((a, b) => a * b, 1)
  }, 0)
  return { messages, result: { from: tail, to: requester, tensors: [...graph.outputs], bytes } }
}
