// Shape and dtype propagation for the ops Tessera supports on activations.
import { ShapeError, UnsupportedOpError } from '../errors.js'
import { attrFloats, attrInt, attrInts, attrString } from './attributes.js'
import { broadcastShapes, resolveReshape, sliceRange } from './fold.js'
import { transposeGeometry, transposeOutputLength, windowGeometry, windowOutputLength } from './geometry.js'
import { dataTypeFromOnnx, numel, toNumbers } from './tensor-data.js'
import type { ConstTensor, DataType, GraphNode } from './types.js'

export interface NodeInput {
  shape: number[]
  dtype: DataType
  /** Set when the input is a constant. */
  value?: ConstTensor
}

export interface InferredOutputs {
  shapes: number[][]
  dtypes: DataType[]
}

const SAME_SHAPE_OPS = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu',
  'Softplus', 'Softsign', 'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil',
  'BatchNormalization', 'InstanceNormalization', 'Softmax', 'LogSoftmax', 'LRN', 'Sign', 'ThresholdedRelu', 'Round'
])

/** Elementwise ops with numpy broadcasting. */
export const BROADCAST_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where'])

/** Every op type the loader accepts on activations (the spatial-map support lives in regions.ts). */
export const SUPPORTED_OPS = new Set([
  ...SAME_SHAPE_OPS, ...BROADCAST_OPS,
  'Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Concat', 'Resize',
  'Upsample', 'Pad', 'Flatten', 'Reshape', 'Gemm', 'MatMul', 'Transpose', 'Slice', 'Split', 'ReduceMean', 'ReduceMax',
  'ReduceSum', 'SpaceToDepth', 'DepthToSpace', 'Squeeze', 'Unsqueeze', 'Cast'
])

function fail (node: GraphNode, detail: string): never {
  throw new ShapeError(`node "${node.name}" (${node.opType}): ${detail}`)
}

function rank4 (node: GraphNode, x: NodeInput): [number, number, number, number] {
  if (x.shape.length !== 4) throw new UnsupportedOpError(node.opType, node.name, `only 2-D (rank-4 NCHW) inputs are supported, got rank ${x.shape.length}`)
  return x.shape as [number, number, number, number]
}

function constList (node: GraphNode, input: NodeInput | undefined, what: string): number[] | undefined {
  if (input == null) return undefined
  if (input.value == null) throw new UnsupportedOpError(node.opType, node.name, `${what} must be constant for a fixed input shape`)
  return toNumbers(input.value)
}

function normAxis (node: GraphNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= rank) fail(node, `axis ${axis} is out of range for rank ${rank}`)
  return a
}

/** Output size of Resize/Upsample from scales or sizes. */
export function resizeOutputShape (node: GraphNode, inputs: Array<NodeInput | undefined>, opset: number): { shape: number[], scales: number[] } {
  const x = inputs[0]!
  let scales: number[] | undefined
  let sizes: number[] | undefined
  if (node.opType === 'Upsample') {
    scales = opset >= 9 ? constList(node, inputs[1], 'scales') : attrFloats(node, 'scales')
  } else if (opset < 11) {
    scales = constList(node, inputs[1], 'scales')
  } else {
    scales = constList(node, inputs[2], 'scales')
    sizes = constList(node, inputs[3], 'sizes')
    if (scales != null && scales.length === 0) scales = undefined
    if (sizes != null && sizes.length === 0) sizes = undefined
  }
  const axes = attrInts(node, 'axes')
  const rank = x.shape.length
  const full = (vals: number[], fill: number): number[] => {
    if (axes == null) return vals
    const out = new Array<number>(rank).fill(fill)
    axes.forEach((a, i) => { out[normAxis(node, a, rank)] = vals[i] })
    return out
  }
  if (sizes != null) {
    const s = full(sizes, -1).map((v, i) => (v < 0 ? x.shape[i] : v))
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch')
    if (policy !== 'stretch') throw new UnsupportedOpError(node.opType, node.name, `keep_aspect_ratio_policy "${policy}"`)
    return { shape: s, scales: s.map((v, i) => v / x.shape[i]) }
  }
  if (scales == null) throw new UnsupportedOpError(node.opType, node.name, 'neither scales nor sizes is given')
  const sc = full(scales, 1)
  if (sc.length !== rank) fail(node, `scales has ${sc.length} values for rank ${rank}`)
  return { shape: x.shape.map((d, i) => Math.floor(d * sc[i])), scales: sc }
}

/** Pads of a Pad node as [begin..., end...] over all axes of the input. */
export function padAmounts (node: GraphNode, inputs: Array<NodeInput | undefined>, opset: number): number[] {
  const rank = inputs[0]!.shape.length
  const raw = opset >= 11 ? constList(node, inputs[1], 'pads') : attrInts(node, 'pads')
  if (raw == null) throw new UnsupportedOpError(node.opType, node.name, 'pads are missing')
  const axesIn = opset >= 18 ? constList(node, inputs[3], 'axes') : undefined
  if (axesIn == null) {
    if (raw.length !== 2 * rank) fail(node, `pads has ${raw.length} values for rank ${rank}`)
    return raw
  }
  const out = new Array<number>(2 * rank).fill(0)
  axesIn.forEach((a0, i) => {
    const a = normAxis(node, a0, rank)
    out[a] = raw[i]
    out[a + rank] = raw[i + axesIn.length]
  })
  return out
}

/** Shapes and dtypes of a node's outputs. Throws UnsupportedOpError for ops Tessera does not run. */
export function inferNode (node: GraphNode, inputs: Array<NodeInput | undefined>, opset: number): InferredOutputs {
  const op = node.opType
  if (node.domain !== '' && node.domain !== 'ai.onnx') {
    throw new UnsupportedOpError(op, node.name, `domain "${node.domain}" is not supported`)
  }
  const x = inputs[0]
  if (x == null) throw new UnsupportedOpError(op, node.name, 'its first input is missing')
  const one = (shape: number[], dtype: DataType = x.dtype): InferredOutputs => ({ shapes: [shape], dtypes: [dtype] })

  if (SAME_SHAPE_OPS.has(op)) {
    if (op === 'BatchNormalization' && node.outputs.filter(o => o !== '').length > 1) {
      throw new UnsupportedOpError(op, node.name, 'training-mode outputs (running mean/var) are not supported')
    }
    return one([...x.shape])
  }
  if (BROADCAST_OPS.has(op)) {
    const present = inputs.filter((t): t is NodeInput => t != null)
    const shape = broadcastShapes(...present.map(t => t.shape))
    if (shape == null) fail(node, `input shapes ${present.map(t => `[${t.shape.join(',')}]`).join(' and ')} do not broadcast`)
    return one(shape, op === 'Where' ? inputs[1]!.dtype : x.dtype)
  }
  switch (op) {
    case 'Cast': {
      const to = dataTypeFromOnnx(attrInt(node, 'to', 1))
      if (to == null) throw new UnsupportedOpError(op, node.name, `cast to element type ${attrInt(node, 'to', 0)}`)
      return one([...x.shape], to)
    }
    case 'Conv': {
      const [n, c, h, w] = rank4(node, x)
      const wt = inputs[1]
      if (wt == null || wt.shape.length !== 4) throw new UnsupportedOpError(op, node.name, 'its weight must be a rank-4 tensor')
      const groups = attrInt(node, 'group', 1)
      if (wt.shape[1] * groups !== c) fail(node, `input has ${c} channels but the weight expects ${wt.shape[1] * groups} (group ${groups})`)
      const g = windowGeometry(node, [h, w], [wt.shape[2], wt.shape[3]])
      const oh = windowOutputLength(h, g, 0)
      const ow = windowOutputLength(w, g, 1)
      if (oh <= 0 || ow <= 0) fail(node, `input ${h}x${w} is smaller than the kernel`)
      return one([n, wt.shape[0], oh, ow])
    }
    case 'ConvTranspose': {
      const [n, c, h, w] = rank4(node, x)
      const wt = inputs[1]
      if (wt == null || wt.shape.length !== 4) throw new UnsupportedOpError(op, node.name, 'its weight must be a rank-4 tensor')
      if (wt.shape[0] !== c) fail(node, `input has ${c} channels but the weight expects ${wt.shape[0]}`)
      const g = transposeGeometry(node, [h, w], [wt.shape[2], wt.shape[3]])
      return one([n, wt.shape[1] * g.groups, transposeOutputLength(h, g, 0), transposeOutputLength(w, g, 1)])
    }
    case 'MaxPool': case 'AveragePool': {
      const [n, c, h, w] = rank4(node, x)
      if (op === 'MaxPool' && node.outputs.length > 1 && node.outputs[1] !== '') {
        throw new UnsupportedOpError(op, node.name, 'the Indices output is not supported')
      }
      const g = windowGeometry(node, [h, w])
      const oh = windowOutputLength(h, g, 0)
      const ow = windowOutputLength(w, g, 1)
      if (oh <= 0 || ow <= 0) fail(node, `input ${h}x${w} is smaller than the window`)
      return one([n, c, oh, ow])
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': {
      const [n, c] = rank4(node, x)
      return one([n, c, 1, 1])
    }
    case 'SpaceToDepth': case 'DepthToSpace': {
      const [n, c, h, w] = rank4(node, x)
      const b = attrInt(node, 'blocksize', 0)
      if (b <= 0) fail(node, 'blocksize must be positive')
      if (op === 'SpaceToDepth') {
        if (h % b !== 0 || w % b !== 0) fail(node, `input ${h}x${w} is not divisible by blocksize ${b}`)
        return one([n, c * b * b, h / b, w / b])
      }
      if (c % (b * b) !== 0) fail(node, `channels ${c} not divisible by blocksize^2`)
      return one([n, c / (b * b), h * b, w * b])
    }
    case 'Concat': {
      const present = inputs.filter((t): t is NodeInput => t != null)
      const axis = normAxis(node, attrInt(node, 'axis', 0), x.shape.length)
      const shape = [...x.shape]
      shape[axis] = 0
      for (const t of present) {
        if (t.shape.length !== x.shape.length || t.shape.some((d, i) => i !== axis && d !== x.shape[i])) {
          fail(node, `inputs [${x.shape.join(',')}] and [${t.shape.join(',')}] differ outside axis ${axis}`)
        }
        shape[axis] += t.shape[axis]
      }
      return one(shape)
    }
    case 'Resize': case 'Upsample': {
      rank4(node, x)
      const { shape } = resizeOutputShape(node, inputs, opset)
      if (shape[0] !== x.shape[0] || shape[1] !== x.shape[1]) {
        throw new UnsupportedOpError(op, node.name, 'only spatial (H, W) resizing is supported')
      }
      return one(shape)
    }
    case 'Pad': {
      const pads = padAmounts(node, inputs, opset)
      const rank = x.shape.length
      return one(x.shape.map((d, i) => d + pads[i] + pads[i + rank]))
    }
    case 'Flatten': {
      const axis = attrInt(node, 'axis', 1)
      const a = axis < 0 ? axis + x.shape.length : axis
      return one([numel(x.shape.slice(0, a)), numel(x.shape.slice(a))])
    }
    case 'Reshape': {
      const shape = constList(node, inputs[1], 'shape')!
      return one(resolveReshape(x.shape, shape, attrInt(node, 'allowzero', 0) === 1, node))
    }
    case 'Squeeze': {
      const axes = (opset >= 13 ? constList(node, inputs[1], 'axes') : attrInts(node, 'axes'))?.map(a => normAxis(node, a, x.shape.length))
      return one(x.shape.filter((d, i) => (axes == null ? d !== 1 : !axes.includes(i))))
    }
    case 'Unsqueeze': {
      const axes = (opset >= 13 ? constList(node, inputs[1], 'axes') : attrInts(node, 'axes')) ?? []
      const rank = x.shape.length + axes.length
      const shape = [...x.shape]
      for (const a of axes.map(a => normAxis(node, a, rank)).sort((p, q) => p - q)) shape.splice(a, 0, 1)
      return one(shape)
    }
    case 'Gemm': {
      const b = inputs[1]
      if (x.shape.length !== 2 || b == null || b.shape.length !== 2) fail(node, 'Gemm takes rank-2 inputs')
      const transA = attrInt(node, 'transA', 0) === 1
      const transB = attrInt(node, 'transB', 0) === 1
      const [m, k] = transA ? [x.shape[1], x.shape[0]] : x.shape
      const [k2, nn] = transB ? [b.shape[1], b.shape[0]] : b.shape
      if (k !== k2) fail(node, `inner dimensions ${k} and ${k2} differ`)
      return one([m, nn])
    }
    case 'MatMul': {
      const b = inputs[1]!
      const a = x.shape.length === 1 ? [1, x.shape[0]] : x.shape
      const bb = b.shape.length === 1 ? [b.shape[0], 1] : b.shape
      if (a[a.length - 1] !== bb[bb.length - 2]) fail(node, `inner dimensions ${a[a.length - 1]} and ${bb[bb.length - 2]} differ`)
      const batch = broadcastShapes(a.slice(0, -2), bb.slice(0, -2))
      if (batch == null) fail(node, 'batch dimensions do not broadcast')
      const shape = [...batch, a[a.length - 2], bb[bb.length - 1]]
      if (x.shape.length === 1) shape.splice(shape.length - 2, 1)
      if (b.shape.length === 1) shape.splice(shape.length - 1, 1)
      return one(shape)
    }
    case 'Transpose': {
      const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i)
      return one(perm.map(p => x.shape[p]))
    }
    case 'Slice': {
      const rank = x.shape.length
      const starts = (opset >= 10 ? constList(node, inputs[1], 'starts') : attrInts(node, 'starts')) ?? []
      const ends = (opset >= 10 ? constList(node, inputs[2], 'ends') : attrInts(node, 'ends')) ?? []
      const axes = (opset >= 10 ? constList(node, inputs[3], 'axes') : attrInts(node, 'axes')) ?? starts.map((_, i) => i)
      const steps = (opset >= 10 ? constList(node, inputs[4], 'steps') : undefined) ?? starts.map(() => 1)
      const shape = [...x.shape]
      axes.forEach((a0, k) => {
        const a = normAxis(node, a0, rank)
        shape[a] = sliceRange(x.shape[a], starts[k], ends[k], steps[k])[1]
      })
      return one(shape)
    }
    case 'Split': {
      const axis = normAxis(node, attrInt(node, 'axis', 0), x.shape.length)
      const count = node.outputs.length
      let sizes = opset >= 13 ? constList(node, inputs[1], 'split') : attrInts(node, 'split')
      if (sizes == null) {
        const len = x.shape[axis]
        const chunk = Math.ceil(len / count)
        sizes = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, len - i * chunk)))
      }
      if (sizes.reduce((s, v) => s + v, 0) !== x.shape[axis]) fail(node, `split sizes ${sizes.join(',')} do not add up to ${x.shape[axis]}`)
      return {
        shapes: sizes.map(s => x.shape.map((d, i) => (i === axis ? s : d))),
        dtypes: sizes.map(() => x.dtype)
      }
    }
    case 'ReduceMean': case 'ReduceMax': case 'ReduceSum': {
      const fromInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18
      const rank = x.shape.length
      const listed = fromInput ? constList(node, inputs[1], 'axes') : attrInts(node, 'axes')
      const axes = (listed == null || listed.length === 0)
        ? (attrInt(node, 'noop_with_empty_axes', 0) === 1 ? [] : x.shape.map((_, i) => i))
        : listed.map(a => normAxis(node, a, rank))
      const keep = attrInt(node, 'keepdims', 1) === 1
      return one(keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i)))
    }
  }
  throw new UnsupportedOpError(op, node.name, 'not supported')
}
