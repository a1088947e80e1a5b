// Where the baselines may cut: a "layer" (for layer-by-layer methods) and a "stage" (fused-block methods).
import { cutPoints } from '../graph/cuts.js'
import { graphWork } from '../graph/cost.js'
import type { Graph, TensorName } from '../graph/types.js'

/** Ops that make a layer of their own; activations, normalisation and elementwise ops join the layer before them. */
const LAYER_OPS = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'LpPool', 'Gemm', 'MatMul', 'GlobalAveragePool', 'GlobalMaxPool'])

function producerOp (graph: Graph, tensor: TensorName): string | undefined {
  const id = graph.producer.get(tensor)
  return id == null ? undefined : graph.nodes[id].opType
}

/** Whether the nodes strictly after cut `a` up to cut `b` (positions in `cuts`) hold a layer op. */
function segmentHasLayer (graph: Graph, cuts: TensorName[], a: number, b: number): boolean {
  const from = cuts[a] === graph.input ? -1 : graph.producer.get(cuts[a])!
  const to = graph.producer.get(cuts[b])!
  for (let id = from + 1; id <= to; id++) if (LAYER_OPS.has(graph.nodes[id].opType)) return true
  return false
}

/**
 * Cut tensors at layer boundaries, graph.input first and the end of the spatial prefix last: a cut is a
 * boundary when the nodes after it start a new layer (they hold a conv, pooling, ...) and the nodes since the
 * last boundary hold one too. A residual or inception block, having no valid cut inside, is one layer.
 */
export function layerCuts (graph: Graph): TensorName[] {
  const cuts = cutPoints(graph)
  const out = [cuts[0]]
  let last = 0
  for (let i = 1; i < cuts.length - 1; i++) {
    if (segmentHasLayer(graph, cuts, last, i) && segmentHasLayer(graph, cuts, i, i + 1)) {
      out.push(cuts[i])
      last = i
    }
  }
  if (cuts.length > 1) out.push(cuts[cuts.length - 1])
  return out
}

function height (graph: Graph, tensor: TensorName): number {
  return graph.shapes.get(tensor)![graph.layout.get(tensor)!.h]
}

/**
 * Stage boundaries (fused blocks of DeepThings / DeeperThings): among layer cuts, the first at each new,
 * smaller height (a pooling or strided layer's output), then the end of the spatial prefix.
 */
export function stageCuts (graph: Graph): TensorName[] {
  const layers = layerCuts(graph)
  const out = [layers[0]]
  for (let i = 1; i < layers.length - 1; i++) {
    if (height(graph, layers[i]) < height(graph, out[out.length - 1])) out.push(layers[i])
  }
  if (layers.length > 1) out.push(layers[layers.length - 1])
  return out
}

/** FLOPs of the nodes from the input up to and including each cut tensor's producer. */
export function cumulativeFlops (graph: Graph, tensors: TensorName[]): number[] {
  const { perNode } = graphWork(graph)
  const prefix: number[] = [0]
  for (const w of perNode) prefix.push(prefix[prefix.length - 1] + w.flops)
  return tensors.map((t) => t === graph.input ? 0 : prefix[graph.producer.get(t)! + 1])
}

/** FLOPs of the spatial prefix (every node up to the last cut point). */
export function prefixFlops (graph: Graph): number {
  const cuts = cutPoints(graph)
  return cumulativeFlops(graph, [cuts[cuts.length - 1]])[0]
}

/** Output height of a cut tensor. */
export function cutHeight (graph: Graph, tensor: TensorName): number {
  return height(graph, tensor)
}
