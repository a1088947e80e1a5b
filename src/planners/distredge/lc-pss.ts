// LC-PSS, DistrEdge's partitioner: a greedy search for the cut points that minimise the mean, over random
// split decisions, of C = alpha * T + (1 - alpha) * O (T: bytes moved, O: operations, halo recomputation
// included). Uses the model's layers only: no device or network figure enters.
import { nodeWork } from '../../graph/cost.js'
import type { Graph, Range, TensorName } from '../../graph/types.js'
import type { ComputeCosts, PartGeometry } from '../../sim/compute-cost.js'
import { layerCuts } from '../../sim/layers.js'
import { Rng } from './rng.js'

export interface LcPssInit {
  /** Weight of transmission against operations (paper: 0.75). */
  alpha: number
  /** Random split decisions each partition is scored over (paper: 100). */
  samples: number
  /** Providers each random split decision divides a volume's rows among. */
  devices: number
  seed: number
  /** How many of the best scored partitions `ranked` keeps (default 1: the chosen one). */
  top?: number
}

export const LC_PSS_DEFAULTS = Object.freeze({ alpha: 0.75, samples: 100 })

export interface LcPssResult {
  /** Cut tensors, graph.input first, the end of the spatial prefix last. */
  cuts: TensorName[]
  /** Mean normalised score of the chosen partition. */
  score: number
  /** Mean T (bytes) and O (FLOPs) of the chosen partition over the random splits. */
  bytes: number
  flops: number
  /** The normalisation ranges: T and O of the partition with no inner cut and of the one with every layer cut. */
  range: { bytes: [number, number], flops: [number, number] }
  /**
   * The `top` best partitions the search scored (the chosen one first), by score: LC-PSS's output read as a
   * candidate set for a splitter that then sees the devices.
   */
  ranked: Array<{ cuts: TensorName[], score: number }>
}

/**
 * The greedy search: start from {first, last}; each round try every candidate cut between every two adjacent
 * chosen cuts and keep the one that lowers the mean score most; stop when a round improves nothing.
 * Candidates are the layer boundaries among the graph's valid cut points (cutting between a conv and its
 * activation changes neither T nor O). T and O are normalised by their range over the two extreme partitions
 * (docs/distredge.md): T' = (T - T_min) / (T_max - T_min), O' likewise, so alpha weighs two numbers in [0, 1].
 */
export function lcPss (graph: Graph, costs: ComputeCosts, init: LcPssInit): LcPssResult {
  const candidates = layerCuts(graph)
  const m = candidates.length
  if (m < 2) return { cuts: [...candidates], score: 0, bytes: 0, flops: 0, range: { bytes: [0, 0], flops: [0, 0] }, ranked: [{ cuts: [...candidates], score: 0 }] }
  const scorer = new PartitionScorer(graph, costs, candidates, init)
  const all = candidates.map((_, i) => i)
  const none = [0, m - 1]
  const tNone = scorer.bytes(none)
  const tAll = scorer.bytes(all)
  const oNone = scorer.flops(none)
  const oAll = scorer.flops(all)
  const tSpan = tAll - tNone
  const oSpan = oNone - oAll
  const scored = new Map<string, { cuts: number[], score: number }>()
  const score = (cuts: number[]): number => {
    const t = tSpan > 0 ? (scorer.bytes(cuts) - tNone) / tSpan : 0
    const o = oSpan > 0 ? (scorer.flops(cuts) - oAll) / oSpan : 0
    const s = init.alpha * t + (1 - init.alpha) * o
    scored.set(cuts.join(','), { cuts, score: s })
    return s
  }
  let chosen = none
  let best = score(chosen)
  for (;;) {
    let round: { cuts: number[], score: number } | undefined
    for (let p = 0; p + 1 < chosen.length; p++) {
      for (let j = chosen[p] + 1; j < chosen[p + 1]; j++) {
        const cuts = [...chosen.slice(0, p + 1), j, ...chosen.slice(p + 1)]
        const s = score(cuts)
        if (s < (round?.score ?? best)) round = { cuts, score: s }
      }
    }
    if (round === undefined) break
    chosen = round.cuts
    best = round.score
  }
  // Ties keep the order in which the search met them, so the ranking is deterministic.
  const ranked = [...scored.values()].filter(p => p.cuts.join(',') !== chosen.join(','))
    .map((p, i) => ({ ...p, i })).sort((a, b) => a.score - b.score || a.i - b.i)
  const top = [{ cuts: chosen, score: best }, ...ranked].slice(0, Math.max(1, init.top ?? 1))
  return {
    cuts: chosen.map(i => candidates[i]),
    score: best,
    ranked: top.map(p => ({ cuts: p.cuts.map(i => candidates[i]), score: p.score })),
    bytes: scorer.bytes(chosen),
    flops: scorer.flops(chosen),
    range: { bytes: [tNone, tAll], flops: [oAll, oNone] }
  }
}

/**
 * Mean T and O of partitions over fixed random split decisions: decision s gives each candidate cut c its own
 * sorted uniform fractions, so a volume ending at c splits its H rows at round(H * f) under every partition
 * alike (common random numbers make partitions comparable, and each volume's terms cacheable).
 */
class PartitionScorer {
  private readonly fractions: number[][][]
  private readonly volumeFlops = new Map<number, number>()
  private readonly edgeBytes = new Map<number, number>()
  private readonly m: number

  constructor (readonly graph: Graph, readonly costs: ComputeCosts, readonly candidates: TensorName[], readonly init: LcPssInit) {
    const rng = new Rng(init.seed)
    this.m = candidates.length
    this.fractions = Array.from({ length: init.samples }, () => candidates.map(() => {
      const f: number[] = []
      for (let i = 1; i < init.devices; i++) f.push(rng.uniform())
      return f.sort((a, b) => a - b)
    }))
  }

  private boundaries (s: number, cut: number): number[] {
    const h = this.costs.tensor(this.candidates[cut]).height
    return [0, ...this.fractions[s][cut].map(f => Math.round(h * f)), h]
  }

  private geometry (a: number, b: number, rows: Range): PartGeometry {
    const info = this.costs.volumeInfo({ input: this.candidates[a], output: this.candidates[b] })
    return this.costs.partGeometry(info, rows)
  }

  /** Mean total FLOPs (halo recomputation included) of the volumes between consecutive cuts. */
  flops (cuts: number[]): number {
    let sum = 0
    for (let i = 0; i + 1 < cuts.length; i++) sum += this.volumeMeanFlops(cuts[i], cuts[i + 1])
    return sum
  }

  /** Mean bytes moved: the requester's input rows, every exchange between volumes, the last output to the tail. */
  bytes (cuts: number[]): number {
    let sum = this.edgeMeanBytes(-1, cuts[0], cuts[1])
    for (let i = 1; i + 1 < cuts.length; i++) sum += this.edgeMeanBytes(cuts[i - 1], cuts[i], cuts[i + 1])
    return sum + this.edgeMeanBytes(cuts[cuts.length - 2], cuts[cuts.length - 1], -1)
  }

  private volumeMeanFlops (a: number, b: number): number {
    const key = a * this.m + b
    const cached = this.volumeFlops.get(key)
    if (cached !== undefined) return cached
    const info = this.costs.volumeInfo({ input: this.candidates[a], output: this.candidates[b] })
    let sum = 0
    for (let s = 0; s < this.init.samples; s++) {
      const x = this.boundaries(s, b)
      for (let k = 0; k + 1 < x.length; k++) {
        if (x[k + 1] <= x[k]) continue
        const g = this.costs.partGeometry(info, [x[k], x[k + 1]])
        info.nodes.forEach((node, i) => {
          const region = g.nodeRegions[i]
          if (region === undefined) return
          sum += nodeWork(this.graph, node, region.rows, region.cols).flops
        })
      }
    }
    const mean = sum / this.init.samples
    this.volumeFlops.set(key, mean)
    return mean
  }

  /**
   * Mean bytes crossing cut b between the volume (a, b) and the volume (b, c); a = -1: from the requester
   * (every part's input rows), c = -1: to the tail, which holds the largest part and receives the others.
   */
  private edgeMeanBytes (a: number, b: number, c: number): number {
    const key = ((a + 1) * (this.m + 1) + b) * (this.m + 1) + (c + 1)
    const cached = this.edgeBytes.get(key)
    if (cached !== undefined) return cached
    const tensor = this.candidates[b]
    const width = this.costs.tensor(tensor).width
    let sum = 0
    for (let s = 0; s < this.init.samples; s++) {
      const next = c < 0 ? undefined : this.boundaries(s, c)
      const have = a < 0 ? undefined : this.boundaries(s, b)
      if (have === undefined) {
        for (let k = 0; k + 1 < next!.length; k++) {
          if (next![k + 1] > next![k]) sum += this.costs.regionBytes(tensor, this.geometry(b, c, [next![k], next![k + 1]]).input)
        }
      } else if (next === undefined) {
        let largest = 0
        for (let k = 0; k + 1 < have.length; k++) largest = Math.max(largest, have[k + 1] - have[k])
        const h = have[have.length - 1]
        sum += this.costs.regionBytes(tensor, { rows: [0, h - largest], cols: [0, width] })
      } else {
        for (let k = 0; k + 1 < next.length; k++) {
          if (next[k + 1] <= next[k]) continue
          const need = this.geometry(b, c, [next[k], next[k + 1]]).input.rows
          for (let j = 0; j + 1 < have.length; j++) {
            if (j === k) continue
            const rows = Math.min(need[1], have[j + 1]) - Math.max(need[0], have[j])
            if (rows > 0) sum += this.costs.regionBytes(tensor, { rows: [0, rows], cols: [0, width] })
          }
        }
      }
    }
    const mean = sum / this.init.samples
    this.edgeBytes.set(key, mean)
    return mean
  }
}
