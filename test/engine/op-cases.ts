// One small model per supported spatial op and variant: the region tests check their row maps
// against brute force, the sub-model tests their split exactness.
import { OnnxBuilder, attr, oneNode, seededValues, type AttrValue } from './harness.js'

export interface OpCase {
  name: string
  bytes: Uint8Array
}

const ints = attr.ints
const int = attr.int
const str = attr.string

function floats (n: number, seed: number): number[] {
  return Array.from(seededValues(n, seed))
}

/** A conv weight [out, in/group, kh, kw] as an extra input. */
function weight (out: number, inPerGroup: number, kh: number, kw: number, seed = 2): { float: number[], dims: number[] } {
  return { float: floats(out * inPerGroup * kh * kw, seed), dims: [out, inPerGroup, kh, kw] }
}

const conv = (name: string, shape: number[], w: { float: number[], dims: number[] }, attrs: Record<string, AttrValue>): OpCase =>
  ({ name, bytes: oneNode('Conv', shape, { inputs: [w, { float: floats(w.dims[0], 9), dims: [w.dims[0]] }], attrs }) })

function windowCases (): OpCase[] {
  return [
    conv('Conv k3 s1 p1', [1, 2, 11, 9], weight(3, 2, 3, 3), { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }),
    conv('Conv k3 s2 asymmetric pads', [1, 2, 11, 10], weight(3, 2, 3, 3), { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([0, 1, 2, 0]) }),
    conv('Conv k3 dilation 2', [1, 2, 12, 11], weight(2, 2, 3, 3), { kernel_shape: ints([3, 3]), dilations: ints([2, 2]), pads: ints([2, 1, 2, 3]) }),
    conv('Conv depthwise s2', [1, 4, 11, 9], weight(4, 1, 3, 3), { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), group: int(4) }),
    conv('Conv grouped k5x3 strides 2x1', [1, 4, 12, 9], weight(4, 2, 5, 3), { kernel_shape: ints([5, 3]), strides: ints([2, 1]), pads: ints([2, 1, 2, 1]), group: int(2) }),
    conv('Conv auto_pad SAME_UPPER k5 s2', [1, 2, 11, 10], weight(2, 2, 5, 5), { kernel_shape: ints([5, 5]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') }),
    conv('Conv auto_pad SAME_LOWER k4 s2', [1, 2, 11, 10], weight(2, 2, 4, 4), { kernel_shape: ints([4, 4]), strides: ints([2, 2]), auto_pad: str('SAME_LOWER') }),
    conv('Conv auto_pad VALID k3 s2', [1, 2, 11, 10], weight(2, 2, 3, 3), { kernel_shape: ints([3, 3]), strides: ints([2, 2]), auto_pad: str('VALID') }),
    conv('Conv k1 s2 (shortcut)', [1, 2, 11, 10], weight(3, 2, 1, 1), { kernel_shape: ints([1, 1]), strides: ints([2, 2]) }),
    { name: 'ConvTranspose k3 s2 p1 output_padding 1', bytes: oneNode('ConvTranspose', [1, 2, 6, 5], { inputs: [weight(2, 3, 3, 3)], attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) } }) },
    { name: 'ConvTranspose k4 s2 p1', bytes: oneNode('ConvTranspose', [1, 2, 6, 5], { inputs: [weight(2, 2, 4, 4), { float: [0.5, -0.25], dims: [2] }], attrs: { kernel_shape: ints([4, 4]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } }) },
    { name: 'ConvTranspose k3 dilation 2', bytes: oneNode('ConvTranspose', [1, 2, 6, 5], { inputs: [weight(2, 2, 3, 3)], attrs: { kernel_shape: ints([3, 3]), dilations: ints([2, 2]), pads: ints([1, 2, 0, 1]) } }) },
    { name: 'ConvTranspose grouped k2 s2', bytes: oneNode('ConvTranspose', [1, 4, 5, 6], { inputs: [weight(4, 1, 2, 2)], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), group: int(2) } }) },
    { name: 'ConvTranspose output_shape', bytes: oneNode('ConvTranspose', [1, 2, 5, 6], { inputs: [weight(2, 2, 3, 3)], attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), output_shape: ints([10, 12]) } }) },
    { name: 'ConvTranspose auto_pad SAME_LOWER k4 s2', bytes: oneNode('ConvTranspose', [1, 2, 5, 6], { inputs: [weight(2, 2, 4, 4)], attrs: { kernel_shape: ints([4, 4]), strides: ints([2, 2]), auto_pad: str('SAME_LOWER') } }) },
    { name: 'MaxPool k3 s2 p1', bytes: oneNode('MaxPool', [1, 2, 11, 10], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } }) },
    { name: 'MaxPool k2 s2 ceil_mode', bytes: oneNode('MaxPool', [1, 2, 11, 9], { attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) } }) },
    { name: 'MaxPool k3 s2 p1 ceil_mode', bytes: oneNode('MaxPool', [1, 2, 12, 11], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) } }) },
    { name: 'MaxPool k3 dilation 2', bytes: oneNode('MaxPool', [1, 2, 11, 10], { attrs: { kernel_shape: ints([3, 3]), dilations: ints([2, 2]), pads: ints([1, 2, 1, 0]) } }) },
    { name: 'MaxPool auto_pad SAME_UPPER k3 s2', bytes: oneNode('MaxPool', [1, 2, 11, 10], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') } }) },
    { name: 'AveragePool k3 s2 p1 count_include_pad 0', bytes: oneNode('AveragePool', [1, 2, 11, 10], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } }) },
    { name: 'AveragePool k3 s2 p1 count_include_pad 1', bytes: oneNode('AveragePool', [1, 2, 11, 10], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) } }) },
    { name: 'AveragePool k3 s2 p1 ceil_mode count_include_pad 1', bytes: oneNode('AveragePool', [1, 2, 12, 9], { attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1), count_include_pad: int(1) } }) },
    { name: 'AveragePool k2 s2 ceil_mode count_include_pad 0', bytes: oneNode('AveragePool', [1, 2, 11, 9], { attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) } }) },
    { name: 'AveragePool k3 s1 p1 count_include_pad 1', bytes: oneNode('AveragePool', [1, 2, 9, 8], { attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) } }) }
  ]
}

function padCases (): OpCase[] {
  const pad = (name: string, mode: string, pads: number[], opset?: number): OpCase => ({
    name,
    bytes: oneNode('Pad', [1, 2, 8, 7], { inputs: [{ int64: pads }, ...(mode === 'constant' ? [{ float: [0.5], dims: [] }] : [])], attrs: { mode: str(mode) }, opset })
  })
  return [
    pad('Pad constant 0.5', 'constant', [0, 0, 1, 2, 0, 0, 3, 1]),
    pad('Pad constant cropping', 'constant', [0, 0, -1, 2, 0, 0, 2, -2]),
    pad('Pad reflect', 'reflect', [0, 0, 3, 1, 0, 0, 2, 3]),
    pad('Pad edge', 'edge', [0, 0, 3, 0, 0, 0, 1, 2]),
    pad('Pad wrap (opset 19)', 'wrap', [0, 0, 2, 1, 0, 0, 3, 2], 19),
    { name: 'Pad reflect (opset 10, attributes)', bytes: oneNode('Pad', [1, 2, 8, 7], { attrs: { mode: str('reflect'), pads: ints([0, 0, 2, 1, 0, 0, 1, 3]) }, opset: 10 }) }
  ]
}

function resizeCases (): OpCase[] {
  const out: OpCase[] = []
  const resize = (name: string, shape: number[], attrs: Record<string, AttrValue>, scales?: number[], sizes?: number[]): void => {
    out.push({
      name,
      bytes: oneNode('Resize', shape, {
        inputs: ['', scales != null ? { float: scales, dims: [4] } : '', ...(sizes != null ? [{ int64: sizes }] : [])],
        attrs
      })
    })
  }
  const coords = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'half_pixel_symmetric']
  const nearestModes = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']
  coords.forEach((c, i) => {
    const nm = nearestModes[i % nearestModes.length]
    resize(`Resize nearest ${c} ${nm} x2`, [1, 2, 6, 5], { mode: str('nearest'), coordinate_transformation_mode: str(c), nearest_mode: str(nm) }, [1, 1, 2, 2])
    resize(`Resize nearest ${c} ${nearestModes[(i + 1) % 4]} sizes 11x7`, [1, 2, 6, 5], { mode: str('nearest'), coordinate_transformation_mode: str(c), nearest_mode: str(nearestModes[(i + 1) % 4]) }, undefined, [1, 2, 11, 7])
  })
  for (const c of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric']) {
    resize(`Resize linear ${c} x2`, [1, 2, 6, 5], { mode: str('linear'), coordinate_transformation_mode: str(c) }, [1, 1, 2, 2])
    resize(`Resize linear ${c} sizes 10x8`, [1, 2, 6, 5], { mode: str('linear'), coordinate_transformation_mode: str(c) }, undefined, [1, 2, 10, 8])
  }
  resize('Resize linear half_pixel downscale 0.5', [1, 2, 12, 10], { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') }, [1, 1, 0.5, 0.5])
  resize('Resize nearest asymmetric floor scales 1.5x1.7', [1, 2, 6, 5], { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') }, [1, 1, 1.5, 1.7])
  resize('Resize nearest half_pixel downscale 0.6', [1, 2, 12, 10], { mode: str('nearest') }, [1, 1, 0.6, 0.6])
  out.push({ name: 'Resize-10 nearest x2', bytes: oneNode('Resize', [1, 2, 6, 5], { inputs: [{ float: [1, 1, 2, 2], dims: [4] }], attrs: { mode: str('nearest') }, opset: 10 }) })
  out.push({ name: 'Upsample-9 nearest x2', bytes: oneNode('Upsample', [1, 2, 6, 5], { inputs: [{ float: [1, 1, 2, 2], dims: [4] }], attrs: { mode: str('nearest') }, opset: 9 }) })
  out.push({ name: 'Upsample-9 linear x2', bytes: oneNode('Upsample', [1, 2, 6, 5], { inputs: [{ float: [1, 1, 2, 3], dims: [4] }], attrs: { mode: str('linear') }, opset: 9 }) })
  return out
}

function layoutCases (): OpCase[] {
  const cases: OpCase[] = [
    { name: 'SpaceToDepth 2', bytes: oneNode('SpaceToDepth', [1, 2, 10, 8], { attrs: { blocksize: int(2) } }) },
    { name: 'DepthToSpace 2 DCR', bytes: oneNode('DepthToSpace', [1, 8, 5, 4], { attrs: { blocksize: int(2) } }) },
    { name: 'DepthToSpace 2 CRD', bytes: oneNode('DepthToSpace', [1, 8, 5, 4], { attrs: { blocksize: int(2), mode: str('CRD') } }) },
    { name: 'Add spatial constant', bytes: oneNode('Add', [1, 2, 7, 6], { inputs: [{ float: floats(2 * 7 * 6, 4), dims: [1, 2, 7, 6] }] }) },
    { name: 'Mul per-channel constant', bytes: oneNode('Mul', [1, 3, 7, 6], { inputs: [{ float: [0.5, -2, 3], dims: [3, 1, 1] }] }) },
    { name: 'Sub constant over columns', bytes: oneNode('Sub', [1, 2, 7, 6], { inputs: [{ float: floats(6, 5), dims: [6] }] }) },
    { name: 'Div constant over rows', bytes: oneNode('Div', [1, 2, 7, 6], { inputs: [{ float: floats(7, 6).map(v => v + 2), dims: [7, 1] }] }) },
    { name: 'PRelu per-channel slope', bytes: oneNode('PRelu', [1, 3, 7, 6], { inputs: [{ float: [0.1, 0.2, 0.3], dims: [3, 1, 1] }] }) },
    { name: 'Slice rows step 2 (Focus)', bytes: oneNode('Slice', [1, 2, 12, 10], { inputs: [{ int64: [1, 0] }, { int64: [1000, 9] }, { int64: [2, 3] }, { int64: [2, 2] }] }) },
    { name: 'Slice channels and crop', bytes: oneNode('Slice', [1, 4, 10, 9], { inputs: [{ int64: [1, 2, 1] }, { int64: [3, -1, 8] }, { int64: [1, 2, 3] }] }) },
    { name: 'Softmax over channels', bytes: oneNode('Softmax', [1, 3, 7, 6], { attrs: { axis: int(1) } }) },
    { name: 'Softmax over columns', bytes: oneNode('Softmax', [1, 3, 7, 6], { attrs: { axis: int(-1) } }) },
    { name: 'ReduceMean over channels', bytes: oneNode('ReduceMean', [1, 3, 7, 6], { attrs: { axes: ints([1]), keepdims: int(1) } }) },
    { name: 'LRN', bytes: oneNode('LRN', [1, 5, 7, 6], { attrs: { size: int(3) } }) },
    { name: 'BatchNormalization', bytes: oneNode('BatchNormalization', [1, 2, 7, 6], { inputs: [{ float: [1, 2], dims: [2] }, { float: [0.1, 0.2], dims: [2] }, { float: [0, 1], dims: [2] }, { float: [1, 4], dims: [2] }] }) }
  ]
  for (const op of ['Relu', 'Sigmoid', 'Tanh', 'HardSwish']) cases.push({ name: op, bytes: oneNode(op, [1, 2, 7, 6]) })
  cases.push({ name: 'LeakyRelu', bytes: oneNode('LeakyRelu', [1, 2, 7, 6], { attrs: { alpha: attr.float(0.1) } }) })
  cases.push({ name: 'HardSigmoid', bytes: oneNode('HardSigmoid', [1, 2, 7, 6]) })
  cases.push({ name: 'Clip', bytes: oneNode('Clip', [1, 2, 7, 6], { inputs: [{ float: [0], dims: [] }, { float: [6], dims: [] }] }) })
  return cases
}

/** Models of several nodes: branches, layout changes, a squeeze-excite block. */
function graphCases (): OpCase[] {
  const cases: OpCase[] = []
  {
    const b = new OnnxBuilder({ name: 'residual', seed: 4 })
    const x = b.input('x', [1, 4, 12, 10])
    const a = b.relu(b.conv(x, { name: 'c1', out: 4, kernel: 3, pad: 1 }), 'r1')
    const c = b.conv(a, { name: 'c2', out: 4, kernel: 3, pad: 1, stride: 2 })
    const s = b.conv(x, { name: 'sc', out: 4, kernel: 1, stride: 2 })
    b.output(b.relu(b.add(c, s, 'add'), 'y'))
    cases.push({ name: 'residual block with strided shortcut', bytes: b.encode() })
  }
  {
    const b = new OnnxBuilder({ name: 'inception', seed: 5 })
    const x = b.input('x', [1, 3, 11, 9])
    const p = b.maxPool(x, { name: 'p', kernel: 3, stride: 1, pad: 1 })
    const c1 = b.conv(x, { name: 'b1', out: 2, kernel: 1 })
    const c3 = b.conv(b.conv(x, { name: 'b3a', out: 2, kernel: 1 }), { name: 'b3', out: 3, kernel: 3, pad: 1 })
    const c5 = b.conv(x, { name: 'b5', out: 2, kernel: [5, 3], pad: [2, 1] })
    const cp = b.conv(p, { name: 'bp', out: 2, kernel: 1 })
    b.output(b.concat([c1, c3, c5, cp], 'y'))
    cases.push({ name: 'concat branches (inception)', bytes: b.encode() })
  }
  {
    const b = new OnnxBuilder({ name: 'shuffle', seed: 6 })
    const x = b.input('x', [1, 6, 9, 7])
    const c = b.conv(x, { name: 'c', out: 6, kernel: 3, pad: 1 })
    const r1 = b.reshape(c, 'r1', [1, 2, 3, 9, 7])
    const t = b.node('Transpose', [r1], { name: 't', attrs: { perm: attr.ints([0, 2, 1, 3, 4]) }, outputShapes: [[1, 3, 2, 9, 7]] })[0]
    const r2 = b.reshape(t, 'r2', [1, 6, 9, 7])
    b.output(b.conv(r2, { name: 'y', out: 3, kernel: 3, pad: 1, stride: 2 }))
    cases.push({ name: 'channel shuffle (Reshape, Transpose)', bytes: b.encode() })
  }
  {
    const b = new OnnxBuilder({ name: 'nhwc', seed: 7 })
    const x = b.input('x', [1, 10, 9, 3])
    const t = b.node('Transpose', [x], { name: 'to_nchw', attrs: { perm: attr.ints([0, 3, 1, 2]) }, outputShapes: [[1, 3, 10, 9]] })[0]
    const c = b.conv(t, { name: 'c', out: 4, kernel: 3, pad: 1, stride: 2 })
    const back = b.node('Transpose', [c], { name: 'to_nhwc', attrs: { perm: attr.ints([0, 2, 3, 1]) }, outputShapes: [[1, 5, 5, 4]] })[0]
    const w = b.weight('fc', [4, 5], { kind: 'uniform', low: -1, high: 1 })
    b.node('MatMul', [back, w], { name: 'pointwise', outputs: ['y'], outputShapes: [[1, 5, 5, 5]] })
    b.output('y')
    cases.push({ name: 'NHWC input, layout transposes, MatMul over channels', bytes: b.encode() })
  }
  {
    const b = new OnnxBuilder({ name: 'se', seed: 8 })
    const x = b.input('x', [1, 4, 8, 7])
    const c = b.relu(b.conv(x, { name: 'c', out: 4, kernel: 3, pad: 1 }), 'r')
    const g = b.globalAvgPool(c, 'se.pool')
    const f1 = b.relu(b.conv(g, { name: 'se.fc1', out: 2, kernel: 1 }), 'se.relu')
    const f2 = b.node('Sigmoid', [b.conv(f1, { name: 'se.fc2', out: 4, kernel: 1 })], { name: 'se.gate', outputShapes: [[1, 4, 1, 1]] })[0]
    const m = b.node('Mul', [c, f2], { name: 'se.scale', outputShapes: [[1, 4, 8, 7]] })[0]
    b.output(b.conv(m, { name: 'y', out: 3, kernel: 3, pad: 1 }))
    cases.push({ name: 'squeeze-excite block', bytes: b.encode() })
  }
  {
    // PyTorch exports of padded pooling: an explicit Pad (pads from a folded shape subgraph) before the pool
    const b = new OnnxBuilder({ name: 'padpool', seed: 9 })
    const x = b.input('x', [1, 3, 11, 10])
    const c = b.conv(x, { name: 'c', out: 3, kernel: 3, pad: 1 })
    const pads = b.int64('pads', [0, 0, 1, 0, 0, 0, 1, 1])
    const p = b.node('Pad', [c, pads], { name: 'pad', attrs: { mode: attr.string('constant') }, outputShapes: [[1, 3, 13, 11]] })[0]
    b.output(b.avgPool(p, { name: 'y', kernel: 3, stride: 2 }))
    cases.push({ name: 'Pad before pooling', bytes: b.encode() })
  }
  {
    const b = new OnnxBuilder({ name: 'upsample-concat', seed: 10 })
    const x = b.input('x', [1, 3, 12, 10])
    const d = b.conv(x, { name: 'down', out: 4, kernel: 3, pad: 1, stride: 2 })
    const scales = b.weight('scales', [4], { kind: 'data', data: Float32Array.from([1, 1, 2, 2]) })
    const u = b.node('Resize', [d, '', scales], { name: 'up', attrs: { mode: attr.string('nearest') }, outputShapes: [[1, 4, 12, 10]] })[0]
    b.output(b.concat([x, u], 'y'))
    cases.push({ name: 'upsample and concat (detector neck)', bytes: b.encode() })
  }
  {
    // the split sizes are an input since opset 13
    const b = new OnnxBuilder({ name: 'split', seed: 11 })
    const x = b.input('x', [1, 4, 9, 8])
    const sizes = b.int64('sizes', [1, 3])
    const [s1, s2] = b.node('Split', [x, sizes], { name: 'split', outputs: ['s1', 's2'], attrs: { axis: attr.int(1) }, outputShapes: [[1, 1, 9, 8], [1, 3, 9, 8]] })
    const c1 = b.conv(s1, { name: 'c1', out: 2, kernel: 3, pad: 1 })
    const c2 = b.maxPool(s2, { name: 'c2', kernel: 3, stride: 1, pad: 1 })
    b.output(b.concat([c1, c2], 'y'))
    cases.push({ name: 'Split on channels', bytes: b.encode() })
  }
  return cases
}

/** Every op case. */
export function opCases (): OpCase[] {
  return [...windowCases(), ...padCases(), ...resizeCases(), ...layoutCases(), ...graphCases()]
}
