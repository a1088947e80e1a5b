// Runs a plan on one machine as the mesh would: every part as its own sub-model, rows moved between
// parts exactly as movement.ts says (each part assembles its input from the slices its senders
// computed, and gets nothing else), the last volume stitched on the tail, the tail run.
import { ShapeError } from '../errors.js'
import { fullRegion } from '../graph/regions.js'
import type { Graph, Region, TensorName } from '../graph/types.js'
import { logger } from '../logger.js'
import { partInputRegion, partOutputRegion, planMovement, type Endpoint, type Movement } from '../plan/movement.js'
import type { Plan } from '../plan/types.js'
import { validatePlan } from '../plan/validate.js'
import { createSession, type RuntimeOptions, type RuntimeSession } from './runtime.js'
import { partModel, tailModel, type SubModel } from './sub-model.js'
import { emptyTensor, extractRegion, isEmptyRegion, pasteRegion, rangeLength, regionDims, sameRegion, type HostTensor } from './tensor.js'

const log = logger('engine')

/** Sessions of sub-models, created on first use and kept until disposed. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<RuntimeSession>>()

  constructor (readonly options: RuntimeOptions = {}) {}

  /** The session of a sub-model (or of any model bytes under a key). */
  async get (model: Pick<SubModel, 'key' | 'bytes'>): Promise<RuntimeSession> {
    let s = this.sessions.get(model.key)
    if (s == null) {
      s = createSession(model.bytes, this.options)
      this.sessions.set(model.key, s)
      // a failed load is not kept: the next call tries again and reports its own error
      s.catch(() => this.sessions.delete(model.key))
    }
    return await s
  }

  get size (): number {
    return this.sessions.size
  }

  /** Releases every session. */
  async dispose (): Promise<void> {
    const all = [...this.sessions.values()]
    this.sessions.clear()
    await Promise.all(all.map(async p => await p.then(async s => await s.dispose(), () => undefined)))
  }
}

export interface ExecuteOptions extends RuntimeOptions {
  /** Sessions to reuse across runs (created and disposed per run when absent). */
  sessions?: SessionPool
}

export interface PlanRun {
  /** The model's outputs by name. */
  outputs: Record<TensorName, HostTensor>
  movement: Movement
}

interface Piece {
  region: Region
  tensor: HostTensor
}

function endpointKey (e: Endpoint): string {
  return e.kind === 'part' ? `part:${e.volume}:${e.part}` : e.kind
}

/** Assembles `need` of tensor `t` from pieces that must cover it exactly. */
function assemble (graph: Graph, t: TensorName, need: Region, pieces: Piece[], who: string): HostTensor {
  const axes = graph.layout.get(t)!
  if (pieces.length === 1 && sameRegion(pieces[0].region, need)) return pieces[0].tensor
  const out = emptyTensor(graph.dtypes.get(t)!, regionDims(graph.shapes.get(t)!, axes, need))
  let covered = 0
  for (const p of pieces) {
    pasteRegion(out, need, p.tensor, p.region, axes)
    covered += rangeLength(p.region.rows) * rangeLength(p.region.cols)
  }
  const area = rangeLength(need.rows) * rangeLength(need.cols)
  if (covered !== area) {
    throw new ShapeError(`${who} received ${covered} of the ${area} positions of "${t}" it needs`)
  }
  return out
}

/** Runs `plan` on this machine and returns the model outputs. */
export async function executePlan (graph: Graph, plan: Plan, input: HostTensor, options: ExecuteOptions = {}): Promise<PlanRun> {
  if (input.dims.join(',') !== graph.inputShape.join(',')) {
    throw new ShapeError(`input has shape [${input.dims.join(',')}]; the model is loaded for [${graph.inputShape.join(',')}]`)
  }
  validatePlan(graph, plan)
  const movement = planMovement(graph, plan)
  const pool = options.sessions ?? new SessionPool(options)
  const inbox = new Map<string, Piece[]>()
  const deliver = (from: Endpoint, source: HostTensor, sourceRegion: Region, tensor: TensorName): void => {
    const axes = graph.layout.get(tensor)!
    for (const m of movement.messages) {
      if (endpointKey(m.from) !== endpointKey(from) || m.tensor !== tensor) continue
      const region: Region = { rows: m.rows, cols: m.cols }
      const key = endpointKey(m.to)
      const list = inbox.get(key) ?? []
      list.push({ region, tensor: extractRegion(source, sourceRegion, axes, region) })
      inbox.set(key, list)
    }
  }
  try {
    deliver({ kind: 'requester' }, input, fullRegion(graph, graph.input), graph.input)
    for (let l = 0; l < plan.volumes.length; l++) {
      const v = plan.volumes[l]
      for (let k = 0; k < v.parts.length; k++) {
        const made = partOutputRegion(graph, plan, l, k)
        if (isEmptyRegion(made)) continue
        const who = `volumes[${l}] parts[${k}]`
        const need = partInputRegion(graph, plan, l, k)
        const feed = assemble(graph, v.input, need, inbox.get(`part:${l}:${k}`) ?? [], who)
        inbox.delete(`part:${l}:${k}`)
        const model = partModel(graph, v, made.rows, made.cols)
        const session = await pool.get(model)
        const out = (await session.run({ [v.input]: feed }))[v.output]
        log('%s: rows [%d, %d) of %s', who, made.rows[0], made.rows[1], v.output)
        deliver({ kind: 'part', volume: l, part: k, device: v.parts[k].device }, out, made, v.output)
      }
    }
    const from = plan.volumes.length === 0 ? graph.input : plan.volumes[plan.volumes.length - 1].output
    const whole = assemble(graph, from, fullRegion(graph, from), inbox.get('tail') ?? [], 'the tail')
    const outputs: Record<TensorName, HostTensor> = {}
    const tail = tailModel(graph, from)
    if (tail != null) {
      const session = await pool.get(tail)
      Object.assign(outputs, await session.run({ [from]: whole }))
    }
    if (graph.outputs.includes(from)) outputs[from] = whole
    return { outputs, movement }
  } finally {
    if (options.sessions == null) await pool.dispose()
  }
}
