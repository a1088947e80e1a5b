// Valid cut points: places in the node order where exactly one activation crosses, so that a
// layer-volume between two cuts has one tensor in and one tensor out (residual blocks, inception
// modules and concat branches stay whole).
import { InvalidPlanError } from '../errors.js'
import type { Graph, TensorName, Volume } from './types.js'

interface CutInfo {
  /** Cut tensors in order, the input first. */
  tensors: TensorName[]
  /** Node position after which each cut tensor is the only one crossing (-1 for the input). */
  position: Map<TensorName, number>
}

const cache = new WeakMap<Graph, CutInfo>()

function analyse (graph: Graph): CutInfo {
  const hit = cache.get(graph)
  if (hit != null) return hit
  const n = graph.nodes.length
  // crossing[p] counts tensors alive across the gap after node p (p = -1 .. n-1)
  const delta = new Int32Array(n + 2)
  const lastUse = new Map<TensorName, number>()
  const born = new Map<TensorName, number>([[graph.input, -1]])
  for (const node of graph.nodes) {
    for (const t of node.inputs) if (t !== '' && !graph.constants.has(t)) lastUse.set(t, Math.max(lastUse.get(t) ?? -1, node.id))
    for (const o of node.outputs) if (o !== '') born.set(o, node.id)
  }
  for (const o of graph.outputs) lastUse.set(o, n)
  for (const [t, b] of born) {
    const end = lastUse.get(t)
    if (end == null || end <= b) continue
    // alive across gaps b .. end - 1
    delta[b + 1] += 1
    delta[end + 1] -= 1
  }
  // tensors alive after the gap they are born at, by that gap
  const bornAt = new Map<number, TensorName[]>()
  for (const [t, b] of born) {
    const end = lastUse.get(t)
    if (end == null || end <= b) continue
    bornAt.set(b, [...(bornAt.get(b) ?? []), t])
  }
  const tensors: TensorName[] = []
  const position = new Map<TensorName, number>()
  let count = 0
  for (let p = -1; p < n; p++) {
    count += delta[p + 1]
    if (count !== 1) continue
    // the one tensor crossing gap p was born at p (a tensor born earlier would have crossed gap p-1 with another)
    const born = bornAt.get(p)
    const t = born?.length === 1 ? born[0] : undefined
    if (t == null || !graph.layout.has(t)) continue
    tensors.push(t)
    position.set(t, p)
  }
  const info = { tensors, position }
  cache.set(graph, info)
  return info
}

/** Valid cut tensors in topological order: first graph.input, last the end of the spatial prefix. */
export function cutPoints (graph: Graph): TensorName[] {
  return [...analyse(graph).tensors]
}

/** The cut tensor where the spatial prefix ends and the non-spatial tail begins. */
export function spatialPrefixEnd (graph: Graph): TensorName {
  const t = analyse(graph).tensors
  return t[t.length - 1]
}

/** Position of a cut tensor in the node order (-1 for the input); throws InvalidPlanError for a tensor that is no valid cut. */
export function cutPosition (graph: Graph, tensor: TensorName): number {
  const p = analyse(graph).position.get(tensor)
  if (p == null) throw new InvalidPlanError(`"${tensor}" is not a valid cut point of ${graph.name} (more than one tensor crosses there, or it is not spatial)`)
  return p
}

/** Node ids strictly after `volume.input` up to and including the producer of `volume.output`. */
export function volumeNodeIds (graph: Graph, volume: Volume): number[] {
  const from = cutPosition(graph, volume.input)
  const to = cutPosition(graph, volume.output)
  if (to <= from) throw new InvalidPlanError(`volume ${volume.input} -> ${volume.output} is empty or runs backwards`)
  const ids: number[] = []
  for (let i = from + 1; i <= to; i++) ids.push(i)
  return ids
}

/** Node ids of the tail: every node after the cut tensor `from`. */
export function tailNodeIds (graph: Graph, from: TensorName): number[] {
  const start = cutPosition(graph, from)
  const ids: number[] = []
  for (let i = start + 1; i < graph.nodes.length; i++) ids.push(i)
  return ids
}
