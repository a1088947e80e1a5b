import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Graph } from '../../src/graph/types.js'
import { ALPHA_CANDIDATES, DEEP_PARTITION_CONFIG, DEEP_PARTITION_VOLUMES, DISTREDGE_SPEC, chooseAlpha, defaultUpdatesPerStep, demonstrationSplits, distredge, distredgePartitions, partitionConfig } from '../../src/planners/distredge/index.js'
import { DEFAULT_CONFIG } from '../../src/planners/distredge/osds.js'
import { evaluateSplits } from '../../src/planners/distredge/environment.js'
import { LinearModel } from '../../src/planners/linear-model.js'
import { countsToBoundaries } from '../../src/planners/row-split.js'
import { lcPss } from '../../src/planners/distredge/lc-pss.js'
import { parsePolicy } from '../../src/planners/distredge/policy-file.js'
import { simEnvironment, volumeFeatures } from '../../src/planners/distredge/sim-environment.js'
import { offload } from '../../src/planners/offload.js'
import { loadScenario, parseScenario, resolveScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { ComputeCosts } from '../../src/sim/compute-cost.js'
import { buildPlan, wholeModelTimes } from '../../src/planners/plan-build.js'
import type { Scenario } from '../../src/sim/types.js'

let graph: Graph

before(async () => {
  graph = (await resolveScenario(parseScenario({ model: 'vgg16', inputShape: [1, 3, 64, 64], requester: { uplinkMbps: 1 }, devices: [{ id: 'x', profile: 'nano', uplinkMbps: 1 }] }))).graph
})

async function scenario (devices: Array<{ id: string, profile: string, uplinkMbps: number }>, latencyMs = 0): Promise<Scenario> {
  return await resolveScenario(parseScenario({ name: 'test', model: 'vgg16', inputShape: [1, 3, 64, 64], requester: { uplinkMbps: 1e5 }, devices, latencyMs }), { graph })
}

const quick = { episodes: 150, explorationDecay: 1 / 60, restarts: 2 }

test('LC-PSS: alpha = 0 cuts at every layer that pays, alpha = 1 keeps one volume, 0.75 in between', () => {
  const costs = new ComputeCosts(graph)
  const at = (alpha: number): number => lcPss(graph, costs, { alpha, samples: 20, devices: 4, seed: 1 }).cuts.length - 1
  const none = at(1)
  const paper = at(0.75)
  const all = at(0)
  assert.equal(none, 1)
  assert.ok(all >= 8, `alpha = 0 gives ${all} volumes`)
  assert.ok(paper > none && paper < all, `alpha = 0.75 gives ${paper} volumes`)
})

test('LC-PSS ranks the partitions it scored: the chosen one first, then by score, all distinct', () => {
  const costs = new ComputeCosts(graph)
  const one = lcPss(graph, costs, { alpha: 0.75, samples: 20, devices: 4, seed: 1 })
  const three = lcPss(graph, costs, { alpha: 0.75, samples: 20, devices: 4, seed: 1, top: 3 })
  assert.deepEqual(one.ranked, [{ cuts: one.cuts, score: one.score }])
  assert.deepEqual(three.cuts, one.cuts)
  assert.equal(three.ranked.length, 3)
  assert.deepEqual(three.ranked[0].cuts, one.cuts)
  assert.equal(new Set(three.ranked.map(p => p.cuts.join(','))).size, 3)
  for (let i = 1; i < 3; i++) assert.ok(three.ranked[i].score >= three.ranked[i - 1].score, `rank ${i}: ${three.ranked[i].score} < ${three.ranked[i - 1].score}`)
  for (const p of three.ranked) {
    assert.equal(p.cuts[0], one.cuts[0])
    assert.equal(p.cuts[p.cuts.length - 1], one.cuts[one.cuts.length - 1])
  }
})

test('the simulator environment: features of each volume, finish times from the schedule, T of the whole plan', async () => {
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 100 }, { id: 'b', profile: 'tx2', uplinkMbps: 50 }, { id: 'c', profile: 'xavier', uplinkMbps: 200 }], 1)
  const sim = createSimulator(s)
  // conv1_2 ends at features.3 (64 channels, 3x3 stride 1, 64 rows); the first pool at features.4 (2x2 stride 2).
  assert.deepEqual(volumeFeatures(graph, 'input', 'features.3'), { height: 64, channels: 64, filter: 3, stride: 1 })
  assert.deepEqual(volumeFeatures(graph, 'features.3', 'features.4'), { height: 32, channels: 64, filter: 2, stride: 2 })
  const env = simEnvironment(sim, ['input', 'features.9', 'features.30'])
  assert.equal(env.deviceCount, 3)
  assert.deepEqual(env.volumes.map(v => v.height), [16, 2])
  const splits = [[0, 4, 10, 16], [0, 0, 2, 2]]
  const episode = env.episode()
  const first = Array.from(episode.step(splits[0]))
  const prefix = sim.run(env.plan(splits.slice(0, 1), 'test'))
  for (const [k, id] of ['a', 'b', 'c'].entries()) {
    assert.equal(first[k], Math.max(...prefix.parts.filter(p => p.device === id).map(p => p.end)))
  }
  const second = Array.from(episode.step(splits[1]))
  assert.equal(second[0], first[0], 'a provider without rows keeps its finish time')
  assert.ok(second[1] > first[1])
  const plan = env.plan(splits, 'test')
  assert.equal(plan.tail.device, 'b', 'the tail goes to the largest share of the last volume')
  assert.equal(episode.latency(), sim.latency(plan))
})

test('two equal devices on a fast network split every volume about half and half', async () => {
  const s = await scenario([{ id: 'a', profile: 'tx2', uplinkMbps: 1e5 }, { id: 'b', profile: 'tx2', uplinkMbps: 1e5 }])
  // No demonstrations: the equal split would be one of them. The paper's alpha fixes the partition, as below.
  const plan = await distredge({ config: quick, demonstrations: false, alpha: 0.75 }).plan(s, { seed: 1 })
  const sim = createSimulator(s)
  assert.equal(plan.predictedMs, sim.latency(plan))
  // The optimum for the partition LC-PSS chose: exact halves (rows are costed in steps of 8 on a tx2).
  const cuts = [plan.volumes[0].input, ...plan.volumes.map(v => v.output)]
  const halves = plan.volumes.map(v => { const h = v.parts[1].rows[1]; return [0, Math.ceil(h / 2), h] })
  const optimum = sim.latency(buildPlan(s, 'halves', cuts, halves, 'a'))
  assert.ok(plan.predictedMs! <= optimum * 1.02, `${plan.predictedMs} ms against ${optimum} ms for halves`)
  for (const v of plan.volumes) {
    const h = v.parts[1].rows[1]
    if (h < 16) continue
    const larger = Math.max(...v.parts.map(p => p.rows[1] - p.rows[0]))
    assert.ok(larger <= 0.6 * h, `volume ${v.output}: ${JSON.stringify(v.parts.map(p => p.rows))}`)
  }
})

test('one device ten times faster behind slow links gets everything', async () => {
  const s = await scenario([{ id: 'pi-1', profile: 'pi3', uplinkMbps: 2 }, { id: 'xavier', profile: 'xavier', uplinkMbps: 2 }, { id: 'pi-2', profile: 'pi3', uplinkMbps: 2 }], 1)
  // No demonstrations: everything on the fastest device would be one of them. The paper's alpha fixes the
  // partition: this tests the agent, not the choice of alpha.
  const plan = await distredge({ config: quick, demonstrations: false, alpha: 0.75 }).plan(s, { seed: 1 })
  for (const v of plan.volumes) {
    for (const p of v.parts) if (p.device !== 'xavier') assert.equal(p.rows[1] - p.rows[0], 0, `volume ${v.output}: ${JSON.stringify(v.parts)}`)
  }
  assert.equal(plan.tail.device, 'xavier')
  const sim = createSimulator(s)
  assert.ok(plan.predictedMs! <= sim.latency(await offload().plan(s)) + 1e-9)
})

test('demonstrations count among the decisions seen: never worse than everything on the fastest device', async () => {
  const s = await scenario([{ id: 'pi3', profile: 'pi3', uplinkMbps: 300 }, { id: 'nano', profile: 'nano', uplinkMbps: 200 }, { id: 'xavier', profile: 'xavier', uplinkMbps: 50 }], 1)
  const plan = await distredge({ config: { episodes: 16 } }).plan(s, { seed: 1 })
  const sim = createSimulator(s)
  assert.ok(plan.predictedMs! <= sim.latency(await offload().plan(s)) + 1e-9)
})

test('the linear-model demonstration splits each volume as the linear device + network model does, and counts among the decisions', async () => {
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 300 }, { id: 'b', profile: 'nano', uplinkMbps: 300 }, { id: 'slow', profile: 'nano', uplinkMbps: 2 }], 1)
  const sim = createSimulator(s)
  const cuts = lcPss(s.graph, sim.costs, { alpha: 0.75, samples: 100, devices: 3, seed: 1 }).cuts
  const env = simEnvironment(sim, cuts)
  const model = new LinearModel(sim)
  const demos = demonstrationSplits(env, wholeModelTimes(sim), { model, cuts })
  assert.equal(demos.length, 4)
  assert.equal(demonstrationSplits(env, wholeModelTimes(sim)).length, 3)
  demos[3].forEach((b, l) => {
    assert.deepEqual(b, countsToBoundaries(model.bestSplit(model.block(cuts[l], cuts[l + 1])).rows))
    // Behind a 2 Mbps link the third device gets (almost) nothing; the equal split would give it a third.
    assert.ok(b[3] - b[2] < env.volumes[l].height / 6, `volume ${l}: [${b.join(', ')}]`)
  })
  const plan = await distredge({ config: { episodes: 8 }, partitions: 1 }).plan(s, { seed: 1 })
  assert.ok(plan.predictedMs! <= evaluateSplits(env, demos[3].map((b, l) => env.feasible(l, b))) + 1e-9)
})

test('the same seed gives the same plan', async () => {
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 50 }, { id: 'b', profile: 'tx2', uplinkMbps: 100 }, { id: 'c', profile: 'xavier', uplinkMbps: 200 }], 1)
  const config = { episodes: 40, restarts: 1 }
  const a = await distredge({ config }).plan(s, { seed: 7 })
  const b = await distredge({ config }).plan(s, { seed: 7 })
  assert.deepEqual(a, b)
})

test('the default updates per step follow the device count (8 up to 4 devices, 4 above); a given value wins', async () => {
  assert.equal(defaultUpdatesPerStep(2), 8)
  assert.equal(defaultUpdatesPerStep(4), 8)
  assert.equal(defaultUpdatesPerStep(16), 4)
  const dir = mkdtempSync(join(tmpdir(), 'tessera-updates-'))
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 50 }, { id: 'b', profile: 'tx2', uplinkMbps: 100 }, { id: 'c', profile: 'xavier', uplinkMbps: 200 }], 1)
  const weights = async (config: Record<string, number>, name: string): Promise<string> => {
    const file = join(dir, name)
    await distredge({ config: { episodes: 24, restarts: 1, ...config }, savePolicy: file }).plan(s, { seed: 2 })
    return parsePolicy(JSON.parse(readFileSync(file, 'utf8'))).weights.actor.params.join(',')
  }
  const byDefault = await weights({}, 'default.json')
  assert.equal(byDefault, await weights({ updatesPerStep: 8 }, 'eight.json'))
  assert.notEqual(byDefault, await weights({ updatesPerStep: 4 }, 'four.json'))
})

test('training on more LC-PSS partitions never gives a worse plan with the same seed, and keeps the winning cuts in the policy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-partitions-'))
  const file = join(dir, 'policy.json')
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 50 }, { id: 'b', profile: 'tx2', uplinkMbps: 100 }, { id: 'c', profile: 'xavier', uplinkMbps: 200 }], 1)
  const config = { episodes: 40, restarts: 1 }
  const one = await distredge({ config, partitions: 1 }).plan(s, { seed: 5 })
  const three = await distredge({ config, partitions: 3, savePolicy: file }).plan(s, { seed: 5 })
  assert.ok(three.predictedMs! <= one.predictedMs! + 1e-9, `${three.predictedMs} vs ${one.predictedMs}`)
  const saved = parsePolicy(JSON.parse(readFileSync(file, 'utf8')))
  assert.equal(saved.best.latencyMs, three.predictedMs)
  const sim = createSimulator(s)
  const ranked = lcPss(s.graph, sim.costs, { alpha: chooseAlpha(sim, 100, 5).alpha, samples: 100, devices: 3, seed: 5, top: 3 }).ranked.map(p => p.cuts.join(','))
  assert.ok(ranked.includes(saved.cuts.join(',')), `saved cuts ${saved.cuts.join(',')} are one of the ranked partitions`)
  assert.equal(sim.latency(simEnvironment(sim, saved.cuts).plan(saved.best.splits, 'check')), three.predictedMs)
})

test('LC-PSS\'s alpha: the candidate whose partition gives the fastest demonstration (ND-nano: 0.6 of 0.75, 0.6, 0.5, 0.4, 0.25); the paper preset keeps 0.75', async () => {
  const s = await loadScenario(new URL('../../src/sim/suite/ND-nano.json', import.meta.url).pathname)
  const sim = createSimulator(s)
  const times = wholeModelTimes(sim)
  const model = new LinearModel(sim)
  const cutsAt = (alpha: number): string[] => lcPss(s.graph, sim.costs, { alpha, samples: 100, devices: 4, seed: 0 }).cuts
  const bestDemo = ALPHA_CANDIDATES.map(alpha => {
    const cuts = cutsAt(alpha)
    const env = simEnvironment(sim, cuts)
    return Math.min(...demonstrationSplits(env, times, { model, cuts }).map(b => evaluateSplits(env, b)))
  })
  const expected = ALPHA_CANDIDATES[bestDemo.indexOf(Math.min(...bestDemo))]
  assert.equal(expected, 0.6, `best demonstration per alpha: ${bestDemo.join(', ')}`)
  assert.deepEqual(chooseAlpha(sim), { alpha: expected, demonstrationMs: bestDemo })
  assert.notDeepEqual(cutsAt(0.6), cutsAt(0.75))
  assert.deepEqual(distredgePartitions(sim, 1), [cutsAt(0.6)])
  assert.deepEqual(distredgePartitions(sim, 1, 0.75), [cutsAt(0.75)])
  // The planner trains on the chosen alpha's cuts; the paper preset on the paper's alpha.
  const dir = mkdtempSync(join(tmpdir(), 'tessera-alpha-'))
  const cutsTrained = async (init: Parameters<typeof distredge>[0], name: string): Promise<string[]> => {
    await distredge({ ...init, savePolicy: join(dir, name) }).plan(s, { seed: 0 })
    return parsePolicy(JSON.parse(readFileSync(join(dir, name), 'utf8'))).cuts
  }
  assert.deepEqual(await cutsTrained({ config: { episodes: 8 } }, 'default.json'), cutsAt(0.6))
  assert.deepEqual(await cutsTrained({ paper: true, config: { episodes: 2 } }, 'paper.json'), cutsAt(0.75))
  // DC-300: everything on the fastest device is the best demonstration on every candidate partition, its latency
  // the same up to rounding: the paper's alpha stays.
  const tied = chooseAlpha(createSimulator(await loadScenario(new URL('../../src/sim/suite/DC-300.json', import.meta.url).pathname)))
  const [first, ...others] = tied.demonstrationMs
  for (const ms of others) assert.ok(Math.abs(ms - first) < 1e-9 * first, `${ms} against ${first}`)
  assert.equal(tied.alpha, 0.75)
})

test('NC-nano: the demonstrations pick alpha 0.25, a deep partition, which trains with the deep-partition settings; others keep theirs', async () => {
  const sim = createSimulator(await loadScenario(new URL('../../src/sim/suite/NC-nano.json', import.meta.url).pathname))
  const { alpha, demonstrationMs } = chooseAlpha(sim)
  assert.equal(alpha, 0.25, `best demonstration per alpha: ${demonstrationMs.join(', ')}`)
  const [cuts] = distredgePartitions(sim, 1)
  assert.ok(cuts.length - 1 > DEEP_PARTITION_VOLUMES, `${cuts.length - 1} volumes`)
  const config = { ...DEFAULT_CONFIG, updatesPerStep: 8 }
  assert.equal(partitionConfig(config, DEEP_PARTITION_VOLUMES), config, 'up to the threshold the settings are left as they are')
  const deep = partitionConfig(config, cuts.length - 1)
  assert.deepEqual(deep, { ...config, ...DEEP_PARTITION_CONFIG })
  assert.equal(partitionConfig({ ...config, updatesPerStep: 2 }, 8).updatesPerStep, 2, 'the deep settings never add updates')
  assert.equal(partitionConfig(config, 8, { exploredSteps: 3, updatesPerStep: 8 }).exploredSteps, 3, 'settings given win')
  assert.equal(partitionConfig(config, 8, { exploredSteps: 3, updatesPerStep: 8 }).updatesPerStep, 8)
})

test('a saved policy plans at once, fine-tunes, and is checked against the scenario', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-policy-'))
  const file = join(dir, 'policy.json')
  const s = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 100 }, { id: 'b', profile: 'tx2', uplinkMbps: 100 }, { id: 'c', profile: 'tx2', uplinkMbps: 300 }], 1)
  const trained = await distredge({ config: quick, savePolicy: file }).plan(s, { seed: 2 })
  const saved = parsePolicy(JSON.parse(readFileSync(file, 'utf8')))
  assert.deepEqual(saved.devices, ['a', 'b', 'c'])
  assert.equal(saved.best.latencyMs, trained.predictedMs)
  assert.deepEqual(saved.weights.actor.spec.sizes, [7, 32, 32, 2])
  const atOnce = await DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(s, { seed: 3 })
  assert.ok(atOnce.predictedMs! <= trained.predictedMs! + 1e-9, `${atOnce.predictedMs} vs ${trained.predictedMs}`)
  const tuned = await distredge({ config: { episodes: 30, restarts: 1 }, policy: file }).plan(s, { seed: 4 })
  assert.ok(tuned.predictedMs! <= trained.predictedMs! + 1e-9)

  const two = await scenario([{ id: 'a', profile: 'nano', uplinkMbps: 100 }, { id: 'b', profile: 'tx2', uplinkMbps: 100 }])
  await assert.rejects(DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(two), { name: 'InvalidInputError', message: /trained for 3 devices, the scenario has 2/ })
  const good = JSON.parse(readFileSync(file, 'utf8'))
  writeFileSync(file, JSON.stringify({ ...good, best: { ...good.best, splits: good.best.splits.map((b: number[]) => [...b.slice(0, -1), 999]) } }))
  await assert.rejects(DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(s), { name: 'InvalidInputError', message: /best\.splits\[0\] must rise from 0 to the volume's \d+ rows/ })
  const bad = JSON.parse(JSON.stringify(good))
  bad.actor.sizes = [7, 32, 3]
  writeFileSync(file, JSON.stringify(bad))
  await assert.rejects(DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(s), { name: 'InvalidInputError', message: /actor\.sizes 7-32-3 does not fit 3 devices/ })
  writeFileSync(file, JSON.stringify({ ...good, cuts: good.cuts.map((c: string, i: number) => i === 1 ? 'no-such-tensor' : c) }))
  await assert.rejects(DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(s), { name: 'InvalidInputError', message: /splits the volumes input > no-such-tensor > .*, LC-PSS cuts this model at/ })
  writeFileSync(file, JSON.stringify({ ...bad, version: 9 }))
  await assert.rejects(DISTREDGE_SPEC.create({ policy: file, episodes: '0' }).plan(s), { name: 'InvalidInputError', message: /version/ })
})

test('bad flags are rejected with the flag named', () => {
  assert.throws(() => DISTREDGE_SPEC.create({ episodes: 'many' }), { name: 'InvalidInputError', message: /--episodes: expected an integer/ })
  assert.throws(() => DISTREDGE_SPEC.create({ episodes: '0' }), { name: 'InvalidInputError', message: /--episodes 0 needs --policy/ })
  assert.throws(() => DISTREDGE_SPEC.create({ partitions: '0' }), { name: 'InvalidInputError', message: /--partitions: expected an integer >= 1/ })
  assert.throws(() => DISTREDGE_SPEC.create({ evaluations: '5' }), { name: 'InvalidInputError', message: /does not take --evaluations/ })
})
