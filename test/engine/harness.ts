// Shared by the region, sub-model and execution tests: tiny models, seeded inputs, onnxruntime runs,
// and the brute-force row map (perturb input rows, see which output rows change).
import assert from 'node:assert/strict'
import { OnnxBuilder, attr, type AttrValue } from '../../models/onnx-builder.js'
import { createSession, type RuntimeSession } from '../../src/engine/runtime.js'
import { extractRegion, type HostTensor } from '../../src/engine/tensor.js'
import { partModel } from '../../src/engine/sub-model.js'
import { loadGraph } from '../../src/graph/load.js'
import { encodeModel } from '../../src/graph/onnx/codec.js'
import type { Graph, Range, Region, Volume } from '../../src/graph/types.js'

export { attr, OnnxBuilder }
export type { AttrValue }

/** Deterministic values in [-1, 1). */
export function seededValues (n: number, seed: number): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0
    s ^= s >>> 17
    s ^= s << 5; s >>>= 0
    out[i] = (s / 4294967296) * 2 - 1
  }
  return out
}

/** A float32 input tensor of `dims` with seeded values. */
export function seededInput (dims: number[], seed = 1): HostTensor {
  return { dataType: 'float32', dims, data: seededValues(dims.reduce((a, b) => a * b, 1), seed) }
}

/** A model of one node (plus whatever constants it reads) on input "x" of `shape`, output "y". */
export function oneNode (opType: string, shape: number[], options: {
  attrs?: Record<string, AttrValue>
  /** Extra inputs after x: a float32 constant (dims + values) or int64 list, or '' for an omitted input. */
  inputs?: Array<{ float: number[], dims: number[] } | { int64: number[] } | ''>
  opset?: number
} = {}): Uint8Array {
  const b = new OnnxBuilder({ name: opType.toLowerCase(), seed: 3 })
  const x = b.input('x', shape)
  const inputs = [x]
  ;(options.inputs ?? []).forEach((spec, i) => {
    if (spec === '') { inputs.push(''); return }
    if ('int64' in spec) inputs.push(b.int64(`k${i}`, spec.int64))
    else inputs.push(b.weight(`k${i}`, spec.dims, { kind: 'data', data: Float32Array.from(spec.float) }))
  })
  // the real output shape is inferred on load; the builder only needs one to declare the output
  b.node(opType, inputs, { name: 'op', outputs: ['y'], attrs: options.attrs, outputShapes: [[1]] })
  b.output('y')
  const model = b.toModel()
  model.graph!.output = [{ name: 'y', type: { tensorType: { elemType: 1 } } }]
  if (options.opset != null) model.opsetImport = [{ domain: '', version: options.opset }]
  return encodeModel(model)
}

/** Runs model bytes once on onnxruntime. */
export async function runOnce (bytes: Uint8Array, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const s = await createSession(bytes)
  try {
    return await s.run(feeds)
  } finally {
    await s.dispose()
  }
}

/** For each output row (or column), the [min, max + 1) of input rows (columns) whose change changes it; null when none does. */
export interface BruteMap {
  rows: Array<Range | null>
  cols: Array<Range | null>
}

function perturbed (input: HostTensor, axis: number, index: number, seed: number): HostTensor {
  const data = Float32Array.from(input.data as Float32Array)
  const dims = input.dims
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1)
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1)
  const noise = seededValues(outer * inner, seed)
  let k = 0
  for (let o = 0; o < outer; o++) {
    const base = (o * dims[axis] + index) * inner
    for (let i = 0; i < inner; i++) data[base + i] += 700 + 300 * noise[k++]
  }
  return { dataType: 'float32', dims: [...dims], data }
}

/** The brute-force row and column map of a graph's input -> `output`, via onnxruntime. */
export async function bruteForce (bytes: Uint8Array, graph: Graph, output: string): Promise<BruteMap> {
  const inAxes = graph.layout.get(graph.input)!
  const outAxes = graph.layout.get(output)!
  const outShape = graph.shapes.get(output)!
  const input = seededInput(graph.inputShape, 5)
  const session: RuntimeSession = await createSession(bytes)
  try {
    const base = (await session.run({ [graph.input]: input }))[output]
    const changed = async (axis: number, index: number): Promise<Set<number>> => {
      const out = (await session.run({ [graph.input]: perturbed(input, axis, index, index + 11) }))[output]
      const res = new Set<number>()
      const dims = out.dims
      const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1))
      const a = out.data as Float32Array
      const b0 = base.data as Float32Array
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b0[i] && !(Number.isNaN(a[i]) && Number.isNaN(b0[i]))) {
          const hi = Math.floor(i / strides[axis === inAxes.h ? outAxes.h : outAxes.w]) % dims[axis === inAxes.h ? outAxes.h : outAxes.w]
          res.add(hi)
        }
      }
      return res
    }
    const map = async (inAxis: number, outLen: number): Promise<Array<Range | null>> => {
      const lo = new Array<number>(outLen).fill(Infinity)
      const hi = new Array<number>(outLen).fill(-Infinity)
      for (let r = 0; r < graph.inputShape[inAxis]; r++) {
        for (const o of await changed(inAxis, r)) {
          lo[o] = Math.min(lo[o], r)
          hi[o] = Math.max(hi[o], r)
        }
      }
      return lo.map((l, o) => (l === Infinity ? null : [l, hi[o] + 1]))
    }
    return { rows: await map(inAxes.h, outShape[outAxes.h]), cols: await map(inAxes.w, outShape[outAxes.w]) }
  } finally {
    await session.dispose()
  }
}

/** The bounding [min, max) of the brute-force ranges of outputs [a, b). */
export function bruteRange (map: Array<Range | null>, a: number, b: number): Range | null {
  let lo = Infinity
  let hi = -Infinity
  for (let o = a; o < b; o++) {
    const r = map[o]
    if (r == null) continue
    lo = Math.min(lo, r[0])
    hi = Math.max(hi, r[1])
  }
  return lo === Infinity ? null : [lo, hi]
}

/** Largest absolute difference of two float tensors of equal size. */
export function maxAbsDiff (a: HostTensor, b: HostTensor): number {
  assert.deepEqual(a.dims, b.dims)
  const x = a.data as Float32Array
  const y = b.data as Float32Array
  let m = 0
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]))
  return m
}

/** Largest |value|. */
export function maxAbs (a: HostTensor): number {
  let m = 0
  for (const v of a.data as Float32Array) m = Math.max(m, Math.abs(v))
  return m
}

/** Loads bytes as a graph. */
export function graphOf (bytes: Uint8Array, inputShape?: number[]): Graph {
  return loadGraph(bytes, { inputShape })
}

/**
 * Runs the sub-model of every given output region of `volume` on the region of the input it declares, and
 * returns the largest difference from the same region of the whole model's output.
 */
export async function subModelError (graph: Graph, bytes: Uint8Array, volume: Volume, regions: Region[], seed = 7): Promise<{ maxError: number, scale: number, added: number[] }> {
  const input = seededInput(graph.inputShape, seed)
  const whole = (await runOnce(bytes, { [graph.input]: input }))[volume.output]
  const inAxes = graph.layout.get(volume.input)!
  const outAxes = graph.layout.get(volume.output)!
  const inShape = graph.shapes.get(volume.input)!
  const outShape = graph.shapes.get(volume.output)!
  const inFull: Region = { rows: [0, inShape[inAxes.h]], cols: [0, inShape[inAxes.w]] }
  const outFull: Region = { rows: [0, outShape[outAxes.h]], cols: [0, outShape[outAxes.w]] }
  let maxError = 0
  const added: number[] = []
  for (const r of regions) {
    const m = partModel(graph, volume, r.rows, r.cols)
    added.push(m.addedNodes)
    const feed = extractRegion(input, inFull, inAxes, m.inputs[0].region!)
    const got = (await runOnce(m.bytes, { [volume.input]: feed }))[volume.output]
    const want = extractRegion(whole, outFull, outAxes, r)
    maxError = Math.max(maxError, maxAbsDiff(got, want))
  }
  return { maxError, scale: maxAbs(whole), added }
}

/** Every row range [a, b) of [0, n), non-empty. */
export function allRanges (n: number): Range[] {
  const out: Range[] = []
  for (let a = 0; a < n; a++) for (let b = a + 1; b <= n; b++) out.push([a, b])
  return out
}

/**
 * A small CNN with every structure a plan meets: a residual block with a strided shortcut, concat
 * branches, a ceil_mode pool, a squeeze-excite block, then global pooling and a classifier.
 */
export function smallNet (shape: number[] = [1, 3, 20, 18]): Uint8Array {
  const b = new OnnxBuilder({ name: 'smallnet', seed: 12 })
  const x = b.input('x', shape)
  const r0 = b.relu(b.conv(x, { name: 'c0', out: 4, kernel: 3, pad: 1 }), 'r0')
  const a = b.relu(b.conv(r0, { name: 'res.a', out: 6, kernel: 3, pad: 1 }), 'res.a.relu')
  const bb = b.conv(a, { name: 'res.b', out: 6, kernel: 3, pad: 1, stride: 2 })
  const sc = b.conv(r0, { name: 'res.sc', out: 6, kernel: 1, stride: 2 })
  const r1 = b.relu(b.add(bb, sc, 'res.add'), 'r1')
  const i1 = b.conv(r1, { name: 'inc.1x1', out: 2, kernel: 1 })
  const i3 = b.conv(r1, { name: 'inc.3x3', out: 3, kernel: 3, pad: 1 })
  const ip = b.conv(b.maxPool(r1, { name: 'inc.pool', kernel: 3, stride: 1, pad: 1 }), { name: 'inc.pool.1x1', out: 2, kernel: 1 })
  const cat = b.concat([i1, i3, ip], 'cat')
  const p = b.node('MaxPool', [cat], { name: 'pool', attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, outputShapes: [[1, 7, Math.ceil(shape[2] / 4), Math.ceil(shape[3] / 4)]] })[0]
  const s = b.relu(b.conv(p, { name: 'se.conv', out: 8, kernel: 3, pad: 1 }), 'se.in')
  const g = b.globalAvgPool(s, 'se.pool')
  const gate = b.node('Sigmoid', [b.conv(g, { name: 'se.fc', out: 8, kernel: 1 })], { name: 'se.gate', outputShapes: [[1, 8, 1, 1]] })[0]
  const m = b.node('Mul', [s, gate], { name: 'se.scale', outputShapes: [[1, 8, Math.ceil(shape[2] / 4), Math.ceil(shape[3] / 4)]] })[0]
  const last = b.relu(b.conv(m, { name: 'head', out: 8, kernel: 3, pad: 1 }), 'head.relu')
  const f = b.flatten(b.globalAvgPool(last, 'gap'), 'flat')
  b.output(b.gemm(f, { name: 'fc', out: 5, output: 'y' }))
  return b.encode()
}

/**
 * The patterns of a PyTorch export: shape subgraphs (Shape, Gather, Unsqueeze, Concat) feeding Reshapes
 * of a channel shuffle and of the flatten, Identity and Dropout left in, ReLU6 as Clip, a depthwise
 * conv, an explicit Pad before pooling, a squeeze-excite block with HardSigmoid.
 */
export function pytorchStyleNet (): Uint8Array {
  const b = new OnnxBuilder({ name: 'pytorch-style', seed: 13 })
  const x = b.input('x', [1, 3, 24, 20])
  const c0 = b.batchNorm(b.conv(x, { name: 'stem', out: 8, kernel: 3, stride: 2, pad: 1, bias: false }), { name: 'stem.bn' })
  const r6 = b.clip(c0, 'stem.relu6', 0, 6)
  const id = b.node('Identity', [r6], { name: 'identity', outputShapes: [[1, 8, 12, 10]] })[0]
  const dw = b.relu(b.conv(id, { name: 'dw', out: 8, kernel: 3, pad: 1, group: 8 }), 'dw.relu')
  const shapeOf = (t: string, name: string, dims: number[]): string => b.node('Shape', [t], { name, outputShapes: [[dims.length]] })[0]
  const dim = (s: string, i: number, name: string): string => {
    const g = b.node('Gather', [s, b.int64(`${name}.index`, [i], [])], { name, attrs: { axis: attr.int(0) }, outputShapes: [[]] })[0]
    return b.node('Unsqueeze', [g, b.int64(`${name}.axes`, [0])], { name: `${name}.unsqueeze`, outputShapes: [[1]] })[0]
  }
  const s = shapeOf(dw, 'shuffle.shape', [1, 8, 12, 10])
  const n = dim(s, 0, 'shuffle.n')
  const h = dim(s, 2, 'shuffle.h')
  const w = dim(s, 3, 'shuffle.w')
  const target = b.node('Concat', [n, b.int64('shuffle.g', [2]), b.int64('shuffle.c', [4]), h, w], { name: 'shuffle.target', attrs: { axis: attr.int(0) }, outputShapes: [[5]] })[0]
  const r1 = b.node('Reshape', [dw, target], { name: 'shuffle.split', outputShapes: [[1, 2, 4, 12, 10]] })[0]
  const t = b.node('Transpose', [r1], { name: 'shuffle.swap', attrs: { perm: attr.ints([0, 2, 1, 3, 4]) }, outputShapes: [[1, 4, 2, 12, 10]] })[0]
  const back = b.node('Concat', [n, b.int64('shuffle.all', [-1]), h, w], { name: 'shuffle.back', attrs: { axis: attr.int(0) }, outputShapes: [[4]] })[0]
  const sh = b.node('Reshape', [t, back], { name: 'shuffle.merge', outputShapes: [[1, 8, 12, 10]] })[0]
  const pad = b.node('Pad', [sh, b.int64('pad.pads', [0, 0, 1, 1, 0, 0, 1, 1])], { name: 'pad', outputShapes: [[1, 8, 14, 12]] })[0]
  const pool = b.avgPool(pad, { name: 'pool', kernel: 3, stride: 2 })
  const g = b.globalAvgPool(pool, 'se.pool')
  const f1 = b.relu(b.conv(g, { name: 'se.fc1', out: 4, kernel: 1 }), 'se.relu')
  const gate = b.node('HardSigmoid', [b.conv(f1, { name: 'se.fc2', out: 8, kernel: 1 })], { name: 'se.gate', outputShapes: [[1, 8, 1, 1]] })[0]
  const scaled = b.node('Mul', [pool, gate], { name: 'se.scale', outputShapes: [[1, 8, 6, 5]] })[0]
  const head = b.relu(b.conv(scaled, { name: 'head', out: 6, kernel: 3, pad: 1 }), 'head.relu')
  const gap = b.globalAvgPool(head, 'gap')
  const gs = shapeOf(gap, 'flat.shape', [1, 6, 1, 1])
  const flatTarget = b.node('Concat', [dim(gs, 0, 'flat.n'), b.int64('flat.rest', [-1])], { name: 'flat.target', attrs: { axis: attr.int(0) }, outputShapes: [[2]] })[0]
  const flat = b.node('Reshape', [gap, flatTarget], { name: 'flat', outputShapes: [[1, 6]] })[0]
  const drop = b.node('Dropout', [flat], { name: 'dropout', outputShapes: [[1, 6]] })[0]
  b.output(b.gemm(drop, { name: 'fc', out: 4, output: 'y' }))
  return b.encode()
}
