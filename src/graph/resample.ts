// Per-axis source taps of Resize / Upsample and of Pad in its index modes (reflect, edge, wrap):
// for every output position, which input positions it reads and with what weight. The row maps
// (regions.ts) and the sub-models that replace these ops by Gather (engine) both come from here,
// so the two cannot disagree. The arithmetic follows onnxruntime's CPU kernels in float32.
import { UnsupportedOpError } from '../errors.js'
import { attrFloats, attrInt, attrInts, attrString } from './attributes.js'
import { toNumbers } from './tensor-data.js'
import type { Graph, GraphNode } from './types.js'

/** One input position an output position reads, and its weight. */
export interface Tap {
  index: number
  weight: number
}

/** The taps of every output position along one axis. */
export type AxisTaps = Tap[][]

const f32 = Math.fround

/** C's std::round: halves away from zero. */
function roundHalfAway (x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5)
}

type CoordinateFn = (o: number, scale: number, outLen: number, inLen: number) => number

const COORDINATES: Record<string, CoordinateFn> = {
  half_pixel: (o, s) => f32(f32(f32(o + 0.5) / s) - 0.5),
  asymmetric: (o, s) => f32(o / s),
  pytorch_half_pixel: (o, s, outLen) => outLen > 1 ? f32(f32(f32(o + 0.5) / s) - 0.5) : 0,
  tf_half_pixel_for_nn: (o, s) => f32(f32(o + 0.5) / s),
  align_corners: (o, _s, outLen, inLen) => outLen === 1 ? 0 : f32(f32(o * (inLen - 1)) / (outLen - 1)),
  half_pixel_symmetric: (o, s, outLen, inLen) => {
    const outputWidth = f32(s * inLen)
    const adjustment = f32(outLen / outputWidth)
    const center = f32(inLen / 2)
    const offset = f32(center * f32(1 - adjustment))
    return f32(offset + ((o + 0.5) / s - 0.5))
  }
}

type NearestFn = (x: number, downsampling: boolean) => number

const NEAREST: Record<string, NearestFn> = {
  round_prefer_floor: x => (x === Math.trunc(x) + 0.5 ? Math.floor(x) : roundHalfAway(x)),
  round_prefer_ceil: x => roundHalfAway(x),
  floor: x => Math.floor(x),
  ceil: x => Math.ceil(x),
  // Resize-10 and Upsample: no nearest_mode attribute yet
  simple: (x, down) => (down ? Math.ceil(x) : Math.trunc(x))
}

/** A Resize or Upsample node resolved for its input shape. */
export interface ResizeSpec {
  mode: 'nearest' | 'linear'
  coordinate: string
  nearest: string
  /** Scale per input axis as onnxruntime uses it (float32). */
  scales: number[]
  inDims: number[]
  outDims: number[]
}

function constValues (graph: Graph, node: GraphNode, index: number): number[] | undefined {
  const name = node.inputs[index]
  if (name == null || name === '') return undefined
  const c = graph.constants.get(name)
  if (c == null) throw new UnsupportedOpError(node.opType, node.name, `input ${index} ("${name}") must be a constant`)
  return c.data.length === 0 ? undefined : toNumbers(c)
}

/** Resolves a Resize / Upsample node; throws UnsupportedOpError for the modes Tessera cannot split exactly. */
export function resizeSpec (graph: Graph, node: GraphNode): ResizeSpec {
  const inDims = graph.shapes.get(node.inputs[0])!
  const outDims = graph.shapes.get(node.outputs[0])!
  const rank = inDims.length
  const isResize = node.opType === 'Resize'
  const opset = graph.opset
  const mode = attrString(node, 'mode', 'nearest')
  if (mode !== 'nearest' && mode !== 'linear') {
    throw new UnsupportedOpError(node.opType, node.name, `mode "${mode}" is not supported (nearest and linear are)`)
  }
  const coordinate = isResize && opset >= 11 ? attrString(node, 'coordinate_transformation_mode', 'half_pixel') : 'asymmetric'
  if (COORDINATES[coordinate] == null) {
    throw new UnsupportedOpError(node.opType, node.name, `coordinate_transformation_mode "${coordinate}" is not supported`)
  }
  const nearest = mode === 'nearest' && isResize && opset >= 11 ? attrString(node, 'nearest_mode', 'round_prefer_floor') : 'simple'
  if (NEAREST[nearest] == null) throw new UnsupportedOpError(node.opType, node.name, `nearest_mode "${nearest}" is not supported`)
  if (attrInt(node, 'antialias', 0) !== 0) throw new UnsupportedOpError(node.opType, node.name, 'antialias is not supported')
  const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch')
  if (policy !== 'stretch') throw new UnsupportedOpError(node.opType, node.name, `keep_aspect_ratio_policy "${policy}" is not supported`)

  let given: number[] | undefined
  let sizes: number[] | undefined
  if (!isResize) {
    given = graph.opset < 9 ? attrFloats(node, 'scales') : constValues(graph, node, 1)
  } else if (opset < 11) {
    given = constValues(graph, node, 1)
  } else {
    given = constValues(graph, node, 2)
    if (given == null) sizes = constValues(graph, node, 3)
  }
  const axes = (attrInts(node, 'axes') ?? []).map(a => (a < 0 ? a + rank : a))
  const spread = (values: number[], fill: (axis: number) => number): number[] => {
    if (axes.length === 0) return values
    const full = inDims.map((_, i) => fill(i))
    axes.forEach((a, i) => { full[a] = values[i] })
    return full
  }
  let scales: number[]
  if (given != null) {
    scales = spread(given.map(f32), () => 1)
  } else if (sizes != null) {
    const full = spread(sizes, i => inDims[i])
    scales = full.map((s, i) => f32(s / inDims[i]))
  } else {
    throw new UnsupportedOpError(node.opType, node.name, 'neither scales nor sizes is given')
  }
  if (scales.length !== rank) throw new UnsupportedOpError(node.opType, node.name, `${scales.length} scales for a rank-${rank} input`)
  return { mode, coordinate, nearest, scales, inDims, outDims }
}

/** Taps of one axis of a resize: nearest gives one tap per output, linear one or two. */
export function resizeAxisTaps (spec: ResizeSpec, axis: number): AxisTaps {
  const inLen = spec.inDims[axis]
  const outLen = spec.outDims[axis]
  const scale = spec.scales[axis]
  const coord = COORDINATES[spec.coordinate]
  const taps: AxisTaps = []
  if (spec.mode === 'nearest') {
    const pick = NEAREST[spec.nearest]
    for (let o = 0; o < outLen; o++) {
      const x = coord(o, scale, outLen, inLen)
      const i = Math.min(Math.max(pick(x, scale < 1), 0), inLen - 1)
      taps.push([{ index: i, weight: 1 }])
    }
    return taps
  }
  for (let o = 0; o < outLen; o++) {
    let x = scale === 1 ? o : coord(o, scale, outLen, inLen)
    x = Math.max(0, Math.min(x, inLen - 1))
    const i1 = Math.min(Math.trunc(x), inLen - 1)
    const i2 = Math.min(i1 + 1, inLen - 1)
    let w1 = f32(Math.abs(f32(x - i2)))
    let w2 = f32(Math.abs(f32(x - i1)))
    if (i1 === i2) { w1 = 0.5; w2 = 0.5 }
    // a zero weight reads nothing: leaving it out keeps the row map exact
    const list: Tap[] = []
    if (w1 !== 0) list.push({ index: i1, weight: w1 })
    if (w2 !== 0) list.push({ index: i2, weight: w2 })
    taps.push(list)
  }
  return taps
}

/** A Pad node resolved: mode, begin/end pads per axis, the constant value's source. */
export interface PadSpec {
  mode: 'constant' | 'reflect' | 'edge' | 'wrap'
  /** Pads before, per axis. */
  begin: number[]
  /** Pads after, per axis. */
  end: number[]
}

/** Resolves a Pad node (attribute form before opset 11, inputs from 11, `axes` from 18). */
export function padSpec (graph: Graph, node: GraphNode): PadSpec {
  const rank = graph.shapes.get(node.inputs[0])!.length
  const mode = attrString(node, 'mode', 'constant')
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge' && mode !== 'wrap') {
    throw new UnsupportedOpError(node.opType, node.name, `mode "${mode}" is not supported`)
  }
  let pads: number[]
  if (graph.opset < 11) {
    pads = attrInts(node, 'pads', [])
  } else {
    pads = constValues(graph, node, 1) ?? []
  }
  const axesGiven = graph.opset >= 18 ? constValues(graph, node, 3) : undefined
  const axes = (axesGiven ?? pads.slice(0, pads.length / 2).map((_, i) => i)).map(a => (a < 0 ? a + rank : a))
  if (pads.length !== 2 * axes.length) throw new UnsupportedOpError(node.opType, node.name, `${pads.length} pads for ${axes.length} axes`)
  const begin = new Array<number>(rank).fill(0)
  const end = new Array<number>(rank).fill(0)
  axes.forEach((a, i) => {
    begin[a] = pads[i]
    end[a] = pads[i + axes.length]
  })
  return { mode, begin, end }
}

/** Source position of output position `o` along an axis of length `len` padded by `begin` in an index mode; -1 = constant padding. */
export function padSource (mode: PadSpec['mode'], o: number, begin: number, len: number): number {
  const i = o - begin
  if (i >= 0 && i < len) return i
  switch (mode) {
    case 'constant': return -1
    case 'edge': return i < 0 ? 0 : len - 1
    case 'wrap': return ((i % len) + len) % len
    case 'reflect': {
      if (len === 1) return 0
      // reflect without repeating the edge, folding as often as needed
      const period = 2 * (len - 1)
      const m = ((i % period) + period) % period
      return m < len ? m : period - m
    }
  }
}
