import { test } from 'node:test'
import assert from 'node:assert/strict'
import { actionToBoundaries, boundariesToAction } from '../../src/planners/distredge/action-mapping.js'
import { ReplayBuffer } from '../../src/planners/distredge/replay-buffer.js'
import { DEFAULT_CONFIG, defaultNoiseVariance, explorationProbability, noiseStd, terminalReward, trainOsds, type OsdsConfig } from '../../src/planners/distredge/osds.js'
import { evaluateSplits } from '../../src/planners/distredge/environment.js'
import { Rng } from '../../src/planners/distredge/rng.js'
import { DdpgAgent } from '../../src/planners/distredge/ddpg.js'
import { analyticEnvironment } from './analytic-env.js'

test('actions are sorted, clipped and mapped to rows with x = round(H (a - A) / (B - A))', () => {
  assert.deepEqual(actionToBoundaries([0.5, -0.5, 0], 100), [0, 25, 50, 75, 100])
  // Out of range values clip to the edges; ties give empty parts.
  assert.deepEqual(actionToBoundaries([3, -2, 0.2, 0.2], 10), [0, 0, 6, 6, 10, 10])
  // Rounding: 7 * (0.1 + 1) / 2 = 3.85 -> 4; 7 * 0.05 = 0.35 -> 0.
  assert.deepEqual(actionToBoundaries([0.1, -0.9], 7), [0, 0, 4, 7])
  assert.deepEqual(actionToBoundaries([0.5], 8, [0, 1]), [0, 4, 8])
  const raw = Float64Array.from([0.9, -0.1])
  actionToBoundaries(raw, 10)
  assert.deepEqual(Array.from(raw), [0.9, -0.1], 'the raw action is left as it was')
  assert.deepEqual(actionToBoundaries(boundariesToAction([0, 3, 3, 8, 14]), 14), [0, 3, 3, 8, 14])
})

test('the replay buffer keeps the last `capacity` transitions and samples whole rows', () => {
  const buffer = new ReplayBuffer(3, 2, 1)
  for (let i = 0; i < 5; i++) buffer.push([i, i + 0.5], [-i], i * 10, [i + 1, i + 1.5], i === 4)
  assert.equal(buffer.size, 3)
  const rng = new Rng(7)
  const batch = buffer.sample(200, rng)
  const seen = new Set<number>()
  for (let r = 0; r < batch.size; r++) {
    const i = batch.states[2 * r]
    seen.add(i)
    assert.equal(batch.states[2 * r + 1], i + 0.5)
    assert.equal(batch.actions[r], -i)
    assert.equal(batch.rewards[r], i * 10)
    assert.deepEqual([batch.nextStates[2 * r], batch.nextStates[2 * r + 1]], [i + 1, i + 1.5])
    assert.equal(batch.dones[r], i === 4 ? 1 : 0)
  }
  assert.deepEqual([...seen].sort(), [2, 3, 4], 'only the three newest transitions remain, each sampled')
  assert.throws(() => buffer.push([1], [0], 0, [1, 2], false), /sizes/)
  assert.throws(() => new ReplayBuffer(3, 2, 1).sample(1, rng), /empty/)
})

test('the exploration schedule and noise follow the paper', () => {
  assert.equal(explorationProbability(0, 1 / 250), 1)
  assert.equal(explorationProbability(125, 1 / 250), 0.75)
  assert.equal(explorationProbability(250, 1 / 250), 0)
  assert.equal(explorationProbability(400, 1 / 250), 0)
  assert.equal(defaultNoiseVariance(4), 0.1)
  assert.equal(defaultNoiseVariance(16), 1)
  assert.equal(defaultNoiseVariance(2), 0.1)
  assert.equal(noiseStd(0.3, 0.5, false), 0.3, 'the paper: a fixed sigma')
  assert.equal(noiseStd(0.3, 0.5, true), 0.15, 'annealed: sigma * eps')
  assert.equal(noiseStd(0.3, 0, true), 0)
})

test('the terminal reward is T_ref / T by default and an increasing affine function of 1 / T when scaled', () => {
  assert.equal(terminalReward(200, 100), 2)
  assert.equal(terminalReward(200, 200, 10), 1, 'the equal split scores 1 at any scale')
  assert.ok(Math.abs(terminalReward(200, 190, 10) - (1 + 10 * (200 / 190 - 1))) < 1e-12)
  const latencies = [150, 180, 200, 240]
  for (const scale of [1, 3, 10]) {
    const rewards = latencies.map(t => terminalReward(200, t, scale))
    assert.ok(rewards.every((r, i) => i === 0 || r < rewards[i - 1]), `scale ${scale}: a lower latency always earns more`)
  }
})

test('the reward scale and the annealed noise change training, and the fast-device optimum is still reached with them', async () => {
  const env = analyticEnvironment({ speeds: [1, 10, 1], link: () => 1, requesterLinks: [100, 100, 100], volumes })
  const base = await trainOsds(env, { ...small, episodes: 60, restarts: 1 }, { seed: 5 })
  const scaled = await trainOsds(env, { ...small, episodes: 60, restarts: 1, rewardScale: 10 }, { seed: 5 })
  const same = await trainOsds(env, { ...small, episodes: 60, restarts: 1, rewardScale: 1 }, { seed: 5 })
  assert.deepEqual(same.agent.weights().critic.params, base.agent.weights().critic.params, 'scale 1 is the unscaled reward')
  assert.notDeepEqual(scaled.agent.weights().critic.params, base.agent.weights().critic.params)
  const annealed = await trainOsds(env, { ...small, annealNoise: true, rewardScale: 10 }, { seed: 3 })
  assert.ok(annealed.latencyMs <= 12.8 * 1.05, `latency ${annealed.latencyMs}, splits ${JSON.stringify(annealed.splits)}`)
})

const volumes = [{ height: 32, cost: 1, rowBytes: 10 }, { height: 32, cost: 1, rowBytes: 10 }, { height: 16, cost: 2, rowBytes: 10 }]
const small: OsdsConfig = { ...DEFAULT_CONFIG, episodes: 200, explorationDecay: 1 / 80, restarts: 3, patience: 0 }

test('two equal devices on a free network split about half and half', async () => {
  const env = analyticEnvironment({ speeds: [1, 1], link: () => Infinity, requesterLinks: [Infinity, Infinity], volumes })
  const result = await trainOsds(env, small, { seed: 3 })
  // Every volume costs max(share) rows: the optimum is exact halves, 16 + 16 + 16 = 48.
  assert.ok(result.latencyMs <= 48 * 1.05, `latency ${result.latencyMs}`)
  result.splits.forEach((b, l) => {
    const h = volumes[l].height
    assert.ok(Math.abs(b[1] - h / 2) <= 0.15 * h, `volume ${l} split ${b.join(',')}`)
  })
  assert.equal(evaluateSplits(env, result.splits), result.latencyMs, 'the reported latency is that of the reported splits')
})

test('one device ten times faster behind slow links gets everything', async () => {
  // Input from the requester is cheap, but any exchange between devices costs more than the slow ones save.
  const env = analyticEnvironment({ speeds: [1, 10, 1], link: () => 1, requesterLinks: [100, 100, 100], volumes })
  const result = await trainOsds(env, small, { seed: 3 })
  // All on the fast device: 320 / 100 input + (32 + 32 + 32) / 10 compute = 12.8.
  assert.ok(result.latencyMs <= 12.8 * 1.05, `latency ${result.latencyMs}, splits ${JSON.stringify(result.splits)}`)
  result.splits.forEach((b, l) => {
    const fastRows = b[2] - b[1]
    assert.ok(fastRows >= volumes[l].height - 1, `volume ${l} split ${b.join(',')}`)
  })
})

test('the same seed gives the same plan; another seed explores differently', async () => {
  const env = analyticEnvironment({ speeds: [1, 3, 2], link: () => 40, requesterLinks: [50, 50, 50], volumes })
  const config = { ...small, episodes: 60, restarts: 2 }
  const a = await trainOsds(env, config, { seed: 11 })
  const b = await trainOsds(env, config, { seed: 11 })
  const c = await trainOsds(env, config, { seed: 12 })
  assert.deepEqual(a.splits, b.splits)
  assert.equal(a.latencyMs, b.latencyMs)
  assert.deepEqual(a.history, b.history)
  assert.deepEqual(a.agent.weights().actor.params, b.agent.weights().actor.params)
  assert.notDeepEqual(a.history, c.history)
})

test('behaviour cloning pulls the actor onto the given actions, alone or beside the DDPG step', () => {
  const states = Float64Array.from([0, 0.2, 1, 0.5, 0.5, 0.5, 1, 0.1, 0.3])
  const targets = Float64Array.from([-0.6, 0.4, 0.1, 0.9, 0.7, -0.2])
  const init = { stateSize: 3, actionSize: 2, actorLayers: [16, 16], criticLayers: [16], actorLearningRate: 1e-3, criticLearningRate: 1e-3, gamma: 0.99, tau: 0.01 }
  const error = (agent: DdpgAgent): number => {
    const out = agent.act(states, 3)
    return Math.max(...Array.from(targets, (t, i) => Math.abs(out[i] - t)))
  }
  const cloned = new DdpgAgent(init, new Rng(1))
  const before = error(cloned)
  for (let i = 0; i < 1500; i++) cloned.imitate({ states, actions: targets, count: 3, weight: 1 })
  assert.ok(before > 0.3 && error(cloned) < 0.02, `largest error ${before} -> ${error(cloned)}`)
  // Beside DDPG updates (rewards that favour no action in particular), a heavy weight still wins.
  const buffer = new ReplayBuffer(100, 3, 2)
  const rng = new Rng(2)
  for (let i = 0; i < 64; i++) buffer.push([rng.uniform(), rng.uniform(), rng.uniform()], [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1], rng.uniform(), [0, 0, 0], true)
  const mixed = new DdpgAgent(init, new Rng(1))
  for (let i = 0; i < 1500; i++) mixed.update(buffer.sample(32, rng), { states, actions: targets, count: 3, weight: 10 })
  assert.ok(error(mixed) < 0.1, `largest error ${error(mixed)}`)
})

test('one volume explored per episode and self-imitation: no change where they do not apply, and the fast-device optimum is still reached', async () => {
  const env = analyticEnvironment({ speeds: [1, 10, 1], link: () => 1, requesterLinks: [100, 100, 100], volumes })
  const config = { ...small, episodes: 60, restarts: 1 }
  const base = await trainOsds(env, config, { seed: 5 })
  const weights = async (extra: Partial<OsdsConfig>): Promise<Float64Array> => (await trainOsds(env, { ...config, ...extra }, { seed: 5 })).agent.weights().actor.params
  // As many explored volumes as the partition has, no imitation and no warm start: the paper's exploration, bit for bit.
  assert.deepEqual(await weights({ exploredSteps: volumes.length, imitationWeight: 0, warmStartSteps: 0 }), base.agent.weights().actor.params)
  assert.notDeepEqual(await weights({ exploredSteps: 1 }), base.agent.weights().actor.params)
  assert.notDeepEqual(await weights({ imitationWeight: 10 }), base.agent.weights().actor.params)
  // They improve locally on the best episode: from everything on the fast device but the last volume split in thirds
  // (every device then waits on the slow links), the agent finds the optimum, all on the fast device.
  const start = volumes.map((v, l) => l < volumes.length - 1 ? [0, 0, v.height, v.height] : [0, Math.round(v.height / 3), Math.round(2 * v.height / 3), v.height])
  const deep = await trainOsds(env, { ...small, exploredSteps: 1, imitationWeight: 10, warmStartSteps: 500 }, { seed: 3, demonstrations: [start] })
  assert.ok(evaluateSplits(env, start) > 12.8 * 1.5, `the start is ${evaluateSplits(env, start)}`)
  assert.ok(deep.latencyMs <= 12.8 * 1.05, `latency ${deep.latencyMs}, splits ${JSON.stringify(deep.splits)}`)
})
