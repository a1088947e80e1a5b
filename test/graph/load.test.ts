import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as ort from 'onnxruntime-node'
import { loadGraph } from '../../src/graph/load.js'
import { cutPoints, spatialPrefixEnd, cutPosition } from '../../src/graph/cuts.js'
import { encodeModel, type ModelProto } from '../../src/graph/onnx/codec.js'
import type { Graph } from '../../src/graph/types.js'
import { OnnxBuilder, attr } from '../../models/onnx-builder.js'
import { resnet18 } from '../../models/resnet.js'
import { inceptionv3 } from '../../models/inceptionv3.js'
import { mobilenetv2 } from '../../models/mobilenetv2.js'
import { yolov2 } from '../../models/yolov2.js'

/** Every tensor's shape as onnxruntime computes it: all intermediates exposed as outputs. */
async function ortShapes (model: ModelProto, inputShape: number[]): Promise<Map<string, number[]>> {
  const m = structuredClone(model)
  const g = m.graph!
  const declared = new Set((g.output ?? []).map(o => o.name))
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o !== '' && !declared.has(o)) g.output!.push({ name: o })
  const session = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1 })
  const size = inputShape.reduce((a, b) => a * b, 1)
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(size).fill(0.5), inputShape) })
  await session.release()
  return new Map(Object.entries(result).map(([k, v]) => [k, [...v.dims]]))
}

for (const [name, make, size] of [['resnet18', resnet18, 48], ['inceptionv3', inceptionv3, 91], ['mobilenetv2', mobilenetv2, 40], ['yolov2', yolov2, 64]] as const) {
  test(`shapes of ${name} agree with onnxruntime on every tensor`, async () => {
    const builder = make({ inputShape: [1, 3, size, size] })
    const model = builder.toModel()
    const graph = loadGraph(encodeModel(model))
    const reference = await ortShapes(model, [1, 3, size, size])
    let compared = 0
    for (const node of graph.nodes) {
      for (const o of node.outputs) {
        assert.deepEqual(graph.shapes.get(o), reference.get(o), `tensor ${o}`)
        compared++
      }
    }
    assert.ok(compared > 30)
  })
}

/** Nodes after every cut read only the cut tensor, constants, or tensors made after it. */
function assertCutsSeparate (graph: Graph): void {
  for (const t of cutPoints(graph)) {
    const p = cutPosition(graph, t)
    for (const node of graph.nodes.slice(p + 1)) {
      for (const i of node.inputs) {
        if (i === '' || i === t || graph.constants.has(i)) continue
        const prod = graph.producer.get(i)
        assert.ok(prod != null && prod > p, `node ${node.name} after cut ${t} reads ${i}, made before the cut`)
      }
    }
  }
}

test('cut points of resnet18 are the stem and block outputs, never inside a residual block', () => {
  const graph = loadGraph(resnet18({ inputShape: [1, 3, 64, 64] }).encode())
  const cuts = cutPoints(graph)
  assert.deepEqual(cuts.slice(0, 5), ['input', 'conv1', 'bn1', 'relu', 'maxpool'])
  for (const t of cuts.slice(5)) assert.match(t, /^layer\d\.\d\.(add|relu)$/)
  assert.equal(cuts.length, 5 + 16)
  assert.equal(spatialPrefixEnd(graph), 'layer4.1.relu')
  assertCutsSeparate(graph)
})

test('cut points of inceptionv3 and mobilenetv2 keep modules and inverted residuals whole', () => {
  const inc = loadGraph(inceptionv3({ inputShape: [1, 3, 91, 91] }).encode())
  const mixed = cutPoints(inc).filter(t => t.startsWith('Mixed'))
  assert.deepEqual(mixed, ['5b', '5c', '5d', '6a', '6b', '6c', '6d', '6e', '7a', '7b', '7c'].map(m => `Mixed_${m}.concat`))
  assertCutsSeparate(inc)
  const mob = loadGraph(mobilenetv2({ inputShape: [1, 3, 64, 64] }).encode())
  assertCutsSeparate(mob)
  // a block with a residual add has no cut between its expansion and its add
  const cuts = new Set(cutPoints(mob))
  const adds = mob.nodes.filter(n => n.opType === 'Add')
  assert.ok(adds.length >= 10)
  for (const add of adds) {
    const skip = add.inputs.find(i => cuts.has(i))
    assert.ok(skip != null, `the skip input of ${add.name} is a cut`)
    const start = cutPosition(mob, skip)
    for (let p = start + 1; p < add.id; p++) {
      for (const o of mob.nodes[p].outputs) assert.ok(!cuts.has(o), `${o} inside the block of ${add.name} is not a cut`)
    }
  }
})

function flattenFixture (): OnnxBuilder {
  // the pattern PyTorch's exporter writes for x.view(x.size(0), -1), plus exporter leftovers
  const b = new OnnxBuilder({ name: 'fold', seed: 1 })
  const x = b.input('x', [1, 3, 8, 8])
  const c = b.conv(x, { name: 'conv', out: 4, kernel: 3, pad: 1 })
  const [shape] = b.node('Shape', [c], { name: 'shape' })
  const zero = b.int64('zero', [0], [])
  const [n] = b.node('Gather', [shape, zero], { name: 'gather', attrs: { axis: attr.int(0) } })
  const axes = b.int64('axes', [0])
  const [n1] = b.node('Unsqueeze', [n, axes], { name: 'unsqueeze' })
  const minus = b.int64('minus_one', [-1])
  const [target] = b.node('Concat', [n1, minus], { name: 'concat_shape', attrs: { axis: attr.int(0) } })
  const [id] = b.node('Identity', [c], { name: 'identity' })
  const [drop] = b.node('Dropout', [id], { name: 'dropout' })
  const [flat] = b.node('Reshape', [drop, target], { name: 'flatten', outputShapes: [[1, 256]] })
  const y = b.gemm(flat, { name: 'fc', out: 10 })
  b.output(y)
  return b
}

test('shape-computing subgraphs fold away; Identity and Dropout disappear', () => {
  const graph = loadGraph(flattenFixture().encode())
  assert.deepEqual(graph.nodes.map(n => n.opType), ['Conv', 'Reshape', 'Gemm'])
  const reshape = graph.nodes[1]
  assert.equal(reshape.inputs[0], 'conv')
  const target = graph.constants.get(reshape.inputs[1])
  assert.ok(target != null)
  assert.deepEqual(Array.from(target.data, Number), [1, -1])
  assert.deepEqual(graph.shapes.get('flatten'), [1, 256])
  assert.equal(spatialPrefixEnd(graph), 'conv')
  assert.equal(graph.layout.has('flatten'), false)
})

test('NHWC inputs and channel shuffles keep their row axes', () => {
  const b = new OnnxBuilder({ name: 'layouts', seed: 2 })
  const x = b.input('x', [1, 8, 8, 3])
  const [nchw] = b.node('Transpose', [x], { name: 'to_nchw', attrs: { perm: attr.ints([0, 3, 1, 2]) }, outputShapes: [[1, 3, 8, 8]] })
  const c = b.conv(nchw, { name: 'conv', out: 4, kernel: 3, pad: 1 })
  const split = b.int64('split_shape', [1, 2, 2, 8, 8])
  const [g5] = b.node('Reshape', [c, split], { name: 'groups', outputShapes: [[1, 2, 2, 8, 8]] })
  const [sh] = b.node('Transpose', [g5], { name: 'shuffle', attrs: { perm: attr.ints([0, 2, 1, 3, 4]) }, outputShapes: [[1, 2, 2, 8, 8]] })
  const back = b.int64('back_shape', [1, 4, 8, 8])
  const [merged] = b.node('Reshape', [sh, back], { name: 'merge', outputShapes: [[1, 4, 8, 8]] })
  const [nhwc] = b.node('Transpose', [merged], { name: 'to_nhwc', attrs: { perm: attr.ints([0, 2, 3, 1]) }, outputShapes: [[1, 8, 8, 4]] })
  b.output(nhwc)
  const graph = loadGraph(b.encode())
  assert.deepEqual(graph.layout.get('x'), { h: 1, w: 2 })
  assert.deepEqual(graph.layout.get('to_nchw'), { h: 2, w: 3 })
  assert.deepEqual(graph.layout.get('groups'), { h: 3, w: 4 })
  assert.deepEqual(graph.layout.get('shuffle'), { h: 3, w: 4 })
  assert.deepEqual(graph.layout.get('merge'), { h: 2, w: 3 })
  assert.deepEqual(graph.layout.get('to_nhwc'), { h: 1, w: 2 })
  assert.equal(spatialPrefixEnd(graph), 'to_nhwc')
})

test('bad models and shapes give named errors', () => {
  const bytes = flattenFixture().encode()
  assert.throws(() => loadGraph(bytes.subarray(0, Math.floor(bytes.length / 2))), { name: 'OnnxDecodeError' })
  assert.throws(() => loadGraph(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), { name: 'OnnxDecodeError' })
  assert.throws(() => loadGraph(bytes, { inputShape: [1, 3, 10, 10] }), (err: Error) => err.name === 'ShapeError' && /dimension 2/.test(err.message))
  assert.throws(() => loadGraph(bytes, { inputShape: [1, 3, 8] }), { name: 'ShapeError' })

  const b = new OnnxBuilder({ name: 'bad', seed: 3 })
  const x = b.input('x', [1, 3, 8, 8])
  const [y] = b.node('LpNormalization', [x], { name: 'my_norm', outputShapes: [[1, 3, 8, 8]] })
  b.output(y)
  assert.throws(() => loadGraph(b.encode()), (err: any) => err.name === 'UnsupportedOpError' && err.opType === 'LpNormalization' &&
    /my_norm/.test(err.message) && err.exitCode === 2)
})

test('exporter-style graphs (opsets 9-17) load with shapes that agree with onnxruntime', async () => {
  const { exporterFixtures } = await import('../fixtures/exporter-patterns.js')
  const { decodeModel } = await import('../../src/graph/onnx/codec.js')
  for (const f of exporterFixtures()) {
    const graph = loadGraph(f.bytes)
    const reference = await ortShapes(decodeModel(f.bytes), f.inputShape)
    for (const node of graph.nodes) {
      for (const o of node.outputs) assert.deepEqual(graph.shapes.get(o), reference.get(o), `${f.name}: tensor ${o}`)
    }
    assert.ok(!graph.nodes.some(n => ['Shape', 'Gather', 'Unsqueeze', 'Identity', 'Cast', 'Transpose'].includes(n.opType)), `${f.name} keeps no shape or constant ops`)
  }
})
