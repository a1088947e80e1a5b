import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import type { Graph } from '../../src/graph/types.js'
import { PLANNERS, defaultPlannerName } from '../../src/planners/index.js'
import { SEARCH_SPEC, search } from '../../src/planners/search/index.js'
import { parseScenario, resolveScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import type { MeasuredProfile, Scenario } from '../../src/sim/types.js'
import { device, linearProfile, scenario as fixtureScenario, tinyGraph } from '../sim/fixtures.js'

let graph: Graph

before(async () => {
  graph = (await resolveScenario(parseScenario({ model: 'vgg16', inputShape: [1, 3, 64, 64], requester: { uplinkMbps: 1 }, devices: [{ id: 'x', profile: 'nano', uplinkMbps: 1 }] }))).graph
})

async function scenario (devices: Array<{ id: string, profile: string, uplinkMbps: number }>, requesterMbps = 300, latencyMs = 1): Promise<Scenario> {
  return await resolveScenario(parseScenario({ name: 'test', model: 'vgg16', inputShape: [1, 3, 64, 64], requester: { uplinkMbps: requesterMbps }, devices, latencyMs }), { graph })
}

test('search is at least as good as every baseline, and its predicted latency is the simulator\'s', async () => {
  const s = await scenario([{ id: 'nano', profile: 'nano', uplinkMbps: 100 }, { id: 'pi3', profile: 'pi3', uplinkMbps: 300 }, { id: 'xavier', profile: 'xavier', uplinkMbps: 200 }, { id: 'tx2', profile: 'tx2', uplinkMbps: 50 }])
  const sim = createSimulator(s)
  const plan = await search({ evaluations: 6000 }).plan(s, { seed: 1 })
  assert.equal(plan.predictedMs, sim.latency(plan))
  for (const name of ['offload', 'modnn', 'coedge', 'deepthings', 'deeperthings', 'aofl']) {
    const baseline = sim.latency(await PLANNERS[name].create().plan(s))
    assert.ok(plan.predictedMs! <= baseline + 1e-9, `search ${plan.predictedMs} ms, ${name} ${baseline} ms`)
  }
})

test('search returns the whole model as one sub-model on one device when that beats every plan with volumes', async () => {
  const g = tinyGraph()
  // a part and the tail each pay a 5 ms hand-over: one sub-model on the fast device pays it once
  const profile = (name: string, perRow: number): MeasuredProfile => ({ ...linearProfile(g, name, perRow, perRow, 1), handoverMs: 5 })
  const s = fixtureScenario(g, [device('fast', 0, profile('fast', 1)), device('slow', 1, profile('slow', 10))])
  const sim = createSimulator(s)
  const plan = await search({ evaluations: 2000 }).plan(s, { seed: 3 })
  const offload = await PLANNERS.offload.create().plan(s)
  assert.deepEqual(plan.volumes, [])
  assert.equal(plan.tail.device, 'fast')
  assert.equal(plan.predictedMs, sim.latency(plan))
  assert.ok(plan.predictedMs! <= sim.latency(offload) + 1e-9, `search ${plan.predictedMs} ms, offload ${sim.latency(offload)} ms`)
})

test('two equal devices on a fast network: search splits half and half and beats one device', async () => {
  const s = await scenario([{ id: 'a', profile: 'tx2', uplinkMbps: 1e5 }, { id: 'b', profile: 'tx2', uplinkMbps: 1e5 }], 1e5, 0)
  const sim = createSimulator(s)
  const plan = await search({ evaluations: 4000 }).plan(s, { seed: 2 })
  const alone = sim.latency(await PLANNERS.offload.create().plan(s))
  assert.ok(plan.predictedMs! < 0.85 * alone, `${plan.predictedMs} ms against ${alone} ms alone`)
  const first = plan.volumes[0]
  const h = first.parts[1].rows[1]
  assert.ok(Math.abs(first.parts[0].rows[1] - h / 2) <= h / 8, JSON.stringify(first.parts))
})

test('search is deterministic by seed and spends exactly its budget', async () => {
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 50 }, { id: 'b', profile: 'xavier', uplinkMbps: 100 }])
  let messages: string[] = []
  const a = await search({ evaluations: 1500 }).plan(s, { seed: 5, onProgress: m => messages.push(m) })
  assert.match(messages[messages.length - 1], /1500\/1500 evaluations/)
  messages = []
  const b = await search({ evaluations: 1500 }).plan(s, { seed: 5 })
  assert.deepEqual(a, b)
})

test('the default planner for 4 and 16 devices is a registered planner (search, per the benchmark)', () => {
  for (const devices of [4, 16]) assert.equal(defaultPlannerName(devices), 'search')
  assert.ok(Object.hasOwn(PLANNERS, defaultPlannerName(4)))
})

test('bad flags are rejected with the flag named', () => {
  assert.throws(() => SEARCH_SPEC.create({ evaluations: '0' }), { name: 'InvalidInputError', message: /--evaluations: expected an integer >= 1/ })
  assert.throws(() => SEARCH_SPEC.create({ episodes: '5' }), { name: 'InvalidInputError', message: /does not take --episodes/ })
})

test('one device: search plans everything on it', async () => {
  const s = await scenario([{ id: 'only', profile: 'tx2', uplinkMbps: 100 }])
  const plan = await search({ evaluations: 200 }).plan(s, { seed: 1 })
  assert.equal(plan.tail.device, 'only')
  for (const v of plan.volumes) for (const p of v.parts) assert.equal(p.device, 'only')
  assert.equal(plan.predictedMs, createSimulator(s).latency(plan))
})
