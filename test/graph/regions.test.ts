import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allRanges, bruteForce, bruteRange, graphOf } from '../engine/harness.js'
import { opCases } from '../engine/op-cases.js'
import { inputRegion, partRegions, unsplittableReason } from '../../src/graph/regions.js'
import type { Range } from '../../src/graph/types.js'

const show = (r: Range | null | undefined): string => (r == null || r[1] <= r[0] ? 'none' : `[${r[0]}, ${r[1]})`)

/**
 * The rows a part holds are exactly those its outputs depend on; a part wholly inside a constant
 * padding depends on none and holds one real row instead (so the layers before it never run empty).
 */
function assertHeld (got: Range, want: Range | null | undefined, message: string): void {
  if (want == null || want[1] <= want[0]) {
    assert.ok(got[1] - got[0] <= 1, `${message}: holds ${show(got)} where it reads none`)
    return
  }
  assert.equal(show(got), show(want), message)
}

for (const c of opCases()) {
  test(`row and column map of ${c.name} matches brute force`, async () => {
    const graph = graphOf(c.bytes)
    const output = graph.outputs[0]
    const brute = await bruteForce(c.bytes, graph, output)
    const shape = graph.shapes.get(output)!
    const axes = graph.layout.get(output)!
    const H = shape[axes.h]
    const W = shape[axes.w]
    const volume = { input: graph.input, output }
    for (const [a, b] of allRanges(H)) {
      const got = partRegions(graph, volume, [a, b], [0, W]).get(graph.input)!.rows
      const want = bruteRange(brute.rows, a, b)
      assertHeld(got, want, `${c.name}: input rows for output rows [${a}, ${b})`)
    }
    for (const [a, b] of allRanges(W)) {
      const got = partRegions(graph, volume, [0, H], [a, b]).get(graph.input)!.cols
      const want = bruteRange(brute.cols, a, b)
      assertHeld(got, want, `${c.name}: input columns for output columns [${a}, ${b})`)
    }
  })
}

test('inputRegion reports the padding a conv reads past each edge', () => {
  const c = opCases().find(x => x.name === 'Conv k3 s2 asymmetric pads')!
  const graph = graphOf(c.bytes)
  const node = graph.nodes[0]
  // pads [top 0, left 1, bottom 2, right 0], stride 2, input 11 x 10, output 6 x 4
  assert.deepEqual(inputRegion(graph, node, 0, [0, 6], [0, 5]), { rows: [0, 11], cols: [0, 10], pads: [0, 1, 2, 0] })
  assert.deepEqual(inputRegion(graph, node, 0, [5, 6], [0, 1]), { rows: [10, 11], cols: [0, 2], pads: [0, 1, 2, 0] })
  assert.deepEqual(inputRegion(graph, node, 0, [2, 3], [2, 3]), { rows: [4, 7], cols: [3, 6], pads: [0, 0, 0, 0] })
  assert.equal(inputRegion(graph, node, 1, [0, 6], [0, 5]), null, 'weights have no rows')
})

test('unsplittableReason names the global op of a squeeze-excite block and nothing else', () => {
  for (const c of opCases()) {
    const graph = graphOf(c.bytes)
    const reason = unsplittableReason(graph, { input: graph.input, output: graph.outputs[0] })
    if (c.name === 'squeeze-excite block') {
      assert.match(reason ?? '', /GlobalAveragePool node "se.pool"/)
    } else {
      assert.equal(reason, undefined, c.name)
    }
  }
})

test('a part of a squeeze-excite volume reads every input row', () => {
  const c = opCases().find(x => x.name === 'squeeze-excite block')!
  const graph = graphOf(c.bytes)
  const regions = partRegions(graph, { input: graph.input, output: 'y' }, [2, 3])
  assert.deepEqual(regions.get('x')!.rows, [0, 8])
  assert.deepEqual(regions.get('se.scale')!.rows, [1, 4])
})
