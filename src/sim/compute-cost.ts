// Compute cost of a part (a volume's rows on one device) and of the tail, under either profile kind, cached.
import { cutPoints, tailNodeIds, volumeNodeIds } from '../graph/cuts.js'
import { nodeWork } from '../graph/cost.js'
import { partRegions } from '../graph/regions.js'
import type { Graph, GraphNode, Range, Region, TensorName, Volume } from '../graph/types.js'
import { InvalidScenarioError } from '../errors.js'
import { interpolateSegment } from './profile-measured.js'
import { quantizeRows, rooflineNodeMs } from './profile-roofline.js'
import type { ComputeProfile, MeasuredProfile, MeasuredSegment, RooflineProfile } from './types.js'

/** Height and width of a spatial tensor, and its elements per (row, column) position. */
export interface TensorGeometry {
  height: number
  width: number
  /** Elements per pixel: numel / (H * W) (channels times batch). */
  perPixel: number
}

/** What a volume's part needs and computes, for one output region. */
export interface PartGeometry {
  /** The region of the volume's input the part reads (halo included). */
  readonly input: Region
  /** Per node of the volume (in order): the region of its outputs the part computes; undefined for a non-spatial output (computed whole). */
  readonly nodeRegions: ReadonlyArray<Region | undefined>
  /** ms per profile slot; NaN until computed. */
  costs: number[]
}

/** A measured profile's layer tables by their first cut, and its pair tables by "first,middle,end" cut. */
interface MeasuredIndex {
  layers: Map<number, { end: number, table: MeasuredSegment }>
  pairs: Map<string, MeasuredSegment>
}

/** A volume's nodes and the caches of its parts. */
export interface VolumeInfo {
  readonly volume: Volume
  readonly nodes: readonly GraphNode[]
  readonly input: TensorGeometry
  readonly output: TensorGeometry
  readonly parts: Map<number, PartGeometry>
}

function rangeLength (r: Range): number {
  return Math.max(0, r[1] - r[0])
}

/** A table at its whole height and width (a tail, or the model run by one device). */
function fullHeight (t: MeasuredSegment): { rows: number, share: number } {
  return { rows: t.height, share: 1 }
}

/** Size in elements of a tensor. */
function numel (shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/**
 * A run of `runMs` on a measured device with its hand-over to the compute thread and back: `handoverMs`
 * after a short run, growing linearly to the long hand-over's after a run as long as the one that measured it.
 */
export function withHandover (profile: MeasuredProfile, runMs: number): number {
  const { handoverMs, longHandover } = profile
  if (longHandover.runMs <= 0) return runMs + handoverMs
  return runMs + handoverMs + (longHandover.ms - handoverMs) * Math.min(1, runMs / longHandover.runMs)
}

/** Per-graph cost model with caches shared by every device that uses the same profile object. */
export class ComputeCosts {
  private readonly volumes = new Map<string, VolumeInfo>()
  private readonly tails = new Map<string, number[]>()
  private readonly slots = new Map<ComputeProfile, number>()
  private readonly tensors = new Map<TensorName, TensorGeometry>()
  private readonly cutIndex: Map<TensorName, number>
  private readonly measuredChecked = new Map<MeasuredProfile, MeasuredIndex>()
  private readonly scales = new Map<MeasuredProfile, number>()

  constructor (readonly graph: Graph) {
    this.cutIndex = new Map(cutPoints(graph).map((t, i) => [t, i]))
  }

  /** Height, width and elements per pixel of a spatial tensor. */
  tensor (name: TensorName): TensorGeometry {
    let g = this.tensors.get(name)
    if (g == null) {
      const shape = this.graph.shapes.get(name)
      const layout = this.graph.layout.get(name)
      if (shape == null || layout == null) throw new Error(`tensor "${name}" of ${this.graph.name} has no spatial layout`)
      const height = shape[layout.h]
      const width = shape[layout.w]
      g = { height, width, perPixel: numel(shape) / (height * width) }
      this.tensors.set(name, g)
    }
    return g
  }

  /** Bytes of a float32 tensor (every element). */
  tensorBytes (name: TensorName): number {
    const shape = this.graph.shapes.get(name)
    if (shape == null) throw new Error(`tensor "${name}" of ${this.graph.name} has no shape`)
    return 4 * numel(shape)
  }

  /** Bytes of a region of a spatial tensor. */
  regionBytes (name: TensorName, region: Region): number {
    const g = this.tensor(name)
    return 4 * g.perPixel * rangeLength(region.rows) * rangeLength(region.cols)
  }

  volumeInfo (volume: Volume): VolumeInfo {
    const key = `${volume.input}\u0000${volume.output}`
    let info = this.volumes.get(key)
    if (info == null) {
      const nodes = volumeNodeIds(this.graph, volume).map((id) => this.graph.nodes[id])
      info = { volume: { input: volume.input, output: volume.output }, nodes, input: this.tensor(volume.input), output: this.tensor(volume.output), parts: new Map() }
      this.volumes.set(key, info)
    }
    return info
  }

  /** The regions a part needs and computes (cached by the output region). */
  partGeometry (info: VolumeInfo, rows: Range, cols?: Range): PartGeometry {
    const w = info.output.width
    const c0 = cols?.[0] ?? 0
    const c1 = cols?.[1] ?? w
    const key = ((rows[0] * (info.output.height + 1) + rows[1]) * (w + 1) + c0) * (w + 1) + c1
    let g = info.parts.get(key)
    if (g == null) {
      const regions = partRegions(this.graph, info.volume, rows, [c0, c1])
      const input = regions.get(info.volume.input)
      if (input == null) throw new Error(`no region of "${info.volume.input}" for rows [${rows[0]}, ${rows[1]}) of volume ${info.volume.input} -> ${info.volume.output}`)
      g = {
        input,
        nodeRegions: info.nodes.map((n) => this.nodeRegion(n, regions)),
        costs: []
      }
      info.parts.set(key, g)
    }
    return g
  }

  /** The union of the regions of a node's spatial outputs in a part (empty when none is needed); undefined when non-spatial. */
  private nodeRegion (node: GraphNode, regions: Map<TensorName, Region>): Region | undefined {
    if (!this.graph.layout.has(node.outputs[0])) return undefined
    let out: Region | undefined
    for (const o of node.outputs) {
      const r = regions.get(o)
      if (r == null || r.rows[1] <= r.rows[0] || r.cols[1] <= r.cols[0]) continue
      out = out == null ? r : { rows: [Math.min(out.rows[0], r.rows[0]), Math.max(out.rows[1], r.rows[1])], cols: [Math.min(out.cols[0], r.cols[0]), Math.max(out.cols[1], r.cols[1])] }
    }
    return out ?? { rows: [0, 0], cols: [0, 0] }
  }

  private slot (profile: ComputeProfile): number {
    let s = this.slots.get(profile)
    if (s == null) {
      s = this.slots.size
      this.slots.set(profile, s)
    }
    return s
  }

  /** ms a device with `profile` takes to compute rows x cols of the volume's output; 0 for an empty part. */
  partMs (profile: ComputeProfile, info: VolumeInfo, rows: Range, cols?: Range): number {
    if (rows[1] <= rows[0] || (cols != null && cols[1] <= cols[0])) return 0
    const g = this.partGeometry(info, rows, cols)
    const s = this.slot(profile)
    const cached = g.costs[s]
    if (cached !== undefined) return cached
    // a measured device also hands the part to its compute thread and takes the outputs back
    const ms = profile.kind === 'roofline' ? this.rooflinePart(profile, info, g) : withHandover(profile, this.measuredPart(profile, info, g))
    g.costs[s] = ms
    return ms
  }

  private rooflinePart (profile: RooflineProfile, info: VolumeInfo, g: PartGeometry): number {
    let ms = 0
    info.nodes.forEach((node, i) => {
      const region = g.nodeRegions[i]
      if (region == null) {
        ms += this.wholeNodeMs(profile, node)
        return
      }
      if (region.rows[1] <= region.rows[0] || region.cols[1] <= region.cols[0]) return
      const rows = quantizeRows(region.rows, profile.rowQuantum, this.tensor(node.outputs[0]).height)
      const work = nodeWork(this.graph, node, rows, region.cols)
      ms += rooflineNodeMs(profile, work.flops, work.bytes)
    })
    return ms
  }

  private wholeNodeMs (profile: RooflineProfile, node: GraphNode): number {
    const out = node.outputs[0]
    const spatial = this.graph.layout.has(out)
    const rows: Range = spatial ? [0, this.tensor(out).height] : [0, 1]
    const cols: Range | undefined = spatial ? [0, this.tensor(out).width] : undefined
    const work = nodeWork(this.graph, node, rows, cols)
    return rooflineNodeMs(profile, work.flops, work.bytes)
  }

  /** Checks the tables fit this graph's cut points; indexes layer and pair tables by the cuts they span. */
  private measuredIndex (profile: MeasuredProfile): MeasuredIndex {
    let index = this.measuredChecked.get(profile)
    if (index != null) return index
    const cuts = cutPoints(this.graph)
    const ok = profile.segments.length === cuts.length - 1 && profile.segments.every((s, i) => s.input === cuts[i] && s.output === cuts[i + 1])
    if (!ok) throw new InvalidScenarioError(`measured profile ${profile.name}: its segments do not follow the cut points of ${this.graph.name}; measure it again for this model`)
    const span = (t: MeasuredSegment, what: string): [number, number] => {
      const from = this.cutIndex.get(t.input)
      const end = this.cutIndex.get(t.output)
      if (from == null || end == null || end <= from + 1) throw new InvalidScenarioError(`measured profile ${profile.name}: ${what} ${t.input} -> ${t.output} does not span cut points of ${this.graph.name}`)
      return [from, end]
    }
    index = { layers: new Map(), pairs: new Map() }
    for (const table of profile.layers) {
      const [from, end] = span(table, 'layer')
      index.layers.set(from, { end, table })
    }
    for (const p of profile.pairs) {
      const [from, end] = span(p.table, 'layer pair')
      const mid = this.cutIndex.get(p.middle)
      if (mid == null || mid <= from || mid >= end) throw new InvalidScenarioError(`measured profile ${profile.name}: layer pair ${p.table.input} -> ${p.table.output} is not split at a cut between them ("${p.middle}")`)
      index.pairs.set(`${from},${mid},${end}`, p.table)
    }
    this.measuredChecked.set(profile, index)
    return index
  }

  /**
   * The time of running cuts [from, to) as one sub-model. The tables covering the range (a whole layer's
   * where the range holds that layer, else the segments') each hold the cost of being a sub-model of their
   * own: one onnxruntime call, copying their input in and their output out. Run together, every boundary
   * between two tables saves that: measured directly where a table of the two layers fused exists
   * (T_a + T_b - T_ab), one call elsewhere. `rowsOf` gives the rows (and the column share) a table's output
   * is computed on.
   */
  private measuredChain (profile: MeasuredProfile, from: number, to: number, rowsOf: (t: MeasuredSegment) => { rows: number, share: number }): { ms: number, units: number } {
    const { layers, pairs } = this.measuredIndex(profile)
    let ms = 0
    let units = 0
    let last: { start: number, end: number, ms: number } | undefined
    for (let s = from; s < to;) {
      const layer = layers.get(s)
      const whole = layer != null && layer.end <= to
      const table = whole ? layer.table : profile.segments[s]
      const start = s
      s = whole ? layer.end : s + 1
      const { rows, share } = rowsOf(table)
      if (rows === 0) continue
      const t = interpolateSegment(table, rows) * share
      ms += t
      units++
      if (last != null) {
        const pair = last.end === start ? pairs.get(`${last.start},${start},${s}`) : undefined
        const saved = pair != null ? last.ms + t - interpolateSegment(pair, rows) * share : profile.callMs
        ms -= Math.max(0, Math.min(saved, last.ms, t))
      }
      last = { start, end: s, ms: t }
    }
    return { ms, units }
  }

  private measuredPart (profile: MeasuredProfile, info: VolumeInfo, g: PartGeometry): number {
    const regionOf = new Map<TensorName, Region>()
    info.nodes.forEach((n, i) => { const r = g.nodeRegions[i]; if (r != null) regionOf.set(n.outputs[0], r) })
    // A table's rows are those of its output cut tensor in the part; columns scale its time linearly.
    const chain = this.measuredChain(profile, this.cutIndex.get(info.volume.input)!, this.cutIndex.get(info.volume.output)!, (t) => {
      const region = regionOf.get(t.output)!
      return { rows: rangeLength(region.rows), share: rangeLength(region.cols) / this.tensor(t.output).width }
    })
    // a part of several tables is a chain like a tail's, misjudged the same way; one table is measured as it runs
    return chain.units >= 2 ? chain.ms * this.chainScale(profile) : chain.ms
  }

  /** ms of everything after cut tensor `from`, run whole on one device. */
  tailMs (profile: ComputeProfile, from: TensorName): number {
    let perSlot = this.tails.get(from)
    if (perSlot == null) {
      perSlot = []
      this.tails.set(from, perSlot)
    }
    const s = this.slot(profile)
    const cached = perSlot[s]
    if (cached !== undefined) return cached
    let ms = 0
    if (profile.kind === 'roofline') {
      for (const id of tailNodeIds(this.graph, from)) ms += this.wholeNodeMs(profile, this.graph.nodes[id])
    } else {
      ms = this.measuredTail(profile, this.cutIndex.get(from)!, this.chainScale(profile))
      if (ms > 0) ms = withHandover(profile, ms)
    }
    perSlot[s] = ms
    return ms
  }

  /**
   * The tail from cut `from` by the tables: the rest of the spatial prefix at full height (its chain,
   * times `scale` when it holds two tables or more) and the non-spatial tail, run as one sub-model by
   * the engine: one call.
   */
  private measuredTail (profile: MeasuredProfile, from: number, scale: number): number {
    const rest = this.measuredChain(profile, from, profile.segments.length, fullHeight)
    const chain = rest.units >= 2 ? rest.ms * scale : rest.ms
    return rest.units > 0 && profile.tailMs > 0 ? chain + profile.tailMs - Math.min(profile.callMs, chain, profile.tailMs) : chain + profile.tailMs
  }

  /**
   * What a chain of tables misjudges a run of them as one sub-model by on this device: the factor that
   * makes the tail from the input equal the whole model's measured time (1 when the profile has none).
   * Separately timed tables each start cold and end in their own output copy; one long sub-model does
   * neither, and a CPU quota's periods fall differently over it. Measured on the testbed's devices
   * (VGG16 at 96x96): 0.72 to 1.07, lowest on the faster devices.
   */
  private chainScale (profile: MeasuredProfile): number {
    let scale = this.scales.get(profile)
    if (scale != null) return scale
    scale = 1
    if (profile.wholeMs > 0) {
      const chain = this.measuredChain(profile, 0, profile.segments.length, fullHeight).ms
      // measuredTail(0, k) = chain k + tailMs - min(callMs, tailMs) = wholeMs (one call saved when both run)
      const saved = profile.tailMs > 0 ? Math.min(profile.callMs, profile.tailMs) : 0
      const k = (profile.wholeMs - profile.tailMs + saved) / chain
      if (chain > 0 && k > 0 && Number.isFinite(k)) scale = k
    }
    this.scales.set(profile, scale)
    return scale
  }

  /** ms of the whole model on one device. */
  wholeModelMs (profile: ComputeProfile): number {
    return this.tailMs(profile, this.graph.input)
  }
}
