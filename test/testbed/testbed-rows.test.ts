import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { busiestDevice, rowOf } from '../../peer/testbed/testbed-rows.js'
import type { TestbedSample } from '../../peer/testbed/testbed-rows.js'

describe('testbed rows', () => {
  const sample = (over: Partial<TestbedSample>): TestbedSample => ({
    predictedMs: 100, nominalMs: 90, computeRatio: 1, runRatio: 0.9, servedMs: [100], clientMs: [110], plan: '1.3', servedBy: 'aofl', devices: ['a'], leader: 'a', verified: null, cpu: {}, ...over
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
})
