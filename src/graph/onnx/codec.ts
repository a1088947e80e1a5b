// Reads and writes ONNX ModelProto bytes. The binding to protobufjs is walled off here:
// the rest of Tessera sees only the plain interfaces below.
import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import { OnnxDecodeError } from '../../errors.js'

const PROTO_PATH = new URL('./onnx.proto', import.meta.url)

/** ONNX TensorProto.DataType values Tessera handles. */
export const ONNX_DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13
} as const

/** ONNX AttributeProto.AttributeType values. */
export const ATTR_TYPE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8
} as const

export interface TensorProto {
  dims?: number[]
  dataType?: number
  floatData?: number[]
  int32Data?: number[]
  int64Data?: number[]
  doubleData?: number[]
  uint64Data?: number[]
  name?: string
  rawData?: Uint8Array
  externalData?: Array<{ key?: string, value?: string }>
  dataLocation?: number
}

export interface AttributeProto {
  name: string
  type?: number
  f?: number
  i?: number
  s?: Uint8Array
  t?: TensorProto
  floats?: number[]
  ints?: number[]
  strings?: Uint8Array[]
}

export interface NodeProto {
  input?: string[]
  output?: string[]
  name?: string
  opType: string
  domain?: string
  attribute?: AttributeProto[]
}

export interface ValueInfoProto {
  name: string
  type?: {
    tensorType?: {
      elemType?: number
      shape?: { dim?: Array<{ dimValue?: number, dimParam?: string }> }
    }
  }
}

export interface GraphProto {
  node?: NodeProto[]
  name?: string
  initializer?: TensorProto[]
  input?: ValueInfoProto[]
  output?: ValueInfoProto[]
  valueInfo?: ValueInfoProto[]
}

export interface ModelProto {
  irVersion?: number
  producerName?: string
  producerVersion?: string
  domain?: string
  modelVersion?: number
  docString?: string
  graph?: GraphProto
  opsetImport?: Array<{ domain?: string, version?: number }>
  metadataProps?: Array<{ key?: string, value?: string }>
}

let modelType: protobuf.Type | undefined

function getModelType (): protobuf.Type {
  if (modelType == null) {
    const root = protobuf.parse(readFileSync(PROTO_PATH, 'utf8'), { keepCase: false }).root
    modelType = root.lookupType('ModelProto')
  }
  return modelType
}

/** Decodes ONNX model bytes; throws OnnxDecodeError for truncated or corrupt input. */
export function decodeModel (bytes: Uint8Array): ModelProto {
  const type = getModelType()
  let message: protobuf.Message
  try {
    message = type.decode(bytes)
  } catch (err: any) {
    throw new OnnxDecodeError(`not a valid ONNX model: ${err.message as string}`)
  }
  const model = type.toObject(message, { longs: Number, enums: Number, arrays: false, defaults: false }) as ModelProto
  if (model.graph == null || (model.graph.node ?? []).length === 0) {
    throw new OnnxDecodeError('not a valid ONNX model: it has no graph nodes')
  }
  return model
}

/** Encodes a model to ONNX bytes. */
export function encodeModel (model: ModelProto): Uint8Array {
  const type = getModelType()
  return type.encode(type.fromObject(model)).finish()
}
