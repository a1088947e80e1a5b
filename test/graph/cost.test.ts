import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { loadGraph } from '../../src/graph/load.js'
import { graphWork, nodeWork } from '../../src/graph/cost.js'
import { OnnxBuilder } from '../../models/onnx-builder.js'
import { vgg16 } from '../../models/vgg16.js'

test('a conv part costs its rows, its halo and its weights', () => {
  const b = new OnnxBuilder({ name: 'one-conv', seed: 1 })
  const x = b.input('x', [1, 2, 8, 8])
  const y = b.conv(x, { name: 'conv', out: 4, kernel: 3, pad: 1 })
  b.output(b.maxPool(y, { name: 'pool', kernel: 2, stride: 2 }))
  const graph = loadGraph(b.encode())
  const conv = graph.nodes[0]
  // rows [2, 5): 3 rows x 8 cols x 4 channels out; input rows [1, 6) read; 36 FLOPs an output element
  assert.deepEqual(nodeWork(graph, conv, [2, 5]), { flops: 36 * 96, bytes: 4 * (5 * 8 * 2 + (4 * 2 * 9 + 4) + 96) })
  // the top edge: rows [0, 2) read input rows [0, 3), the rest is padding
  assert.deepEqual(nodeWork(graph, conv, [0, 2]), { flops: 36 * 64, bytes: 4 * (3 * 8 * 2 + 76 + 64) })
  // columns narrow it further
  assert.deepEqual(nodeWork(graph, conv, [2, 5], [0, 4]), { flops: 36 * 48, bytes: 4 * (5 * 5 * 2 + 76 + 48) })
  const pool = graph.nodes[1]
  assert.deepEqual(nodeWork(graph, pool, [1, 3]), { flops: 4 * 2 * 4 * 4, bytes: 4 * (4 * 8 * 4 + 2 * 4 * 4) })
})

test('vgg16 at 224x224 is 15.5 GMACs (30.9 GFLOPs)', () => {
  const graph = loadGraph(vgg16({ inputShape: [1, 3, 224, 224] }).encode())
  const { flops } = graphWork(graph)
  // published: 15.47 GMACs; ours counts 2 FLOPs a MAC plus pooling, ReLU and bias-free elementwise work
  assert.ok(flops > 30.9e9 && flops < 31.0e9, `vgg16 flops ${flops}`)
})

test('tessera inspect prints cut points as JSON and fails clearly on a bad model', () => {
  const ok = spawnSync(process.execPath, ['bin/tessera.js', 'inspect', 'resnet18', '--input-shape', '1,3,64,64', '--json'], { encoding: 'utf8' })
  assert.equal(ok.status, 0, ok.stderr)
  const report = JSON.parse(ok.stdout)
  assert.equal(report.spatialPrefixEnd, 'layer4.1.relu')
  assert.equal(report.cutPoints[0], 'input')
  assert.equal(report.nodes.length, 69)
  const bad = spawnSync(process.execPath, ['bin/tessera.js', 'inspect', 'no-such-model'], { encoding: 'utf8' })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /no-such-model/)
  const shape = spawnSync(process.execPath, ['bin/tessera.js', 'inspect', 'resnet18', '--input-shape', '1,3,x'], { encoding: 'utf8' })
  assert.equal(shape.status, 2)
  assert.match(shape.stderr, /--input-shape/)
})
