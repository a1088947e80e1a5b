import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { interpolateSegment, measuredProfileToJson, missingMeasurements, parseMeasuredProfile, scaleProfileSpeed } from '../../src/sim/profile-measured.js'
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

  it('uses a whole layer table where a volume holds the layer, and pays one call per part', () => {
    const graph = tinyGraph()
    const base = linearProfile(graph, 'unit', 1, 2, 3)
    // the layer input -> r (conv a + relu) at 0.5 ms a row, one call of 0.25 ms in every table value
    const p = { ...base, callMs: 0.25, layers: [{ input: 'input', output: 'r', height: 8, points: [[1, 0.75], [8, 4.25]] as const }] }
    const sim = createSimulator(scenario(graph, [device('A', 0, p)]))
    // b[0,4): the layer on r[0,5) 2.75 - 0.25, conv b on 4 rows 8 - 0.25, plus one call
    assert.equal(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4]), 2.5 + 7.75 + 0.25)
    // a -> b does not hold conv a: the segments' tables (relu 0 clamps at 0)
    assert.equal(sim.partMs('A', { input: 'a', output: 'b' }, [0, 4]), 7.75 + 0.25)
    // the whole model: layer 4.25 - 0.25 and b 16 - 0.25 at full height, then the tail's own measured run
    assert.equal(sim.wholeModelMs('A'), 4 + 15.75 + 3)
  })

  it('takes what two layers save by running fused from their pair table', () => {
    const graph = tinyGraph()
    const base = linearProfile(graph, 'unit', 1, 2, 3)
    const layer = { input: 'input', output: 'r', height: 8, points: [[1, 0.75], [8, 4.25]] as const }
    // conv a + relu then conv b, fused: 1 ms less than the two apart at every row count
    const pair = { input: 'input', output: 'b', height: 8, points: [[1, 0.75 + 2 - 1], [8, 4.25 + 16 - 1]] as const }
    const p = { ...base, callMs: 0.25, layers: [layer], pairs: [{ middle: 'r', table: pair }] }
    const sim = createSimulator(scenario(graph, [device('A', 0, p)]))
    // b[0,4): layer on 5 rows 2.75 and b on 4 rows 8; the pair on 4 rows is 0.75 + 2 + (3.5 + 14)(3/7) - 1
    const fused = 0.75 + 2 + (3.5 + 14) * 3 / 7 - 1
    assert.ok(Math.abs(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4]) - (2.75 + 8 - (2.75 + 8 - fused))) < 1e-12)
    // the whole model: 4.25 + 16 - 1, then the tail fused in (one call less)
    assert.equal(sim.wholeModelMs('A'), 4.25 + 16 - 1 + 3 - 0.25)
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

  it('reads what an older file predates as 0: the receive delay (version 1), the mesh costs (versions 1 and 2), the whole model (1 to 3), the long hand-over (1 to 4); requires each from its version', () => {
    const graph = tinyGraph()
    const p = { ...linearProfile(graph, 'unit', 1, 2, 3), receiveMs: 1.25, handoverMs: 0.75, frameCost: { fixedMs: 0.125, msPerMiB: 3.5 }, wholeMs: 21.5, longHandover: { runMs: 18.5, ms: 2.25 } }
    const v5 = measuredProfileToJson(p)
    assert.equal(v5.version, 5)
    assert.deepEqual(parseMeasuredProfile(v5, 'unit'), p)
    const none = { runMs: 0, ms: 0 }
    const { longHandover, ...v4 } = { ...v5, version: 4 }
    assert.deepEqual(longHandover, { runMs: 18.5, ms: 2.25 })
    assert.deepEqual(parseMeasuredProfile(v4, 'four'), { ...p, name: 'four', longHandover: none })
    const { wholeMs, ...v3 } = { ...v4, version: 3 }
    assert.equal(wholeMs, 21.5)
    assert.deepEqual(parseMeasuredProfile(v3, 'three'), { ...p, name: 'three', wholeMs: 0, longHandover: none })
    const { handoverMs, frameCost, ...v2 } = { ...v3, version: 2 }
    assert.deepEqual([handoverMs, frameCost], [0.75, { fixedMs: 0.125, msPerMiB: 3.5 }])
    assert.deepEqual(parseMeasuredProfile(v2, 'two'), { ...p, name: 'two', handoverMs: 0, frameCost: { fixedMs: 0, msPerMiB: 0 }, wholeMs: 0, longHandover: none })
    const { receiveMs, ...v1 } = { ...v2, version: 1 }
    assert.equal(receiveMs, 1.25)
    assert.deepEqual(parseMeasuredProfile(v1, 'old'), { ...p, name: 'old', receiveMs: 0, handoverMs: 0, frameCost: { fixedMs: 0, msPerMiB: 0 }, wholeMs: 0, longHandover: none })
    assert.deepEqual([v1, v2, v3, v4, v5].map(missingMeasurements), [
      { receiveDelay: true, meshCosts: true, wholeModel: true, longHandover: false },
      { receiveDelay: false, meshCosts: true, wholeModel: true, longHandover: false },
      { receiveDelay: false, meshCosts: false, wholeModel: true, longHandover: true },
      { receiveDelay: false, meshCosts: false, wholeModel: false, longHandover: true },
      { receiveDelay: false, meshCosts: false, wholeModel: false, longHandover: false }
    ])
    assert.throws(() => parseMeasuredProfile({ ...v1, version: 2 }, 'f.json'), { name: 'InvalidInputError', message: /receiveMs: required in a version 2 profile/ })
    assert.throws(() => parseMeasuredProfile({ ...v2, version: 3 }, 'f.json'), { message: /handoverMs: required in a version 3 profile/ })
    assert.throws(() => parseMeasuredProfile({ ...v3, version: 4 }, 'f.json'), { message: /wholeMs: required in a version 4 profile/ })
    assert.throws(() => parseMeasuredProfile({ ...v4, version: 5 }, 'f.json'), { message: /longHandover: required in a version 5 profile/ })
    assert.throws(() => parseMeasuredProfile({ ...v1, receiveMs: 2 }, 'f.json'), { message: /receiveMs: a version 1 profile has no receiveMs/ })
    assert.throws(() => parseMeasuredProfile({ ...v2, frameCost }, 'f.json'), { message: /frameCost: a version 2 profile has no frameCost \(version 3 added it\)/ })
    assert.throws(() => parseMeasuredProfile({ ...v3, wholeMs: 3 }, 'f.json'), { message: /wholeMs: a version 3 profile has no wholeMs \(version 4 added it\)/ })
    assert.throws(() => parseMeasuredProfile({ ...v4, longHandover }, 'f.json'), { message: /longHandover: a version 4 profile has no longHandover \(version 5 added it\)/ })
    assert.throws(() => parseMeasuredProfile({ ...v5, receiveMs: -1 }, 'f.json'), { message: /receiveMs/ })
    assert.throws(() => parseMeasuredProfile({ ...v5, wholeMs: -1 }, 'f.json'), { message: /wholeMs/ })
    assert.throws(() => parseMeasuredProfile({ ...v5, longHandover: { runMs: 3 } }, 'f.json'), { message: /longHandover\.ms/ })
    assert.throws(() => parseMeasuredProfile({ ...v5, frameCost: { fixedMs: 0.1 } }, 'f.json'), { message: /frameCost\.msPerMiB/ })
    assert.throws(() => parseMeasuredProfile({ ...v5, version: 6 }, 'f.json'), { message: /version/ })
  })

  it('charges a run its hand-over: the short one after a short run, growing linearly to the long one after a run as long as its', () => {
    const graph = tinyGraph()
    // conv b's table: 2 ms a row; the long hand-over measured after a 16 ms run
    const p = { ...linearProfile(graph, 'unit', 1, 2, 3), handoverMs: 0.5, longHandover: { runMs: 16, ms: 2.5 } }
    const sim = createSimulator(scenario(graph, [device('A', 0, p)]))
    const conv = (rows: number): number => sim.partMs('A', { input: 'r', output: 'b' }, [0, rows])
    assert.equal(conv(1), 2 + 0.5 + 2 * (2 / 16))
    assert.equal(conv(4), 8 + 0.5 + 2 * (8 / 16))
    assert.equal(conv(8), 16 + 2.5)
    // past the long run: the long hand-over
    assert.equal(sim.tailMs('A', 'r'), 16 + 3 - 0 + 2.5)
    // a profile without a long hand-over (before version 5): the short one throughout
    const old = createSimulator(scenario(graph, [device('A', 0, { ...p, longHandover: { runMs: 0, ms: 0 } })]))
    assert.equal(old.partMs('A', { input: 'r', output: 'b' }, [0, 8]), 16 + 0.5)
  })

  it('scales a profile to a device\'s speed now: the tables, the call, the tail and the whole model, not the mesh costs', () => {
    const graph = tinyGraph()
    const p = { ...linearProfile(graph, 'unit', 1, 2, 3), callMs: 0.25, handoverMs: 0.5, receiveMs: 0.75, frameCost: { fixedMs: 0.125, msPerMiB: 3.5 }, wholeMs: 20, longHandover: { runMs: 16, ms: 2.5 } }
    const q = scaleProfileSpeed(p, 1.5)
    assert.deepEqual(q.segments.map(s => s.points), p.segments.map(s => s.points.map(([r, ms]) => [r, ms * 1.5])))
    assert.deepEqual([q.callMs, q.tailMs, q.wholeMs], [0.375, p.tailMs * 1.5, 30])
    assert.deepEqual([q.handoverMs, q.receiveMs, q.frameCost, q.longHandover], [p.handoverMs, p.receiveMs, p.frameCost, p.longHandover])
    // the simulator's whole model follows: 1.5 x the compute, the same hand-over
    const at = (x: typeof p): number => createSimulator(scenario(graph, [device('A', 0, x)])).wholeModelMs('A')
    const hand = (run: number): number => 0.5 + 2 * Math.min(1, run / 16)
    assert.ok(Math.abs(at(p) - (20 + hand(20))) < 1e-9 && Math.abs(at(q) - (30 + hand(30))) < 1e-9)
    assert.throws(() => scaleProfileSpeed(p, 0), RangeError)
    assert.throws(() => scaleProfileSpeed(p, Number.NaN), RangeError)
  })

  it('scales chains of two tables or more so the tail from the input takes the measured whole model; one table stays as measured', () => {
    const graph = tinyGraph()
    // chain at full height: a 8 + relu 0 + b 16 = 24 ms, then the tail 3 fused in (a call of 0.25 less): 26.75 by the tables
    const base = { ...linearProfile(graph, 'unit', 1, 2, 3), callMs: 0.25, handoverMs: 0.5 }
    const plain = createSimulator(scenario(graph, [device('A', 0, base)]))
    assert.equal(plain.wholeModelMs('A'), 26.75 + 0.5)
    // measured whole: 20.75 ms, so a chain runs at (20.75 - 3 + 0.25) / 24 = 0.75 of its tables
    const sim = createSimulator(scenario(graph, [device('A', 0, { ...base, wholeMs: 20.75 })]))
    assert.ok(Math.abs(sim.wholeModelMs('A') - (20.75 + 0.5)) < 1e-12)
    // from a: relu and conv b at full height, (0 + 16) x 0.75, the tail fused in
    assert.ok(Math.abs(sim.tailMs('A', 'a') - (12 + 3 - 0.25 + 0.5)) < 1e-12)
    // from r: conv b's one table as measured; from b: the tail's own run
    assert.equal(sim.tailMs('A', 'r'), plain.tailMs('A', 'r'))
    assert.equal(sim.tailMs('A', 'r'), 16 + 3 - 0.25 + 0.5)
    assert.equal(sim.tailMs('A', 'b'), 3 + 0.5)
    // a part over a, relu and b (three tables): b[0,4) computes a[0,5) 5 ms and b 8 ms, scaled; its hand-over is not
    assert.equal(plain.partMs('A', { input: 'input', output: 'b' }, [0, 4]), 13 + 0.5)
    assert.ok(Math.abs(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4]) - (13 * 0.75 + 0.5)) < 1e-12)
    // a part of conv b alone: its table
    assert.equal(sim.partMs('A', { input: 'r', output: 'b' }, [0, 4]), plain.partMs('A', { input: 'r', output: 'b' }, [0, 4]))
    // a whole model measured slower than its tables scales chains up as well
    const slow = createSimulator(scenario(graph, [device('A', 0, { ...base, wholeMs: 32.75 })]))
    assert.ok(Math.abs(slow.tailMs('A', 'a') - (16 * 1.25 + 3 - 0.25 + 0.5)) < 1e-12)
  })

  it('refuses a table measured for other cut points', () => {
    const graph = tinyGraph()
    const p = linearProfile(graph, 'unit', 1, 2, 3)
    const s = scenario(graph, [device('A', 0, { ...p, segments: p.segments.slice(1) })])
    assert.throws(() => createSimulator(s).wholeModelMs('A'), { name: 'InvalidScenarioError', message: /do not follow the cut points/ })
  })
})
