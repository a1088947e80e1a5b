// When the leader re-plans for a link: a change of a rate by a 25% step or of a latency by a x1.5 step
// does, the jitter of probes within a step does not.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { linkSignature } from '../../peer/planning/plan-service.js'
import type { MeshScenarioSpec } from '../../peer/planning/scenario-builder.js'

function spec (mbps: number, latencyMs: number): MeshScenarioSpec {
  return {
    name: 'm',
    model: 'vgg16',
    inputShape: [1, 3, 64, 64],
    devices: [],
    requesterDevice: 'a',
    linkMbps: { a: { b: mbps }, b: { a: 100 } },
    linkLatencyMs: { a: { b: latencyMs }, b: { a: 1 } },
    latencyMs: 1
  }
}

describe('the links a plan was made for', () => {
  it('is the same for jitter within a step', () => {
    assert.equal(linkSignature(spec(100, 1)), linkSignature(spec(104, 0.95)))
    assert.equal(linkSignature(spec(100, 0.1)), linkSignature(spec(100, 0.2)))
  })

  it('changes with a rate 30% off or a latency doubled', () => {
    assert.notEqual(linkSignature(spec(100, 1)), linkSignature(spec(70, 1)))
    assert.notEqual(linkSignature(spec(100, 1)), linkSignature(spec(100, 2)))
    assert.notEqual(linkSignature(spec(100, 1)), linkSignature(spec(100, 40)))
  })

  it('changes when a link is measured for the first time', () => {
    const more = spec(100, 1)
    more.linkMbps = { ...more.linkMbps, c: { a: 50 } }
    assert.notEqual(linkSignature(spec(100, 1)), linkSignature(more))
  })
})
