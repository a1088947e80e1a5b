// ONNX bytes -> Graph for one input shape.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { InvalidInputError, ShapeError, UnsupportedOpError } from '../errors.js'
import { logger } from '../logger.js'
import { attrInt } from './attributes.js'
import { FOLDABLE_OPS, foldNode } from './fold.js'
import { inferNode, type NodeInput } from './infer.js'
import { NCHW, outputLayouts } from './layout.js'
import { decodeModel, type ModelProto, type NodeProto } from './onnx/codec.js'
import { dataTypeFromOnnx, decodeTensor, fromNumbers } from './tensor-data.js'
import type { ConstTensor, DataType, Graph, GraphNode, SpatialAxes, TensorName } from './types.js'

const log = logger('graph')

export interface LoadOptions {
  /** The input shape to resolve the graph for; defaults to the model's declared shape. */
  inputShape?: number[]
  /** A display name; defaults to the graph's name. */
  name?: string
}

const PASS_THROUGH = new Set(['Identity', 'Dropout'])

/** Kahn's algorithm, keeping the file's order among ready nodes. */
function topoSort (nodes: NodeProto[], available: Set<string>): NodeProto[] {
  const producedBy = new Map<string, number>()
  nodes.forEach((n, i) => (n.output ?? []).forEach(o => { if (o !== '') producedBy.set(o, i) }))
  const waiting = nodes.map(n => new Set((n.input ?? []).filter(t => t !== '' && !available.has(t) && producedBy.has(t))))
  const users = new Map<number, number[]>()
  waiting.forEach((deps, i) => deps.forEach(t => {
    const p = producedBy.get(t)!
    users.set(p, [...(users.get(p) ?? []), i])
  }))
  const remaining = waiting.map(d => new Set([...d].map(t => producedBy.get(t)!)))
  const ready: number[] = []
  remaining.forEach((d, i) => { if (d.size === 0) ready.push(i) })
  const order: NodeProto[] = []
  while (ready.length > 0) {
    ready.sort((a, b) => a - b)
    const i = ready.shift()!
    order.push(nodes[i])
    for (const u of users.get(i) ?? []) {
      remaining[u].delete(i)
      if (remaining[u].size === 0) ready.push(u)
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => remaining[i].size > 0)
    throw new InvalidInputError(`the graph has a cycle or a missing input (at node "${stuck?.name ?? stuck?.opType ?? '?'}")`)
  }
  return order
}

function opsetOf (model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find(o => o.domain == null || o.domain === '' || o.domain === 'ai.onnx')
  return entry?.version ?? 1
}

/** Decodes a model and resolves it for one input shape. */
export function loadGraph (bytes: Uint8Array, options: LoadOptions = {}): Graph {
  const model = decodeModel(bytes)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const g = model.graph!
  const opset = opsetOf(model)
  const constants = new Map<TensorName, ConstTensor>()
  for (const init of g.initializer ?? []) constants.set(init.name ?? '', decodeTensor(init, init.name ?? ''))

  const dataInputs = (g.input ?? []).filter(i => !constants.has(i.name))
  if (dataInputs.length !== 1) {
    throw new InvalidInputError(`the model must have exactly one data input; it has ${dataInputs.length} (${dataInputs.map(i => i.name).join(', ')})`)
  }
  const inputInfo = dataInputs[0]
  const input = inputInfo.name
  const tensorType = inputInfo.type?.tensorType
  const inputDtype = dataTypeFromOnnx(tensorType?.elemType ?? 1)
  if (inputDtype !== 'float32') {
    throw new InvalidInputError(`input "${input}" must be float32 (element type ${tensorType?.elemType ?? '?'} found)`)
  }
  const declared = (tensorType?.shape?.dim ?? []).map(d => (d.dimValue != null && d.dimValue > 0 ? d.dimValue : undefined))
  let inputShape: number[]
  if (options.inputShape != null) {
    inputShape = options.inputShape
    if (inputShape.some(d => !Number.isInteger(d) || d <= 0)) throw new ShapeError(`input shape [${inputShape.join(',')}] must be positive integers`)
    if (declared.length > 0 && declared.length !== inputShape.length) {
      throw new ShapeError(`input "${input}" has rank ${declared.length}; the shape given [${inputShape.join(',')}] has rank ${inputShape.length}`)
    }
    const clash = declared.findIndex((d, i) => d != null && d !== inputShape[i])
    if (clash >= 0) {
      throw new ShapeError(`input "${input}" is declared as [${declared.map(d => d ?? '?').join(',')}]; dimension ${clash} cannot be ${inputShape[clash]}`)
    }
  } else {
    if (declared.length === 0 || declared.some(d => d == null)) {
      throw new ShapeError(`input "${input}" has no fixed shape ([${declared.map(d => d ?? '?').join(',')}]); give one with --input-shape`)
    }
    inputShape = declared as number[]
  }
  if (inputShape.length !== 4) throw new ShapeError(`input "${input}" must be an image batch of rank 4; got [${inputShape.join(',')}]`)

  const ordered = topoSort(g.node ?? [], new Set([input, ...constants.keys()]))
  const shapes = new Map<TensorName, number[]>([[input, inputShape]])
  const dtypes = new Map<TensorName, DataType>([[input, 'float32']])
  const alias = new Map<TensorName, TensorName>()
  const resolve = (t: TensorName): TensorName => alias.get(t) ?? t
  const kept: Array<Omit<GraphNode, 'id'>> = []

  ordered.forEach((proto, index) => {
    const name = proto.name != null && proto.name !== '' ? proto.name : `${proto.opType}_${index}`
    const node: Omit<GraphNode, 'id'> = {
      name,
      opType: proto.opType,
      domain: proto.domain ?? '',
      inputs: (proto.input ?? []).map(t => (t === '' ? '' : resolve(t))),
      outputs: proto.output ?? [],
      attributes: proto.attribute ?? []
    }
    for (const t of node.inputs) {
      if (t !== '' && !constants.has(t) && !shapes.has(t)) {
        throw new InvalidInputError(`node "${name}" reads tensor "${t}", which nothing produces`)
      }
    }
    if (PASS_THROUGH.has(node.opType)) {
      if (node.outputs.slice(1).some(o => o !== '')) {
        const mask = node.outputs[1]
        const used = (ordered.some(n => (n.input ?? []).includes(mask)) || (g.output ?? []).some(o => o.name === mask))
        if (used) throw new UnsupportedOpError(node.opType, name, 'its mask output is used')
      }
      alias.set(node.outputs[0], node.inputs[0])
      return
    }
    const full = (node as GraphNode)
    const allConst = node.inputs.every(t => t === '' || constants.has(t))
    if (node.opType === 'Shape' || node.opType === 'Size') {
      const s = shapes.get(node.inputs[0]) ?? constants.get(node.inputs[0])?.dims
      if (s == null) throw new UnsupportedOpError(node.opType, name, 'its input has no known shape')
      if (node.opType === 'Size') {
        constants.set(node.outputs[0], fromNumbers('int64', [], [s.reduce((a, b) => a * b, 1)]))
      } else {
        const rank = s.length
        const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank)
        const start = norm(attrInt(node as GraphNode, 'start', 0))
        const end = norm(attrInt(node as GraphNode, 'end', rank))
        const dims = s.slice(start, end)
        constants.set(node.outputs[0], fromNumbers('int64', [dims.length], dims))
      }
      return
    }
    if (node.opType === 'Constant' || (allConst && FOLDABLE_OPS.has(node.opType))) {
      const values = foldNode(full, node.inputs.map(t => (t === '' ? undefined : constants.get(t))), opset)
      node.outputs.forEach((o, i) => { if (o !== '') constants.set(o, values[i]) })
      return
    }
    const inputs: Array<NodeInput | undefined> = node.inputs.map(t => {
      if (t === '') return undefined
      const c = constants.get(t)
      if (c != null) return { shape: c.dims, dtype: c.dataType, value: c }
      return { shape: shapes.get(t)!, dtype: dtypes.get(t)! }
    })
    const out = inferNode(full, inputs, opset)
    node.outputs.forEach((o, i) => {
      if (o === '') return
      shapes.set(o, out.shapes[i])
      dtypes.set(o, out.dtypes[i])
    })
    kept.push(node)
  })

  const outputs = (g.output ?? []).map(o => resolve(o.name))
  for (const o of outputs) {
    if (constants.has(o)) throw new InvalidInputError(`graph output "${o}" is a constant; Tessera runs models whose outputs depend on the input`)
    if (!shapes.has(o) && o !== input) throw new InvalidInputError(`graph output "${o}" is produced by no node`)
  }

  // drop nodes that feed no output
  const live = new Set<TensorName>(outputs)
  const alive: Array<Omit<GraphNode, 'id'>> = []
  for (let i = kept.length - 1; i >= 0; i--) {
    const n = kept[i]
    if (n.outputs.some(o => live.has(o))) {
      alive.unshift(n)
      for (const t of n.inputs) if (t !== '') live.add(t)
    }
  }
  const nodes: GraphNode[] = alive.map((n, id) => ({ ...n, id }))
  for (const name of [...constants.keys()]) if (!live.has(name)) constants.delete(name)

  const producer = new Map<TensorName, number>()
  const consumers = new Map<TensorName, number[]>()
  for (const n of nodes) {
    n.outputs.forEach(o => { if (o !== '') producer.set(o, n.id) })
    for (const t of new Set(n.inputs)) {
      if (t === '' || constants.has(t)) continue
      consumers.set(t, [...(consumers.get(t) ?? []), n.id])
    }
  }

  const layout = new Map<TensorName, SpatialAxes>()
  const inputConsumers = consumers.get(input) ?? []
  const nhwc = inputConsumers.length > 0 && inputConsumers.every(id => {
    const n = nodes[id]
    const perm = n.attributes.find(a => a.name === 'perm')?.ints?.map(Number)
    return n.opType === 'Transpose' && perm != null && perm.join(',') === '0,3,1,2'
  })
  layout.set(input, nhwc ? { h: 1, w: 2 } : NCHW)
  for (const n of nodes) {
    const outs = outputLayouts(n, n.inputs.map(t => (t === '' || constants.has(t) ? undefined : { shape: shapes.get(t)!, axes: layout.get(t) })),
      n.outputs.map(o => shapes.get(o) ?? []))
    n.outputs.forEach((o, i) => {
      const axes = outs[i]
      if (o !== '' && axes != null && dtypes.get(o) === 'float32') layout.set(o, axes)
    })
  }
  for (const t of [...shapes.keys()]) if (!live.has(t) && t !== input) { shapes.delete(t); dtypes.delete(t) }
  for (const [t, c] of constants) { shapes.set(t, c.dims); dtypes.set(t, c.dataType) }

  log('loaded %s: %d nodes (%d in file), input %s %o, opset %d', options.name ?? g.name, nodes.length, (g.node ?? []).length, input, inputShape, opset)
  return {
    name: options.name ?? (g.name != null && g.name !== '' ? g.name : 'model'),
    opset,
    input,
    inputShape,
    outputs,
    nodes,
    constants,
    shapes,
    dtypes,
    producer,
    consumers,
    layout,
    sha256,
    model
  }
}

/** Reads and loads an ONNX file; the graph is named after the file unless a name is given. */
export function loadGraphFile (path: string, options: LoadOptions = {}): Graph {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (err: any) {
    throw new InvalidInputError(`cannot read model file "${path}": ${err.code === 'ENOENT' ? 'no such file' : err.message as string}`)
  }
  return loadGraph(bytes, { ...options, name: options.name ?? basename(path).replace(/\.onnx$/, '') })
}
