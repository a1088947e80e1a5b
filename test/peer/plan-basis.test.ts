// When the leader re-plans for its links: a rate 30% or a latency x2 (and 1 ms) away from what the
// plan was made for does, the jitter of probes around those values does not, and neither does a
// slow drift until it adds up. Links past those tolerances with the same members re-plan only when the
// served plan's predicted latency on them moved by more than 10%, or when a link got better (another
// plan may now be the fastest).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { basisHolds, linksImproved, predictionHolds, repredict, type PlanBasis } from '../../peer/planning/plan-service.js'
import { PlannerRunner } from '../../peer/planning/planner-runner.js'
import { buildScenarioSpec, resolveMeshScenario } from '../../peer/planning/scenario-builder.js'
import { randomPlan } from '../../src/plan/random-plan.js'
import { Rng } from '../../src/planners/distredge/rng.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { linearProfile, tinyGraph, tinyModelBytes } from '../sim/fixtures.js'

function basis (mbps: number, latencyMs: number, members = 'a,b'): PlanBasis {
  return {
    members,
    spec: { linkMbps: { a: { b: mbps }, b: { a: 100 } }, linkLatencyMs: { a: { b: latencyMs } }, latencyMs: 1 },
    speeds: ''
  }
}

describe('whether a plan still stands for the measured links', () => {
  it('holds for jitter around the values planned for', () => {
    assert.equal(basisHolds(basis(100, 1), basis(104, 1.05)), true)
    assert.equal(basisHolds(basis(100, 1), basis(80, 1.9)), true)
    assert.equal(basisHolds(basis(100, 0.1), basis(100, 0.9)), true)
  })

  it('does not hold for a rate 30% off, a latency doubled and a ms longer, other members or other service factors', () => {
    assert.equal(basisHolds(basis(100, 1), basis(131, 1)), false)
    assert.equal(basisHolds(basis(100, 1), basis(76, 1)), false)
    assert.equal(basisHolds(basis(100, 1), basis(100, 2.5)), false)
    assert.equal(basisHolds(basis(100, 30), basis(100, 8)), false)
    assert.equal(basisHolds(basis(100, 1), basis(100, 1, 'a,b,c')), false)
    assert.equal(basisHolds(basis(100, 1), { ...basis(100, 1), speeds: 'a=1.3' }), false)
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

  it('tells links that got better from links that got worse', () => {
    assert.equal(linksImproved(basis(100, 1), basis(200, 1)), true)
    // a rate up by a third re-plans only through predictionHolds: an estimate climbing to a link's rate
    assert.equal(linksImproved(basis(100, 1), basis(131, 1)), false)
    assert.equal(linksImproved(basis(9, 1), basis(12, 1)), false)
    assert.equal(linksImproved(basis(41, 95), basis(150, 1.7)), true)
    assert.equal(linksImproved(basis(100, 30), basis(100, 8)), true)
    assert.equal(linksImproved(basis(100, 1), basis(76, 1)), false)
    assert.equal(linksImproved(basis(100, 1), basis(100, 2.5)), false)
    // jitter, and a latency halved by less than a millisecond
    assert.equal(linksImproved(basis(100, 1), basis(120, 0.6)), false)
    assert.equal(linksImproved(basis(100, 1.2), basis(100, 0.3)), false)
    // other members re-plan anyway; a pair measured for the first time is not a better link
    assert.equal(linksImproved(basis(100, 1), basis(200, 1, 'a,b,c')), false)
    const more = basis(100, 1)
    more.spec.linkMbps = { ...more.spec.linkMbps, c: { a: 500 } }
    assert.equal(linksImproved(basis(100, 1), more), false)
  })

  it('keeps a served plan whose predicted latency on the new links is within 10% of the one it was published with', () => {
    assert.equal(predictionHolds(100, 100), true)
    assert.equal(predictionHolds(100, 109.9), true)
    assert.equal(predictionHolds(100, 90.1), true)
    assert.equal(predictionHolds(100, 110.5), false)
    assert.equal(predictionHolds(100, 89), false)
  })

  it('scores a served plan on new links in the planner worker as the simulator does', async () => {
    const graph = tinyGraph()
    const dir = mkdtempSync(join(tmpdir(), 'tessera-predict-'))
    const modelPath = join(dir, 'tiny.onnx')
    writeFileSync(modelPath, tinyModelBytes())
    const P1 = '12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1'
    const P2 = '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2'
    const spec = (mbps: number, rttMs: number): ReturnType<typeof buildScenarioSpec> => buildScenarioSpec({
      name: 'mesh term 1',
      model: 'tiny',
      inputShape: [1, 1, 8, 4],
      requester: P1,
      members: [
        { peer: P1, name: 'a', profile: measuredProfileToJson(linearProfile(graph, 'a', 1, 2, 3)), links: [{ peer: P2, mbps, rttMs, samples: 3 }] },
        { peer: P2, name: 'b', profile: measuredProfileToJson(linearProfile(graph, 'b', 0.5, 1, 1)), links: [{ peer: P1, mbps, rttMs, samples: 3 }] }
      ]
    })
    const runner = new PlannerRunner()
    try {
      const rng = new Rng(3)
      const plan = randomPlan(graph, () => rng.uniform(), { devices: ['a', 'b'] })
      for (const [mbps, rttMs] of [[100, 1], [0.01, 1], [100, 40]]) {
        const s = spec(mbps, rttMs)
        assert.equal(await runner.predict({ modelPath, spec: s, plan }), createSimulator(resolveMeshScenario(s, graph)).latency(plan))
      }
      // a slower link costs a plan that uses it
      assert.ok(await runner.predict({ modelPath, spec: spec(0.01, 1), plan }) > await runner.predict({ modelPath, spec: spec(100, 1), plan }))
    } finally {
      await runner.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('carries the newest prediction in the announcement of a plan a re-plan gave again', () => {
    const graph = tinyGraph()
    const plan = { ...randomPlan(graph, () => 0.5, { devices: ['a', 'b'] }), predictedMs: 149.7 }
    const ann = { kind: 'plan' as const, term: 1, planId: 4, members: [{ device: 'a', peer: 'p', addrs: [] }], plan }
    const again = repredict(ann, 349.5)
    assert.ok(again != null)
    assert.equal(again.plan.predictedMs, 349.5)
    assert.deepEqual({ ...again, plan: { ...again.plan, predictedMs: 149.7 } }, ann)
    assert.equal(ann.plan.predictedMs, 149.7, 'the old announcement is left as it was')
    assert.equal(repredict(ann, 149.7), undefined)
    assert.equal(repredict({ ...ann, plan: { ...plan, predictedMs: undefined } }, 100), undefined)
  })
})
