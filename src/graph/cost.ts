// Work of a node (FLOPs and bytes moved) for the rows of its output a part computes, by the
// roofline rules of docs/architecture.md: the simulator's compute model and `tessera inspect` use it.
import { attrInt, attrInts } from './attributes.js'
import { inputRegion } from './regions.js'
import { numel } from './tensor-data.js'
import type { Graph, GraphNode, Range } from './types.js'

export interface Work {
  flops: number
  bytes: number
}

const BYTES_PER_ELEMENT = 4

/** FLOPs per output element: conv 2*(Cin/groups)*kH*kW, Gemm/MatMul 2*K, pooling kH*kW (global: Hin*Win), else 1. */
export function flopsPerElement (graph: Graph, node: GraphNode): number {
  const inShape = graph.shapes.get(node.inputs[0]) ?? []
  switch (node.opType) {
    case 'Conv': {
      const w = graph.shapes.get(node.inputs[1])!
      return 2 * w[1] * w[2] * w[3]
    }
    case 'ConvTranspose': {
      const w = graph.shapes.get(node.inputs[1])!
      return 2 * (w[0] / attrInt(node, 'group', 1)) * w[2] * w[3]
    }
    case 'Gemm': {
      return 2 * (attrInt(node, 'transA', 0) === 1 ? inShape[0] : inShape[1])
    }
    case 'MatMul':
      return 2 * inShape[inShape.length - 1]
    case 'MaxPool': case 'AveragePool': case 'LpPool': {
      const k = attrInts(node, 'kernel_shape', [1, 1])
      return k[0] * k[1]
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool':
      return inShape[2] * inShape[3]
  }
  return 1
}

/** Elements of `tensor` within rows x cols of its spatial axes (all of it when it has none). */
function elementsIn (graph: Graph, tensor: string, rows: Range | undefined, cols: Range | undefined): number {
  const shape = graph.shapes.get(tensor)!
  const axes = graph.layout.get(tensor)
  if (axes == null || rows == null) return numel(shape)
  const H = shape[axes.h]
  const W = shape[axes.w]
  const c = cols ?? [0, W]
  return numel(shape) / (H * W) * Math.max(0, rows[1] - rows[0]) * Math.max(0, c[1] - c[0])
}

/**
 * Work of `node` computing rows x cols of its outputs (all columns when `cols` is absent; the
 * whole output for a node without spatial outputs): input elements read (halo included), weight
 * elements and output elements, 4 bytes each.
 */
export function nodeWork (graph: Graph, node: GraphNode, rows: Range, cols?: Range): Work {
  const first = node.outputs[0]
  const spatial = graph.layout.has(first)
  const outRows = spatial ? rows : undefined
  let outputs = 0
  for (const o of node.outputs) if (o !== '') outputs += elementsIn(graph, o, outRows, cols)
  const firstOut = elementsIn(graph, first, outRows, cols)
  let read = 0
  let weights = 0
  node.inputs.forEach((t, i) => {
    if (t === '') return
    if (graph.constants.has(t)) {
      weights += numel(graph.shapes.get(t)!)
      return
    }
    if (!spatial || !graph.layout.has(t)) {
      read += numel(graph.shapes.get(t)!)
      return
    }
    const shape = graph.shapes.get(first)!
    const axes = graph.layout.get(first)!
    const region = inputRegion(graph, node, i, rows, cols ?? [0, shape[axes.w]])
    read += region == null ? numel(graph.shapes.get(t)!) : elementsIn(graph, t, region.rows, region.cols)
  })
  return {
    flops: flopsPerElement(graph, node) * firstOut,
    bytes: BYTES_PER_ELEMENT * (read + weights + outputs)
  }
}

/** Work of every node over its whole output, and the totals. */
export function graphWork (graph: Graph): { flops: number, bytes: number, perNode: Work[] } {
  let flops = 0
  let bytes = 0
  const perNode = graph.nodes.map(node => {
    const out = graph.shapes.get(node.outputs[0])!
    const axes = graph.layout.get(node.outputs[0])
    const w = nodeWork(graph, node, [0, axes == null ? 1 : out[axes.h]])
    flops += w.flops
    bytes += w.bytes
    return w
  })
  return { flops, bytes, perNode }
}

/** Number of float parameters held in constants (weights, biases, norms). */
export function parameterCount (graph: Graph): number {
  let n = 0
  for (const c of graph.constants.values()) if (c.dataType === 'float32') n += numel(c.dims)
  return n
}
