// Row and column maps: which region of each input a node reads to compute a region of its output,
// and, for a part of a layer-volume, the region of every tensor inside the volume it computes.
// Maps are exact: an input row outside the region never changes the output region (brute-force
// tested against onnxruntime), so neighbouring parts recompute exactly the halo they must.
import { InvalidPlanError, UnsupportedOpError } from '../errors.js'
import { attrInt, attrInts } from './attributes.js'
import { effectiveKernel, transposeGeometry, windowGeometry, type WindowGeometry } from './geometry.js'
import { padSource, padSpec, resizeAxisTaps, resizeSpec, type AxisTaps } from './resample.js'
import { toNumbers } from './tensor-data.js'
import type { Graph, GraphNode, InputRegion, Range, Region, SpatialAxes, TensorName, Volume } from './types.js'

type Axis = 'h' | 'w'

/** How one spatial axis of an input depends on the output region. */
type AxisLink =
  /** The input range (unclipped: it may reach past the edges, that part being padding) for an output range along `from`. */
  | { kind: 'map', from: Axis, map: (a: number, b: number) => [number, number], taps?: (a: number, b: number, len: number) => [number, number] }
  /** Every position of the axis, whatever the output region. */
  | { kind: 'all' }
  /** The axis has length 1 and is broadcast over the output. */
  | { kind: 'one' }

interface Link {
  rows: AxisLink
  cols: AxisLink
}

const identity = (from: Axis): AxisLink => ({ kind: 'map', from, map: (a, b) => [a, b] })
const SAME: Link = { rows: identity('h'), cols: identity('w') }
const ALL: Link = { rows: { kind: 'all' }, cols: { kind: 'all' } }

/** Ops whose output position reads the same position of every (broadcast) input. */
const ELEMENTWISE = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu',
  'Softplus', 'Softsign', 'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil',
  'Sign', 'ThresholdedRelu', 'Round', 'Cast', 'Sin', 'Cos', 'Not', 'Shrink', 'Identity', 'Dropout',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'Mod',
  'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor',
  'Concat', 'Split'
])

/** Ops that read only their first input spatially, position for position (the rest are per-channel parameters). */
const FIRST_INPUT_SAME = new Set(['BatchNormalization', 'LRN', 'QuantizeLinear', 'DequantizeLinear', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten', 'MatMul'])

const WINDOW = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool'])

/** Reductions along some axes: they read the whole of each reduced axis. */
const REDUCE = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceProd', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin'])
const SOFTMAX = new Set(['Softmax', 'LogSoftmax', 'Hardmax'])

/** Spatial axes of a tensor; throws when it has none. */
function axesOf (graph: Graph, t: TensorName): SpatialAxes {
  const a = graph.layout.get(t)
  if (a == null) throw new UnsupportedOpError('?', t, `tensor "${t}" has no rows and columns`)
  return a
}

function dimsOf (graph: Graph, t: TensorName): number[] {
  const s = graph.shapes.get(t)
  if (s == null) throw new UnsupportedOpError('?', t, `tensor "${t}" has no known shape`)
  return s
}

/** Spatial axes of the node's first spatial output. */
function outputAxes (graph: Graph, node: GraphNode): SpatialAxes | undefined {
  for (const o of node.outputs) {
    const a = o === '' ? undefined : graph.layout.get(o)
    if (a != null) return a
  }
  return undefined
}

function firstSpatialOutput (graph: Graph, node: GraphNode): TensorName {
  return node.outputs.find(o => o !== '' && graph.layout.has(o)) ?? node.outputs[0]
}

/**
 * Where the output's rows and columns sit in input `t` under right-aligned broadcasting: the input axis
 * index for each (-1 when the input lacks it or has length 1 against a longer output axis).
 */
export function broadcastAxes (graph: Graph, node: GraphNode, t: TensorName): { h: number, w: number } {
  const out = firstSpatialOutput(graph, node)
  const oa = axesOf(graph, out)
  const od = dimsOf(graph, out)
  const id = dimsOf(graph, t)
  const shift = od.length - id.length
  const at = (axis: number): number => {
    const k = axis - shift
    if (k < 0 || k >= id.length) return -1
    return id[k] === 1 && od[axis] !== 1 ? -1 : k
  }
  return { h: at(oa.h), w: at(oa.w) }
}

function elementwiseLink (graph: Graph, node: GraphNode, i: number): Link | null {
  const t = node.inputs[i]
  const isConst = graph.constants.has(t)
  if (!isConst && !graph.layout.has(t)) return null
  const b = broadcastAxes(graph, node, t)
  if (isConst && b.h < 0 && b.w < 0) return null
  return {
    rows: b.h < 0 ? { kind: 'one' } : identity('h'),
    cols: b.w < 0 ? { kind: 'one' } : identity('w')
  }
}

function windowLink (g: WindowGeometry, k: 0 | 1, from: Axis): AxisLink {
  const s = g.strides[k]
  const p = g.pads[k]
  const d = g.dilations[k]
  const K = g.kernel[k]
  const eff = effectiveKernel(K, d)
  const map = (a: number, b: number): [number, number] => [a * s - p, (b - 1) * s - p + eff]
  if (d === 1) return { kind: 'map', from, map }
  // dilated taps skip rows: the first and last rows actually read may lie inside the tensor
  const taps = (a: number, b: number, len: number): [number, number] => {
    let lo = Infinity
    let hi = -Infinity
    for (let o = a; o < b; o++) {
      for (let j = 0; j < K; j++) {
        const t = o * s - p + j * d
        if (t < 0 || t >= len) continue
        if (t < lo) lo = t
        if (t > hi) hi = t
      }
    }
    return lo > hi ? [0, 0] : [lo, hi + 1]
  }
  return { kind: 'map', from, map, taps }
}

/** Window geometry of Conv / pooling for its actual input. */
export function nodeWindow (graph: Graph, node: GraphNode): WindowGeometry {
  const d = dimsOf(graph, node.inputs[0])
  const w = node.opType === 'Conv' ? dimsOf(graph, node.inputs[1]) : undefined
  return windowGeometry(node, [d[2], d[3]], w != null ? [w[2], w[3]] : undefined)
}

/** Input rows of ConvTranspose that feed output rows [a, b): enumerated, as strides and dilations leave holes. */
function transposeMap (graph: Graph, node: GraphNode, k: 0 | 1): (a: number, b: number) => [number, number] {
  const d = dimsOf(graph, node.inputs[0])
  const w = dimsOf(graph, node.inputs[1])
  const g = transposeGeometry(node, [d[2], d[3]], [w[2], w[3]])
  const len = d[2 + k]
  const s = g.strides[k]
  const dil = g.dilations[k]
  const K = g.kernel[k]
  const p = g.pads[k]
  return (a, b) => {
    let lo = Infinity
    let hi = -Infinity
    for (let o = a; o < b; o++) {
      for (let j = 0; j < K; j++) {
        const q = o + p - j * dil
        if (q % s !== 0) continue
        const i = q / s
        if (i < 0 || i >= len) continue
        if (i < lo) lo = i
        if (i > hi) hi = i
      }
    }
    return lo > hi ? [0, 0] : [lo, hi + 1]
  }
}

const resizeTaps = new WeakMap<GraphNode, { h: AxisTaps, w: AxisTaps }>()

/** Resize / Upsample taps along rows and columns (cached per node). */
export function nodeResizeTaps (graph: Graph, node: GraphNode): { h: AxisTaps, w: AxisTaps } {
  let t = resizeTaps.get(node)
  if (t == null) {
    const spec = resizeSpec(graph, node)
    const a = axesOf(graph, node.inputs[0])
    spec.scales.forEach((s, i) => {
      if (i !== a.h && i !== a.w && s !== 1) {
        throw new UnsupportedOpError(node.opType, node.name, `it scales axis ${i}, which is neither rows nor columns`)
      }
    })
    t = { h: resizeAxisTaps(spec, a.h), w: resizeAxisTaps(spec, a.w) }
    resizeTaps.set(node, t)
  }
  return t
}

function tapsMap (taps: AxisTaps): (a: number, b: number) => [number, number] {
  return (a, b) => {
    let lo = Infinity
    let hi = -Infinity
    for (let o = a; o < b; o++) {
      for (const t of taps[o]) {
        if (t.index < lo) lo = t.index
        if (t.index > hi) hi = t.index
      }
    }
    return lo > hi ? [0, 0] : [lo, hi + 1]
  }
}

function padMap (graph: Graph, node: GraphNode, axis: number): (a: number, b: number) => [number, number] {
  const spec = padSpec(graph, node)
  const len = dimsOf(graph, node.inputs[0])[axis]
  const begin = spec.begin[axis]
  if (spec.mode === 'constant') return (a, b) => [a - begin, b - begin]
  return (a, b) => {
    let lo = Infinity
    let hi = -Infinity
    for (let o = a; o < b; o++) {
      const i = padSource(spec.mode, o, begin, len)
      if (i < lo) lo = i
      if (i > hi) hi = i
    }
    return [lo, hi + 1]
  }
}

/** Start, step and axis of a Slice along each input axis it slices (normalised as onnxruntime does). */
export function sliceParams (graph: Graph, node: GraphNode): Map<number, { start: number, step: number }> {
  const dims = dimsOf(graph, node.inputs[0])
  const rank = dims.length
  const values = (index: number, attr: string): number[] | undefined => {
    if (graph.opset < 10) return attrInts(node, attr)
    const name = node.inputs[index]
    if (name == null || name === '') return undefined
    const c = graph.constants.get(name)
    if (c == null) throw new UnsupportedOpError(node.opType, node.name, `input ${index} ("${name}") must be a constant`)
    return toNumbers(c)
  }
  const starts = values(1, 'starts') ?? []
  const axes = values(3, 'axes') ?? starts.map((_, i) => i)
  const steps = values(4, 'steps') ?? starts.map(() => 1)
  const out = new Map<number, { start: number, step: number }>()
  axes.forEach((axis0, i) => {
    const axis = axis0 < 0 ? axis0 + rank : axis0
    const len = dims[axis]
    const step = steps[i]
    let start = starts[i] < 0 ? starts[i] + len : starts[i]
    start = step > 0 ? Math.min(Math.max(start, 0), len) : Math.min(Math.max(start, 0), len - 1)
    out.set(axis, { start, step })
  })
  return out
}

function sliceLink (graph: Graph, node: GraphNode): Link {
  const a = axesOf(graph, node.inputs[0])
  const params = sliceParams(graph, node)
  const axisLink = (axis: number, from: Axis): AxisLink => {
    const p = params.get(axis)
    if (p == null) return identity(from)
    const { start, step } = p
    return { kind: 'map', from, map: (x, y) => step > 0 ? [start + x * step, start + (y - 1) * step + 1] : [start + (y - 1) * step, start + x * step + 1] }
  }
  return { rows: axisLink(a.h, 'h'), cols: axisLink(a.w, 'w') }
}

function transposeLink (graph: Graph, node: GraphNode): Link {
  const ia = axesOf(graph, node.inputs[0])
  const oa = axesOf(graph, node.outputs[0])
  const rank = dimsOf(graph, node.inputs[0]).length
  const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)
  const source = (inputAxis: number): Axis => {
    if (perm[oa.h] === inputAxis) return 'h'
    if (perm[oa.w] === inputAxis) return 'w'
    throw new UnsupportedOpError(node.opType, node.name, 'it moves rows or columns onto a non-spatial axis')
  }
  return { rows: identity(source(ia.h)), cols: identity(source(ia.w)) }
}

/** Axes a reduction / softmax reads whole. */
function reducedAxes (graph: Graph, node: GraphNode): Set<number> {
  const rank = dimsOf(graph, node.inputs[0]).length
  const norm = (a: number): number => (a < 0 ? a + rank : a)
  if (SOFTMAX.has(node.opType)) {
    const axis = norm(attrInt(node, 'axis', graph.opset >= 13 ? -1 : 1))
    if (graph.opset >= 13) return new Set([axis])
    return new Set(Array.from({ length: rank - axis }, (_, i) => axis + i))
  }
  if (node.opType === 'ArgMax' || node.opType === 'ArgMin') return new Set([norm(attrInt(node, 'axis', 0))])
  let axes = attrInts(node, 'axes')
  if (axes == null && node.inputs[1] != null && node.inputs[1] !== '') {
    const c = graph.constants.get(node.inputs[1])
    if (c == null) throw new UnsupportedOpError(node.opType, node.name, 'its axes must be a constant')
    axes = toNumbers(c)
  }
  if (axes == null || axes.length === 0) {
    if (attrInt(node, 'noop_with_empty_axes', 0) === 1) return new Set()
    return new Set(Array.from({ length: rank }, (_, i) => i))
  }
  return new Set(axes.map(norm))
}

function reduceLink (graph: Graph, node: GraphNode): Link {
  const a = axesOf(graph, node.inputs[0])
  const reduced = reducedAxes(graph, node)
  return {
    rows: reduced.has(a.h) ? { kind: 'all' } : identity('h'),
    cols: reduced.has(a.w) ? { kind: 'all' } : identity('w')
  }
}

/** The link of input `i` of a node with a spatial output. */
function spatialLink (graph: Graph, node: GraphNode, i: number): Link | null {
  const op = node.opType
  const t = node.inputs[i]
  if (ELEMENTWISE.has(op)) {
    if (op === 'Split' && i > 0) return null
    return elementwiseLink(graph, node, i)
  }
  if (i > 0) {
    // every other op reads its parameters (weights, pads, scales, shapes) whole
    return null
  }
  if (!graph.layout.has(t)) return null
  if (FIRST_INPUT_SAME.has(op)) return SAME
  if (WINDOW.has(op)) {
    const g = nodeWindow(graph, node)
    return { rows: windowLink(g, 0, 'h'), cols: windowLink(g, 1, 'w') }
  }
  switch (op) {
    case 'ConvTranspose':
      return { rows: { kind: 'map', from: 'h', map: transposeMap(graph, node, 0) }, cols: { kind: 'map', from: 'w', map: transposeMap(graph, node, 1) } }
    case 'Pad': {
      const a = axesOf(graph, t)
      return { rows: { kind: 'map', from: 'h', map: padMap(graph, node, a.h) }, cols: { kind: 'map', from: 'w', map: padMap(graph, node, a.w) } }
    }
    case 'Resize': case 'Upsample': {
      const taps = nodeResizeTaps(graph, node)
      return { rows: { kind: 'map', from: 'h', map: tapsMap(taps.h) }, cols: { kind: 'map', from: 'w', map: tapsMap(taps.w) } }
    }
    case 'SpaceToDepth': {
      const bs = attrInt(node, 'blocksize', 1)
      const m = (a: number, b: number): [number, number] => [a * bs, b * bs]
      return { rows: { kind: 'map', from: 'h', map: m }, cols: { kind: 'map', from: 'w', map: m } }
    }
    case 'DepthToSpace': {
      const bs = attrInt(node, 'blocksize', 1)
      const m = (a: number, b: number): [number, number] => [Math.floor(a / bs), Math.ceil(b / bs)]
      return { rows: { kind: 'map', from: 'h', map: m }, cols: { kind: 'map', from: 'w', map: m } }
    }
    case 'Slice': return sliceLink(graph, node)
    case 'Transpose': return transposeLink(graph, node)
  }
  if (REDUCE.has(op) || SOFTMAX.has(op)) return reduceLink(graph, node)
  throw new UnsupportedOpError(op, node.name, 'Tessera has no row map for it')
}

const linkCache = new WeakMap<Graph, Map<string, Link | null>>()

function linkOf (graph: Graph, node: GraphNode, i: number): Link | null {
  let cache = linkCache.get(graph)
  if (cache == null) {
    cache = new Map()
    linkCache.set(graph, cache)
  }
  const key = `${node.id}:${i}`
  let l = cache.get(key)
  if (l === undefined) {
    const t = node.inputs[i]
    if (t == null || t === '') {
      l = null
    } else if (outputAxes(graph, node) == null) {
      // a node without spatial output (global pooling, flatten, FC) reads its spatial inputs whole
      l = graph.layout.has(t) ? ALL : null
    } else {
      l = spatialLink(graph, node, i)
    }
    cache.set(key, l)
  }
  return l
}

/** The rows and columns axis indices of input `i` as a region's rows / cols refer to them (-1: absent). */
export function inputAxes (graph: Graph, node: GraphNode, i: number): { h: number, w: number } {
  const t = node.inputs[i]
  if (graph.constants.has(t)) return broadcastAxes(graph, node, t)
  const a = axesOf(graph, t)
  return { h: a.h, w: a.w }
}

const EMPTY_REGION: InputRegion = { rows: [0, 0], cols: [0, 0], pads: [0, 0, 0, 0] }

function clip (start: number, end: number, len: number): { range: Range, before: number, after: number } {
  const s = Math.min(Math.max(start, 0), len)
  const e = Math.max(Math.min(end, len), s)
  const before = Math.min(Math.max(-start, 0), end - start)
  return { range: [s, e], before, after: Math.max(0, end - start - before - (e - s)) }
}

/**
 * The input region node needs from input #inputIndex for output region rows x cols; null when that
 * input has no spatial extent (weights, per-channel constants, a squeeze-excite scale vector).
 */
export function inputRegion (graph: Graph, node: GraphNode, inputIndex: number, rows: Range, cols: Range): InputRegion | null {
  const link = linkOf(graph, node, inputIndex)
  if (link == null) return null
  if (rows[1] <= rows[0] || cols[1] <= cols[0]) return EMPTY_REGION
  const t = node.inputs[inputIndex]
  const dims = dimsOf(graph, t)
  const ax = inputAxes(graph, node, inputIndex)
  const H = ax.h < 0 ? 1 : dims[ax.h]
  const W = ax.w < 0 ? 1 : dims[ax.w]
  const resolve = (l: AxisLink, len: number): { range: Range, before: number, after: number } => {
    if (l.kind === 'one') return { range: [0, 1], before: 0, after: 0 }
    if (l.kind === 'all') return { range: [0, len], before: 0, after: 0 }
    const out = l.from === 'h' ? rows : cols
    const [start, end] = l.map(out[0], out[1])
    if (l.taps == null) return clip(start, end, len)
    const [s, e] = l.taps(out[0], out[1], len)
    if (e <= s) return clip(start, end, len)
    return { range: [s, e], before: s - start, after: end - e }
  }
  const r = resolve(link.rows, H)
  const c = resolve(link.cols, W)
  return { rows: r.range, cols: c.range, pads: [r.before, c.before, r.after, c.after] }
}

/** True when the link of input `i` reads every row whatever rows the output asks for. */
export function readsAllRows (graph: Graph, node: GraphNode, i: number): boolean {
  const l = linkOf(graph, node, i)
  return l != null && l.rows.kind === 'all'
}

function union (a: Region | undefined, b: Region): Region {
  if (a == null || a.rows[1] <= a.rows[0] || a.cols[1] <= a.cols[0]) return { rows: [b.rows[0], b.rows[1]], cols: [b.cols[0], b.cols[1]] }
  if (b.rows[1] <= b.rows[0] || b.cols[1] <= b.cols[0]) return a
  return {
    rows: [Math.min(a.rows[0], b.rows[0]), Math.max(a.rows[1], b.rows[1])],
    cols: [Math.min(a.cols[0], b.cols[0]), Math.max(a.cols[1], b.cols[1])]
  }
}

/** The whole extent of a spatial tensor. */
export function fullRegion (graph: Graph, t: TensorName): Region {
  const a = axesOf(graph, t)
  const d = dimsOf(graph, t)
  return { rows: [0, d[a.h]], cols: [0, d[a.w]] }
}

/** What one part of a volume computes: the engine builds its sub-model from this. */
export interface PartAnalysis {
  volume: Volume
  /** The part's region of volume.output. */
  output: Region
  /** Region of every spatial, non-constant tensor the part computes or reads (volume.input included). */
  regions: Map<TensorName, Region>
  /** Non-spatial tensors inside the volume the part computes whole (a squeeze-excite vector). */
  whole: Set<TensorName>
  /** Ids of the nodes the part runs, in topological order. */
  nodes: number[]
  /** Per node id: the region each input is read in (null: read whole or not spatial). */
  reads: Map<number, Array<InputRegion | null>>
}

/** Node ids that compute volume.output from volume.input (throws when another tensor enters the volume). */
export function volumeNodes (graph: Graph, volume: Volume): number[] {
  const seen = new Set<number>()
  const stack: TensorName[] = [volume.output]
  const visited = new Set<TensorName>()
  if (volume.input === volume.output) throw new InvalidPlanError(`volume ${volume.input} -> ${volume.output} is empty`)
  while (stack.length > 0) {
    const t = stack.pop()!
    if (visited.has(t) || t === volume.input || graph.constants.has(t)) continue
    visited.add(t)
    const p = graph.producer.get(t)
    if (p == null) {
      throw new InvalidPlanError(`volume ${volume.input} -> ${volume.output}: tensor "${t}" enters it from outside (${volume.input} is not a cut before ${volume.output})`)
    }
    if (seen.has(p)) continue
    seen.add(p)
    for (const i of graph.nodes[p].inputs) if (i !== '') stack.push(i)
  }
  return [...seen].sort((a, b) => a - b)
}

const analysisCache = new WeakMap<Graph, Map<string, PartAnalysis>>()

/** The full analysis of a part computing `rows` x `cols` of volume.output (cached). */
/**
 * A constant-mode Pad whose part lies wholly in the padding reads no input row; it is given the
 * nearest real row instead, so every node before it computes at least one row (onnxruntime refuses
 * empty convolutions) and the sub-model slices the padding it needs out of Pad's result.
 */
function padReadNotEmpty (graph: Graph, t: TensorName, r: InputRegion): InputRegion {
  const full = fullRegion(graph, t)
  const widen = (range: Range, before: number, len: number): Range => {
    if (range[1] > range[0]) return range
    return before > 0 ? [0, Math.min(1, len)] : [Math.max(0, len - 1), len]
  }
  const rows = widen(r.rows, r.pads[0], full.rows[1])
  const cols = widen(r.cols, r.pads[1], full.cols[1])
  if (rows === r.rows && cols === r.cols) return r
  return { rows, cols, pads: r.pads }
}

export function partAnalysis (graph: Graph, volume: Volume, rows: Range, cols?: Range): PartAnalysis {
  const outFull = fullRegion(graph, volume.output)
  const c: Range = cols ?? outFull.cols
  const key = `${volume.input}\u0000${volume.output}\u0000${rows[0]},${rows[1]},${c[0]},${c[1]}`
  let cache = analysisCache.get(graph)
  if (cache == null) {
    cache = new Map()
    analysisCache.set(graph, cache)
  }
  const hit = cache.get(key)
  if (hit != null) return hit
  const output: Region = { rows: [rows[0], rows[1]], cols: [c[0], c[1]] }
  const ids = volumeNodes(graph, volume)
  const regions = new Map<TensorName, Region>()
  const whole = new Set<TensorName>()
  const reads = new Map<number, Array<InputRegion | null>>()
  const nodes: number[] = []
  if (rows[1] <= rows[0] || c[1] <= c[0]) {
    regions.set(volume.output, output)
    regions.set(volume.input, { rows: [0, 0], cols: [0, 0] })
    const a: PartAnalysis = { volume, output, regions, whole, nodes, reads }
    cache.set(key, a)
    return a
  }
  regions.set(volume.output, output)
  for (let k = ids.length - 1; k >= 0; k--) {
    const node = graph.nodes[ids[k]]
    let out: Region | undefined
    let needWhole = false
    for (const o of node.outputs) {
      if (o === '') continue
      const r = regions.get(o)
      if (r != null) out = union(out, r)
      if (whole.has(o)) needWhole = true
    }
    if (out == null && !needWhole) continue
    nodes.push(node.id)
    const spatialOut = outputAxes(graph, node) != null
    if (spatialOut && needWhole) {
      // a spatial output needed whole (fed to a node without spatial output): compute all of it
      out = union(out, fullRegion(graph, firstSpatialOutput(graph, node)))
      for (const o of node.outputs) if (o !== '' && graph.layout.has(o)) regions.set(o, union(regions.get(o), out))
    }
    const nodeReads: Array<InputRegion | null> = []
    node.inputs.forEach((t, i) => {
      if (t === '') { nodeReads.push(null); return }
      let r: InputRegion | null
      if (!spatialOut) {
        r = graph.layout.has(t) && !graph.constants.has(t) ? { ...fullRegion(graph, t), pads: [0, 0, 0, 0] } : null
      } else {
        r = inputRegion(graph, node, i, out!.rows, out!.cols)
        if (node.opType === 'Pad' && i === 0 && r != null) r = padReadNotEmpty(graph, t, r)
      }
      nodeReads.push(r)
      if (graph.constants.has(t)) return
      if (r == null) {
        if (graph.layout.has(t)) regions.set(t, union(regions.get(t), fullRegion(graph, t)))
        else whole.add(t)
      } else {
        regions.set(t, union(regions.get(t), { rows: r.rows, cols: r.cols }))
      }
    })
    reads.set(node.id, nodeReads)
  }
  nodes.reverse()
  if (!regions.has(volume.input)) regions.set(volume.input, { rows: [0, 0], cols: [0, 0] })
  const a: PartAnalysis = { volume, output, regions, whole, nodes, reads }
  cache.set(key, a)
  return a
}

/**
 * For a part computing `rows` (x cols, default all) of volume.output: the region of every spatial tensor in
 * the volume (the volume input included) that the part computes or reads, the union over its consumers inside
 * the volume. Tensors without rows (a squeeze-excite vector) are not listed: a part computes them whole.
 */
export function partRegions (graph: Graph, volume: Volume, rows: Range, cols?: Range): Map<TensorName, Region> {
  return partAnalysis(graph, volume, rows, cols).regions
}

const reasonCache = new WeakMap<Graph, Map<string, string | undefined>>()

/** Why a volume cannot be split by rows (e.g. 'GlobalAveragePool node "se1/pool" feeds spatial nodes'), or undefined. */
export function unsplittableReason (graph: Graph, volume: Volume): string | undefined {
  let cache = reasonCache.get(graph)
  if (cache == null) {
    cache = new Map()
    reasonCache.set(graph, cache)
  }
  const key = `${volume.input}\u0000${volume.output}`
  if (!cache.has(key)) cache.set(key, findUnsplittable(graph, volume))
  return cache.get(key)
}

function findUnsplittable (graph: Graph, volume: Volume): string | undefined {
  for (const id of volumeNodes(graph, volume)) {
    const node = graph.nodes[id]
    if (outputAxes(graph, node) == null) {
      return `${node.opType} node "${node.name}" reduces away the rows and its result feeds spatial nodes inside the volume`
    }
    for (let i = 0; i < node.inputs.length; i++) {
      const t = node.inputs[i]
      if (t === '' || graph.constants.has(t) || !graph.layout.has(t)) continue
      const a = axesOf(graph, t)
      if (dimsOf(graph, t)[a.h] > 1 && readsAllRows(graph, node, i)) {
        return `${node.opType} node "${node.name}" needs every row of its input`
      }
    }
  }
  return undefined
}
