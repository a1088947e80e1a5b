// Layer-volume sub-models: for a part of a volume (a region of its output), an ONNX model whose one
// input is exactly the region of the volume input the part needs and whose one output is exactly the
// part's region. Padding happens only at the real edges of a tensor (static pads per part), a Slice
// only where a tensor holds more than a consumer reads, Resize and index-mode Pad become Gathers
// (plus linear weights) when no static form is exact, constants with rows are cut with the rows.
// A part covering everything is the volume's own nodes, unchanged.
import { UnsupportedOpError } from '../errors.js'
import { attrInt, intAttr, intsAttr, withAttribute } from '../graph/attributes.js'
import { cutPosition, tailNodeIds } from '../graph/cuts.js'
import { transposeGeometry } from '../graph/geometry.js'
import { encodeModel, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../graph/onnx/codec.js'
import { fullRegion, inputAxes, nodeResizeTaps, nodeWindow, partAnalysis, sliceParams, type PartAnalysis } from '../graph/regions.js'
import { padSource, padSpec } from '../graph/resample.js'
import { encodeTensor, fromNumbers, TO_ONNX } from '../graph/tensor-data.js'
import type { ConstTensor, DataType, Graph, GraphNode, InputRegion, Range, Region, TensorName, Volume } from '../graph/types.js'
import { rangeLength, regionDims, sameRegion, sliceAxes } from './tensor.js'

/** One input or output of a sub-model. */
export interface SubModelPort {
  name: TensorName
  dataType: DataType
  dims: number[]
  /** The region of the graph tensor it carries (absent: the whole tensor). */
  region?: Region
}

export interface SubModel {
  /** Cache key: volume and region, or the tail's start. */
  key: string
  bytes: Uint8Array
  inputs: SubModelPort[]
  outputs: SubModelPort[]
  /** Nodes of the graph the sub-model runs. */
  graphNodes: number
  /** Nodes added to them (Slice, Gather, Mul, Add, Identity). */
  addedNodes: number
}

const BIG = 9007199254740991

/** Collects the nodes and initializers of a sub-model. */
class ModelWriter {
  readonly nodes: NodeProto[] = []
  readonly initializers = new Map<string, TensorProto>()
  private readonly used = new Set<string>()
  added = 0

  constructor (readonly graph: Graph) {
    for (const n of graph.nodes) n.outputs.forEach(o => this.used.add(o))
    for (const c of graph.constants.keys()) this.used.add(c)
    this.used.add(graph.input)
  }

  fresh (hint: string): string {
    let name = hint
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`
    this.used.add(name)
    return name
  }

  /** A graph constant, as an initializer of the same name. */
  constant (name: TensorName): TensorName {
    if (!this.initializers.has(name)) this.initializers.set(name, encodeTensor(name, this.graph.constants.get(name)!))
    return name
  }

  /** A new initializer. */
  add (hint: string, tensor: ConstTensor): TensorName {
    const name = this.fresh(hint)
    this.initializers.set(name, encodeTensor(name, tensor))
    return name
  }

  int64 (hint: string, values: number[]): TensorName {
    return this.add(hint, fromNumbers('int64', [values.length], values))
  }

  node (proto: NodeProto, added: boolean): void {
    this.nodes.push(proto)
    if (added) this.added += 1
  }

  /** Slice of `x` along `axes` to local [starts, ends). */
  slice (x: string, out: string, axes: number[], starts: number[], ends: number[], steps?: number[], added = true): void {
    if (this.graph.opset < 10) {
      this.node({ name: this.fresh(`${out}__slice`), opType: 'Slice', input: [x], output: [out], attribute: [intsAttr('axes', axes), intsAttr('starts', starts), intsAttr('ends', ends)] }, added)
      return
    }
    const input = [x, this.int64(`${out}.starts`, starts), this.int64(`${out}.ends`, ends), this.int64(`${out}.axes`, axes)]
    if (steps != null) input.push(this.int64(`${out}.steps`, steps))
    this.node({ name: this.fresh(`${out}__slice`), opType: 'Slice', input, output: [out] }, added)
  }
}

interface Held {
  /** The tensor's name inside the sub-model. */
  name: string
  /** The region it holds (spatial tensors). */
  region?: Region
}

function copyNode (node: GraphNode, inputs: string[], outputs: string[], attributes = node.attributes): NodeProto {
  return { name: node.name, opType: node.opType, domain: node.domain === '' ? undefined : node.domain, input: inputs, output: outputs, attribute: attributes }
}

function spatialOutput (graph: Graph, node: GraphNode): TensorName | undefined {
  return node.outputs.find(o => o !== '' && graph.layout.has(o))
}

function valueInfo (name: string, dataType: DataType, dims: number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: TO_ONNX[dataType], shape: { dim: dims.map(d => ({ dimValue: d })) } } } }
}

function regionOf (r: InputRegion | null): Region | undefined {
  return r == null ? undefined : { rows: r.rows, cols: r.cols }
}

/** Builds the nodes of one part. */
class PartBuilder {
  private readonly held = new Map<TensorName, Held>()
  private readonly slices = new Map<string, string>()

  constructor (readonly graph: Graph, readonly w: ModelWriter, readonly a: PartAnalysis) {
    this.held.set(a.volume.input, { name: a.volume.input, region: a.regions.get(a.volume.input) })
  }

  /** The name under which `t` holds exactly `want` (slicing what is held when it holds more). */
  private view (t: TensorName, want: Region | undefined, spare: [number, number] = [0, 0]): string {
    const h = this.held.get(t)
    if (h == null) throw new Error(`sub-model: tensor "${t}" is read before it is computed`)
    if (want == null || h.region == null || sameRegion(h.region, want)) return h.name
    const r = h.region
    if (r.rows[0] === want.rows[0] && r.cols[0] === want.cols[0] && r.rows[1] - want.rows[1] <= spare[0] && r.cols[1] - want.cols[1] <= spare[1] &&
      r.rows[1] >= want.rows[1] && r.cols[1] >= want.cols[1]) return h.name
    const key = `${t}\u0000${want.rows.join(',')}\u0000${want.cols.join(',')}`
    const hit = this.slices.get(key)
    if (hit != null) return hit
    const axes = this.graph.layout.get(t)!
    const sAxes: number[] = []
    const starts: number[] = []
    const ends: number[] = []
    if (want.rows[0] !== h.region.rows[0] || want.rows[1] !== h.region.rows[1]) {
      sAxes.push(axes.h)
      starts.push(want.rows[0] - h.region.rows[0])
      ends.push(want.rows[1] - h.region.rows[0])
    }
    if (want.cols[0] !== h.region.cols[0] || want.cols[1] !== h.region.cols[1]) {
      sAxes.push(axes.w)
      starts.push(want.cols[0] - h.region.cols[0])
      ends.push(want.cols[1] - h.region.cols[0])
    }
    const name = this.w.fresh(`${t}__r${want.rows[0]}_${want.rows[1]}_c${want.cols[0]}_${want.cols[1]}`)
    this.w.slice(h.name, name, sAxes, starts, ends)
    this.slices.set(key, name)
    return name
  }

  /** A constant input, cut to the region the node reads when it has rows or columns. */
  private constantInput (node: GraphNode, i: number, r: InputRegion | null): string {
    const t = node.inputs[i]
    if (r == null) return this.w.constant(t)
    const c = this.graph.constants.get(t)!
    const ax = inputAxes(this.graph, node, i)
    const ranges: Array<{ axis: number, range: Range }> = []
    if (ax.h >= 0 && (r.rows[0] !== 0 || r.rows[1] !== c.dims[ax.h])) ranges.push({ axis: ax.h, range: r.rows })
    if (ax.w >= 0 && (r.cols[0] !== 0 || r.cols[1] !== c.dims[ax.w])) ranges.push({ axis: ax.w, range: r.cols })
    if (ranges.length === 0) return this.w.constant(t)
    const cut = sliceAxes({ dataType: c.dataType, dims: c.dims, data: c.data }, ranges)
    return this.w.add(`${t}__r${r.rows[0]}_${r.rows[1]}_c${r.cols[0]}_${r.cols[1]}`, { dataType: cut.dataType, dims: cut.dims, data: cut.data })
  }

  build (): void {
    for (const id of this.a.nodes) this.emit(this.graph.nodes[id])
    const out = this.a.volume.output
    const h = this.held.get(out)!
    if (h.name !== out) {
      // the volume ends in a no-op for this part: its output is another tensor under another name
      this.w.node({ name: this.w.fresh(`${out}__identity`), opType: 'Identity', input: [h.name], output: [out] }, true)
    }
  }

  private emit (node: GraphNode): void {
    const g = this.graph
    const reads = this.a.reads.get(node.id)!
    const spare = trailingSpare(g, node)
    const inputs = node.inputs.map((t, i) => {
      if (t === '') return ''
      if (g.constants.has(t)) return this.constantInput(node, i, reads[i])
      return this.view(t, regionOf(reads[i]), i === 0 ? spare : undefined)
    })
    const first = spatialOutput(g, node)
    if (first == null) {
      this.w.node(copyNode(node, inputs, node.outputs), false)
      for (const o of node.outputs) if (o !== '') this.held.set(o, { name: o })
      return
    }
    // the region every spatial output is computed in: the union of what its consumers read
    let out: Region | undefined
    for (const o of node.outputs) {
      const r = o === '' ? undefined : this.a.regions.get(o)
      if (r == null) continue
      out = out == null
        ? { rows: [r.rows[0], r.rows[1]], cols: [r.cols[0], r.cols[1]] }
        : { rows: [Math.min(out.rows[0], r.rows[0]), Math.max(out.rows[1], r.rows[1])], cols: [Math.min(out.cols[0], r.cols[0]), Math.max(out.cols[1], r.cols[1])] }
    }
    const region = out!
    const full = fullRegion(g, first)
    const untouched = sameRegion(region, full) && node.inputs.every((t, i) => {
      const r = reads[i]
      if (t === '' || r == null) return true
      return g.constants.has(t) ? inputs[i] === t : sameRegion(fullRegion(g, t), r)
    })
    if (untouched) {
      this.w.node(copyNode(node, inputs, node.outputs), false)
      for (const o of node.outputs) if (o !== '') this.held.set(o, { name: o, region: g.layout.has(o) ? region : undefined })
      return
    }
    const produced = this.rewrite(node, inputs, reads, region)
    for (const o of node.outputs) {
      if (o === '') continue
      this.held.set(o, { name: o === node.outputs[0] && produced.alias != null ? produced.alias : o, region: g.layout.has(o) ? region : undefined })
    }
  }

  /** Emits `node` rewritten to compute exactly `out`; `alias` names the input it passes through when it is a no-op. */
  private rewrite (node: GraphNode, inputs: string[], reads: Array<InputRegion | null>, out: Region): { region: Region, alias?: string } {
    const g = this.graph
    const outputs = node.outputs
    switch (node.opType) {
      case 'Conv': case 'MaxPool': case 'AveragePool': case 'LpPool': {
        const geo = nodeWindow(g, node)
        const p = reads[0]!.pads
        const inDims = g.shapes.get(node.inputs[0])!
        // a ceil_mode window may run past the end padding: that overhang is no padding of the sub-model
        const overhang = ([a, b]: Range, k: 0 | 1): number => {
          const end = (b - 1) * geo.strides[k] - geo.pads[k] + (geo.kernel[k] - 1) * geo.dilations[k] + 1
          return Math.max(0, end - (inDims[2 + k] + geo.pads[k + 2]))
        }
        const local = [p[0], p[1], p[2] - overhang(out.rows, 0), p[3] - overhang(out.cols, 1)]
        const attrs = withAttribute(node.attributes.filter(a => a.name !== 'auto_pad'), intsAttr('pads', local))
        this.w.node(copyNode(node, inputs, outputs, attrs), false)
        return { region: out }
      }
      case 'ConvTranspose': return this.convTranspose(node, inputs, reads, out)
      case 'Pad': return this.pad(node, inputs, reads, out)
      case 'Resize': case 'Upsample': return this.resize(node, inputs, reads, out)
      case 'DepthToSpace': {
        const bs = attrInt(node, 'blocksize', 1)
        const r = reads[0]!
        const made: Region = { rows: [r.rows[0] * bs, r.rows[1] * bs], cols: [r.cols[0] * bs, r.cols[1] * bs] }
        if (sameRegion(made, out)) {
          this.w.node(copyNode(node, inputs, outputs), false)
          return { region: out }
        }
        // whole blocks come out: keep the rows of the part
        const raw = this.w.fresh(`${outputs[0]}__blocks`)
        this.w.node(copyNode(node, inputs, [raw]), false)
        const axes = g.layout.get(outputs[0])!
        this.w.slice(raw, outputs[0], [axes.h, axes.w], [out.rows[0] - made.rows[0], out.cols[0] - made.cols[0]], [out.rows[1] - made.rows[0], out.cols[1] - made.cols[0]])
        return { region: out }
      }
      case 'Reshape': {
        const o = outputs[0]
        const dims = regionDims(g.shapes.get(o)!, g.layout.get(o)!, out)
        const shape = this.w.int64(`${o}.shape`, dims)
        this.w.node(copyNode(node, [inputs[0], shape], outputs), false)
        return { region: out }
      }
      case 'Slice': return this.sliceOp(node, inputs, reads, out)
    }
    const made = reads[0] != null && SOFTMAX_OPS.has(node.opType) ? regionOf(reads[0])! : out
    if (sameRegion(made, out)) {
      this.w.node(copyNode(node, inputs, outputs), false)
      return { region: out }
    }
    // a softmax across columns (or rows) computes all of them: keep the part's
    const raw = this.w.fresh(`${outputs[0]}__whole`)
    this.w.node(copyNode(node, inputs, [raw]), false)
    const axes = g.layout.get(outputs[0])!
    this.w.slice(raw, outputs[0], [axes.h, axes.w], [out.rows[0] - made.rows[0], out.cols[0] - made.cols[0]], [out.rows[1] - made.rows[0], out.cols[1] - made.cols[0]])
    return { region: out }
  }

  private convTranspose (node: GraphNode, inputs: string[], reads: Array<InputRegion | null>, out: Region): { region: Region } {
    const g = this.graph
    const d = g.shapes.get(node.inputs[0])!
    const wd = g.shapes.get(node.inputs[1])!
    const geo = transposeGeometry(node, [d[2], d[3]], [wd[2], wd[3]])
    const r = reads[0]!
    const begin: number[] = []
    const end: number[] = []
    const extra: number[] = []
    for (const k of [0, 1] as const) {
      const [a, b] = k === 0 ? out.rows : out.cols
      const [i0, i1] = k === 0 ? r.rows : r.cols
      const s = geo.strides[k]
      const eff = (geo.kernel[k] - 1) * geo.dilations[k] + 1
      const total = s * (i1 - i0 - 1) + eff
      const top = a - i0 * s + geo.pads[k]
      if (top < 0 || i1 <= i0) {
        throw new UnsupportedOpError(node.opType, node.name, 'its stride leaves output rows that read no input; it cannot be split there')
      }
      let bottom = total - top - (b - a)
      let op = 0
      if (bottom < 0) { op = -bottom; bottom = 0 }
      begin.push(top)
      end.push(bottom)
      extra.push(op)
    }
    let attrs = node.attributes.filter(a => a.name !== 'auto_pad' && a.name !== 'output_shape')
    attrs = withAttribute(attrs, intsAttr('pads', [...begin, ...end]))
    attrs = withAttribute(attrs, intsAttr('output_padding', extra))
    this.w.node(copyNode(node, inputs, node.outputs, attrs), false)
    return { region: out }
  }

  private pad (node: GraphNode, inputs: string[], reads: Array<InputRegion | null>, out: Region): { region: Region, alias?: string } {
    const g = this.graph
    const spec = padSpec(g, node)
    const t = node.inputs[0]
    const axes = g.layout.get(t)!
    const dims = g.shapes.get(t)!
    const r = reads[0]!
    const begin = [...spec.begin]
    const end = [...spec.end]
    let x = inputs[0]
    const gathers: Array<{ axis: number, index: number[] }> = []
    // a constant Pad may hold a real row its part does not need (a part wholly in the padding): it is sliced away after
    const trim: Array<{ axis: number, start: number, end: number }> = []
    const axisPlan = (axis: number, [a, b]: Range, held: Range): void => {
      if (spec.mode === 'constant') {
        const from = a - spec.begin[axis]
        const to = b - spec.begin[axis]
        begin[axis] = Math.max(0, held[0] - from)
        end[axis] = Math.max(0, to - held[1])
        const made = Math.max(to, held[1]) - Math.min(from, held[0])
        if (made !== b - a) {
          const start = from - Math.min(from, held[0])
          trim.push({ axis, start, end: start + b - a })
        }
        return
      }
      const len = dims[axis]
      const local = rangeLength(held)
      const src: number[] = []
      let before = 0
      let after = 0
      for (let o = a; o < b; o++) {
        const i = o - spec.begin[axis]
        if (i < 0) before += 1
        else if (i >= len) after += 1
        src.push(padSource(spec.mode, o, spec.begin[axis], len) - held[0])
      }
      // a static Pad must give exactly the part's rows, from exactly the rows held (reflect needs two of them)
      const staticOk = before + local + after === b - a && (spec.mode !== 'reflect' || local >= 2 || before + after === 0) &&
        src.every((s, k) => s === padSource(spec.mode, k, before, local))
      if (staticOk) {
        begin[axis] = before
        end[axis] = after
      } else {
        gathers.push({ axis, index: src })
        begin[axis] = 0
        end[axis] = 0
      }
    }
    axisPlan(axes.h, out.rows, r.rows)
    axisPlan(axes.w, out.cols, r.cols)
    for (const { axis, index } of gathers) {
      const name = this.w.fresh(`${node.outputs[0]}__gather${axis}`)
      this.w.node({ name, opType: 'Gather', input: [x, this.w.int64(`${name}.index`, index)], output: [name], attribute: [intAttr('axis', axis)] }, true)
      x = name
    }
    if (begin.every(v => v === 0) && end.every(v => v === 0)) {
      if (gathers.length === 0) return { region: out, alias: x }
      // the last Gather gives the result: name it as the node's output
      const lastGather = this.w.nodes[this.w.nodes.length - 1]
      lastGather.output = [node.outputs[0]]
      return { region: out }
    }
    let attrs = node.attributes
    const input = [x]
    if (g.opset < 11) {
      attrs = withAttribute(attrs, intsAttr('pads', [...begin, ...end]))
    } else {
      input.push(this.w.int64(`${node.outputs[0]}.pads`, [...begin, ...end]))
      if (inputs[2] != null && inputs[2] !== '') input.push(inputs[2])
    }
    if (trim.length === 0) {
      this.w.node(copyNode(node, input, node.outputs, attrs), false)
      return { region: out }
    }
    const padded = this.w.fresh(`${node.outputs[0]}__padded`)
    this.w.node(copyNode(node, input, [padded], attrs), false)
    this.w.slice(padded, node.outputs[0], trim.map(t => t.axis), trim.map(t => t.start), trim.map(t => t.end))
    return { region: out }
  }

  private resize (node: GraphNode, inputs: string[], reads: Array<InputRegion | null>, out: Region): { region: Region, alias?: string } {
    const g = this.graph
    const t = node.inputs[0]
    const axes = g.layout.get(t)!
    const rank = g.shapes.get(t)!.length
    const dtype = g.dtypes.get(t)!
    const taps = nodeResizeTaps(g, node)
    const r = reads[0]!
    let x = inputs[0]
    const o = node.outputs[0]
    const steps = [
      { axis: axes.h, range: out.rows, held: r.rows, taps: taps.h },
      { axis: axes.w, range: out.cols, held: r.cols, taps: taps.w }
    ].filter(step => {
      const [a, b] = step.range
      const lists = step.taps.slice(a, b)
      return !(b - a === rangeLength(step.held) && lists.every((l, j) => l.length === 1 && l[0].weight === 1 && l[0].index - step.held[0] === j))
    })
    if (steps.length === 0) return { region: out, alias: x }
    steps.forEach((step, k) => {
      const [a, b] = step.range
      const n = b - a
      const lists = step.taps.slice(a, b)
      const target = k === steps.length - 1 ? o : this.w.fresh(`${o}__axis${step.axis}`)
      const gather = (slot: number, name: string): string => {
        const index = lists.map(l => (l[slot] ?? l[0]).index - step.held[0])
        this.w.node({ name, opType: 'Gather', input: [x, this.w.int64(`${name}.index`, index)], output: [name], attribute: [intAttr('axis', step.axis)] }, true)
        return name
      }
      if (lists.every(l => l.length === 1 && l[0].weight === 1)) {
        gather(0, target)
      } else {
        if (dtype !== 'float32') throw new UnsupportedOpError(node.opType, node.name, 'linear resizing of a non-float32 tensor')
        const wdims = new Array<number>(rank).fill(1)
        wdims[step.axis] = n
        const terms: string[] = []
        for (const slot of [0, 1]) {
          const weights = lists.map(l => (slot < l.length ? l[slot].weight : 0))
          const gname = gather(slot, this.w.fresh(`${o}__tap${step.axis}_${slot}`))
          const wname = this.w.add(`${o}__w${step.axis}_${slot}`, fromNumbers('float32', wdims, weights))
          const mname = this.w.fresh(`${o}__term${step.axis}_${slot}`)
          this.w.node({ name: mname, opType: 'Mul', input: [gname, wname], output: [mname] }, true)
          terms.push(mname)
        }
        this.w.node({ name: target, opType: 'Add', input: terms, output: [target] }, true)
      }
      x = target
    })
    return { region: out }
  }

  private sliceOp (node: GraphNode, inputs: string[], reads: Array<InputRegion | null>, out: Region): { region: Region } {
    const g = this.graph
    const t = node.inputs[0]
    const axes = g.layout.get(t)!
    const dims = g.shapes.get(t)!
    const params = sliceParams(g, node)
    const r = reads[0]!
    const sAxes: number[] = []
    const starts: number[] = []
    const ends: number[] = []
    const steps: number[] = []
    const origEnds = sliceEnds(g, node, dims)
    for (const [axis, p] of params) {
      sAxes.push(axis)
      steps.push(p.step)
      if (axis === axes.h || axis === axes.w) {
        const [a, b] = axis === axes.h ? out.rows : out.cols
        const held = axis === axes.h ? r.rows : r.cols
        const n = b - a
        if (p.step > 0) {
          starts.push(0)
          ends.push((n - 1) * p.step + 1)
        } else {
          starts.push(rangeLength(held) - 1)
          ends.push(-BIG)
        }
      } else {
        starts.push(p.start)
        ends.push(origEnds.get(axis)!)
      }
    }
    if (g.opset < 10 && steps.some(s => s !== 1)) throw new UnsupportedOpError(node.opType, node.name, 'steps before opset 10')
    this.w.slice(inputs[0], node.outputs[0], sAxes, starts, ends, g.opset >= 10 ? steps : undefined, false)
    return { region: out }
  }
}

/**
 * Rows and columns a window op ignores at the end of its input: with floor rounding, fewer than a stride
 * of extra rows make no extra output, so a larger tensor held can be read without a Slice.
 */
function trailingSpare (graph: Graph, node: GraphNode): [number, number] {
  if (!WINDOW_OPS.has(node.opType) || attrInt(node, 'ceil_mode', 0) !== 0) return [0, 0]
  const g = nodeWindow(graph, node)
  return [g.strides[0] - 1, g.strides[1] - 1]
}

const WINDOW_OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool'])
const SOFTMAX_OPS = new Set(['Softmax', 'LogSoftmax', 'Hardmax'])

/** Original `ends` of a Slice per axis. */
function sliceEnds (graph: Graph, node: GraphNode, dims: number[]): Map<number, number> {
  const rank = dims.length
  const get = (index: number, attr: string): number[] | undefined => {
    if (graph.opset < 10) return node.attributes.find(a => a.name === attr)?.ints?.map(Number)
    const n = node.inputs[index]
    if (n == null || n === '') return undefined
    return Array.from(graph.constants.get(n)!.data as ArrayLike<number | bigint>, Number)
  }
  const starts = get(1, 'starts') ?? []
  const ends = get(2, 'ends') ?? []
  const axes = get(3, 'axes') ?? starts.map((_, i) => i)
  const out = new Map<number, number>()
  axes.forEach((a, i) => out.set(a < 0 ? a + rank : a, Math.max(Math.min(ends[i], BIG), -BIG)))
  return out
}

function finish (graph: Graph, w: ModelWriter, name: string, inputs: SubModelPort[], outputs: SubModelPort[]): Uint8Array {
  const model: ModelProto = {
    irVersion: graph.model.irVersion ?? 8,
    producerName: 'tessera',
    opsetImport: graph.model.opsetImport,
    graph: {
      name,
      node: w.nodes,
      initializer: [...w.initializers.values()],
      input: inputs.map(p => valueInfo(p.name, p.dataType, p.dims)),
      output: outputs.map(p => valueInfo(p.name, p.dataType, p.dims))
    }
  }
  return encodeModel(model)
}

/** Keeps recently built sub-models, up to a byte budget per graph. */
class SubModelCache {
  private readonly entries = new Map<string, SubModel>()
  private bytes = 0
  constructor (private readonly budget: number) {}

  get (key: string): SubModel | undefined {
    const hit = this.entries.get(key)
    if (hit != null) {
      this.entries.delete(key)
      this.entries.set(key, hit)
    }
    return hit
  }

  set (m: SubModel): void {
    this.entries.set(m.key, m)
    this.bytes += m.bytes.byteLength
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.budget || this.entries.size <= 1) break
      this.entries.delete(k)
      this.bytes -= v.bytes.byteLength
    }
  }
}

/** Bytes of built sub-models kept per graph. */
export const SUB_MODEL_CACHE_BYTES = 768 * 1024 * 1024

const caches = new WeakMap<Graph, SubModelCache>()

function cacheOf (graph: Graph): SubModelCache {
  let c = caches.get(graph)
  if (c == null) {
    c = new SubModelCache(SUB_MODEL_CACHE_BYTES)
    caches.set(graph, c)
  }
  return c
}

/** Cache key of a part's sub-model. */
export function partKey (volume: Volume, rows: Range, cols: Range): string {
  return `part:${volume.input}->${volume.output}:r${rows[0]}-${rows[1]}:c${cols[0]}-${cols[1]}`
}

/**
 * The sub-model of the part of `volume` that computes `rows` x `cols` (default: all columns) of its
 * output: one input (the region of volume.input the part needs), one output (exactly its region).
 */
export function partModel (graph: Graph, volume: Volume, rows: Range, cols?: Range): SubModel {
  const full = fullRegion(graph, volume.output)
  const c: Range = cols ?? full.cols
  if (rows[1] <= rows[0] || c[1] <= c[0]) throw new RangeError(`part rows [${rows.join(', ')}) cols [${c.join(', ')}) is empty: an empty part runs nothing`)
  const key = partKey(volume, rows, c)
  const cache = cacheOf(graph)
  const hit = cache.get(key)
  if (hit != null) return hit
  const a = partAnalysis(graph, volume, rows, c)
  const w = new ModelWriter(graph)
  const b = new PartBuilder(graph, w, a)
  b.build()
  const inRegion = a.regions.get(volume.input)!
  const inputs: SubModelPort[] = [{
    name: volume.input,
    dataType: graph.dtypes.get(volume.input)!,
    dims: regionDims(graph.shapes.get(volume.input)!, graph.layout.get(volume.input)!, inRegion),
    region: inRegion
  }]
  const outputs: SubModelPort[] = [{
    name: volume.output,
    dataType: graph.dtypes.get(volume.output)!,
    dims: regionDims(graph.shapes.get(volume.output)!, graph.layout.get(volume.output)!, a.output),
    region: a.output
  }]
  const m: SubModel = {
    key,
    bytes: finish(graph, w, `${graph.name}:${volume.input}->${volume.output}`, inputs, outputs),
    inputs,
    outputs,
    graphNodes: a.nodes.length,
    addedNodes: w.added
  }
  cache.set(m)
  return m
}

/**
 * The tail: every node after cut tensor `from` (the last volume's output, or graph.input for all of the
 * model), taking `from` whole and giving the graph outputs. Undefined when nothing follows `from`.
 */
export function tailModel (graph: Graph, from: TensorName): SubModel | undefined {
  cutPosition(graph, from)
  const ids = tailNodeIds(graph, from)
  const outs = graph.outputs.filter(o => o !== from)
  if (ids.length === 0 || outs.length === 0) return undefined
  const key = `tail:${from}`
  const cache = cacheOf(graph)
  const hit = cache.get(key)
  if (hit != null) return hit
  const w = new ModelWriter(graph)
  for (const id of ids) {
    const node = graph.nodes[id]
    w.node(copyNode(node, node.inputs.map(t => (t !== '' && graph.constants.has(t) ? w.constant(t) : t)), node.outputs), false)
  }
  const inputs: SubModelPort[] = [{ name: from, dataType: graph.dtypes.get(from)!, dims: graph.shapes.get(from)! }]
  const outputs: SubModelPort[] = outs.map(o => ({ name: o, dataType: graph.dtypes.get(o)!, dims: graph.shapes.get(o)! }))
  const m: SubModel = { key, bytes: finish(graph, w, `${graph.name}:tail`, inputs, outputs), inputs, outputs, graphNodes: ids.length, addedNodes: 0 }
  cache.set(m)
  return m
}
