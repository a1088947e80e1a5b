import { test } from 'node:test'
import assert from 'node:assert/strict'
import { graphOf, subModelError } from './harness.js'
import { opCases } from './op-cases.js'
import { partModel, tailModel } from '../../src/engine/sub-model.js'
import { decodeModel } from '../../src/graph/onnx/codec.js'
import type { Range, Region } from '../../src/graph/types.js'

/** Row splits to try: every range on short outputs, else every single row, prefix and suffix. */
function rowRanges (H: number): Range[] {
  const out: Range[] = []
  if (H <= 8) {
    for (let a = 0; a < H; a++) for (let b = a + 1; b <= H; b++) out.push([a, b])
    return out
  }
  for (let k = 0; k < H; k++) out.push([k, k + 1])
  for (let k = 1; k < H; k++) out.push([0, k], [k, H])
  return out
}

for (const c of opCases()) {
  test(`sub-models of ${c.name} give exactly their rows and columns at every split`, async () => {
    const graph = graphOf(c.bytes)
    const output = graph.outputs[0]
    const volume = { input: graph.input, output }
    const shape = graph.shapes.get(output)!
    const axes = graph.layout.get(output)!
    const H = shape[axes.h]
    const W = shape[axes.w]
    const regions: Region[] = rowRanges(H).map(rows => ({ rows, cols: [0, W] }))
    for (let k = 0; k < W; k++) regions.push({ rows: [0, H], cols: [k, k + 1] })
    regions.push({ rows: [Math.floor(H / 3), H - 1 > Math.floor(H / 3) ? H - 1 : H], cols: [1, W] })
    const { maxError, scale } = await subModelError(graph, c.bytes, volume, regions)
    assert.ok(maxError <= 1e-5 * Math.max(1, scale), `${c.name}: max error ${maxError} (output scale ${scale})`)
  })
}

test('a part covering every row is the volume itself, with no node added', () => {
  for (const c of opCases()) {
    const graph = graphOf(c.bytes)
    const output = graph.outputs[0]
    const shape = graph.shapes.get(output)!
    const axes = graph.layout.get(output)!
    const m = partModel(graph, { input: graph.input, output }, [0, shape[axes.h]])
    const nodes = decodeModel(m.bytes).graph!.node!
    const reads = m.inputs[0].region!
    const inShape = graph.shapes.get(graph.input)!
    const inAxes = graph.layout.get(graph.input)!
    if (reads.rows[1] - reads.rows[0] === inShape[inAxes.h] && reads.cols[1] - reads.cols[0] === inShape[inAxes.w]) {
      assert.equal(m.addedNodes, 0, c.name)
      assert.deepEqual(nodes.map(n => n.opType), graph.nodes.map(n => n.opType), c.name)
    }
  }
})

test('a part adds a Slice only where a tensor holds more rows than a consumer reads', () => {
  const c = opCases().find(x => x.name === 'residual block with strided shortcut')!
  const graph = graphOf(c.bytes)
  const m = partModel(graph, { input: 'x', output: 'y' }, [1, 3])
  const ops = decodeModel(m.bytes).graph!.node!.map(n => n.opType)
  // x is read in rows [0, 7) by c1 (3x3 then 3x3 s2) and [2, 5) by the 1x1 s2 shortcut: one Slice for the shortcut
  assert.deepEqual(m.inputs[0].region, { rows: [0, 7], cols: [0, 10] })
  assert.equal(ops.filter(o => o === 'Slice').length, 1)
  assert.equal(m.addedNodes, 1)
})

test('the tail takes the last volume output whole and gives the graph outputs', () => {
  const c = opCases().find(x => x.name === 'squeeze-excite block')!
  const graph = graphOf(c.bytes)
  assert.equal(tailModel(graph, 'y'), undefined, 'nothing follows the graph output')
  const whole = tailModel(graph, graph.input)!
  assert.deepEqual(whole.inputs.map(p => p.name), ['x'])
  assert.deepEqual(whole.outputs.map(p => p.name), ['y'])
  assert.equal(whole.graphNodes, graph.nodes.length)
})
