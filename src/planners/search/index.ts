// The search planner: the honest reference for DistrEdge. A direct optimiser over the cut points, every
// volume's rows per device and the tail device, against the same simulator: iterated local search
// (first-improvement coordinate moves, then a random kick from the best, again) from several starts.
import type { TensorName } from '../../graph/types.js'
import { logger } from '../../logger.js'
import type { Plan } from '../../plan/types.js'
import { createSimulator, type Simulator } from '../../sim/simulate.js'
import { integerFlag, rejectUnknownFlags } from '../distredge/flags.js'
import { Rng } from '../distredge/rng.js'
import { cutHeight, layerCuts, stageCuts } from '../../sim/layers.js'
import { buildPlan, fastestDevice, splittable, wholeModelTimes } from '../plan-build.js'
import { countsToBoundaries, proportionalBoundaries } from '../row-split.js'
import type { PlannerInit, PlannerSpec, Planner } from '../types.js'

const log = logger('planner:search')

export interface SearchInit {
  /** Simulator evaluations in all (default 20000 + 2000 per device). */
  evaluations?: number
}

/** A candidate: chosen cut positions (into the layer cuts), rows per device of each volume, the tail device. */
interface Candidate {
  cuts: number[]
  counts: number[][]
  tail: number
}

/** The search planner. */
export function search (init: SearchInit = {}): Planner {
  return {
    name: 'search',
    async plan (scenario, options = {}) {
      const sim = createSimulator(scenario)
      const n = scenario.devices.length
      const budget = init.evaluations ?? 20000 + 2000 * n
      const searcher = new Searcher(sim, new Rng(options.seed ?? 0), budget, options.signal)
      if (searcher.candidates.length < 2) {
        const plan = buildPlan(scenario, 'search', [], [], scenario.devices[fastestDevice(searcher.times)].id)
        return { ...plan, predictedMs: sim.latency(plan) }
      }
      const best = await searcher.run((ms, evaluations) => options.onProgress?.(`search: ${evaluations}/${budget} evaluations, best ${ms.toFixed(2)} ms`))
      log('search: %d ms after %d evaluations', best.ms, searcher.evaluations)
      // A candidate has at least one volume and a tail, two sub-models; the whole model as one sub-model on one
      // device (no volumes) is a plan of its own, without the second hand-over and call, which can be faster.
      const whole = scenario.devices.map(d => buildPlan(scenario, 'search', [], [], d.id))
        .map(plan => ({ plan, ms: sim.latency(plan) }))
        .reduce((a, b) => (b.ms < a.ms ? b : a))
      if (whole.ms < best.ms) {
        log('search: the whole model on %s alone, %d ms, beats it', whole.plan.tail.device, whole.ms)
        return { ...whole.plan, predictedMs: whole.ms }
      }
      return { ...searcher.plan(best.candidate), predictedMs: best.ms }
    }
  }
}

class Searcher {
  readonly candidates: TensorName[]
  readonly heights: number[]
  private readonly whole: Map<string, boolean> = new Map()
  readonly times: number[]
  readonly n: number
  evaluations = 0

  constructor (readonly sim: Simulator, readonly rng: Rng, readonly budget: number, readonly signal?: AbortSignal) {
    this.candidates = layerCuts(sim.scenario.graph)
    this.heights = this.candidates.map(t => cutHeight(sim.scenario.graph, t))
    this.times = wholeModelTimes(sim)
    this.n = sim.scenario.devices.length
  }

  plan (c: Candidate): Plan {
    const cuts = c.cuts.map(i => this.candidates[i])
    const boundaries = c.counts.map(countsToBoundaries)
    return buildPlan(this.sim.scenario, 'search', cuts, boundaries, this.sim.scenario.devices[c.tail].id)
  }

  /** Whether the volume between two cut positions must run whole on one device. */
  private unsplittable (a: number, b: number): boolean {
    const key = `${a},${b}`
    let v = this.whole.get(key)
    if (v === undefined) {
      v = !splittable(this.sim.scenario, this.candidates[a], this.candidates[b])
      this.whole.set(key, v)
    }
    return v
  }

  /** Makes a candidate valid in place (unsplittable volumes whole on their largest holder) and returns it. */
  private repair (c: Candidate): Candidate {
    for (let v = 0; v < c.counts.length; v++) {
      if (!this.unsplittable(c.cuts[v], c.cuts[v + 1])) continue
      const rows = c.counts[v]
      let top = 0
      for (let d = 1; d < rows.length; d++) if (rows[d] > rows[top]) top = d
      const h = this.heights[c.cuts[v + 1]]
      c.counts[v] = rows.map((_, d) => d === top ? h : 0)
    }
    return c
  }

  evaluate (c: Candidate): number {
    this.evaluations++
    return this.sim.latency(this.plan(c))
  }

  /** Rows of `height` in proportion to weights. */
  private share (height: number, weights: readonly number[]): number[] {
    const b = proportionalBoundaries(height, weights)
    return weights.map((_, d) => b[d + 1] - b[d])
  }

  private starts (): Candidate[] {
    const m = this.candidates.length
    const fastest = fastestDevice(this.times)
    const speed = this.times.map(t => 1 / t)
    const stage = stageCuts(this.sim.scenario.graph).map(t => this.candidates.indexOf(t)).filter(i => i >= 0)
    const withCuts = (cuts: number[], weights: number[]): Candidate =>
      this.repair({ cuts, counts: cuts.slice(1).map(j => this.share(this.heights[j], weights)), tail: fastest })
    const starts = [
      withCuts([0, m - 1], speed.map((_, d) => d === fastest ? 1 : 0)),
      withCuts([0, m - 1], speed),
      withCuts(stage, speed)
    ]
    return starts
  }

  private randomCandidate (): Candidate {
    const m = this.candidates.length
    const cuts = [0]
    for (let i = 1; i < m - 1; i++) if (this.rng.uniform() < 0.2) cuts.push(i)
    cuts.push(m - 1)
    const weights = this.times.map(() => this.rng.uniform())
    return this.repair({ cuts, counts: cuts.slice(1).map(j => this.share(this.heights[j], weights)), tail: this.rng.int(this.n) })
  }

  /** Every neighbour of c, in a random order (built lazily: each is a function making the neighbour). */
  private neighbours (c: Candidate): Array<() => Candidate> {
    const out: Array<() => Candidate> = []
    const copy = (): Candidate => ({ cuts: [...c.cuts], counts: c.counts.map(r => [...r]), tail: c.tail })
    c.counts.forEach((rows, v) => {
      for (let a = 0; a < this.n; a++) {
        if (rows[a] === 0) continue
        const amounts = new Set<number>()
        for (let q = rows[a]; q >= 1; q = Math.floor(q / 2)) amounts.add(q)
        for (let b = 0; b < this.n; b++) {
          if (b === a) continue
          for (const q of amounts) {
            out.push(() => {
              const next = copy()
              next.counts[v][a] -= q
              next.counts[v][b] += q
              return this.repair(next)
            })
          }
        }
      }
    })
    // Cut moves: split a volume at a layer cut inside it (both halves keep its shares), or merge two.
    for (let v = 0; v < c.counts.length; v++) {
      for (let j = c.cuts[v] + 1; j < c.cuts[v + 1]; j++) {
        out.push(() => {
          const next = copy()
          next.cuts.splice(v + 1, 0, j)
          next.counts.splice(v, 0, this.share(this.heights[j], c.counts[v].map(r => r + 1e-9)))
          return this.repair(next)
        })
      }
      if (v + 1 < c.counts.length) {
        out.push(() => {
          const next = copy()
          next.cuts.splice(v + 1, 1)
          next.counts.splice(v, 1)
          return this.repair(next)
        })
      }
    }
    for (let d = 0; d < this.n; d++) {
      if (d !== c.tail) out.push(() => ({ ...copy(), tail: d }))
    }
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1)
      const t = out[i]; out[i] = out[j]; out[j] = t
    }
    return out
  }

  /** First-improvement descent from c until no neighbour is better or the budget is spent. */
  private async descend (c: Candidate, ms: number): Promise<{ candidate: Candidate, ms: number }> {
    let current = c
    let currentMs = ms
    for (;;) {
      let improved = false
      for (const make of this.neighbours(current)) {
        if (this.evaluations >= this.budget) return { candidate: current, ms: currentMs }
        if (this.evaluations % 512 === 0) {
          this.signal?.throwIfAborted()
          await new Promise(resolve => setImmediate(resolve))
        }
        const next = make()
        const t = this.evaluate(next)
        if (t < currentMs - 1e-9) {
          current = next
          currentMs = t
          improved = true
          break
        }
      }
      if (!improved) return { candidate: current, ms: currentMs }
    }
  }

  /** A few random moves away from c (the kick of iterated local search). */
  private kick (c: Candidate): Candidate {
    let next = c
    const moves = 2 + this.rng.int(4)
    for (let i = 0; i < moves; i++) {
      const options = this.neighbours(next)
      if (options.length === 0) break
      next = options[this.rng.int(options.length)]()
    }
    return next
  }

  async run (progress: (ms: number, evaluations: number) => void): Promise<{ candidate: Candidate, ms: number }> {
    let best: { candidate: Candidate, ms: number } | undefined
    const starts = this.starts()
    let reported = 0
    for (let s = 0; this.evaluations < this.budget; s++) {
      const start = s < starts.length ? starts[s] : this.randomCandidate()
      let local = await this.descend(start, this.evaluate(start))
      // Iterated local search: kick the local optimum, descend again, keep the better; a few rounds per start.
      for (let k = 0; k < 8 && this.evaluations < this.budget; k++) {
        const kicked = this.kick(local.candidate)
        const again = await this.descend(kicked, this.evaluate(kicked))
        if (again.ms < local.ms) local = again
      }
      if (best === undefined || local.ms < best.ms) best = local
      if (this.evaluations - reported >= this.budget / 10) {
        progress(best.ms, this.evaluations)
        reported = this.evaluations
      }
    }
    progress(best!.ms, this.evaluations)
    return best!
  }
}

/** The registry entry: `tessera plan --planner search [--evaluations N]`. */
export const SEARCH_SPEC: PlannerSpec = {
  summary: 'direct search over cuts, rows and tail against the simulator (iterated local search): the reference',
  flags: {
    evaluations: { type: 'string', description: 'simulator evaluations in all (default 20000 + 2000 per device)' }
  },
  create (init: PlannerInit = {}) {
    rejectUnknownFlags('search', init, ['evaluations'])
    return search({ evaluations: integerFlag(init, 'evaluations', 1) })
  }
}
