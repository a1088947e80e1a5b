// Constant folding: evaluates nodes whose inputs are all constants (shape-computing subgraphs and
// leftovers of exporters' constant folding), so the graph Tessera splits holds only real layers.
import { UnsupportedOpError } from '../errors.js'
import { attrFloat, attrInt, attrInts, attrTensor } from './attributes.js'
import { allocate, dataTypeFromOnnx, fromNumbers, numel } from './tensor-data.js'
import type { ConstTensor, DataType, GraphNode } from './types.js'

const UNARY: Record<string, (x: number) => number> = {
  Neg: x => -x,
  Abs: Math.abs,
  Sqrt: Math.sqrt,
  Exp: Math.exp,
  Log: Math.log,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Round: x => {
    // round half to even, as ONNX specifies
    const r = Math.round(x)
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
  },
  Reciprocal: x => 1 / x,
  Relu: x => Math.max(0, x),
  Sigmoid: x => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Not: x => (x === 0 ? 1 : 0),
  Identity: x => x
}

const BINARY: Record<string, (a: number, b: number, int: boolean) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, int) => (int ? Math.trunc(a / b) : a / b),
  Pow: (a, b) => a ** b,
  Mod: (a, b) => a - Math.floor(a / b) * b,
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Equal: (a, b) => (a === b ? 1 : 0),
  Less: (a, b) => (a < b ? 1 : 0),
  LessOrEqual: (a, b) => (a <= b ? 1 : 0),
  Greater: (a, b) => (a > b ? 1 : 0),
  GreaterOrEqual: (a, b) => (a >= b ? 1 : 0),
  And: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  Or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0)
}

const COMPARISONS = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Not'])

/** Ops the folder can evaluate when every input is constant. */
export const FOLDABLE_OPS = new Set([
  ...Object.keys(UNARY), ...Object.keys(BINARY),
  'Cast', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'ConstantOfShape', 'Reshape', 'Flatten', 'Range',
  'Where', 'ReduceProd', 'ReduceSum', 'ReduceMin', 'ReduceMax', 'ReduceMean', 'Transpose', 'Expand', 'Size', 'Shape',
  'Clip', 'Sum', 'Constant'
])

const isInt = (t: DataType): boolean => t !== 'float32' && t !== 'float64' && t !== 'float16'

function values (t: ConstTensor): Float64Array {
  const out = new Float64Array(t.data.length)
  const d = t.data
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i])
  } else {
    out.set(d as Float32Array)
  }
  return out
}

function strides (dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1)
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1]
  return s
}

/** Numpy broadcast of shapes; undefined when they do not broadcast. */
export function broadcastShapes (...shapes: Array<readonly number[]>): number[] | undefined {
  const rank = Math.max(...shapes.map(s => s.length))
  const out = new Array<number>(rank).fill(1)
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i
      const d = s[i]
      if (d === 1) continue
      if (out[o] !== 1 && out[o] !== d) return undefined
      out[o] = d
    }
  }
  return out
}

/** Index map from an output of shape `out` to an input of shape `dims` broadcast to it. */
function broadcastIndex (dims: readonly number[], out: readonly number[]): Int32Array {
  const n = numel(out)
  const idx = new Int32Array(n)
  const rank = out.length
  const inStrides = strides(dims)
  const pad = rank - dims.length
  const coord = new Array<number>(rank).fill(0)
  for (let i = 0; i < n; i++) {
    let off = 0
    for (let a = pad; a < rank; a++) {
      const d = dims[a - pad]
      if (d !== 1) off += coord[a] * inStrides[a - pad]
    }
    idx[i] = off
    for (let a = rank - 1; a >= 0; a--) {
      if (++coord[a] < out[a]) break
      coord[a] = 0
    }
  }
  return idx
}

function normAxis (axis: number, rank: number, node: GraphNode): number {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= Math.max(rank, 1)) throw new UnsupportedOpError(node.opType, node.name, `axis ${axis} out of range for rank ${rank}`)
  return a
}

function take (src: ConstTensor, dims: number[], index: (i: number) => number): ConstTensor {
  const n = numel(dims)
  const data = allocate(src.dataType, n)
  const s = src.data as unknown as ArrayLike<number> & { [i: number]: number }
  const d = data as unknown as { [i: number]: number }
  for (let i = 0; i < n; i++) d[i] = s[index(i)]
  return { dataType: src.dataType, dims, data }
}

function transpose (t: ConstTensor, perm: number[]): ConstTensor {
  const outDims = perm.map(p => t.dims[p])
  const inStrides = strides(t.dims)
  const outStrides = strides(outDims)
  return take(t, outDims, i => {
    let off = 0
    let rem = i
    for (let a = 0; a < outDims.length; a++) {
      const c = Math.floor(rem / outStrides[a])
      rem -= c * outStrides[a]
      off += c * inStrides[perm[a]]
    }
    return off
  })
}

/** Input values of an optional list-valued input (axes, starts...) or attribute. */
function listInput (inputs: Array<ConstTensor | undefined>, index: number, node: GraphNode, attr: string): number[] | undefined {
  const t = inputs[index]
  if (t != null) return Array.from(values(t))
  return attrInts(node, attr)
}

function reduce (node: GraphNode, x: ConstTensor, axesIn: number[] | undefined, op: string): ConstTensor {
  const keep = attrInt(node, 'keepdims', 1) === 1
  const rank = x.dims.length
  const axes = (axesIn == null || axesIn.length === 0)
    ? (attrInt(node, 'noop_with_empty_axes', 0) === 1 ? [] : x.dims.map((_, i) => i))
    : axesIn.map(a => normAxis(a, rank, node))
  const outKeep = x.dims.map((d, i) => (axes.includes(i) ? 1 : d))
  const n = numel(outKeep)
  const acc = new Float64Array(n).fill(op === 'ReduceProd' ? 1 : op === 'ReduceMin' ? Infinity : op === 'ReduceMax' ? -Infinity : 0)
  const v = values(x)
  const idx = broadcastIndex(outKeep, x.dims)
  for (let i = 0; i < v.length; i++) {
    const o = idx[i]
    if (op === 'ReduceProd') acc[o] *= v[i]
    else if (op === 'ReduceMin') acc[o] = Math.min(acc[o], v[i])
    else if (op === 'ReduceMax') acc[o] = Math.max(acc[o], v[i])
    else acc[o] += v[i]
  }
  if (op === 'ReduceMean') {
    const count = v.length / Math.max(n, 1)
    for (let i = 0; i < n; i++) acc[i] /= count
  }
  const dims = keep ? outKeep : x.dims.filter((_, i) => !axes.includes(i))
  return fromNumbers(x.dataType, dims, acc)
}

/**
 * Evaluates `node` on constant inputs ('' inputs are undefined). `shapeOf` gives the shape of a
 * non-constant input for Shape and Size. Returns one constant per output.
 */
export function foldNode (node: GraphNode, inputs: Array<ConstTensor | undefined>, opset: number): ConstTensor[] {
  const op = node.opType
  const x = inputs[0]
  const need = (t: ConstTensor | undefined, what: string): ConstTensor => {
    if (t == null) throw new UnsupportedOpError(op, node.name, `${what} input is missing`)
    return t
  }
  if (op === 'Constant') {
    const t = attrTensor(node, 'value')
    if (t != null) return [t]
    const f = attrFloat(node, 'value_float')
    if (f != null) return [fromNumbers('float32', [], [f])]
    const fs = node.attributes.find(a => a.name === 'value_floats')
    if (fs != null) return [fromNumbers('float32', [(fs.floats ?? []).length], fs.floats ?? [])]
    const i = attrInt(node, 'value_int')
    if (i != null) return [fromNumbers('int64', [], [i])]
    const is = attrInts(node, 'value_ints')
    if (is != null) return [fromNumbers('int64', [is.length], is)]
    throw new UnsupportedOpError(op, node.name, 'only tensor, float(s) and int(s) values are supported')
  }
  if (UNARY[op] != null) {
    const t = need(x, 'the')
    const f = UNARY[op]
    const out = values(t).map(f)
    return [fromNumbers(op === 'Not' ? 'bool' : t.dataType, t.dims, out)]
  }
  if (BINARY[op] != null || op === 'Sum') {
    const f = op === 'Sum' ? BINARY.Add : BINARY[op]
    const ins = inputs.filter((t): t is ConstTensor => t != null)
    let acc = ins[0]
    for (let k = 1; k < ins.length; k++) {
      const a = acc
      const b = ins[k]
      const dims = broadcastShapes(a.dims, b.dims)
      if (dims == null) throw new UnsupportedOpError(op, node.name, `shapes [${a.dims.join(',')}] and [${b.dims.join(',')}] do not broadcast`)
      const ia = broadcastIndex(a.dims, dims)
      const ib = broadcastIndex(b.dims, dims)
      const va = values(a)
      const vb = values(b)
      const int = isInt(a.dataType)
      const out = new Float64Array(ia.length)
      for (let i = 0; i < out.length; i++) out[i] = f(va[ia[i]], vb[ib[i]], int)
      acc = fromNumbers(COMPARISONS.has(op) ? 'bool' : a.dataType, dims, out)
    }
    return [acc]
  }
  switch (op) {
    case 'Cast': {
      const t = need(x, 'the')
      const to = dataTypeFromOnnx(attrInt(node, 'to', 1))
      if (to == null) throw new UnsupportedOpError(op, node.name, `cast to element type ${attrInt(node, 'to', 0)}`)
      return [fromNumbers(to, t.dims, values(t))]
    }
    case 'Clip': {
      const t = need(x, 'the')
      const lo = inputs[1] != null ? values(inputs[1])[0] : attrFloat(node, 'min', -Infinity)
      const hi = inputs[2] != null ? values(inputs[2])[0] : attrFloat(node, 'max', Infinity)
      return [fromNumbers(t.dataType, t.dims, values(t).map(v => Math.min(hi, Math.max(lo, v))))]
    }
    case 'Size':
      return [fromNumbers('int64', [], [numel(need(x, 'the').dims)])]
    case 'Gather': {
      const data = need(x, 'data')
      const ind = values(need(inputs[1], 'indices'))
      const indDims = inputs[1]!.dims
      const axis = normAxis(attrInt(node, 'axis', 0), data.dims.length, node)
      const inner = numel(data.dims.slice(axis + 1))
      const len = data.dims[axis]
      const dims = [...data.dims.slice(0, axis), ...indDims, ...data.dims.slice(axis + 1)]
      const k = ind.length
      return [take(data, dims, i => {
        const o = Math.floor(i / (k * inner))
        const rem = i - o * k * inner
        const j = Math.floor(rem / inner)
        const r = rem - j * inner
        let g = ind[j]
        if (g < 0) g += len
        return (o * len + g) * inner + r
      })]
    }
    case 'Unsqueeze': {
      const t = need(x, 'the')
      const axes = listInput(inputs, 1, node, 'axes') ?? []
      const rank = t.dims.length + axes.length
      const norm = axes.map(a => normAxis(a, rank, node)).sort((a, b) => a - b)
      const dims = [...t.dims]
      for (const a of norm) dims.splice(a, 0, 1)
      return [{ ...t, dims }]
    }
    case 'Squeeze': {
      const t = need(x, 'the')
      const axes = listInput(inputs, 1, node, 'axes')
      const norm = axes?.map(a => normAxis(a, t.dims.length, node))
      const dims = t.dims.filter((d, i) => (norm == null ? d !== 1 : !norm.includes(i)))
      return [{ ...t, dims }]
    }
    case 'Flatten': {
      const t = need(x, 'the')
      const axis = normAxis(attrInt(node, 'axis', 1), t.dims.length + 1, node)
      return [{ ...t, dims: [numel(t.dims.slice(0, axis)), numel(t.dims.slice(axis))] }]
    }
    case 'Reshape': {
      const t = need(x, 'data')
      const shape = Array.from(values(need(inputs[1], 'shape')))
      return [{ ...t, dims: resolveReshape(t.dims, shape, attrInt(node, 'allowzero', 0) === 1, node) }]
    }
    case 'Concat': {
      const ins = inputs.filter((t): t is ConstTensor => t != null)
      const axis = normAxis(attrInt(node, 'axis', 0), ins[0].dims.length, node)
      const dims = [...ins[0].dims]
      dims[axis] = ins.reduce((s, t) => s + t.dims[axis], 0)
      const outer = numel(dims.slice(0, axis))
      const inner = numel(dims.slice(axis + 1))
      const out = new Float64Array(numel(dims))
      let offset = 0
      for (const t of ins) {
        const v = values(t)
        const chunk = t.dims[axis] * inner
        for (let o = 0; o < outer; o++) out.set(v.subarray(o * chunk, (o + 1) * chunk), o * dims[axis] * inner + offset)
        offset += chunk
      }
      return [fromNumbers(ins[0].dataType, dims, out)]
    }
    case 'Slice': {
      const t = need(x, 'data')
      const rank = t.dims.length
      const starts = (opset >= 10 ? listInput(inputs, 1, node, 'starts') : attrInts(node, 'starts')) ?? []
      const ends = (opset >= 10 ? listInput(inputs, 2, node, 'ends') : attrInts(node, 'ends')) ?? []
      const axes = (opset >= 10 ? listInput(inputs, 3, node, 'axes') : attrInts(node, 'axes')) ?? starts.map((_, i) => i)
      const steps = (opset >= 10 ? listInput(inputs, 4, node, 'steps') : undefined) ?? starts.map(() => 1)
      const begin = t.dims.map(() => 0)
      const step = t.dims.map(() => 1)
      const dims = [...t.dims]
      axes.forEach((a0, k) => {
        const a = normAxis(a0, rank, node)
        const [s, n] = sliceRange(t.dims[a], starts[k], ends[k], steps[k])
        begin[a] = s
        step[a] = steps[k]
        dims[a] = n
      })
      const inStrides = strides(t.dims)
      const outStrides = strides(dims)
      return [take(t, dims, i => {
        let off = 0
        let rem = i
        for (let a = 0; a < rank; a++) {
          const c = Math.floor(rem / outStrides[a])
          rem -= c * outStrides[a]
          off += (begin[a] + c * step[a]) * inStrides[a]
        }
        return off
      })]
    }
    case 'ConstantOfShape': {
      const dims = Array.from(values(need(x, 'shape')))
      const v = attrTensor(node, 'value') ?? fromNumbers('float32', [1], [0])
      const n = numel(dims)
      return [fromNumbers(v.dataType, dims, new Float64Array(n).fill(values(v)[0]))]
    }
    case 'Range': {
      const [start, limit, delta] = [0, 1, 2].map(i => values(need(inputs[i], 'range'))[0])
      const n = Math.max(Math.ceil((limit - start) / delta), 0)
      const out = new Float64Array(n)
      for (let i = 0; i < n; i++) out[i] = start + i * delta
      return [fromNumbers(x!.dataType, [n], out)]
    }
    case 'Where': {
      const [c, a, b] = [0, 1, 2].map(i => need(inputs[i], 'where'))
      const dims = broadcastShapes(c.dims, a.dims, b.dims)
      if (dims == null) throw new UnsupportedOpError(op, node.name, 'inputs do not broadcast')
      const [ic, ia, ib] = [c, a, b].map(t => broadcastIndex(t.dims, dims))
      const [vc, va, vb] = [c, a, b].map(values)
      const out = new Float64Array(ic.length)
      for (let i = 0; i < out.length; i++) out[i] = vc[ic[i]] !== 0 ? va[ia[i]] : vb[ib[i]]
      return [fromNumbers(a.dataType, dims, out)]
    }
    case 'ReduceProd': case 'ReduceSum': case 'ReduceMin': case 'ReduceMax': case 'ReduceMean': {
      const t = need(x, 'data')
      const axesFromInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18
      const axes = axesFromInput ? listInput(inputs, 1, node, 'axes') : attrInts(node, 'axes')
      return [reduce(node, t, axes, op)]
    }
    case 'Transpose': {
      const t = need(x, 'data')
      const perm = attrInts(node, 'perm') ?? t.dims.map((_, i) => t.dims.length - 1 - i)
      return [transpose(t, perm)]
    }
    case 'Expand': {
      const t = need(x, 'data')
      const shape = Array.from(values(need(inputs[1], 'shape')))
      const dims = broadcastShapes(t.dims, shape)
      if (dims == null) throw new UnsupportedOpError(op, node.name, 'shape does not broadcast')
      const idx = broadcastIndex(t.dims, dims)
      return [take(t, dims, i => idx[i])]
    }
  }
  throw new UnsupportedOpError(op, node.name, 'cannot be evaluated on constants')
}

/** Clamped [start, count] of an ONNX Slice along an axis of length `len`. */
export function sliceRange (len: number, start: number, end: number, step: number): [number, number] {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi)
  let s = start < 0 ? start + len : start
  let e = end < 0 ? end + len : end
  if (step > 0) {
    s = clamp(s, 0, len)
    e = clamp(e, 0, len)
    return [s, Math.max(0, Math.ceil((e - s) / step))]
  }
  s = clamp(s, 0, len - 1)
  e = clamp(e, -1, len - 1)
  return [s, Math.max(0, Math.ceil((e - s) / step))]
}

/** ONNX Reshape's target dims (0 copies, -1 infers). */
export function resolveReshape (inDims: readonly number[], shape: number[], allowZero: boolean, node: GraphNode): number[] {
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d))
  const known = dims.filter(d => d !== -1)
  const total = numel(inDims)
  const inferred = dims.indexOf(-1)
  if (inferred >= 0) {
    const rest = numel(known)
    if (rest === 0 || total % rest !== 0) throw new UnsupportedOpError(node.opType, node.name, `cannot reshape [${inDims.join(',')}] to [${shape.join(',')}]`)
    dims[inferred] = total / rest
  }
  if (numel(dims) !== total) throw new UnsupportedOpError(node.opType, node.name, `cannot reshape [${inDims.join(',')}] to [${shape.join(',')}]`)
  return dims
}
