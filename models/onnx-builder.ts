// Builds standard ONNX (opset 17) graphs layer by layer, with seeded random weights.
// Weights are described when a layer is added and generated only when the model is encoded,
// so a model's parameter count is known without making (or holding) its weights.
import { uniformFloat32 } from 'pure-rand/distribution/uniformFloat32'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { InvalidInputError, ShapeError } from '../src/errors.js'
import { ATTR_TYPE, ONNX_DTYPE, encodeModel } from '../src/graph/onnx/codec.js'
import type { AttributeProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../src/graph/onnx/codec.js'

/** The ONNX opset every built-in model targets. */
export const OPSET = 17
/** The IR version that goes with opset 17. */
export const IR_VERSION = 8

/** kaiming_uniform_ gains: ReLU keeps the second moment of activations through a conv + ReLU. */
export const GAIN = {
  LINEAR: 1,
  RELU: Math.SQRT2,
  /** LeakyRelu with negative slope `alpha`. */
  leakyRelu: (alpha: number): number => Math.sqrt(2 / (1 + alpha * alpha))
} as const

/** A typed attribute value: ONNX tells ints from floats, JavaScript does not. */
export type AttrValue =
  | { type: 'int', value: number }
  | { type: 'ints', value: number[] }
  | { type: 'float', value: number }
  | { type: 'floats', value: number[] }
  | { type: 'string', value: string }

/** Constructors for typed attribute values. */
export const attr = {
  int: (value: number): AttrValue => ({ type: 'int', value }),
  ints: (value: number[]): AttrValue => ({ type: 'ints', value }),
  float: (value: number): AttrValue => ({ type: 'float', value }),
  floats: (value: number[]): AttrValue => ({ type: 'floats', value }),
  string: (value: string): AttrValue => ({ type: 'string', value })
}

/** How a float32 initializer's values are made. */
export type WeightInit =
  | { kind: 'uniform', low: number, high: number }
  | { kind: 'constant', value: number }
  | { kind: 'data', data: Float32Array }
  /** sqrt(values of initializer `of`) times uniform [low, high): ties one tensor's scale to another's. */
  | { kind: 'sqrtScaled', of: string, low: number, high: number }

interface InitializerSpec {
  name: string
  dims: number[]
  /** Counted as a trainable parameter (PyTorch's parameters(), not its buffers). */
  parameter: boolean
  float?: WeightInit
  int64?: number[]
}

/** A kernel, stride or dilation: one number for both spatial axes or [h, w]. */
export type Pair = number | [number, number]
/** Padding: one number, [h, w] (both sides), or ONNX order [top, left, bottom, right]. */
export type Pads = number | [number, number] | [number, number, number, number]

export interface ConvOptions {
  /** Node name, e.g. "layer1.0.conv1"; weights are "<name>.weight" and "<name>.bias". */
  name: string
  /** Output channels. */
  out: number
  kernel: Pair
  stride?: Pair
  pad?: Pads
  dilation?: Pair
  group?: number
  /** Add a bias input (default true). */
  bias?: boolean
  /** kaiming_uniform_ gain for the weight (default GAIN.RELU). */
  gain?: number
  /** Output tensor name (default: the node name). */
  output?: string
}

export interface PoolOptions {
  name: string
  kernel: Pair
  /** Default: 1. */
  stride?: Pair
  pad?: Pads
  /** AveragePool only: count padded zeros in the divisor (PyTorch's default is 1). */
  countIncludePad?: boolean
  output?: string
}

export interface GemmOptions {
  name: string
  /** Output features. */
  out: number
  bias?: boolean
  gain?: number
  output?: string
}

export interface BatchNormOptions {
  name: string
  /** PyTorch default 1e-5. */
  epsilon?: number
  output?: string
}

export interface OnnxBuilderInit {
  /** Graph name. */
  name: string
  /** Seed for every weight (default 0). Each initializer draws from its own stream seeded by (seed, name). */
  seed?: number
  docString?: string
}

const SKIP_OUTPUTS = 16

/** The largest weight seed (seeds are unsigned 32-bit integers). */
export const MAX_SEED = 0xffffffff

/** Returns the seed (default 0) or throws InvalidInputError when it is not an integer in [0, MAX_SEED]. */
export function checkSeed (seed: number | undefined): number {
  const s = seed ?? 0
  if (!Number.isInteger(s) || s < 0 || s > MAX_SEED) {
    throw new InvalidInputError(`seed must be an integer from 0 to ${MAX_SEED}, got ${s}`)
  }
  return s
}

/** FNV-1a over the name, mixed with the seed: gives each initializer its own, order-independent stream. */
function streamSeed (seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  // murmur3's finalizer, so that names differing in one character give unrelated seeds
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

/** Fills `out` with values uniform in [low, high) from a seeded xoroshiro128+ stream. */
export function fillUniform (out: Float32Array, seed: number, name: string, low: number, high: number): void {
  const rng = xoroshiro128plus(streamSeed(seed, name))
  // the first outputs of a freshly seeded xoroshiro128+ still echo the seed
  for (let i = 0; i < SKIP_OUTPUTS; i++) rng.next()
  const span = high - low
  for (let i = 0; i < out.length; i++) out[i] = low + span * uniformFloat32(rng)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

function float32Bytes (data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const bytes = new Uint8Array(data.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true)
  return bytes
}

function int64Bytes (values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8)
  const view = new DataView(bytes.buffer)
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true))
  return bytes
}

function pair (p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : p
}

function pads4 (p: Pads | undefined): [number, number, number, number] {
  if (p == null) return [0, 0, 0, 0]
  if (typeof p === 'number') return [p, p, p, p]
  if (p.length === 2) return [p[0], p[1], p[0], p[1]]
  return p
}

function product (dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1)
}

function toAttribute (name: string, v: AttrValue): AttributeProto {
  switch (v.type) {
    case 'int': return { name, type: ATTR_TYPE.INT, i: v.value }
    case 'ints': return { name, type: ATTR_TYPE.INTS, ints: v.value }
    case 'float': return { name, type: ATTR_TYPE.FLOAT, f: v.value }
    case 'floats': return { name, type: ATTR_TYPE.FLOATS, floats: v.value }
    case 'string': return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v.value) }
  }
}

function valueInfo (name: string, shape: number[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: shape.map(d => ({ dimValue: d })) } } }
  }
}

/** An ONNX graph under construction: tracks every tensor's shape so layers size their own weights. */
export class OnnxBuilder {
  readonly name: string
  readonly seed: number
  private readonly docString: string | undefined
  private readonly nodes: NodeProto[] = []
  private readonly initializers: InitializerSpec[] = []
  private readonly shapes = new Map<string, number[] | undefined>()
  private readonly nodeNames = new Set<string>()
  private readonly inputs: Array<{ name: string, shape: number[] }> = []
  private readonly outputs: string[] = []

  constructor (init: OnnxBuilderInit) {
    this.name = init.name
    this.seed = checkSeed(init.seed)
    this.docString = init.docString
  }

  /** Declares a float32 graph input with a fixed shape. */
  input (name: string, shape: number[]): string {
    if (shape.length === 0 || shape.some(d => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(`input "${name}" needs positive integer dims, got [${shape.join(', ')}]`)
    }
    this.defineTensor(name, [...shape])
    this.inputs.push({ name, shape: [...shape] })
    return name
  }

  /** Declares an existing tensor a graph output. */
  output (tensor: string): void {
    this.shape(tensor)
    this.outputs.push(tensor)
  }

  /** The shape of a tensor already in the graph. */
  shape (tensor: string): number[] {
    if (!this.shapes.has(tensor)) throw new InvalidInputError(`tensor "${tensor}" is not in graph "${this.name}"`)
    const shape = this.shapes.get(tensor)
    if (shape == null) throw new ShapeError(`tensor "${tensor}" in graph "${this.name}" has no known shape`)
    return [...shape]
  }

  /** Adds a float32 initializer; `parameter` false marks a buffer (BatchNorm statistics, constants). */
  weight (name: string, dims: number[], init: WeightInit, options: { parameter?: boolean } = {}): string {
    if (init.kind === 'data' && init.data.length !== product(dims)) {
      throw new ShapeError(`initializer "${name}": ${init.data.length} values for dims [${dims.join(', ')}]`)
    }
    this.defineTensor(name, [...dims])
    this.initializers.push({ name, dims: [...dims], parameter: options.parameter ?? true, float: init })
    return name
  }

  /** Adds an int64 initializer (shapes, axes); never a parameter. */
  int64 (name: string, values: number[], dims: number[] = [values.length]): string {
    if (values.length !== product(dims)) {
      throw new ShapeError(`initializer "${name}": ${values.length} values for dims [${dims.join(', ')}]`)
    }
    this.defineTensor(name, [...dims])
    this.initializers.push({ name, dims: [...dims], parameter: false, int64: [...values] })
    return name
  }

  /** Adds any node; `outputShapes` (one per output) lets later layers size themselves from it. */
  node (opType: string, inputs: string[], options: {
    name: string
    outputs?: string[]
    attrs?: Record<string, AttrValue>
    outputShapes?: number[][]
  }): string[] {
    const { name } = options
    if (this.nodeNames.has(name)) throw new InvalidInputError(`node name "${name}" is used twice in graph "${this.name}"`)
    for (const input of inputs) {
      if (input !== '' && !this.shapes.has(input)) {
        throw new InvalidInputError(`node "${name}" (${opType}) reads tensor "${input}", which is not in graph "${this.name}"`)
      }
    }
    const outputs = options.outputs ?? [name]
    if (options.outputShapes != null && options.outputShapes.length !== outputs.length) {
      throw new InvalidInputError(`node "${name}": ${options.outputShapes.length} output shapes for ${outputs.length} outputs`)
    }
    outputs.forEach((out, i) => {
      const shape = options.outputShapes?.[i]
      if (shape != null && shape.some(d => !Number.isInteger(d) || d < 1)) {
        throw new ShapeError(`node "${name}" (${opType}) would output shape [${shape.join(', ')}]: the input is too small`)
      }
      this.defineTensor(out, shape)
    })
    this.nodeNames.add(name)
    const attribute = Object.entries(options.attrs ?? {}).map(([k, v]) => toAttribute(k, v))
    this.nodes.push({ name, opType, input: inputs, output: outputs, ...(attribute.length > 0 ? { attribute } : {}) })
    return outputs
  }

  /** Conv with a kaiming-uniform weight and (optionally) a PyTorch-default uniform bias. */
  conv (x: string, o: ConvOptions): string {
    const [n, c, h, w] = this.shape4(x, o.name)
    const group = o.group ?? 1
    if (c % group !== 0 || o.out % group !== 0) {
      throw new ShapeError(`conv "${o.name}": channels ${c} -> ${o.out} not divisible by group ${group}`)
    }
    const [kh, kw] = pair(o.kernel)
    const [sh, sw] = pair(o.stride ?? 1)
    const [dh, dw] = pair(o.dilation ?? 1)
    const pads = pads4(o.pad)
    const fanIn = (c / group) * kh * kw
    const bound = (o.gain ?? GAIN.RELU) * Math.sqrt(3 / fanIn)
    const inputs = [x, this.weight(`${o.name}.weight`, [o.out, c / group, kh, kw], { kind: 'uniform', low: -bound, high: bound })]
    if (o.bias ?? true) {
      const b = 1 / Math.sqrt(fanIn)
      inputs.push(this.weight(`${o.name}.bias`, [o.out], { kind: 'uniform', low: -b, high: b }))
    }
    const oh = Math.floor((h + pads[0] + pads[2] - dh * (kh - 1) - 1) / sh) + 1
    const ow = Math.floor((w + pads[1] + pads[3] - dw * (kw - 1) - 1) / sw) + 1
    return this.node('Conv', inputs, {
      name: o.name,
      outputs: [o.output ?? o.name],
      attrs: {
        kernel_shape: attr.ints([kh, kw]),
        strides: attr.ints([sh, sw]),
        pads: attr.ints(pads),
        dilations: attr.ints([dh, dw]),
        group: attr.int(group)
      },
      outputShapes: [[n, o.out, oh, ow]]
    })[0]
  }

  /** Inference-mode BatchNormalization; gamma and var in [0.5, 1.5], beta and mean in [-0.1, 0.1]. */
  batchNorm (x: string, o: BatchNormOptions): string {
    const shape = this.shape(x)
    const c = shape[1]
    const variance = `${o.name}.running_var`
    const inputs = [
      x,
      // gamma = sqrt(var) * U[0.8, 1.2] lies in [0.57, 1.47] and keeps each channel's gain gamma / sqrt(var)
      // near 1: drawn independently, E[gamma^2 / var] = 1.19 would compound to ~50x over Inception's 94 BNs
      this.weight(`${o.name}.weight`, [c], { kind: 'sqrtScaled', of: variance, low: 0.8, high: 1.2 }),
      this.weight(`${o.name}.bias`, [c], { kind: 'uniform', low: -0.1, high: 0.1 }),
      this.weight(`${o.name}.running_mean`, [c], { kind: 'uniform', low: -0.1, high: 0.1 }, { parameter: false }),
      this.weight(variance, [c], { kind: 'uniform', low: 0.5, high: 1.5 }, { parameter: false })
    ]
    return this.node('BatchNormalization', inputs, {
      name: o.name,
      outputs: [o.output ?? o.name],
      attrs: { epsilon: attr.float(o.epsilon ?? 1e-5) },
      outputShapes: [shape]
    })[0]
  }

  relu (x: string, name: string, output = name): string {
    return this.unary('Relu', x, name, output, {})
  }

  leakyRelu (x: string, name: string, alpha: number, output = name): string {
    return this.unary('LeakyRelu', x, name, output, { alpha: attr.float(alpha) })
  }

  /** Clip with scalar min and max given as inputs (opset 11+), e.g. ReLU6 = clip(x, 0, 6). */
  clip (x: string, name: string, min: number, max: number, output = name): string {
    const lo = this.weight(`${name}.min`, [], { kind: 'constant', value: min }, { parameter: false })
    const hi = this.weight(`${name}.max`, [], { kind: 'constant', value: max }, { parameter: false })
    return this.node('Clip', [x, lo, hi], { name, outputs: [output], outputShapes: [this.shape(x)] })[0]
  }

  maxPool (x: string, o: PoolOptions): string {
    return this.pool('MaxPool', x, o, {})
  }

  avgPool (x: string, o: PoolOptions): string {
    return this.pool('AveragePool', x, o, { count_include_pad: attr.int(o.countIncludePad === true ? 1 : 0) })
  }

  globalAvgPool (x: string, name: string, output = name): string {
    const [n, c] = this.shape4(x, name)
    return this.node('GlobalAveragePool', [x], { name, outputs: [output], outputShapes: [[n, c, 1, 1]] })[0]
  }

  /** Elementwise sum of two tensors of the same shape. */
  add (a: string, b: string, name: string, output = name): string {
    const sa = this.shape(a)
    const sb = this.shape(b)
    if (sa.join() !== sb.join()) {
      throw new ShapeError(`add "${name}": shapes [${sa.join(', ')}] and [${sb.join(', ')}] differ`)
    }
    return this.node('Add', [a, b], { name, outputs: [output], outputShapes: [sa] })[0]
  }

  concat (xs: string[], name: string, axis = 1, output = name): string {
    const shapes = xs.map(x => this.shape(x))
    const out = [...shapes[0]]
    out[axis] = 0
    for (const [i, s] of shapes.entries()) {
      const mismatch = s.length !== out.length || s.some((d, k) => k !== axis && d !== out[k])
      if (mismatch) {
        throw new ShapeError(`concat "${name}": input "${xs[i]}" has shape [${s.join(', ')}], expected [${shapes[0].join(', ')}] off axis ${axis}`)
      }
      out[axis] += s[axis]
    }
    return this.node('Concat', xs, { name, outputs: [output], attrs: { axis: attr.int(axis) }, outputShapes: [out] })[0]
  }

  flatten (x: string, name: string, axis = 1, output = name): string {
    const s = this.shape(x)
    return this.node('Flatten', [x], {
      name,
      outputs: [output],
      attrs: { axis: attr.int(axis) },
      outputShapes: [[product(s.slice(0, axis)), product(s.slice(axis))]]
    })[0]
  }

  /** Fully connected layer as exported from PyTorch: Gemm with transB=1, weight [out, in]. */
  gemm (x: string, o: GemmOptions): string {
    const s = this.shape(x)
    if (s.length !== 2) throw new ShapeError(`gemm "${o.name}": input "${x}" must be 2-D, has shape [${s.join(', ')}]`)
    const fanIn = s[1]
    const bound = (o.gain ?? GAIN.RELU) * Math.sqrt(3 / fanIn)
    const inputs = [x, this.weight(`${o.name}.weight`, [o.out, fanIn], { kind: 'uniform', low: -bound, high: bound })]
    if (o.bias ?? true) {
      const b = 1 / Math.sqrt(fanIn)
      inputs.push(this.weight(`${o.name}.bias`, [o.out], { kind: 'uniform', low: -b, high: b }))
    }
    return this.node('Gemm', inputs, {
      name: o.name,
      outputs: [o.output ?? o.name],
      attrs: { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) },
      outputShapes: [[s[0], o.out]]
    })[0]
  }

  /** SpaceToDepth: [N, C, H, W] -> [N, C*b*b, H/b, W/b]; H and W must be multiples of b. */
  spaceToDepth (x: string, name: string, blocksize: number, output = name): string {
    const [n, c, h, w] = this.shape4(x, name)
    if (h % blocksize !== 0 || w % blocksize !== 0) {
      throw new ShapeError(`spaceToDepth "${name}": ${h}x${w} is not a multiple of blocksize ${blocksize}`)
    }
    return this.node('SpaceToDepth', [x], {
      name,
      outputs: [output],
      attrs: { blocksize: attr.int(blocksize) },
      outputShapes: [[n, c * blocksize * blocksize, h / blocksize, w / blocksize]]
    })[0]
  }

  /** Reshape to a fixed shape (no 0 or -1), stored as an int64 initializer "<name>.shape". */
  reshape (x: string, name: string, shape: number[], output = name): string {
    const from = this.shape(x)
    if (product(from) !== product(shape)) {
      throw new ShapeError(`reshape "${name}": cannot reshape [${from.join(', ')}] to [${shape.join(', ')}]`)
    }
    const target = this.int64(`${name}.shape`, shape)
    return this.node('Reshape', [x, target], { name, outputs: [output], outputShapes: [shape] })[0]
  }

  /** Trainable parameters (PyTorch's parameters(): weights and biases, not BatchNorm statistics). */
  parameterCount (): number {
    return this.initializers.reduce((sum, i) => sum + (i.parameter ? product(i.dims) : 0), 0)
  }

  /** Total elements of float32 initializers (parameters and buffers). */
  floatCount (): number {
    return this.initializers.reduce((sum, i) => sum + (i.float != null ? product(i.dims) : 0), 0)
  }

  /** Node count so far. */
  nodeCount (): number {
    return this.nodes.length
  }

  /** Generates the weights and returns the ModelProto. */
  toModel (): ModelProto {
    if (this.inputs.length === 0) throw new InvalidInputError(`graph "${this.name}" has no input`)
    if (this.outputs.length === 0) throw new InvalidInputError(`graph "${this.name}" has no output`)
    const initializer = this.initializers.map(spec => this.materialize(spec))
    return {
      irVersion: IR_VERSION,
      producerName: 'tessera',
      opsetImport: [{ domain: '', version: OPSET }],
      ...(this.docString != null ? { docString: this.docString } : {}),
      metadataProps: [{ key: 'tessera.seed', value: String(this.seed) }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer,
        input: this.inputs.map(i => valueInfo(i.name, i.shape)),
        output: this.outputs.map(o => valueInfo(o, this.shape(o)))
      }
    }
  }

  /** Generates the weights and encodes the model to ONNX bytes. */
  encode (): Uint8Array {
    return encodeModel(this.toModel())
  }

  private materialize (spec: InitializerSpec): TensorProto {
    if (spec.int64 != null) {
      return { name: spec.name, dims: spec.dims, dataType: ONNX_DTYPE.INT64, rawData: int64Bytes(spec.int64) }
    }
    return { name: spec.name, dims: spec.dims, dataType: ONNX_DTYPE.FLOAT, rawData: float32Bytes(this.floatData(spec)) }
  }

  private floatData (spec: InitializerSpec): Float32Array {
    const init = spec.float as WeightInit
    if (init.kind === 'data') return init.data
    const data = new Float32Array(product(spec.dims))
    switch (init.kind) {
      case 'constant':
        data.fill(init.value)
        break
      case 'uniform':
        fillUniform(data, this.seed, spec.name, init.low, init.high)
        break
      case 'sqrtScaled': {
        const of = this.initializers.find(i => i.name === init.of && i.float != null && i.float.kind !== 'sqrtScaled')
        if (of == null || product(of.dims) !== data.length) {
          throw new InvalidInputError(`initializer "${spec.name}" is scaled by "${init.of}", which is not a float initializer of the same size`)
        }
        // regenerated rather than shared: these are per-channel vectors, and it keeps materialization order-free
        const base = this.floatData(of)
        fillUniform(data, this.seed, spec.name, init.low, init.high)
        for (let i = 0; i < data.length; i++) data[i] *= Math.sqrt(base[i])
        break
      }
    }
    return data
  }

  private defineTensor (name: string, shape: number[] | undefined): void {
    if (name === '') throw new InvalidInputError(`graph "${this.name}": a tensor needs a name`)
    if (this.shapes.has(name)) throw new InvalidInputError(`tensor "${name}" is defined twice in graph "${this.name}"`)
    this.shapes.set(name, shape)
  }

  private shape4 (x: string, node: string): [number, number, number, number] {
    const s = this.shape(x)
    if (s.length !== 4) throw new ShapeError(`node "${node}" needs a 4-D NCHW input, "${x}" has shape [${s.join(', ')}]`)
    return s as [number, number, number, number]
  }

  private unary (opType: string, x: string, name: string, output: string, attrs: Record<string, AttrValue>): string {
    return this.node(opType, [x], { name, outputs: [output], attrs, outputShapes: [this.shape(x)] })[0]
  }

  private pool (opType: string, x: string, o: PoolOptions, extra: Record<string, AttrValue>): string {
    const [n, c, h, w] = this.shape4(x, o.name)
    const [kh, kw] = pair(o.kernel)
    const [sh, sw] = pair(o.stride ?? 1)
    const pads = pads4(o.pad)
    const oh = Math.floor((h + pads[0] + pads[2] - kh) / sh) + 1
    const ow = Math.floor((w + pads[1] + pads[3] - kw) / sw) + 1
    return this.node(opType, [x], {
      name: o.name,
      outputs: [o.output ?? o.name],
      attrs: { kernel_shape: attr.ints([kh, kw]), strides: attr.ints([sh, sw]), pads: attr.ints(pads), ...extra },
      outputShapes: [[n, c, oh, ow]]
    })[0]
  }
}
