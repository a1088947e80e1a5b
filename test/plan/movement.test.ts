import { test } from 'node:test'
import assert from 'node:assert/strict'
import { graphOf, smallNet } from '../engine/harness.js'
import { partInputRegion, planMovement } from '../../src/plan/movement.js'
import type { Plan } from '../../src/plan/types.js'
import type { Graph } from '../../src/graph/types.js'

function plan (graph: Graph, volumes: Plan['volumes'], tail = 'd0'): Plan {
  return { planner: 'test', model: { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape }, volumes, tail: { device: tail } }
}

const graph = graphOf(smallNet())
const twoVolumes = plan(graph, [
  { input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 8] }, { device: 'd1', rows: [8, 20] }] },
  { input: 'r0', output: 'r1', parts: [{ device: 'd1', rows: [0, 4] }, { device: 'd0', rows: [4, 10] }, { device: 'd2', rows: [10, 10] }] }
], 'd2')

test('the requester sends each first-volume part the input rows it reads, halo included', () => {
  const m = planMovement(graph, twoVolumes).messages.filter(x => x.from.kind === 'requester')
  assert.deepEqual(m.map(x => [x.to, x.tensor, x.rows, x.cols, x.bytes, x.local]), [
    [{ kind: 'part', volume: 0, part: 0, device: 'd0' }, 'x', [0, 9], [0, 18], 4 * 3 * 9 * 18, false],
    [{ kind: 'part', volume: 0, part: 1, device: 'd1' }, 'x', [7, 20], [0, 18], 4 * 3 * 13 * 18, false]
  ])
})

test('a part of the next volume gets exactly the rows it needs, each from the part that computed them', () => {
  const m = planMovement(graph, twoVolumes).messages.filter(x => x.from.kind === 'part' && x.to.kind === 'part')
  const show = m.map(x => `${x.from.kind === 'part' ? x.from.part : ''}->${x.to.kind === 'part' ? x.to.part : ''} ${x.tensor} [${x.rows.join(',')}) ${x.bytes}${x.local ? ' local' : ''}`)
  // receiver 0 (rows [0, 4) of r1, on d1) reads r0 rows [0, 9) through two 3x3 convs: [0, 8) from sender 0, row 8
  // from sender 1 on its own device; receiver 1 (rows [4, 10), on d0) reads r0 rows [6, 20): [6, 8) from sender 0
  // on its own device, [8, 20) from sender 1
  assert.deepEqual(show, [
    '0->0 r0 [0,8) ' + String(4 * 4 * 8 * 18),
    '0->1 r0 [6,8) ' + String(4 * 4 * 2 * 18) + ' local',
    '1->0 r0 [8,9) ' + String(4 * 4 * 1 * 18) + ' local',
    '1->1 r0 [8,20) ' + String(4 * 4 * 12 * 18)
  ])
  assert.deepEqual(partInputRegion(graph, twoVolumes, 1, 2), { rows: [0, 0], cols: [0, 0] }, 'an empty part reads nothing')
})

test('the tail gets every row of the last volume and the result goes back in one message', () => {
  const mv = planMovement(graph, twoVolumes)
  const tail = mv.messages.filter(x => x.to.kind === 'tail')
  assert.deepEqual(tail.map(x => [x.from.kind === 'part' ? x.from.part : -1, x.rows, x.local]), [[0, [0, 4], false], [1, [4, 10], false]])
  assert.equal(tail.reduce((s, x) => s + x.bytes, 0), 4 * 6 * 10 * 9)
  assert.deepEqual(mv.result, { from: { kind: 'tail', device: 'd2' }, to: { kind: 'requester' }, tensors: ['y'], bytes: 4 * 5 })
})

test('a plan without volumes sends the whole input to the tail', () => {
  const mv = planMovement(graph, plan(graph, [], 'd1'))
  assert.deepEqual(mv.messages.map(x => [x.from.kind, x.to.kind, x.rows, x.bytes]), [['requester', 'tail', [0, 20], 4 * 3 * 20 * 18]])
})

test('every receiver gets disjoint messages that tile the region it reads', () => {
  const p = plan(graph, [
    { input: 'x', output: 'r1', parts: [{ device: 'a', rows: [0, 3] }, { device: 'b', rows: [3, 3] }, { device: 'c', rows: [3, 10] }] },
    { input: 'r1', output: 'pool', parts: [{ device: 'c', rows: [0, 1] }, { device: 'a', rows: [1, 4] }, { device: 'b', rows: [4, 5] }] },
    { input: 'pool', output: 'head.relu', parts: [{ device: 'b', rows: [0, 5] }] }
  ], 'a')
  const mv = planMovement(graph, p)
  for (let l = 0; l < p.volumes.length; l++) {
    p.volumes[l].parts.forEach((_, k) => {
      const need = partInputRegion(graph, p, l, k)
      const inbound = mv.messages.filter(x => x.to.kind === 'part' && x.to.volume === l && x.to.part === k)
      const area = inbound.reduce((s, x) => s + (x.rows[1] - x.rows[0]) * (x.cols[1] - x.cols[0]), 0)
      assert.equal(area, (need.rows[1] - need.rows[0]) * (need.cols[1] - need.cols[0]), `volume ${l} part ${k}`)
      for (const x of inbound) assert.ok(x.rows[0] >= need.rows[0] && x.rows[1] <= need.rows[1])
    })
  }
})
