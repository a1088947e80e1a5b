// OSDS: the DDPG split agent trained over episodes of the environment, keeping the best split decisions seen.
import { ACTION_RANGE, actionToBoundaries, boundariesToAction } from './action-mapping.js'
import { DdpgAgent, type DdpgWeights, type Imitation } from './ddpg.js'
import { evaluateSplits, type SplitEnvironment } from './environment.js'
import { equalBoundaries } from '../row-split.js'
import { ReplayBuffer, type Minibatch } from './replay-buffer.js'
import { Rng } from './rng.js'

export interface OsdsConfig {
  /** Training episodes (one pass over the volumes each). */
  episodes: number
  /** Minibatch size of every update. */
  batchSize: number
  gamma: number
  actorLearningRate: number
  criticLearningRate: number
  /** Hidden layer widths. */
  actorLayers: number[]
  criticLayers: number[]
  /** Soft target update rate. */
  tau: number
  /** Replay buffer capacity (transitions). */
  bufferSize: number
  /**
   * d_eps of the exploration schedule eps = 1 - (episode * d_eps)^2: noise stops after 1 / d_eps episodes.
   * Absent: 1 / episodes, so that the noise fades out over the whole run.
   */
  explorationDecay?: number
  /** sigma^2 of the exploration noise; absent: 0.1 up to 4 providers, 1 from 16, linear in between. */
  noiseVariance?: number
  /** Episodes stepped together as one batch (the actor runs once per step for all of them). */
  parallelEpisodes: number
  /** Updates after each (batched) step. */
  updatesPerStep: number
  /** Stop once exploration is over and the agent has not improved the best latency for this many episodes; 0 = never. */
  patience: number
  /** Independent agents trained one after the other (each `episodes` long, its own seed); the best split of all wins. */
  restarts: number
  /**
   * The last step's reward is 1 + rewardScale * (T_ref / T - 1): an increasing affine function of the paper's 1 / T
   * (the same optimum: every episode has the same length), 1 = T_ref / T. Larger values spread the rewards of
   * plans a few percent apart over a range the critic resolves.
   */
  rewardScale?: number
  /**
   * Weight of a behaviour-cloning term in every actor update toward the best episode seen so far (its states and
   * executed actions; self-imitation); absent or 0: none.
   */
  imitationWeight?: number
  /** Actor steps of behaviour cloning on the best demonstration before training (absent or 0: none; never over a loaded policy). */
  warmStartSteps?: number
  /**
   * Noise goes on each step with probability eps * min(1, exploredSteps / volumes), so that an episode perturbs about
   * eps * exploredSteps volumes however deep the partition; absent: eps on every step (the paper).
   */
  exploredSteps?: number
  /** Scale the noise's standard deviation by eps too (absent: false, the paper's fixed sigma), so late noise is fine-grained. */
  annealNoise?: boolean
}

/** Exactly the paper's settings; what the paper leaves open (tau, buffer, activations) as in DEFAULT_CONFIG. */
export const PAPER_CONFIG: Readonly<OsdsConfig> = Object.freeze({
  episodes: 4000,
  batchSize: 64,
  gamma: 0.99,
  actorLearningRate: 1e-4,
  criticLearningRate: 1e-3,
  actorLayers: [400, 200, 100],
  criticLayers: [400, 200, 100, 100],
  tau: 0.01,
  bufferSize: 100_000,
  explorationDecay: 1 / 250,
  parallelEpisodes: 1,
  updatesPerStep: 1,
  patience: 0,
  restarts: 1
})

/** Tessera's defaults: see docs/distredge.md for how each departs from the paper and what it costs in plan quality. */
export const DEFAULT_CONFIG: Readonly<OsdsConfig> = Object.freeze({
  ...PAPER_CONFIG,
  explorationDecay: undefined,
  noiseVariance: 0.1,
  actorLearningRate: 1e-3,
  actorLayers: [32, 32],
  criticLayers: [64, 32],
  parallelEpisodes: 8,
  updatesPerStep: 4
})

export interface TrainProgress {
  episode: number
  episodes: number
  bestMs: number
  /** Mean latency of the last batch of episodes. */
  recentMs: number
}

export interface TrainOptions {
  seed?: number
  signal?: AbortSignal
  /** Called about every `progressEvery` episodes and at the end. */
  onProgress?: (progress: TrainProgress) => void
  progressEvery?: number
  /** Start from these weights (a saved policy) instead of a fresh initialisation. */
  policy?: DdpgWeights
  /**
   * Demonstration episodes (row boundaries per volume), run once before training: their transitions seed every
   * agent's replay buffer and they count among the decisions seen (DDPG from demonstrations).
   */
  demonstrations?: ReadonlyArray<ReadonlyArray<readonly number[]>>
}

export interface TrainResult {
  /** The best split decisions seen: row boundaries per volume. */
  splits: number[][]
  latencyMs: number
  /** Latency of the equal split, the scale of the state's times and of the reward. */
  referenceMs: number
  episodesRun: number
  updates: number
  agent: DdpgAgent
  /** (episode, best latency so far) each time the best improved. */
  history: Array<{ episode: number, bestMs: number }>
}

/** The exploration probability of an episode: eps = 1 - (episode * d_eps)^2, floored at 0. */
export function explorationProbability (episode: number, decay: number): number {
  return Math.max(0, 1 - (episode * decay) ** 2)
}

/** The paper's noise variance: 0.1 for 4 providers, 1 for 16, linear in between (and held beyond). */
export function defaultNoiseVariance (devices: number): number {
  const t = Math.min(1, Math.max(0, (devices - 4) / 12))
  return 0.1 + t * 0.9
}

/** The last step's reward: 1 + scale * (T_ref / T - 1); with scale 1 (the default) T_ref / T, the paper's 1 / T times T_ref. */
export function terminalReward (referenceMs: number, latencyMs: number, scale = 1): number {
  return 1 + scale * (referenceMs / latencyMs - 1)
}

/** The exploration noise's standard deviation at exploration probability eps: sigma, or sigma * eps when annealed. */
export function noiseStd (sigma: number, eps: number, anneal: boolean): number {
  return anneal ? sigma * eps : sigma
}

/** The state size for |D| providers: accumulated finish times plus (H, C, F, S). */
export function stateSize (devices: number): number {
  return devices + 4
}

type StateWriter = (out: Float64Array, offset: number, finish: ArrayLike<number>, l: number) => void

interface Candidate { splits: number[][], latencyMs: number }

/** Trains the agent(s) on the environment and returns the best split decisions seen. */
export async function trainOsds (env: SplitEnvironment, config: OsdsConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const d = env.deviceCount
  const volumes = env.volumes
  if (d < 2) throw new RangeError('OSDS needs at least two providers')
  if (volumes.length < 1) throw new RangeError('OSDS needs at least one layer-volume')
  const rng = new Rng(options.seed ?? 0)
  // Times enter the state, and the latency the reward, relative to the equal split: the same optimum as the
  // paper's raw 1 / T (a constant factor), at a scale the networks train well on.
  const referenceMs = evaluateSplits(env, volumes.map(v => equalBoundaries(v.height, d)))
  const maxOf = (f: (v: typeof volumes[number]) => number): number => Math.max(1, ...volumes.map(f))
  const scale = [maxOf(v => v.height), maxOf(v => v.channels), maxOf(v => v.filter), maxOf(v => v.stride)]
  const writeState: StateWriter = (out, offset, finish, l) => {
    for (let k = 0; k < d; k++) out[offset + k] = finish[k] / referenceMs
    const v = volumes[l]
    out[offset + d] = v === undefined ? 0 : v.height / scale[0]
    out[offset + d + 1] = v === undefined ? 0 : v.channels / scale[1]
    out[offset + d + 2] = v === undefined ? 0 : v.filter / scale[2]
    out[offset + d + 3] = v === undefined ? 0 : v.stride / scale[3]
  }
  const run: RunState = {
    best: { splits: [], latencyMs: Infinity },
    bestAgent: undefined,
    history: [],
    episodes: 0,
    updates: 0,
    total: config.episodes * Math.max(1, config.restarts),
    nextProgress: options.progressEvery ?? 100,
    recentMs: referenceMs
  }
  for (let r = 0; r < Math.max(1, config.restarts); r++) {
    await trainAgent(env, config, rng.fork(), referenceMs, writeState, run, options)
  }
  options.onProgress?.({ episode: run.episodes, episodes: run.total, bestMs: run.best.latencyMs, recentMs: run.recentMs })
  return { splits: run.best.splits, latencyMs: run.best.latencyMs, referenceMs, episodesRun: run.episodes, updates: run.updates, agent: run.bestAgent!, history: run.history }
}

interface RunState {
  best: Candidate
  /** The agent whose episode gave `best` (the one a policy file keeps). */
  bestAgent: DdpgAgent | undefined
  history: TrainResult['history']
  episodes: number
  updates: number
  total: number
  nextProgress: number
  recentMs: number
}

/** One agent's training: `config.episodes` episodes, or fewer when its best stalls; updates `run` in place. */
async function trainAgent (env: SplitEnvironment, config: OsdsConfig, rng: Rng, referenceMs: number, writeState: StateWriter, run: RunState, options: TrainOptions): Promise<void> {
  const d = env.deviceCount
  const volumes = env.volumes
  const L = volumes.length
  const sSize = stateSize(d)
  const aSize = d - 1
  const agent = new DdpgAgent({
    stateSize: sSize,
    actionSize: aSize,
    actorLayers: config.actorLayers,
    criticLayers: config.criticLayers,
    actorLearningRate: config.actorLearningRate,
    criticLearningRate: config.criticLearningRate,
    gamma: config.gamma,
    tau: config.tau,
    // Start from the equal split (boundary j at j/|D| of the rows), not from every boundary at H/2, which
    // would hand half the rows to the first provider and half to the last.
    initialAction: Array.from({ length: aSize }, (_, j) => ACTION_RANGE[0] + (ACTION_RANGE[1] - ACTION_RANGE[0]) * (j + 1) / d)
  }, rng.fork())
  if (options.policy !== undefined) agent.load(options.policy)
  run.bestAgent ??= agent
  const buffer = new ReplayBuffer(config.bufferSize, sSize, aSize)
  const sigma = Math.sqrt(config.noiseVariance ?? defaultNoiseVariance(d))
  const decay = config.explorationDecay ?? 1 / Math.max(1, config.episodes)
  const stepShare = config.exploredSteps === undefined ? 1 : Math.min(1, config.exploredSteps / L)
  const rewardOf = (t: number): number => terminalReward(referenceMs, t, config.rewardScale)
  // The best episode's states and executed actions (of this agent's run), for self-imitation and the warm start.
  const bestEpisode: Imitation = { states: new Float64Array(L * sSize), actions: new Float64Array(L * aSize), count: 0, weight: config.imitationWeight ?? 0 }
  let bestOwnMs = Infinity
  const remember = (latencyMs: number, states: Float64Array, actions: Float64Array): void => {
    if (latencyMs >= bestOwnMs) return
    bestOwnMs = latencyMs
    bestEpisode.states.set(states)
    bestEpisode.actions.set(actions)
    bestEpisode.count = L
  }
  const offer = (candidate: Candidate): void => {
    if (candidate.latencyMs >= run.best.latencyMs) return
    run.best = candidate
    run.bestAgent = agent
    run.history.push({ episode: run.episodes, bestMs: candidate.latencyMs })
    lastImprovement = episode
  }
  let lastImprovement = 0
  let episode = 0
  let minibatch: Minibatch | undefined
  const k = Math.max(1, Math.floor(config.parallelEpisodes))
  const states = new Float64Array(k * sSize)
  const nextStates = new Float64Array(k * sSize)
  const rawActions = new Float64Array(k * aSize)
  const zero = new Float64Array(d)
  const progressEvery = options.progressEvery ?? 100
  const logStates = new Float64Array(k * L * sSize)
  const logActions = new Float64Array(k * L * aSize)
  for (const demo of options.demonstrations ?? []) {
    const shown = env.episode()
    const splits: number[][] = []
    writeState(states, 0, zero, 0)
    demo.forEach((b, l) => {
      const boundaries = env.feasible?.(l, b) ?? [...b]
      splits.push(boundaries)
      logStates.set(states.subarray(0, sSize), l * sSize)
      logActions.set(boundariesToAction(boundaries), l * aSize)
      writeState(nextStates, 0, shown.step(boundaries), l + 1)
      const last = l + 1 === L
      buffer.push(states.subarray(0, sSize), boundariesToAction(boundaries), last ? rewardOf(shown.latency()) : 0, nextStates.subarray(0, sSize), last)
      states.set(nextStates.subarray(0, sSize))
    })
    offer({ splits, latencyMs: shown.latency() })
    remember(shown.latency(), logStates.subarray(0, L * sSize), logActions.subarray(0, L * aSize))
  }
  // A loaded policy is the start already: cloning a demonstration would overwrite it.
  if (bestEpisode.count > 0 && options.policy === undefined) {
    const warm = { ...bestEpisode, weight: 1 }
    for (let i = 0; i < (config.warmStartSteps ?? 0); i++) agent.imitate(warm)
  }
  const imitation = bestEpisode.weight > 0 ? bestEpisode : undefined
  while (episode < config.episodes) {
    options.signal?.throwIfAborted()
    const n = Math.min(k, config.episodes - episode)
    const episodes = Array.from({ length: n }, () => env.episode())
    const splits: number[][][] = Array.from({ length: n }, () => [])
    for (let e = 0; e < n; e++) writeState(states, e * sSize, zero, 0)
    for (let l = 0; l < L; l++) {
      const actions = agent.act(states, n)
      const last = l + 1 === L
      for (let e = 0; e < n; e++) {
        const eps = explorationProbability(episode + e, decay)
        const noisy = eps > 0 && rng.uniform() < eps * stepShare
        const sd = noiseStd(sigma, eps, config.annealNoise === true)
        for (let j = 0; j < aSize; j++) {
          const a = actions[e * aSize + j] + (noisy ? sd * rng.normal() : 0)
          rawActions[e * aSize + j] = Math.min(ACTION_RANGE[1], Math.max(ACTION_RANGE[0], a))
        }
        const mapped = actionToBoundaries(rawActions.subarray(e * aSize, e * aSize + aSize), volumes[l].height)
        const boundaries = env.feasible?.(l, mapped) ?? mapped
        splits[e].push(boundaries)
        if (imitation !== undefined) {
          logStates.set(states.subarray(e * sSize, e * sSize + sSize), (e * L + l) * sSize)
          logActions.set(boundariesToAction(boundaries), (e * L + l) * aSize)
        }
        const finish = episodes[e].step(boundaries)
        writeState(nextStates, e * sSize, finish, l + 1)
      }
      for (let e = 0; e < n; e++) {
        let reward = 0
        if (last) {
          const t = episodes[e].latency()
          reward = rewardOf(t)
          run.episodes++
          offer({ splits: splits[e], latencyMs: t })
          if (imitation !== undefined) remember(t, logStates.subarray(e * L * sSize, (e + 1) * L * sSize), logActions.subarray(e * L * aSize, (e + 1) * L * aSize))
        }
        buffer.push(states.subarray(e * sSize, e * sSize + sSize), rawActions.subarray(e * aSize, e * aSize + aSize), reward,
          nextStates.subarray(e * sSize, e * sSize + sSize), last)
      }
      states.set(nextStates.subarray(0, n * sSize))
      if (buffer.size >= config.batchSize) {
        for (let u = 0; u < config.updatesPerStep; u++) {
          minibatch = buffer.sample(config.batchSize, rng, minibatch)
          agent.update(minibatch, imitation !== undefined && imitation.count > 0 ? imitation : undefined)
          run.updates++
        }
      }
    }
    let sum = 0
    for (const ep of episodes) sum += ep.latency()
    run.recentMs = sum / n
    episode += n
    if (options.onProgress !== undefined && run.episodes >= run.nextProgress) {
      options.onProgress({ episode: run.episodes, episodes: run.total, bestMs: run.best.latencyMs, recentMs: run.recentMs })
      run.nextProgress += progressEvery
    }
    const explored = explorationProbability(episode, decay) === 0
    if (config.patience > 0 && explored && episode - lastImprovement >= config.patience) break
    // Let timers and abort signals run between batches.
    if (episode % (16 * k) < k) await new Promise(resolve => setImmediate(resolve))
  }
  // The trained actor without noise, so that a loaded policy plans at once even with no training episodes.
  offer(rollout(env, agent, writeState, sSize))
}

/** One episode with the actor's own actions, no noise. */
function rollout (env: SplitEnvironment, agent: DdpgAgent, writeState: StateWriter, sSize: number): Candidate {
  const episode = env.episode()
  const state = new Float64Array(sSize)
  writeState(state, 0, new Float64Array(env.deviceCount), 0)
  const splits: number[][] = []
  env.volumes.forEach((v, l) => {
    const mapped = actionToBoundaries(agent.act(state, 1), v.height)
    const boundaries = env.feasible?.(l, mapped) ?? mapped
    splits.push(boundaries)
    writeState(state, 0, episode.step(boundaries), l + 1)
  })
  return { splits, latencyMs: episode.latency() }
}
