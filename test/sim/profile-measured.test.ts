import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { interpolateSegment, measuredProfileToJson, parseMeasuredProfile } from '../../src/sim/profile-measured.js'
import { createSimulator } from '../../src/sim/simulate.js'
import type { MeasuredSegment } from '../../src/sim/types.js'
import { device, linearProfile, scenario, tinyGraph } from './fixtures.js'

describe('measured profiles', () => {
  const seg: MeasuredSegment = { input: 'x', output: 'y', height: 16, points: [[1, 2], [4, 2.5], [8, 6.5], [16, 10.5]] }

  it('interpolates linearly between points and keeps the first point below it', () => {
    assert.equal(interpolateSegment(seg, 0), 0)
    assert.equal(interpolateSegment(seg, 1), 2)
    assert.equal(interpolateSegment(seg, 6), 4.5)
    assert.equal(interpolateSegment(seg, 12), 8.5)
    assert.equal(interpolateSegment(seg, 16), 10.5)
  })

  it('costs a part as the sum of its segments at the rows each computes (halo included)', () => {
    const graph = tinyGraph()
    const s = scenario(graph, [device('A', 0, linearProfile(graph, 'unit', 1, 2, 3))])
    const sim = createSimulator(s)
    // b[0,4) computes a[0,5): 5 ms, and b: 8 ms
    assert.equal(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4]), 13)
    // half the columns of b[0,4): a[0,5) x cols [0,3) of 4 -> 3.75 ms, b x cols [0,2) of 4 -> 4 ms
    assert.equal(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4], [0, 2]), 5 * 3 / 4 + 8 / 2)
    assert.equal(sim.tailMs('A', 'r'), 16 + 3)
  })

  it('round-trips through its file form and rejects bad tables naming the key', () => {
    const graph = tinyGraph()
    const p = linearProfile(graph, 'unit', 1, 2, 3)
    const json = JSON.parse(JSON.stringify(measuredProfileToJson(p)))
    assert.deepEqual(parseMeasuredProfile(json, 'unit'), p)
    json.segments[1].points = [[2, 1], [1, 2]]
    assert.throws(() => parseMeasuredProfile(json, 'f.json'), { name: 'InvalidInputError', message: /segments\[1\]\.points\[1\]: rows must increase/ })
    json.segments[1].points = [[1, 1], [4, 2]]
    assert.throws(() => parseMeasuredProfile(json, 'f.json'), { message: /segments\[1\]\.points: the last point must be at rows = height \(8\)/ })
    assert.throws(() => parseMeasuredProfile({ ...measuredProfileToJson(p), extra: 1 }, 'f.json'), { message: /unknown key "extra"/ })
  })

  it('refuses a table measured for other cut points', () => {
    const graph = tinyGraph()
    const p = linearProfile(graph, 'unit', 1, 2, 3)
    const s = scenario(graph, [device('A', 0, { ...p, segments: p.segments.slice(1) })])
    assert.throws(() => createSimulator(s).wholeModelMs('A'), { name: 'InvalidScenarioError', message: /do not follow the cut points/ })
  })
})
