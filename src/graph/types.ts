// The graph IR: an ONNX model resolved for one input shape.
import type { AttributeProto, ModelProto } from './onnx/codec.js'

/** A tensor's name in the graph. */
export type TensorName = string

/** Half-open range [start, end) along one axis. */
export type Range = readonly [start: number, end: number]

export type DataType = 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool'

export type TypedData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Uint16Array

/** A constant tensor (an initializer, a Constant node's value, or a folded result). */
export interface ConstTensor {
  dataType: DataType
  dims: number[]
  /** Row-major data; int64 as BigInt64Array, bool as Uint8Array, float16 as raw Uint16Array. */
  data: TypedData
}

/** Where the spatial axes of a tensor are (NCHW: h = rank - 2, w = rank - 1; NHWC: h = 1, w = 2). */
export interface SpatialAxes {
  readonly h: number
  readonly w: number
}

export interface GraphNode {
  /** Position in `Graph.nodes` (topological order). */
  readonly id: number
  /** The node's name, or `<opType>_<id>` when the model leaves it empty. */
  readonly name: string
  readonly opType: string
  readonly domain: string
  /** Input tensor names ('' for an omitted optional input). */
  readonly inputs: TensorName[]
  readonly outputs: TensorName[]
  /** Attributes as decoded from ONNX, written back verbatim into sub-models. */
  readonly attributes: AttributeProto[]
}

/**
 * A model resolved for one input shape: shape-only subgraphs folded into constants,
 * Identity and Dropout removed, every tensor's shape and dtype known.
 */
export interface Graph {
  readonly name: string
  /** Opset version of the default ONNX domain. */
  readonly opset: number
  /** The model's one data input (the image). */
  readonly input: TensorName
  readonly inputShape: number[]
  readonly outputs: TensorName[]
  /** Topologically ordered. */
  readonly nodes: GraphNode[]
  /** Initializers, Constant node values and folded results. Never produced by a node in `nodes`. */
  readonly constants: Map<TensorName, ConstTensor>
  readonly shapes: Map<TensorName, number[]>
  readonly dtypes: Map<TensorName, DataType>
  /** Producing node id of every non-constant tensor (absent for the input). */
  readonly producer: Map<TensorName, number>
  /** Consumer node ids of every tensor (graph outputs are not listed here). */
  readonly consumers: Map<TensorName, number[]>
  /** Spatial axes of each non-constant tensor that has them; absent = non-spatial (e.g. after global pooling). */
  readonly layout: Map<TensorName, SpatialAxes>
  /** sha256 (hex) of the model file's bytes. */
  readonly sha256: string
  /** The decoded model, for writing sub-models with the same opsets and metadata. */
  readonly model: ModelProto
}

/** An input region a node needs for an output region, before clipping to the tensor. */
export interface InputRegion {
  /** Rows of the input, clipped to [0, H). */
  rows: Range
  /** Columns of the input, clipped to [0, W). */
  cols: Range
  /** How far the unclipped region reaches past each edge (the part that is padding): [top, left, bottom, right]. */
  pads: [number, number, number, number]
}

/** A layer-volume: the nodes between two cut tensors. */
export interface Volume {
  readonly input: TensorName
  readonly output: TensorName
}

/** A rectangle of a tensor's spatial axes. */
export interface Region {
  rows: Range
  cols: Range
}
