// Which axes of each activation are the image's rows and columns, propagated node by node.
// A tensor keeps spatial axes while every op on the way maps rows to rows (convolutions, pooling,
// elementwise, channel concat, layout transposes); global pooling, flatten and FC layers end them.
import { UnsupportedOpError } from '../errors.js'
import { attrInt, attrInts } from './attributes.js'
import { numel } from './tensor-data.js'
import type { GraphNode, SpatialAxes } from './types.js'

/** NCHW. */
export const NCHW: SpatialAxes = { h: 2, w: 3 }

/** Ops that need NCHW spatial input and give NCHW output. */
const WINDOW_OPS = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'SpaceToDepth', 'DepthToSpace', 'Resize', 'Upsample'])

/** Ops whose output keeps its input's axes one to one (elementwise, normalisation over channels). */
const KEEP_OPS = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu',
  'Softplus', 'Softsign', 'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil',
  'Sign', 'ThresholdedRelu', 'Round', 'Cast', 'BatchNormalization', 'LRN', 'Softmax', 'LogSoftmax', 'Pad',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where'
])

const same = (a: SpatialAxes, b: SpatialAxes): boolean => a.h === b.h && a.w === b.w

export interface LayoutInput {
  shape: number[]
  /** Spatial axes of a non-constant input, undefined for non-spatial or constant inputs. */
  axes?: SpatialAxes
}

/**
 * Spatial axes of a node's outputs (undefined entries: non-spatial), from its inputs' axes and the
 * output shapes. Throws when a window op gets a spatial tensor that is not NCHW.
 */
export function outputLayouts (node: GraphNode, inputs: Array<LayoutInput | undefined>, outShapes: number[][]): Array<SpatialAxes | undefined> {
  const spatial = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t?.axes != null) as Array<{ t: Required<LayoutInput>, i: number }>
  const none = outShapes.map(() => undefined)
  if (spatial.length === 0) return none
  const op = node.opType
  const first = spatial[0].t
  const outRank = outShapes[0].length

  if (WINDOW_OPS.has(op)) {
    if (spatial[0].i !== 0) return none
    if (!same(first.axes, NCHW) || first.shape.length !== 4) {
      throw new UnsupportedOpError(op, node.name, `its input must be NCHW (rows on axis ${first.axes.h}, columns on axis ${first.axes.w} found)`)
    }
    return [NCHW]
  }
  if (KEEP_OPS.has(op)) {
    // right-aligned broadcasting: an input of rank r sits at offset outRank - r
    const shifted = spatial.map(({ t }) => ({ h: t.axes.h + outRank - t.shape.length, w: t.axes.w + outRank - t.shape.length }))
    if (shifted.some(a => !same(a, shifted[0]))) {
      throw new UnsupportedOpError(op, node.name, 'its inputs have their rows on different axes')
    }
    // a softmax across rows or columns keeps its axes too: its row map takes the whole axis
    return [shifted[0]]
  }
  switch (op) {
    case 'Concat': case 'Split': case 'Slice': {
      if (spatial.some(({ t }) => !same(t.axes, first.axes))) {
        throw new UnsupportedOpError(op, node.name, 'its inputs have their rows on different axes')
      }
      if (op === 'Slice') return [first.axes]
      const axis = attrInt(node, 'axis', 0)
      const a = axis < 0 ? axis + first.shape.length : axis
      // joining or splitting along rows or columns mixes them: the result is no longer row-aligned
      if (a === first.axes.h || a === first.axes.w) return none
      return outShapes.map(() => first.axes)
    }
    case 'Transpose': {
      const perm = attrInts(node, 'perm') ?? first.shape.map((_, i) => first.shape.length - 1 - i)
      return [{ h: perm.indexOf(first.axes.h), w: perm.indexOf(first.axes.w) }]
    }
    case 'Reshape': {
      return [reshapeAxes(first.shape, first.axes, outShapes[0])]
    }
    case 'Squeeze': case 'Unsqueeze': {
      return [reshapeAxes(first.shape, first.axes, outShapes[0])]
    }
    case 'ReduceMean': case 'ReduceMax': case 'ReduceSum': {
      const out = outShapes[0]
      if (out.length === first.shape.length) {
        // keepdims: spatial only when rows and columns were not reduced
        return out[first.axes.h] === first.shape[first.axes.h] && out[first.axes.w] === first.shape[first.axes.w] &&
          first.shape[first.axes.h] > 1 ? [first.axes] : none
      }
      return [reshapeAxes(first.shape, first.axes, out)]
    }
    case 'MatMul': {
      if (spatial[0].i !== 0) return none
      const last = first.shape.length - 1
      if (first.axes.h === last || first.axes.w === last) return none
      return [{ h: first.axes.h + outRank - first.shape.length, w: first.axes.w + outRank - first.shape.length }]
    }
  }
  return none
}

/**
 * Where rows and columns land after a reshape that keeps them whole: the dims before, between and
 * after them must keep their products. Undefined when the reshape mixes rows with other axes.
 */
export function reshapeAxes (inShape: number[], axes: SpatialAxes, outShape: number[]): SpatialAxes | undefined {
  const H = inShape[axes.h]
  const W = inShape[axes.w]
  if (axes.h > axes.w) return undefined
  const before = numel(inShape.slice(0, axes.h))
  const between = numel(inShape.slice(axes.h + 1, axes.w))
  const after = numel(inShape.slice(axes.w + 1))
  for (let h = 0; h < outShape.length; h++) {
    if (outShape[h] !== H || numel(outShape.slice(0, h)) !== before) continue
    for (let w = h + 1; w < outShape.length; w++) {
      if (outShape[w] !== W) continue
      if (numel(outShape.slice(h + 1, w)) === between && numel(outShape.slice(w + 1)) === after) return { h, w }
    }
  }
  return undefined
}
