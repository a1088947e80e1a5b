import { test } from 'node:test'
import assert from 'node:assert/strict'
import { graphOf, smallNet } from '../engine/harness.js'
import { validatePlan } from '../../src/plan/validate.js'
import type { Plan } from '../../src/plan/types.js'

const graph = graphOf(smallNet())
const model = { name: graph.name, sha256: graph.sha256, inputShape: graph.inputShape }

function plan (volumes: Plan['volumes'], tail = 'd0'): Plan {
  return { planner: 'test', model, volumes, tail: { device: tail } }
}

const good = (): Plan => plan([
  { input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 8] }, { device: 'd1', rows: [8, 8] }, { device: 'd2', rows: [8, 20] }] },
  { input: 'r0', output: 'se.scale', parts: [{ device: 'd1', rows: [0, 0] }, { device: 'd2', rows: [0, 5] }] }
])

function rejects (p: Plan, pattern: RegExp, devices?: string[]): void {
  assert.throws(() => validatePlan(graph, p, { devices }), (err: any) => {
    assert.equal(err.name, 'InvalidPlanError')
    assert.match(err.message, pattern)
    return true
  })
}

test('a valid plan passes, empty parts and an unsplittable volume on one device included', () => {
  validatePlan(graph, good(), { devices: ['d0', 'd1', 'd2'] })
  validatePlan(graph, plan([]))
})

test('overlapping rows are rejected, naming the volume and both parts', () => {
  const p = good()
  p.volumes[0].parts[2].rows = [6, 20]
  rejects(p, /volumes\[0\] \(x -> r0\): parts\[0\] and parts\[2\] overlap in rows \[6, 8\)/)
})

test('a gap in the rows is rejected', () => {
  const p = good()
  p.volumes[0].parts[0].rows = [0, 5]
  rejects(p, /volumes\[0\] \(x -> r0\): rows \[5, 8\) are computed by no part/)
  const q = good()
  q.volumes[0].parts[2].rows = [8, 19]
  rejects(q, /rows \[19, 20\) are computed by no part \(the output has 20 rows\)/)
})

test('rows out of range are rejected', () => {
  const p = good()
  p.volumes[0].parts[2].rows = [8, 21]
  rejects(p, /volumes\[0\] \(x -> r0\) parts\[2\]: rows \[8, 21\) run past the output's 20 rows/)
})

test('an unknown device is rejected when the devices are known', () => {
  rejects(good(), /volumes\[0\] \(x -> r0\) parts\[1\]: unknown device "d1"/, ['d0', 'd2'])
  rejects(plan([], 'nobody'), /tail: unknown device "nobody"/, ['d0'])
})

test('a cut where more than one tensor crosses is rejected', () => {
  rejects(plan([{ input: 'x', output: 'res.a.relu', parts: [{ device: 'd0', rows: [0, 20] }] }]), /volumes\[0\] \(x -> res.a.relu\): "res.a.relu" is not a valid cut/)
  rejects(plan([{ input: 'x', output: 'y', parts: [{ device: 'd0', rows: [0, 1] }] }]), /"y" is not a valid cut/)
  rejects(plan([{ input: 'x', output: 'nothing', parts: [{ device: 'd0', rows: [0, 1] }] }]), /"nothing" is not a valid cut \(no such tensor\)/)
})

test('volumes must follow each other from the model input', () => {
  rejects(plan([{ input: 'r0', output: 'r1', parts: [{ device: 'd0', rows: [0, 10] }] }]), /volumes\[0\] \(r0 -> r1\): must start at "x"/)
  rejects(plan([
    { input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 20] }] },
    { input: 'r1', output: 'cat', parts: [{ device: 'd0', rows: [0, 10] }] }
  ]), /volumes\[1\] \(r1 -> cat\): must start at "r0", where volumes\[0\] ends/)
  rejects(plan([{ input: 'x', output: 'x', parts: [{ device: 'd0', rows: [0, 20] }] }]), /does not come after its input/)
})

test('an unsplittable volume split over two devices is rejected with the reason', () => {
  const p = good()
  p.volumes[1].parts[0].rows = [0, 2]
  p.volumes[1].parts[1].rows = [2, 5]
  rejects(p, /volumes\[1\] \(r0 -> se.scale\): cannot be split \(GlobalAveragePool node "se.pool"/)
})

test('a plan for another model or input shape is rejected', () => {
  rejects({ ...good(), model: { ...model, sha256: 'f'.repeat(64) } }, /sha256 ffffffffffff/)
  rejects({ ...good(), model: { ...model, inputShape: [1, 3, 40, 36] } }, /input shape \[1,3,40,36\]/)
})

test('parts with columns must tile the output without overlap', () => {
  const tiled = plan([{ input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 20], cols: [0, 10] }, { device: 'd1', rows: [0, 20], cols: [10, 18] }] }])
  validatePlan(graph, tiled)
  const overlap = plan([{ input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 20], cols: [0, 10] }, { device: 'd1', rows: [5, 20], cols: [9, 18] }] }])
  rejects(overlap, /parts\[0\] and parts\[1\] overlap in rows \[5, 20\) cols \[9, 10\)/)
  const short = plan([{ input: 'x', output: 'r0', parts: [{ device: 'd0', rows: [0, 20], cols: [0, 10] }, { device: 'd1', rows: [0, 19], cols: [10, 18] }] }])
  rejects(short, /cover 352 of the output's 360 positions/)
})
