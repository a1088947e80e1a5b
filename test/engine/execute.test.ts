import { test } from 'node:test'
import assert from 'node:assert/strict'
import { graphOf, maxAbs, maxAbsDiff, pytorchStyleNet, runOnce, seededInput, seededValues, smallNet } from './harness.js'
import { checkModel } from '../../src/cli/check.js'
import { opCases } from './op-cases.js'
import { executePlan, SessionPool } from '../../src/engine/execute.js'
import { randomPlan } from '../../src/plan/random-plan.js'
import { validatePlan } from '../../src/plan/validate.js'
import type { Graph } from '../../src/graph/types.js'
import type { Plan } from '../../src/plan/types.js'

function plan (graph: Graph, volumes: Plan['volumes'], tail = 'd0'): Plan {
  return { planner: 'test', model: { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape }, volumes, tail: { device: tail } }
}

const bytes = smallNet()
const graph = graphOf(bytes)
const input = seededInput(graph.inputShape, 21)

async function relError (p: Plan, g = graph, b = bytes): Promise<number> {
  const x = g === graph ? input : seededInput(g.inputShape, 21)
  const whole = await runOnce(b, { [g.input]: x })
  const run = await executePlan(g, p, x)
  let worst = 0
  for (const o of g.outputs) worst = Math.max(worst, maxAbsDiff(run.outputs[o], whole[o]) / Math.max(1e-12, maxAbs(whole[o])))
  return worst
}

test('one volume on one device gives the whole model output', async () => {
  assert.ok(await relError(plan(graph, [{ input: 'x', output: 'head.relu', parts: [{ device: 'd0', rows: [0, 5] }] }])) <= 1e-5)
})

test('a plan with no volumes runs everything on the tail', async () => {
  assert.ok(await relError(plan(graph, [], 'd1')) <= 1e-6)
})

test('residual and concat volumes split over devices, empty parts, an unsplittable volume on one device', async () => {
  const p = plan(graph, [
    { input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 7] }, { device: 'd1', rows: [7, 7] }, { device: 'd2', rows: [7, 20] }] },
    { input: 'r0', output: 'r1', parts: [{ device: 'd2', rows: [0, 1] }, { device: 'd0', rows: [1, 6] }, { device: 'd1', rows: [6, 10] }] },
    { input: 'r1', output: 'pool', parts: [{ device: 'd1', rows: [0, 2] }, { device: 'd2', rows: [2, 5] }] },
    { input: 'pool', output: 'se.scale', parts: [{ device: 'd0', rows: [0, 0] }, { device: 'd1', rows: [0, 5] }] },
    { input: 'se.scale', output: 'head.relu', parts: [{ device: 'd2', rows: [0, 3] }, { device: 'd0', rows: [3, 5] }] }
  ], 'd1')
  validatePlan(graph, p)
  assert.ok(await relError(p) <= 1e-5)
})

test('parts that split columns too are exact', async () => {
  const p = plan(graph, [
    { input: 'x', output: 'r1', parts: [{ device: 'd0', rows: [0, 4], cols: [0, 5] }, { device: 'd1', rows: [0, 4], cols: [5, 9] }, { device: 'd2', rows: [4, 10] }] },
    { input: 'r1', output: 'head.relu', parts: [{ device: 'd1', rows: [0, 5] }] }
  ], 'd0')
  assert.ok(await relError(p) <= 1e-5)
})

test('twenty random plans over four devices are exact', async () => {
  let s = 0
  const values = seededValues(10000, 99)
  const random = (): number => (values[s++ % values.length] + 1) / 2
  const pool = new SessionPool()
  const whole = await runOnce(bytes, { x: input })
  try {
    for (let k = 0; k < 20; k++) {
      const p = randomPlan(graph, random, { devices: ['a', 'b', 'c', 'd'] })
      validatePlan(graph, p)
      const run = await executePlan(graph, p, input, { sessions: pool })
      const err = maxAbsDiff(run.outputs.y, whole.y) / maxAbs(whole.y)
      assert.ok(err <= 1e-5, `plan ${k}: ${JSON.stringify(p.volumes.map(v => [v.output, v.parts.map(x => x.rows)]))} error ${err}`)
    }
  } finally {
    await pool.dispose()
  }
})

test('a fully convolutional model whose output is the last cut needs no tail', async () => {
  const c = opCases().find(x => x.name === 'upsample and concat (detector neck)')!
  const g = graphOf(c.bytes)
  const p = plan(g, [{ input: 'x', output: 'y', parts: [{ device: 'd0', rows: [0, 5] }, { device: 'd1', rows: [5, 12] }] }], 'd1')
  assert.ok(await relError(p, g, c.bytes) <= 1e-6)
})

test('an input of the wrong shape is a ShapeError', async () => {
  await assert.rejects(executePlan(graph, plan(graph, []), seededInput([1, 3, 8, 8])), { name: 'ShapeError' })
})

test('a PyTorch-style export (shape subgraphs into Reshape, Identity, Dropout, Pad before pooling, depthwise, SE) is exact', async () => {
  const b = pytorchStyleNet()
  const g = graphOf(b)
  assert.ok(!g.nodes.some(n => ['Shape', 'Gather', 'Identity', 'Dropout'].includes(n.opType)), 'shape subgraphs folded, pass-throughs removed')
  const report = await checkModel(g, b, { devices: 3, plans: 12, seed: 5, threads: 1 })
  assert.ok(report.plans.some(p => p.volumes.length >= 3), 'some plans cut the prefix in several volumes')
  for (const p of report.plans) assert.ok(p.maxRelError <= 1e-5, `${JSON.stringify(p.volumes.map(v => [v.output, v.parts.map(x => x.rows)]))}: ${p.maxRelError}`)
})
