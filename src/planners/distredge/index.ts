// The DistrEdge planner: LC-PSS cuts the model into layer-volumes, OSDS (a DDPG agent trained on the
// simulator) splits each volume's rows among the providers.
import { InvalidInputError } from '../../errors.js'
import { createSimulator, type Simulator } from '../../sim/simulate.js'
import { layerCuts } from '../../sim/layers.js'
import type { TensorName } from '../../graph/types.js'
import { logger } from '../../logger.js'
import { allTo, buildPlan, fastestDevice, wholeModelTimes } from '../plan-build.js'
import { countsToBoundaries, equalBoundaries, proportionalBoundaries } from '../row-split.js'
import { LinearModel } from '../linear-model.js'
import type { PlannerSpec, Planner } from '../types.js'
import { integerFlag, pathFlag, rejectUnknownFlags } from './flags.js'
import { evaluateSplits, type SplitEnvironment } from './environment.js'
import { LC_PSS_DEFAULTS, lcPss } from './lc-pss.js'
import { DEFAULT_CONFIG, PAPER_CONFIG, trainOsds, type OsdsConfig, type TrainResult } from './osds.js'
import { readPolicyFile, writePolicyFile, type PolicyFile } from './policy-file.js'
import { simEnvironment, type SimEnvironment } from './sim-environment.js'

const log = logger('planner:distredge')

export interface DistrEdgeInit {
  /** OSDS settings; absent keys from DEFAULT_CONFIG with defaultUpdatesPerStep (or PAPER_CONFIG with `paper`). */
  config?: Partial<OsdsConfig>
  /** Start from the paper's exact settings. */
  paper?: boolean
  /**
   * LC-PSS's alpha (absent: chooseAlpha picks one of ALPHA_CANDIDATES for the scenario; the paper's 0.75 with `paper`)
   * and number of random split decisions.
   */
  alpha?: number
  samples?: number
  /** Load this policy file: fine-tune it (episodes > 0) or plan with it at once (episodes = 0). */
  policy?: string
  /** Write the trained actor and critic here. */
  savePolicy?: string
  /**
   * Seed the replay buffer with four demonstration episodes on LC-PSS's volumes (equal split, split in
   * proportion to device speed, everything on the fastest device, split by the linear device + network model); default true.
   */
  demonstrations?: boolean
  /**
   * Train an agent on each of LC-PSS's best k partitions (by score) and keep the best plan; absent:
   * defaultPartitions(devices) (1 with `paper`). With `policy`, only the partition the policy was trained on.
   */
  partitions?: number
}

/**
 * How many of LC-PSS's best partitions an agent is trained on by default (docs/distredge.md): one agent
 * costs 13-38 s with 4 devices and ~25 s with 16 here, so three fit the 300 s budget of 16 devices
 * (where a second partition paid: LA-16) and one keeps 4 devices within their 60 s.
 */
export function defaultPartitions (devices: number): number {
  return devices > 4 ? 3 : 1
}

/**
 * Updates after each batched step by default (docs/distredge.md): 8 up to 4 devices, where the agent's rows were
 * the gap to search on LC-PSS's own cuts and one agent trains well within 60 s; 4 above, where three agents share
 * the 300 s.
 */
export function defaultUpdatesPerStep (devices: number): number {
  return devices > 4 ? 4 : 8
}

/** Partitions with more volumes than this train with DEEP_PARTITION_CONFIG (docs/distredge.md). */
export const DEEP_PARTITION_VOLUMES = 5

/**
 * The agent's settings on a partition deeper than DEEP_PARTITION_VOLUMES (only the lower alphas, 0.4 and 0.25, give
 * one on VGG16): noise on about one volume per exploring episode instead of every volume (a perturbation of all 7-8
 * volumes at once never beat the demonstrations there), the actor pulled toward the best episode seen (self-imitation,
 * started by behaviour cloning of the best demonstration), and at most 4 updates per step to stay within the time budget.
 */
export const DEEP_PARTITION_CONFIG: Readonly<Partial<OsdsConfig>> = Object.freeze({ exploredSteps: 1, imitationWeight: 10, warmStartSteps: 500, updatesPerStep: 4 })

/** The OSDS settings for a partition of `volumes` volumes: `config`, with DEEP_PARTITION_CONFIG's where it is deep and `given` leaves them open. */
export function partitionConfig (config: OsdsConfig, volumes: number, given: Partial<OsdsConfig> = {}): OsdsConfig {
  if (volumes <= DEEP_PARTITION_VOLUMES) return config
  const deep = { ...DEEP_PARTITION_CONFIG, updatesPerStep: Math.min(config.updatesPerStep, DEEP_PARTITION_CONFIG.updatesPerStep!) }
  return { ...config, ...deep, ...given }
}

/** The DistrEdge planner. */
export function distredge (init: DistrEdgeInit = {}): Planner {
  return {
    name: 'distredge',
    async plan (scenario, options = {}) {
      options.signal?.throwIfAborted()
      const sim = createSimulator(scenario)
      const graph = scenario.graph
      const devices = scenario.devices
      const config: OsdsConfig = init.paper === true
        ? { ...PAPER_CONFIG, ...init.config }
        : { ...DEFAULT_CONFIG, updatesPerStep: defaultUpdatesPerStep(devices.length), ...init.config }
      const single = (): ReturnType<Planner['plan']> => {
        const plan = buildPlan(scenario, 'distredge', [], [], devices[fastestDevice(wholeModelTimes(sim))].id)
        return Promise.resolve({ ...plan, predictedMs: sim.latency(plan) })
      }
      if (devices.length < 2) return await single()
      const k = Math.max(1, init.partitions ?? (init.paper === true ? 1 : defaultPartitions(devices.length)))
      const policy = init.policy === undefined ? undefined : readPolicyFile(init.policy)
      let partitions = distredgePartitions(sim, k, init.alpha ?? (init.paper === true ? LC_PSS_DEFAULTS.alpha : undefined), init.samples, options.seed)
      // A policy continues on the partition it was trained on (one of LC-PSS's candidates, under whichever seed)
      // when those are layer cuts of this model spanning the same prefix; otherwise checkPolicy says why not.
      if (policy !== undefined) partitions = [fitsModel(policy.cuts, partitions[0], layerCuts(graph)) ? policy.cuts : partitions[0]]
      const times = wholeModelTimes(sim)
      const linear = new LinearModel(sim)
      const started = performance.now()
      let chosen: { env: SimEnvironment, cuts: TensorName[], splits: number[][], latencyMs: number, weights: ReturnType<TrainResult['agent']['weights']> } | undefined
      for (const [i, cuts] of partitions.entries()) {
        log('LC-PSS partition %d/%d: %d volumes at %o', i + 1, partitions.length, cuts.length - 1, cuts)
        if (cuts.length < 2) continue
        const env = simEnvironment(sim, cuts)
        if (policy !== undefined) checkPolicy(policy, init.policy!, devices.map(d => d.id), cuts, env.volumes.map(v => v.height))
        const demonstrations = init.demonstrations === false ? [] : demonstrationSplits(env, times, { model: linear, cuts })
        const tag = partitions.length > 1 ? `distredge (partition ${i + 1}/${partitions.length})` : 'distredge'
        const result = await trainOsds(env, init.paper === true ? config : partitionConfig(config, env.volumes.length, init.config), {
          demonstrations,
          seed: options.seed,
          signal: options.signal,
          policy: policy?.weights,
          progressEvery: Math.max(config.parallelEpisodes, 200),
          onProgress: (p) => options.onProgress?.(`${tag}: episode ${p.episode}/${p.episodes}, best ${p.bestMs.toFixed(2)} ms (last ${p.recentMs.toFixed(2)} ms), ${((performance.now() - started) / 1000).toFixed(1)} s`)
        })
        let best = { splits: result.splits, latencyMs: result.latencyMs }
        // The policy's own best decisions are still candidates after a change (the paper's re-partition case).
        if (policy !== undefined) {
          const carried = policy.best.splits.map((b, l) => env.feasible(l, b))
          const latencyMs = evaluateSplits(env, carried)
          if (latencyMs < best.latencyMs) best = { splits: carried, latencyMs }
        }
        log('OSDS: %d episodes, %d updates, best %d ms (equal split %d ms)', result.episodesRun, result.updates, best.latencyMs, result.referenceMs)
        if (chosen === undefined || best.latencyMs < chosen.latencyMs) chosen = { env, cuts, ...best, weights: result.agent.weights() }
      }
      if (chosen === undefined) return await single()
      if (init.savePolicy !== undefined) {
        writePolicyFile(init.savePolicy, {
          model: { name: graph.name, sha256: graph.sha256 },
          devices: devices.map(d => d.id),
          cuts: chosen.cuts,
          weights: chosen.weights,
          best: { splits: chosen.splits, latencyMs: chosen.latencyMs }
        })
      }
      const plan = chosen.env.plan(chosen.splits, 'distredge')
      return { ...plan, predictedMs: sim.latency(plan) }
    }
  }
}

/**
 * The demonstrations: split rules a deployment would try first, on the partition's volumes (equal, by speed, all
 * on the fastest, and, given `linear` and the cuts, each volume split by the linear device + network model).
 */
export function demonstrationSplits (env: SplitEnvironment, times: readonly number[], linear?: { model: LinearModel, cuts: readonly TensorName[] }): number[][][] {
  const n = times.length
  const demos = [
    env.volumes.map(v => equalBoundaries(v.height, n)),
    env.volumes.map(v => proportionalBoundaries(v.height, times.map(t => 1 / t))),
    env.volumes.map(v => allTo(fastestDevice(times), n, v.height))
  ]
  if (linear !== undefined) {
    const { model, cuts } = linear
    demos.push(env.volumes.map((_, l) => countsToBoundaries(model.bestSplit(model.block(cuts[l], cuts[l + 1])).rows)))
  }
  return demos
}

/**
 * The alphas LC-PSS runs with when none is given: the paper's 0.75 first, then lower weights of "moving data"
 * (deeper partitions: 5, 6, 7 and 8 volumes on VGG16 with 4 devices). The agent trains on the deepest ones
 * (more than DEEP_PARTITION_VOLUMES) with DEEP_PARTITION_CONFIG (docs/distredge.md).
 */
export const ALPHA_CANDIDATES: readonly number[] = Object.freeze([LC_PSS_DEFAULTS.alpha, 0.6, 0.5, 0.4, 0.25])

/** Relative difference below which two demonstrations' latencies count as equal (floating-point rounding). */
const ALPHA_TIE = 1e-9

/**
 * LC-PSS's k best-scored partitions (the chosen one first), at `alpha`, or, absent, at the alpha of
 * ALPHA_CANDIDATES that `chooseAlpha` picks for this scenario.
 */
export function distredgePartitions (sim: Simulator, k: number, alpha?: number, samples: number = LC_PSS_DEFAULTS.samples, seed = 0): TensorName[][] {
  if (alpha == null) return rankAlphas(sim, samples, seed, k).partitions
  return lcPss(sim.scenario.graph, sim.costs, { alpha, samples, devices: sim.scenario.devices.length, seed, top: k }).ranked.map(p => p.cuts)
}

/**
 * LC-PSS's alpha for a scenario: the one of ALPHA_CANDIDATES whose chosen partition gives the fastest demonstration
 * (demonstrationSplits, judged by the simulator); ties (up to rounding) keep the earlier, higher alpha. The cuts still come from the
 * layer configurations alone; the devices and links only pick which alpha's cuts the agent trains on.
 */
export function chooseAlpha (sim: Simulator, samples: number = LC_PSS_DEFAULTS.samples, seed = 0): { alpha: number, demonstrationMs: number[] } {
  const { alpha, demonstrationMs } = rankAlphas(sim, samples, seed, 1)
  return { alpha, demonstrationMs }
}

/** chooseAlpha, with the chosen alpha's `top` best-scored partitions from the same LC-PSS run (`top` only cuts its ranking short). */
function rankAlphas (sim: Simulator, samples: number, seed: number, top: number): { alpha: number, demonstrationMs: number[], partitions: TensorName[][] } {
  const times = wholeModelTimes(sim)
  const model = new LinearModel(sim)
  const runs = ALPHA_CANDIDATES.map(alpha => lcPss(sim.scenario.graph, sim.costs, { alpha, samples, devices: sim.scenario.devices.length, seed, top }))
  const demonstrationMs = runs.map(({ cuts }) => {
    if (cuts.length < 2) return Infinity
    const env = simEnvironment(sim, cuts)
    return Math.min(...demonstrationSplits(env, times, { model, cuts }).map(splits => evaluateSplits(env, splits)))
  })
  // The same plan on two partitions (everything on one device) simulates to the same latency up to rounding:
  // such ties keep the higher alpha too.
  let best = 0
  demonstrationMs.forEach((ms, i) => { if (ms < demonstrationMs[best] * (1 - ALPHA_TIE)) best = i })
  return { alpha: ALPHA_CANDIDATES[best], demonstrationMs, partitions: runs[best].ranked.map(p => p.cuts) }
}

function fitsModel (cuts: readonly TensorName[], ranked: readonly TensorName[], candidates: readonly TensorName[]): boolean {
  let at = -1
  for (const c of cuts) {
    const i = candidates.indexOf(c)
    if (i <= at) return false
    at = i
  }
  return cuts.length >= 2 && cuts[0] === ranked[0] && cuts[cuts.length - 1] === ranked[ranked.length - 1]
}

function checkPolicy (policy: PolicyFile, path: string, devices: string[], cuts: string[], heights: number[]): void {
  if (policy.devices.length !== devices.length) {
    throw new InvalidInputError(`policy ${path} was trained for ${policy.devices.length} devices, the scenario has ${devices.length}`)
  }
  if (policy.cuts.join('\u0000') !== cuts.join('\u0000')) {
    throw new InvalidInputError(`policy ${path} splits the volumes ${policy.cuts.join(' > ')}, LC-PSS cuts this model at ${cuts.join(' > ')} (another model or LC-PSS setting)`)
  }
  policy.best.splits.forEach((b, l) => {
    if (b[0] !== 0 || b[b.length - 1] !== heights[l] || b.some((x, i) => i > 0 && x < b[i - 1])) {
      throw new InvalidInputError(`policy ${path}: best.splits[${l}] must rise from 0 to the volume's ${heights[l]} rows, got [${b.join(', ')}]`)
    }
  })
}

/** The registry entry: `tessera plan --planner distredge [--episodes N] [--paper] [--save-policy F] [--policy F]`. */
export const DISTREDGE_SPEC: PlannerSpec = {
  summary: 'DistrEdge: LC-PSS partition, DDPG split agent (OSDS) trained on the simulator',
  flags: {
    episodes: { type: 'string', description: 'training episodes per agent (default 4000; 0 with --policy: plan with the policy at once)' },
    paper: { type: 'boolean', description: "the paper's exact settings (4000 episodes, minibatch 64, 400-200-100 / 400-200-100-100, lr 1e-4 / 1e-3, one agent)" },
    'save-policy': { type: 'string', description: 'write the trained actor and critic to this file' },
    policy: { type: 'string', description: 'start from this policy file (fine-tune, or plan at once with --episodes 0)' },
    partitions: { type: 'string', description: "train on LC-PSS's k best partitions and keep the best plan (default 1 for up to 4 devices, 3 above)" }
  },
  create (init = {}) {
    rejectUnknownFlags('distredge', init, Object.keys(DISTREDGE_SPEC.flags!))
    const episodes = integerFlag(init, 'episodes', 0)
    const policy = pathFlag(init, 'policy')
    if (episodes === 0 && policy === undefined) throw new InvalidInputError('--episodes 0 needs --policy (a trained policy to plan with)')
    return distredge({
      paper: init.paper === true,
      config: episodes === undefined ? {} : { episodes },
      partitions: integerFlag(init, 'partitions', 1),
      policy,
      savePolicy: pathFlag(init, 'save-policy')
    })
  }
}
