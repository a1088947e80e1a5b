// The plan evaluator: architecture.md's "simulator's semantics", list-scheduled messages on serialized links.
import { InvalidPlanError } from '../errors.js'
import type { Range, Region, Volume } from '../graph/types.js'
import type { DeviceId, Plan } from '../plan/types.js'
import { ComputeCosts, type PartGeometry, type VolumeInfo } from './compute-cost.js'
import { REQUESTER, type Scenario, type SimMessage, type SimPart, type SimResult, type TimelineInterval } from './types.js'

/** Evaluates plans for one scenario; compute costs are cached across calls. */
export interface Simulator {
  readonly scenario: Scenario
  readonly costs: ComputeCosts
  /** End-to-end latency (ms) of a plan. The plan is trusted to be valid (see src/plan/validate.ts). */
  latency: (plan: Plan) => number
  /** The whole schedule: latency, parts, messages and a per-device timeline. */
  run: (plan: Plan) => SimResult
  /** ms device `device` (id or scenario index) takes to compute rows x cols of a volume's output. */
  partMs: (device: DeviceId | number, volume: Volume, rows: Range, cols?: Range) => number
  /** ms of everything after cut tensor `from`, on one device. */
  tailMs: (device: DeviceId | number, from: string) => number
  /** ms of the whole model on one device alone (T_d). */
  wholeModelMs: (device: DeviceId | number) => number
  /** ms for n bytes from one device (or 'requester') to reach another: latency, size over the link, and the receiver's receive delay. */
  transferMs: (from: DeviceId, to: DeviceId, bytes: number) => number
  /** Bandwidth (Mbps) from one device (or 'requester') to another: the linkMbps override or min(up, down). */
  linkMbps: (from: DeviceId, to: DeviceId) => number
  /** LB = 1 / sum_d (1 / T_d): every device computing a share of the model, no communication. */
  lowerBoundMs: () => number
}

const costsByGraph = new WeakMap<object, ComputeCosts>()

/** Makes the simulator of a scenario. Cost caches are shared by every simulator of the same graph. */
export function createSimulator (scenario: Scenario): Simulator {
  let costs = costsByGraph.get(scenario.graph)
  if (costs == null) {
    costs = new ComputeCosts(scenario.graph)
    costsByGraph.set(scenario.graph, costs)
  }
  return new PlanSimulator(scenario, costs)
}

/** One-shot: the schedule of one plan. */
export function simulate (scenario: Scenario, plan: Plan): SimResult {
  return createSimulator(scenario).run(plan)
}

interface Prepared {
  /** Parts in plan order (volume, then part); empty parts included. */
  partDevice: Int32Array
  partVolume: Int32Array
  partIndex: Int32Array
  partRows: Range[]
  partMs: Float64Array
  partEmpty: Uint8Array
  /** Outgoing messages of each part, the tail (id P) and the requester's initial sends (id P + 1). */
  out: Array<Array<{ to: number, bytes: number }>>
  /** Incoming message count per receiver (parts, tail = P, requester = P + 1). */
  incoming: Int32Array
  /** Non-empty parts of each device in run order, the tail last on its device. */
  queue: number[][]
  tailDevice: number
  tailMs: number
}

class PlanSimulator implements Simulator {
  private readonly n: number
  private readonly index: Map<DeviceId, number>
  /** Link node of the requester: its device index, or n for an external requester. */
  private readonly requesterNode: number
  /** ms per byte of each directed link (nodes 0..n), latency excluded. */
  private readonly msPerByte: Float64Array
  /** Per-message latency of each directed link (nodes 0..n), ms. */
  private readonly linkLatency: Float64Array
  /** ms each node takes to take a message in (its measured profile's receiveMs; 0 for the external requester). */
  private readonly receiveDelay: Float64Array
  /** CPU ms a frame costs each node at either end: fixed, and per byte (its measured profile's frameCost; 0 for the external requester). */
  private readonly frameFixed: Float64Array
  private readonly framePerByte: Float64Array
  private readonly resultBytes: number

  constructor (readonly scenario: Scenario, readonly costs: ComputeCosts) {
    const n = scenario.devices.length
    this.n = n
    this.index = new Map(scenario.devices.map((d, i) => [d.id, i]))
    const r = scenario.requester
    this.requesterNode = r.kind === 'device' ? this.deviceIndex(r.device) : n
    const up = scenario.devices.map((d) => d.uplinkMbps)
    const down = scenario.devices.map((d) => d.downlinkMbps)
    up.push(r.kind === 'external' ? r.uplinkMbps : Number.NaN)
    down.push(r.kind === 'external' ? r.downlinkMbps : Number.NaN)
    this.msPerByte = new Float64Array((n + 1) * (n + 1))
    this.linkLatency = new Float64Array((n + 1) * (n + 1))
    for (let a = 0; a <= n; a++) {
      for (let b = 0; b <= n; b++) {
        const override = scenario.linkMbps[this.nodeName(a)]?.[this.nodeName(b)]
        const mbps = override ?? Math.min(up[a], down[b])
        // 8 bits a byte; Mbps = 1e6 bit/s = 1e3 bit/ms.
        this.msPerByte[a * (n + 1) + b] = 8 / (mbps * 1e3)
        this.linkLatency[a * (n + 1) + b] = scenario.linkLatencyMs?.[this.nodeName(a)]?.[this.nodeName(b)] ?? scenario.latencyMs
      }
    }
    this.receiveDelay = new Float64Array(n + 1)
    this.frameFixed = new Float64Array(n + 1)
    this.framePerByte = new Float64Array(n + 1)
    scenario.devices.forEach((d, i) => {
      if (d.profile.kind !== 'measured') return
      this.receiveDelay[i] = d.profile.receiveMs
      this.frameFixed[i] = d.profile.frameCost.fixedMs
      this.framePerByte[i] = d.profile.frameCost.msPerMiB / (1 << 20)
    })
    this.resultBytes = scenario.graph.outputs.reduce((s, t) => s + costs.tensorBytes(t), 0)
  }

  private nodeName (node: number): string {
    return node === this.n ? REQUESTER : this.scenario.devices[node].id
  }

  private deviceIndex (device: DeviceId | number): number {
    if (typeof device === 'number') {
      if (device < 0 || device >= this.n || !Number.isInteger(device)) throw new InvalidPlanError(`no device #${device} in scenario ${this.scenario.name}`)
      return device
    }
    const i = this.index.get(device)
    if (i == null) throw new InvalidPlanError(`unknown device "${device}" (scenario ${this.scenario.name} has ${[...this.index.keys()].join(', ')})`)
    return i
  }

  private linkNode (name: DeviceId): number {
    if (name === REQUESTER) return this.requesterNode
    return this.deviceIndex(name)
  }

  partMs (device: DeviceId | number, volume: Volume, rows: Range, cols?: Range): number {
    const d = this.scenario.devices[this.deviceIndex(device)]
    return this.costs.partMs(d.profile, this.costs.volumeInfo(volume), rows, cols)
  }

  tailMs (device: DeviceId | number, from: string): number {
    return this.costs.tailMs(this.scenario.devices[this.deviceIndex(device)].profile, from)
  }

  wholeModelMs (device: DeviceId | number): number {
    return this.costs.wholeModelMs(this.scenario.devices[this.deviceIndex(device)].profile)
  }

  linkMbps (from: DeviceId, to: DeviceId): number {
    return 8 / (this.msPerByte[this.linkNode(from) * (this.n + 1) + this.linkNode(to)] * 1e3)
  }

  transferMs (from: DeviceId, to: DeviceId, bytes: number): number {
    const a = this.linkNode(from)
    const b = this.linkNode(to)
    if (a === b) return 0
    const frame = (node: number): number => this.frameFixed[node] + bytes * this.framePerByte[node]
    return frame(a) + this.linkLatency[a * (this.n + 1) + b] + bytes * this.msPerByte[a * (this.n + 1) + b] + this.receiveDelay[b] + frame(b)
  }

  lowerBoundMs (): number {
    let speed = 0
    for (let d = 0; d < this.n; d++) speed += 1 / this.wholeModelMs(d)
    return 1 / speed
  }

  latency (plan: Plan): number {
    return this.schedule(plan, false).latencyMs
  }

  run (plan: Plan): SimResult {
    return this.schedule(plan, true)
  }

  private prepare (plan: Plan): Prepared {
    const costs = this.costs
    const devices = this.scenario.devices
    const graph = this.scenario.graph
    const volumes = plan.volumes
    let P = 0
    for (const v of volumes) P += v.parts.length
    const partDevice = new Int32Array(P)
    const partVolume = new Int32Array(P)
    const partIndex = new Int32Array(P)
    const partRows: Range[] = new Array(P)
    const partCols: Array<Range | undefined> = new Array(P)
    const partMs = new Float64Array(P)
    const partEmpty = new Uint8Array(P)
    const geometry: Array<PartGeometry | undefined> = new Array(P)
    const infos: VolumeInfo[] = []
    const first: number[] = []
    let k = 0
    volumes.forEach((v, vi) => {
      if (vi === 0 ? v.input !== graph.input : v.input !== volumes[vi - 1].output) {
        throw new InvalidPlanError(`volume ${vi} enters at "${v.input}", expected "${vi === 0 ? graph.input : volumes[vi - 1].output}"`)
      }
      const info = costs.volumeInfo(v)
      infos.push(info)
      first.push(k)
      v.parts.forEach((p, pi) => {
        const d = this.deviceIndex(p.device)
        partDevice[k] = d
        partVolume[k] = vi
        partIndex[k] = pi
        partRows[k] = p.rows
        partCols[k] = p.cols
        if (!(p.rows[0] >= 0 && p.rows[1] <= info.output.height) || (p.cols != null && !(p.cols[0] >= 0 && p.cols[1] <= info.output.width))) {
          throw new InvalidPlanError(`volume ${vi} part ${pi}: rows [${p.rows[0]}, ${p.rows[1]})${p.cols != null ? ` cols [${p.cols[0]}, ${p.cols[1]})` : ''} fall outside "${v.output}" (${info.output.height} x ${info.output.width})`)
        }
        const empty = p.rows[1] <= p.rows[0] || (p.cols != null && p.cols[1] <= p.cols[0])
        partEmpty[k] = empty ? 1 : 0
        if (!empty) {
          geometry[k] = costs.partGeometry(info, p.rows, p.cols)
          partMs[k] = costs.partMs(devices[d].profile, info, p.rows, p.cols)
        }
        k++
      })
    })
    first.push(P)
    const TAIL = P
    const REQ = P + 1
    const out: Array<Array<{ to: number, bytes: number }>> = new Array(P + 2)
    for (let i = 0; i < P + 2; i++) out[i] = []
    const incoming = new Int32Array(P + 2)
    const send = (from: number, to: number, bytes: number): void => {
      out[from].push({ to, bytes })
      incoming[to]++
    }
    const outputRegion = (i: number): Region => ({ rows: partRows[i], cols: partCols[i] ?? [0, infos[partVolume[i]].output.width] })

    if (volumes.length === 0) {
      send(REQ, TAIL, costs.tensorBytes(graph.input))
    } else {
      for (let i = first[0]; i < first[1]; i++) {
        if (partEmpty[i] === 0) send(REQ, i, costs.regionBytes(graph.input, geometry[i]!.input))
      }
      for (let vi = 1; vi < volumes.length; vi++) {
        const tensor = volumes[vi].input
        for (let i = first[vi - 1]; i < first[vi]; i++) {
          if (partEmpty[i] === 1) continue
          const have = outputRegion(i)
          for (let j = first[vi]; j < first[vi + 1]; j++) {
            if (partEmpty[j] === 1) continue
            const need = geometry[j]!.input
            const rows = Math.min(have.rows[1], need.rows[1]) - Math.max(have.rows[0], need.rows[0])
            const cols = Math.min(have.cols[1], need.cols[1]) - Math.max(have.cols[0], need.cols[0])
            if (rows > 0 && cols > 0) send(i, j, costs.regionBytes(tensor, { rows: [0, rows], cols: [0, cols] }))
          }
        }
      }
      const last = volumes.length - 1
      for (let i = first[last]; i < first[last + 1]; i++) {
        if (partEmpty[i] === 0) send(i, TAIL, costs.regionBytes(volumes[last].output, outputRegion(i)))
      }
    }
    send(TAIL, REQ, this.resultBytes)

    const tailDevice = this.deviceIndex(plan.tail.device)
    const queue: number[][] = devices.map(() => [])
    for (let i = 0; i < P; i++) if (partEmpty[i] === 0) queue[partDevice[i]].push(i)
    queue[tailDevice].push(TAIL)
    const from = volumes.length === 0 ? graph.input : volumes[volumes.length - 1].output
    const tailMs = costs.tailMs(devices[tailDevice].profile, from)
    return { partDevice, partVolume, partIndex, partRows, partMs, partEmpty, out, incoming, queue, tailDevice, tailMs }
  }

  private schedule (plan: Plan, record: boolean): SimResult {
    const pr = this.prepare(plan)
    const n = this.n
    const P = pr.partDevice.length
    const TAIL = P
    const REQ = P + 1
    const linkLatency = this.linkLatency
    const msPerByte = this.msPerByte
    const receiveDelay = this.receiveDelay
    const frameFixed = this.frameFixed
    const framePerByte = this.framePerByte
    const requesterNode = this.requesterNode
    const deviceOf = (item: number): number => item === TAIL ? pr.tailDevice : item === REQ ? requesterNode : pr.partDevice[item]

    const pending = Int32Array.from(pr.incoming)
    const arrival = new Float64Array(P + 2)
    const startAt = new Float64Array(P + 1)
    const finishAt = new Float64Array(P + 1)
    const upFree = new Float64Array(n + 1)
    const downFree = new Float64Array(n + 1)
    const deviceFree = new Float64Array(n)
    const pos = new Int32Array(n)
    let resultAt = Number.NaN

    // Messages waiting for links, as parallel arrays, ordered by (ready, sender rank, receiver, sending part).
    const mFrom: number[] = []
    const mTo: number[] = []
    const mSender: number[] = []
    const mReceiver: number[] = []
    const mBytes: number[] = []
    const mReady: number[] = []
    const mRank: number[] = []
    const heap: number[] = []
    const before = (a: number, b: number): boolean => {
      if (mReady[a] !== mReady[b]) return mReady[a] < mReady[b]
      if (mRank[a] !== mRank[b]) return mRank[a] < mRank[b]
      if (mReceiver[a] !== mReceiver[b]) return mReceiver[a] < mReceiver[b]
      return mSender[a] < mSender[b]
    }
    const push = (m: number): void => {
      let i = heap.length
      heap.push(m)
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!before(heap[i], heap[parent])) break
        const t = heap[i]; heap[i] = heap[parent]; heap[parent] = t
        i = parent
      }
    }
    const pop = (): number => {
      const top = heap[0]
      const last = heap.pop()!
      if (heap.length > 0) {
        heap[0] = last
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < heap.length && before(heap[l], heap[m])) m = l
          if (r < heap.length && before(heap[r], heap[m])) m = r
          if (m === i) break
          const t = heap[i]; heap[i] = heap[m]; heap[m] = t
          i = m
        }
      }
      return top
    }

    const messages: SimMessage[] = []
    const receiverLabel = (to: number): SimMessage['receiver'] => to === TAIL ? 'tail' : to === REQ ? 'requester' : [pr.partVolume[to], pr.partIndex[to]]
    const toCheck: number[] = []
    const deliver = (to: number, at: number): void => {
      pending[to]--
      if (at > arrival[to]) arrival[to] = at
      if (to === REQ) {
        resultAt = arrival[REQ]
        return
      }
      if (pending[to] === 0) toCheck.push(deviceOf(to))
    }
    // A sending item's messages: free when both ends are the same device, otherwise queued for the links.
    const emit = (item: number, ready: number): void => {
      const fromNode = item === REQ ? requesterNode : deviceOf(item)
      const rank = item === REQ ? -1 : fromNode
      for (const { to, bytes } of pr.out[item]) {
        const toNode = deviceOf(to)
        if (toNode === fromNode) {
          if (record) messages.push({ from: this.nodeName(fromNode), to: this.nodeName(toNode), receiver: receiverLabel(to), bytes, ready, start: ready, end: ready, arrived: ready, local: true })
          deliver(to, ready)
          continue
        }
        // the sender's CPU frames it (its sends one after another) before it goes out
        let leaves = ready
        const cost = fromNode < n ? frameFixed[fromNode] + bytes * framePerByte[fromNode] : 0
        if (cost > 0) {
          leaves = Math.max(ready, deviceFree[fromNode]) + cost
          deviceFree[fromNode] = leaves
        }
        const m = mFrom.length
        mFrom.push(fromNode); mTo.push(toNode); mSender.push(item === REQ ? -1 : item); mReceiver.push(to)
        mBytes.push(bytes); mReady.push(leaves); mRank.push(rank)
        push(m)
      }
    }
    const runDevice = (d: number): void => {
      const q = pr.queue[d]
      while (pos[d] < q.length) {
        const item = q[pos[d]]
        if (pending[item] > 0) return
        const start = Math.max(arrival[item], deviceFree[d])
        const end = start + (item === TAIL ? pr.tailMs : pr.partMs[item])
        startAt[item] = start
        finishAt[item] = end
        deviceFree[d] = end
        pos[d]++
        emit(item, end)
      }
    }

    emit(REQ, 0)
    for (let d = 0; d < n; d++) toCheck.push(d)
    for (;;) {
      while (toCheck.length > 0) runDevice(toCheck.pop()!)
      if (heap.length === 0) break
      const m = pop()
      const a = mFrom[m]
      const b = mTo[m]
      const start = Math.max(mReady[m], upFree[a], downFree[b])
      const end = start + linkLatency[a * (n + 1) + b] + mBytes[m] * msPerByte[a * (n + 1) + b]
      upFree[a] = end
      downFree[b] = end
      // the links are free once the bytes are across; the receiver takes them in receiveDelay later,
      // and its CPU then reads the frame (after the compute it is busy with: one CPU, or a share of one)
      let arrived = end + receiveDelay[b]
      const cost = b < n ? frameFixed[b] + mBytes[m] * framePerByte[b] : 0
      if (cost > 0) {
        if (arrived <= deviceFree[b]) {
          // busy: read once what it computes is done, which that delays in turn
          arrived = deviceFree[b] + cost
          deviceFree[b] = arrived
        } else {
          // idle until then: read at once (a part queued before the one it feeds may start meanwhile and overlap it)
          arrived += cost
        }
      }
      if (record) messages.push({ from: this.nodeName(a), to: this.nodeName(b), receiver: receiverLabel(mReceiver[m]), bytes: mBytes[m], ready: mReady[m], start, end, arrived, local: false })
      deliver(mReceiver[m], arrived)
    }
    // Every receiver counts only messages that exist and every device runs its parts in order: all complete.
    if (Number.isNaN(resultAt)) throw new Error('simulator invariant broken: the result never reached the requester')
    if (!record) return { latencyMs: resultAt, parts: [], tail: { device: plan.tail.device, start: startAt[TAIL], end: finishAt[TAIL] }, messages: [], timeline: [] }

    const parts: SimPart[] = []
    const timeline = new Map<string, TimelineInterval[]>()
    for (let d = 0; d < n; d++) timeline.set(this.nodeName(d), [])
    if (requesterNode === n) timeline.set(REQUESTER, [])
    for (let i = 0; i < P; i++) {
      if (pr.partEmpty[i] === 1) continue
      const device = this.nodeName(pr.partDevice[i])
      parts.push({ volume: pr.partVolume[i], part: pr.partIndex[i], device, rows: pr.partRows[i], start: startAt[i], end: finishAt[i] })
      timeline.get(device)!.push({ kind: 'compute', start: startAt[i], end: finishAt[i], volume: pr.partVolume[i], part: pr.partIndex[i], rows: pr.partRows[i] })
    }
    timeline.get(this.nodeName(pr.tailDevice))!.push({ kind: 'tail', start: startAt[TAIL], end: finishAt[TAIL] })
    for (const m of messages) {
      if (m.local) continue
      timeline.get(m.from)!.push({ kind: 'send', start: m.start, end: m.end, to: m.to, bytes: m.bytes })
      timeline.get(m.to)!.push({ kind: 'receive', start: m.start, end: m.end, from: m.from, bytes: m.bytes })
    }
    const result: SimResult = {
      latencyMs: resultAt,
      parts,
      tail: { device: plan.tail.device, start: startAt[TAIL], end: finishAt[TAIL] },
      messages,
      timeline: [...timeline].map(([device, intervals]) => ({ device, intervals: intervals.sort((x, y) => x.start - y.start || x.end - y.end) }))
    }
    return result
  }
}
