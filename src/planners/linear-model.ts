// The linear device + network model CoEdge and AOFL plan with: what a deployment knows (profiles, link
// speeds), reduced to straight lines. It is their own estimate, not the simulator's schedule: a block's time
// is the slowest device's (compute + receiving all the input rows it needs: AOFL's blocks scatter their
// input and gather their output); blocks add up; the tail gathers the last output.
import type { TensorName, Volume } from '../graph/types.js'
import type { Plan } from '../plan/types.js'
import type { Simulator } from '../sim/simulate.js'
import { REQUESTER, type Scenario } from '../sim/types.js'
import { cutHeight } from '../sim/layers.js'
import { fastestDevice, splittable, wholeModelTimes } from './plan-build.js'
import { minMaxRows } from './row-split.js'

/** y = a + b x. */
export interface Line { a: number, b: number }

/** Least-squares line through points. */
export function fitLine (xs: readonly number[], ys: readonly number[]): Line {
  const n = xs.length
  const mx = xs.reduce((s, x) => s + x, 0) / n
  const my = ys.reduce((s, y) => s + y, 0) / n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2
    sxy += (xs[i] - mx) * (ys[i] - my)
  }
  const b = sxx > 0 ? sxy / sxx : 0
  return { a: my - b * mx, b }
}

/** Row counts the lines are fitted on: small counts (where the fixed costs show) up to the whole height. */
export function sampleRows (height: number): number[] {
  const picks = [1, 2, 4, height / 16, height / 8, height / 4, height / 2, 3 * height / 4, height]
  return [...new Set(picks.map((x) => Math.max(1, Math.min(height, Math.ceil(x)))))].sort((a, b) => a - b)
}

/** A block's model: per device, its time for x output rows (0 for none). */
export interface BlockModel {
  readonly volume: Volume
  readonly height: number
  readonly splittable: boolean
  /** Time of device d computing x rows of the block, its input transfer included. */
  time: (d: number, x: number) => number
}

export class LinearModel {
  readonly scenario: Scenario
  /** T_d from the profiles. */
  readonly times: number[]
  private readonly n: number
  private readonly computeLines = new Map<string, Line[]>()
  private readonly blocks = new Map<string, BlockModel>()

  constructor (readonly sim: Simulator) {
    this.scenario = sim.scenario
    this.n = this.scenario.devices.length
    this.times = wholeModelTimes(sim)
  }

  private isRequester (d: number): boolean {
    const r = this.scenario.requester
    return r.kind === 'device' && r.device === this.scenario.devices[d].id
  }

  /** Mbps into device d: from the requester for the first block, else the mean over the other devices; Infinity when local. */
  inMbps (d: number, first: boolean): number {
    const id = this.scenario.devices[d].id
    if (first) return this.isRequester(d) ? Infinity : this.sim.linkMbps(REQUESTER, id)
    if (this.n === 1) return Infinity
    let sum = 0
    for (const e of this.scenario.devices) if (e.index !== d) sum += this.sim.linkMbps(e.id, id)
    return sum / (this.n - 1)
  }

  /** Input rows a centred part of a volume reads against its output rows. */
  inputRowsLine (volume: Volume): Line {
    const info = this.sim.costs.volumeInfo(volume)
    const height = info.output.height
    const xs = sampleRows(height)
    return fitLine(xs, xs.map((x) => {
      const start = Math.floor((height - x) / 2)
      const r = this.sim.costs.partGeometry(info, [start, start + x]).input.rows
      return r[1] - r[0]
    }))
  }

  /** Compute line (ms against output rows) of each device for a volume, fitted on centred parts of its profile's cost. */
  lines (volume: Volume, height: number): Line[] {
    const key = `${volume.input}\u0000${volume.output}`
    let lines = this.computeLines.get(key)
    if (lines == null) {
      const xs = sampleRows(height)
      const byProfile = new Map<object, Line>()
      lines = this.scenario.devices.map((dev) => {
        let line = byProfile.get(dev.profile)
        if (line == null) {
          const ys = xs.map((x) => {
            const start = Math.floor((height - x) / 2)
            return this.sim.partMs(dev.index, volume, [start, start + x])
          })
          line = fitLine(xs, ys)
          line = { a: line.a, b: Math.max(0, line.b) }
          byProfile.set(dev.profile, line)
        }
        return line
      })
      this.computeLines.set(key, lines)
    }
    return lines
  }

  /** The block from cut `input` to cut `output`; `first` when it reads the model input from the requester. */
  block (input: TensorName, output: TensorName): BlockModel {
    const first = input === this.scenario.graph.input
    const key = `${input}\u0000${output}`
    let block = this.blocks.get(key)
    if (block != null) return block
    const volume = { input, output }
    const height = cutHeight(this.scenario.graph, output)
    const info = this.sim.costs.volumeInfo(volume)
    const inputRows = this.inputRowsLine(volume)
    const inRowBytes = 4 * info.input.perPixel * info.input.width
    const compute = this.lines(volume, height)
    const msPerInRow = this.scenario.devices.map((d) => {
      const mbps = this.inMbps(d.index, first)
      return mbps === Infinity ? 0 : inRowBytes * 8 / (mbps * 1e3)
    })
    const latency = this.scenario.latencyMs
    block = {
      volume,
      height,
      splittable: splittable(this.scenario, input, output),
      time: (d, x) => {
        if (x <= 0) return 0
        const c = Math.max(0, compute[d].a + compute[d].b * x)
        const transfer = msPerInRow[d] === 0 ? 0 : latency + Math.max(0, inputRows.a + inputRows.b * x) * msPerInRow[d]
        return c + transfer
      }
    }
    this.blocks.set(key, block)
    return block
  }

  /** The block's time under a split (rows per device): its slowest device. */
  splitTime (block: BlockModel, rows: readonly number[]): number {
    let worst = 0
    rows.forEach((x, d) => { worst = Math.max(worst, block.time(d, x)) })
    return worst
  }

  /** The split minimising the block's time (one device takes all of an unsplittable block). */
  bestSplit (block: BlockModel): { rows: number[], time: number } {
    if (!block.splittable) {
      let best = 0
      for (let d = 1; d < this.n; d++) if (block.time(d, block.height) < block.time(best, block.height)) best = d
      const rows = this.scenario.devices.map((_, d) => d === best ? block.height : 0)
      return { rows, time: block.time(best, block.height) }
    }
    const rows = minMaxRows(block.height, this.scenario.devices.map((_, d) => (x: number) => block.time(d, x)))
    return { rows, time: this.splitTime(block, rows) }
  }

  /** The tail on device t after cut `from`: gathering that tensor whole, running the rest, returning the result. */
  tailTime (from: TensorName, t: number): number {
    const graph = this.scenario.graph
    const costs = this.sim.costs
    const latency = this.scenario.latencyMs
    const mbps = this.inMbps(t, from === graph.input)
    const gather = mbps === Infinity ? 0 : latency + costs.tensorBytes(from) * 8 / (mbps * 1e3)
    const resultBytes = graph.outputs.reduce((s, o) => s + costs.tensorBytes(o), 0)
    const back = this.isRequester(t) ? 0 : latency + resultBytes * 8 / (this.sim.linkMbps(this.scenario.devices[t].id, REQUESTER) * 1e3)
    return gather + this.sim.tailMs(t, from) + back
  }

  /** The tail device the model likes best after cut `from`. */
  bestTail (from: TensorName): { device: number, time: number } {
    let best = 0
    let bestTime = this.tailTime(from, 0)
    for (let t = 1; t < this.n; t++) {
      const time = this.tailTime(from, t)
      if (time < bestTime) { best = t; bestTime = time }
    }
    return { device: best, time: bestTime }
  }

  /** The model's estimate of a plan: its blocks one after another, then its tail. */
  planTime (plan: Plan): number {
    const index = new Map(this.scenario.devices.map((d) => [d.id, d.index]))
    let total = 0
    for (const v of plan.volumes) {
      const block = this.block(v.input, v.output)
      const rows = new Array<number>(this.n).fill(0)
      for (const p of v.parts) rows[index.get(p.device)!] += Math.max(0, p.rows[1] - p.rows[0])
      total += this.splitTime(block, rows)
    }
    const from = plan.volumes.length === 0 ? this.scenario.graph.input : plan.volumes[plan.volumes.length - 1].output
    return total + this.tailTime(from, index.get(plan.tail.device)!)
  }

  /** The fastest device by T_d. */
  fastest (): number {
    return fastestDevice(this.times)
  }
}
