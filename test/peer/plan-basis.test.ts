// When the leader re-plans for its links: a rate 30% or a latency x2 (and 1 ms) away from what the
// plan was made for does, the jitter of probes around those values does not, and neither does a
// slow drift until it adds up.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { basisHolds, type PlanBasis } from '../../peer/planning/plan-service.js'

function basis (mbps: number, latencyMs: number, members = 'a,b'): PlanBasis {
  return {
    members,
    spec: { linkMbps: { a: { b: mbps }, b: { a: 100 } }, linkLatencyMs: { a: { b: latencyMs } }, latencyMs: 1 }
  }
}

describe('whether a plan still stands for the measured links', () => {
  it('holds for jitter around the values planned for', () => {
    assert.equal(basisHolds(basis(100, 1), basis(104, 1.05)), true)
    assert.equal(basisHolds(basis(100, 1), basis(80, 1.9)), true)
    assert.equal(basisHolds(basis(100, 0.1), basis(100, 0.9)), true)
  })

  it('does not hold for a rate 30% off, a latency doubled and a ms longer, or other members', () => {
    assert.equal(basisHolds(basis(100, 1), basis(131, 1)), false)
    assert.equal(basisHolds(basis(100, 1), basis(76, 1)), false)
    assert.equal(basisHolds(basis(100, 1), basis(100, 2.5)), false)
    assert.equal(basisHolds(basis(100, 30), basis(100, 8)), false)
    assert.equal(basisHolds(basis(100, 1), basis(100, 1, 'a,b,c')), false)
  })

  it('compares with the plan, not with the last probe: small steps add up', () => {
    const planned = basis(100, 1)
    assert.equal(basisHolds(planned, basis(120, 1)), true)
    assert.equal(basisHolds(planned, basis(140, 1)), false)
  })

  it('does not hold once a link is measured for the first time', () => {
    const more = basis(100, 1)
    more.spec.linkMbps = { ...more.spec.linkMbps, c: { a: 50 } }
    assert.equal(basisHolds(basis(100, 1), more), false)
  })
})
