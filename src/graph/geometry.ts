// Window geometry of 2-D sliding-window ops (Conv, pooling, ConvTranspose), with auto_pad resolved.
import { UnsupportedOpError } from '../errors.js'
import { attrInt, attrInts, attrString } from './attributes.js'
import type { GraphNode } from './types.js'

/** Resolved 2-D window geometry; pads are [top, left, bottom, right]. */
export interface WindowGeometry {
  kernel: [number, number]
  strides: [number, number]
  dilations: [number, number]
  pads: [number, number, number, number]
  ceilMode: boolean
}

/** Geometry of ConvTranspose, in its own terms (output = stride * (in - 1) + outputPadding + effective kernel - pads). */
export interface TransposeGeometry extends WindowGeometry {
  outputPadding: [number, number]
  groups: number
}

function pair (node: GraphNode, name: string, values: number[] | undefined, fallback: number): [number, number] {
  const v = values ?? [fallback, fallback]
  if (v.length !== 2) throw new UnsupportedOpError(node.opType, node.name, `only 2-D windows are supported (${name} has ${v.length} values)`)
  return [v[0], v[1]]
}

/** Effective kernel extent with dilation. */
export function effectiveKernel (k: number, d: number): number {
  return (k - 1) * d + 1
}

function sameSplit (total: number, upper: boolean): [number, number] {
  const small = Math.floor(total / 2)
  return upper ? [small, total - small] : [total - small, small]
}

/**
 * Window geometry of Conv / MaxPool / AveragePool / LpPool for an input of spatial size [H, W].
 * `kernelFromWeights` is the weight tensor's spatial dims for Conv.
 */
export function windowGeometry (node: GraphNode, inHW: [number, number], kernelFromWeights?: [number, number]): WindowGeometry {
  const kernelAttr = attrInts(node, 'kernel_shape')
  const kernel = kernelAttr != null ? pair(node, 'kernel_shape', kernelAttr, 1) : kernelFromWeights
  if (kernel == null) throw new UnsupportedOpError(node.opType, node.name, 'kernel_shape is missing')
  const strides = pair(node, 'strides', attrInts(node, 'strides'), 1)
  const dilations = pair(node, 'dilations', attrInts(node, 'dilations'), 1)
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const ceilMode = attrInt(node, 'ceil_mode', 0) === 1
  let pads: [number, number, number, number]
  if (autoPad === 'NOTSET') {
    const p = attrInts(node, 'pads', [0, 0, 0, 0])
    if (p.length !== 4) throw new UnsupportedOpError(node.opType, node.name, `only 2-D windows are supported (pads has ${p.length} values)`)
    pads = [p[0], p[1], p[2], p[3]]
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0]
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const upper = autoPad === 'SAME_UPPER'
    const totals = [0, 1].map(i => {
      const out = Math.ceil(inHW[i] / strides[i])
      return Math.max(0, (out - 1) * strides[i] + effectiveKernel(kernel[i], dilations[i]) - inHW[i])
    })
    const [t, b] = sameSplit(totals[0], upper)
    const [l, r] = sameSplit(totals[1], upper)
    pads = [t, l, b, r]
  } else {
    throw new UnsupportedOpError(node.opType, node.name, `auto_pad "${autoPad}" is not an ONNX value`)
  }
  return { kernel, strides, dilations, pads, ceilMode }
}

/** Output length along one axis of a sliding-window op (ONNX / PyTorch rule for ceil_mode). */
export function windowOutputLength (length: number, g: WindowGeometry, axis: 0 | 1): number {
  const padBegin = g.pads[axis]
  const padEnd = g.pads[axis + 2]
  const span = length + padBegin + padEnd - effectiveKernel(g.kernel[axis], g.dilations[axis])
  let out = (g.ceilMode ? Math.ceil(span / g.strides[axis]) : Math.floor(span / g.strides[axis])) + 1
  // a last window that would start inside the end padding is dropped
  if (g.ceilMode && (out - 1) * g.strides[axis] >= length + padBegin) out -= 1
  return out
}

/** ConvTranspose geometry for input spatial size [H, W] and weight spatial dims. */
export function transposeGeometry (node: GraphNode, inHW: [number, number], kernelFromWeights: [number, number]): TransposeGeometry {
  const kernelAttr = attrInts(node, 'kernel_shape')
  const kernel = kernelAttr != null ? pair(node, 'kernel_shape', kernelAttr, 1) : kernelFromWeights
  const strides = pair(node, 'strides', attrInts(node, 'strides'), 1)
  const dilations = pair(node, 'dilations', attrInts(node, 'dilations'), 1)
  const outputPadding = pair(node, 'output_padding', attrInts(node, 'output_padding'), 0)
  const groups = attrInt(node, 'group', 1)
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const outputShape = attrInts(node, 'output_shape')
  let pads: [number, number, number, number]
  if (outputShape != null || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const target = outputShape != null
      ? pair(node, 'output_shape', outputShape.slice(-2), 0)
      : [inHW[0] * strides[0], inHW[1] * strides[1]]
    const totals = [0, 1].map(i => Math.max(0, strides[i] * (inHW[i] - 1) + outputPadding[i] + effectiveKernel(kernel[i], dilations[i]) - target[i]))
    // ONNX: SAME_UPPER puts the smaller half first (pads[start] = total / 2); otherwise the larger half
    const upper = autoPad === 'SAME_UPPER'
    const [t, b] = sameSplit(totals[0], upper)
    const [l, r] = sameSplit(totals[1], upper)
    pads = [t, l, b, r]
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0]
  } else {
    const p = attrInts(node, 'pads', [0, 0, 0, 0])
    if (p.length !== 4) throw new UnsupportedOpError(node.opType, node.name, `only 2-D windows are supported (pads has ${p.length} values)`)
    pads = [p[0], p[1], p[2], p[3]]
  }
  return { kernel, strides, dilations, pads, ceilMode: false, outputPadding, groups }
}

/** Output length along one axis of ConvTranspose. */
export function transposeOutputLength (length: number, g: TransposeGeometry, axis: 0 | 1): number {
  return g.strides[axis] * (length - 1) + g.outputPadding[axis] + effectiveKernel(g.kernel[axis], g.dilations[axis]) - g.pads[axis] - g.pads[axis + 2]
}
