// Constant tensors: decoding from and encoding to ONNX TensorProto, and element access.
import { InvalidInputError } from '../errors.js'
import { ONNX_DTYPE, type TensorProto } from './onnx/codec.js'
import type { ConstTensor, DataType, TypedData } from './types.js'

const FROM_ONNX: Record<number, DataType> = {
  [ONNX_DTYPE.FLOAT]: 'float32',
  [ONNX_DTYPE.UINT8]: 'uint8',
  [ONNX_DTYPE.INT8]: 'int8',
  [ONNX_DTYPE.UINT16]: 'uint16',
  [ONNX_DTYPE.INT16]: 'int16',
  [ONNX_DTYPE.INT32]: 'int32',
  [ONNX_DTYPE.INT64]: 'int64',
  [ONNX_DTYPE.BOOL]: 'bool',
  [ONNX_DTYPE.FLOAT16]: 'float16',
  [ONNX_DTYPE.DOUBLE]: 'float64',
  [ONNX_DTYPE.UINT32]: 'uint32',
  [ONNX_DTYPE.UINT64]: 'uint64'
}

export const TO_ONNX: Record<DataType, number> = {
  float32: ONNX_DTYPE.FLOAT,
  uint8: ONNX_DTYPE.UINT8,
  int8: ONNX_DTYPE.INT8,
  uint16: ONNX_DTYPE.UINT16,
  int16: ONNX_DTYPE.INT16,
  int32: ONNX_DTYPE.INT32,
  int64: ONNX_DTYPE.INT64,
  bool: ONNX_DTYPE.BOOL,
  float16: ONNX_DTYPE.FLOAT16,
  float64: ONNX_DTYPE.DOUBLE,
  uint32: ONNX_DTYPE.UINT32,
  uint64: ONNX_DTYPE.UINT64
}

type TypedCtor = new (buffer: ArrayBufferLike | number, byteOffset?: number, length?: number) => TypedData

const CTOR: Record<DataType, TypedCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array
} as unknown as Record<DataType, TypedCtor>

/** The ONNX element type number as a DataType, or undefined when Tessera does not handle it. */
export function dataTypeFromOnnx (code: number): DataType | undefined {
  return FROM_ONNX[code]
}

/** Number of elements of a shape. */
export function numel (dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  return n
}

/** Allocates a zeroed typed array for `dtype`. */
export function allocate (dtype: DataType, length: number): TypedData {
  return new CTOR[dtype](length)
}

/** Decodes an ONNX TensorProto; `where` names it in errors. */
export function decodeTensor (proto: TensorProto, where: string): ConstTensor {
  const dims = (proto.dims ?? []).map(Number)
  const dataType = dataTypeFromOnnx(proto.dataType ?? 0)
  if (dataType == null) {
    throw new InvalidInputError(`tensor "${where}" has unsupported element type ${proto.dataType ?? 0}`)
  }
  if (proto.dataLocation === 1 || (proto.externalData ?? []).length > 0) {
    throw new InvalidInputError(`tensor "${where}" keeps its data in an external file; save the model with its weights inside`)
  }
  const n = numel(dims)
  const Ctor = CTOR[dataType]
  const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
  let data: TypedData
  if (proto.rawData != null && proto.rawData.length > 0) {
    const raw = proto.rawData
    if (raw.length !== n * bytesPer) {
      throw new InvalidInputError(`tensor "${where}" has ${raw.length} bytes of data for shape [${dims.join(',')}] (${n * bytesPer} expected)`)
    }
    if (raw.byteOffset % bytesPer === 0) {
      data = new Ctor(raw.buffer, raw.byteOffset, n)
    } else {
      const copy = new Uint8Array(raw.length)
      copy.set(raw)
      data = new Ctor(copy.buffer, 0, n)
    }
  } else {
    const values: number[] | undefined =
      dataType === 'float32' || dataType === 'float16' ? proto.floatData
        : dataType === 'float64' ? proto.doubleData
          : dataType === 'int64' ? proto.int64Data
            : dataType === 'uint64' || dataType === 'uint32' ? proto.uint64Data
              : proto.int32Data
    const list = values ?? []
    if (list.length !== n) {
      throw new InvalidInputError(`tensor "${where}" has ${list.length} values for shape [${dims.join(',')}] (${n} expected)`)
    }
    data = allocate(dataType, n)
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let i = 0; i < n; i++) data[i] = BigInt(list[i])
    } else {
      (data as Float64Array).set(list)
    }
  }
  return { dataType, dims, data }
}

/** Encodes a constant as an ONNX TensorProto with raw little-endian data. */
export function encodeTensor (name: string, tensor: ConstTensor): TensorProto {
  const d = tensor.data
  return {
    name,
    dims: tensor.dims,
    dataType: TO_ONNX[tensor.dataType],
    rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
  }
}

/** Element values as JS numbers (int64 converted; exact below 2^53). */
export function toNumbers (tensor: ConstTensor): number[] {
  const out = new Array<number>(tensor.data.length)
  const d = tensor.data
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i])
  return out
}

/** A constant of `dtype` from JS numbers (rounded toward zero for integer types). */
export function fromNumbers (dataType: DataType, dims: number[], values: ArrayLike<number>): ConstTensor {
  const data = allocate(dataType, values.length)
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) data[i] = BigInt(Math.trunc(values[i]))
  } else if (dataType === 'float16') {
    throw new InvalidInputError('float16 constants cannot be computed; convert the model to float32')
  } else if (dataType === 'bool') {
    for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0 ? 1 : 0
  } else {
    const isInt = dataType !== 'float32' && dataType !== 'float64'
    for (let i = 0; i < values.length; i++) (data as Float64Array)[i] = isInt ? Math.trunc(values[i]) : values[i]
  }
  return { dataType, dims, data }
}
