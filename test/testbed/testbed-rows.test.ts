import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { busiestDevice, fastestPlanners, planLayout, rowOf, scenarioRows, slowerP, tiedPlanners } from '../../peer/testbed/testbed-rows.js'
import type { TestbedSample } from '../../peer/testbed/testbed-rows.js'
import { formatTestbedTable } from '../../src/cli/testbed.js'
import type { Plan } from '../../src/plan/types.js'

describe('testbed rows', () => {
  const sample = (over: Partial<TestbedSample>): TestbedSample => ({
    predictedMs: 100, nominalMs: 90, computeRatio: 1, runRatio: 0.9, servedMs: [100], clientMs: [110], plan: '1.3', layout: 'L', servedBy: 'aofl', devices: ['a'], leader: 'a', verified: null, cpu: {}, speed: {}, service: {}, ...over
  })

  it('pools the rounds\' requests and takes the median prediction', () => {
    const r = rowOf('S', 'aofl', [
      sample({ predictedMs: 100, servedMs: [110, 120, 130], clientMs: [150, 160, 170] }),
      sample({ predictedMs: 140, servedMs: [200, 100], clientMs: [210, 120], plan: '1.4', devices: ['b', 'a'] }),
      sample({ predictedMs: 90, servedMs: [115], clientMs: [130], verified: null })
    ])
    assert.equal(r.requests, 6)
    assert.equal(r.measuredMedianMs, 117.5)
    assert.equal(r.measuredP95Ms, 200)
    assert.equal(r.predictedMs, 100)
    assert.equal(r.predictionError, 17.5 / 117.5)
    assert.equal(r.clientMedianMs, 155)
    assert.equal(r.plan, '1.3 1.4 1.3')
    assert.deepEqual(r.devices, ['a', 'b'])
    assert.equal(r.leader, 'a')
    assert.deepEqual(r.rounds.map(x => x.measuredMedianMs), [120, 150, 115])
  })

  it('gives each device\'s speed factor as the median over the rounds that had one', () => {
    const r = rowOf('S', 'p', [sample({ speed: { a: 1.2, b: 0.9 } }), sample({ speed: { a: 1.1 } }), sample({ speed: { a: 1.0 } })])
    assert.deepEqual(r.speed, { a: 1.1, b: 0.9 })
    assert.deepEqual(rowOf('S', 'p', [sample({})]).speed, {})
    const s = rowOf('S', 'p', [sample({ service: { a: 1.5 } }), sample({ service: { a: 1.25, b: 0.8 } })])
    assert.deepEqual(s.service, { a: 1.375, b: 0.8 })
  })

  it('fails verification if any round failed it, and passes it only if every round checked', () => {
    assert.equal(rowOf('S', 'p', [sample({ verified: true }), sample({ verified: false })]).verified, false)
    assert.equal(rowOf('S', 'p', [sample({ verified: true }), sample({ verified: true })]).verified, true)
    assert.equal(rowOf('S', 'p', [sample({ verified: true }), sample({ verified: null })]).verified, null)
    assert.throws(() => rowOf('S', 'p', []), RangeError)
  })

  it('says when a round was measured while the leader planned, once per distinct cause', () => {
    assert.equal(rowOf('S', 'p', [sample({}), sample({})]).replanned, undefined)
    const why = 'the leader started planning during the requests: hub (links measured)'
    const r = rowOf('S', 'p', [sample({ replanned: why }), sample({}), sample({ replanned: why })])
    assert.equal(r.replanned, why)
  })

  it('takes each device\'s CPU figures as medians over the rounds that measured it, and names the busiest', () => {
    const r = rowOf('S', 'p', [
      sample({ cpu: { a: { msPerRequest: 40, quotaUse: 0.5 }, b: { msPerRequest: 100, quotaUse: 0.9 } } }),
      sample({ cpu: { a: { msPerRequest: 60, quotaUse: 0.7 } } }),
      sample({ cpu: { a: { msPerRequest: 50, quotaUse: 0.4 }, b: { msPerRequest: 80, quotaUse: 0.7 } } })
    ])
    assert.deepEqual(r.cpu, { a: { msPerRequest: 50, quotaUse: 0.5 }, b: { msPerRequest: 90, quotaUse: 0.8 } })
    assert.deepEqual(busiestDevice(r.cpu), { device: 'b', cpu: { msPerRequest: 90, quotaUse: 0.8 } })
    assert.equal(busiestDevice({}), undefined)
  })

  it('groups the planners that served the same plan, ranks plans by their pooled requests, and stars every planner of the fastest', () => {
    const plan = (planner: string, term: number, rows: [number, number], cols?: [number, number]): Plan => ({
      planner,
      predictedMs: term * 10,
      model: { name: 'm', sha256: 'x', inputShape: [1, 3, 8, 8] },
      volumes: [{ input: 'in', output: 'c', parts: [{ device: 'a', rows, ...(cols != null ? { cols } : {}) }, { device: 'b', rows: [rows[1], 8] }, { device: 'c', rows: [8, 8] }] }],
      tail: { device: 'a' }
    })
    // planner, term and prediction, and empty parts, do not make a different plan; rows, columns and devices do
    assert.equal(planLayout(plan('aofl', 1, [0, 4])), planLayout({ ...plan('search', 7, [0, 4]), volumes: [{ ...plan('x', 1, [0, 4]).volumes[0], parts: plan('x', 1, [0, 4]).volumes[0].parts.slice(0, 2) }] }))
    assert.notEqual(planLayout(plan('aofl', 1, [0, 4])), planLayout(plan('aofl', 1, [0, 5])))
    assert.notEqual(planLayout(plan('aofl', 1, [0, 4])), planLayout(plan('aofl', 1, [0, 4], [0, 4])))
    assert.notEqual(planLayout(plan('aofl', 1, [0, 4])), planLayout({ ...plan('aofl', 1, [0, 4]), tail: { device: 'b' } }))
    const hubAlone = planLayout(plan('x', 1, [0, 8]))
    const split = planLayout(plan('x', 1, [0, 4]))
    const rows = scenarioRows('S', new Map([
      ['offload', [sample({ layout: hubAlone, servedMs: [90, 100, 110] })]],
      ['modnn', [sample({ layout: split, servedMs: [95, 96, 97] })]],
      ['aofl', [sample({ layout: hubAlone, servedMs: [80, 82] })]],
      // one round on the hub alone, one split: a plan of its own
      ['search', [sample({ layout: hubAlone, servedMs: [70] }), sample({ layout: split, servedMs: [75] })]]
    ]))
    assert.deepEqual(rows.map(r => r.samePlan), ['A', 'B', 'A', 'C'])
    // offload and aofl pooled: 80 82 90 100 110
    assert.deepEqual(rows.map(r => r.planMedianMs), [90, 96, 90, 72.5])
    assert.deepEqual(rows.map(r => r.measuredMedianMs), [100, 96, 81, 72.5])
    assert.deepEqual([...fastestPlanners(rows)], ['search'])
    // without search, offload and aofl share the fastest plan (90) over modnn (96), though offload's own median is 100
    const three = scenarioRows('S', new Map([
      ['offload', [sample({ layout: hubAlone, servedMs: [90, 100, 110] })]],
      ['modnn', [sample({ layout: split, servedMs: [95, 96, 97] })]],
      ['aofl', [sample({ layout: hubAlone, servedMs: [80, 82] })]]
    ]))
    assert.deepEqual([...fastestPlanners(three)].sort(), ['aofl', 'offload'])
    const table = formatTestbedTable(three, false)
    assert.match(table, /offload \*\s+A 90\.0/)
    assert.match(table, /aofl \*\s+A 90\.0/)
    // modnn's 95-97 against 80-110: three requests a side do not tell the plans apart
    assert.ok(three[1].slowerP > 0.05, `slowerP ${three[1].slowerP}`)
    assert.deepEqual([three[0].slowerP, three[2].slowerP], [1, 1])
    assert.match(table, /modnn =\s+B\s/)
  })

  it('tells a slower plan from a tie by a one-sided Mann-Whitney test on the pooled requests', () => {
    const fast = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]
    // every request of the other plan slower: U = n m, z = (100 - 50 - 0.5) / sqrt(100 * 21 / 12) = 3.742
    assert.ok(Math.abs(slowerP(fast.map(x => x + 20), fast) - 9.1e-5) < 1e-5)
    // the same requests: U = n m / 2, z = -0.5 / 13.23
    assert.ok(Math.abs(slowerP(fast, fast) - 0.5151) < 1e-3)
    // interleaved, one step above: not slower at 5%
    const p = slowerP(fast.map(x => x + 0.5), fast)
    assert.ok(p > 0.05 && p < 0.5, `p ${p}`)
    assert.ok(slowerP(fast, fast.map(x => x + 20)) > 0.999)
    assert.throws(() => slowerP([], fast), RangeError)
    const rows = scenarioRows('S', new Map([
      ['offload', [sample({ layout: 'a', servedMs: fast })]],
      ['aofl', [sample({ layout: 'b', servedMs: fast.map(x => x + 0.5) })]],
      ['modnn', [sample({ layout: 'c', servedMs: fast.map(x => x + 20) })]]
    ]))
    assert.deepEqual([...fastestPlanners(rows)], ['offload'])
    assert.deepEqual([...tiedPlanners(rows)].sort(), ['aofl', 'offload'])
    const table = formatTestbedTable(rows, true)
    assert.match(table, /\| offload \* \|/)
    assert.match(table, /\| aofl = \|/)
    assert.match(table, /\| modnn \|/)
  })
})
