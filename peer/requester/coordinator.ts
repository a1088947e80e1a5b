// Serves /tessera/infer/1.0.0: this peer takes the requester's place in the plan's data flow. It sends
// each first-volume provider its input rows, waits for the tail's outputs, and returns them with the
// per-part timings. A provider lost mid-request fails that attempt; the request is retried on the next
// ready plan (the leader re-plans around the loss), up to a bounded number of attempts.
import { randomBytes } from 'node:crypto'
import { extractRegion } from '../../src/engine/tensor.js'
import { fullRegion } from '../../src/graph/regions.js'
import { InferenceTimeoutError, InvalidInputError, ModelUnavailableError, ProviderLostError, RemoteError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { frameTarget } from '../execution/executor.js'
import type { InferRequestRecord, InferResult, NamedTensor } from '../../protocols/infer/codec.js'
import type { InferServer } from '../../protocols/infer/handler.js'
import type { TensorFrame, TraceRecord } from '../../protocols/tensor/codec.js'
import type { EventSink } from '../emitter.js'
import type { PreparedPlan } from '../execution/executor.js'
import type { TensorRouter } from '../execution/tensor-router.js'
import type { PeerIdStr } from '../gossip.js'
import type { ModelStore } from '../models/model-store.js'
import type { PlanService } from '../planning/plan-service.js'
import type { AbortOptions, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'

const log = logger('requester')

export interface CoordinatorInit {
  /** Attempts per request (default 3). */
  attempts?: number
  /** Time one attempt may take, ms (default 60000). */
  attemptTimeoutMs?: number
  /** How long to wait for a ready plan, ms (default 20000). */
  planWaitMs?: number
}

export interface CoordinatorComponents {
  self: PeerIdStr
  router: TensorRouter
  plans: PlanService
  models: ModelStore
  events: TypedEventTarget<Libp2pEvents>
  emitter: EventSink<CoordinatorEvents>
}

export interface CoordinatorEvents extends Record<string, unknown> {
  served: { requestId: string, ms: number, attempts: number, plan: string, ok: boolean, error?: string }
}

// a provider's reported failure is retried too: it is often another provider lost mid-stream
const RETRYABLE = new Set(['ProviderLostError', 'InferenceTimeoutError', 'NoPlanError', 'RemoteError'])

export class Coordinator implements InferServer {
  private readonly c: CoordinatorComponents
  private readonly init: Required<CoordinatorInit>

  private inFlight = 0
  private lastActive = -Infinity

  constructor (components: CoordinatorComponents, init: CoordinatorInit = {}) {
    this.c = components
    this.init = { attempts: 3, attemptTimeoutMs: 60_000, planWaitMs: 20_000, ...init }
  }

  /** ms since this peer last served a request (0 while it serves one). */
  idleForMs (): number {
    return this.inFlight > 0 ? 0 : performance.now() - this.lastActive
  }

  async infer (request: InferRequestRecord, options: AbortOptions = {}): Promise<InferResult> {
    this.inFlight++
    try {
      return await this.serve(request, options)
    } finally {
      this.inFlight--
      this.lastActive = performance.now()
    }
  }

  private async serve (request: InferRequestRecord, options: AbortOptions): Promise<InferResult> {
    const started = performance.now()
    const model = request.modelSha256 !== '' ? this.c.models.get(request.modelSha256) : this.c.models.byName(request.modelName)
    if (model == null) {
      throw new ModelUnavailableError(`this peer serves no model ${request.modelSha256 !== '' ? request.modelSha256 : `"${request.modelName}"`} (it serves: ${this.c.models.list().map(m => m.name).join(', ') || 'none yet'})`)
    }
    if (request.input.shape.join(',') !== model.inputShape.join(',')) {
      throw new InvalidInputError(`input has shape [${request.input.shape.join(', ')}]; model ${model.name} takes [${model.inputShape.join(', ')}]`)
    }
    let exclude: string | undefined
    let lastError: any
    for (let attempt = 1; attempt <= this.init.attempts; attempt++) {
      options.signal?.throwIfAborted()
      let plan: PreparedPlan | undefined
      try {
        plan = await this.c.plans.readyPlan(model.sha256, { timeoutMs: this.init.planWaitMs, exclude, signal: options.signal })
        const out = await this.attempt(plan, `${request.requestId}.${attempt}`, request.input, options)
        const ms = performance.now() - started
        // the leader weighs its members' compute spans against their tables
        this.c.plans.observeService(plan, out.trace)
        this.c.emitter.emit('served', { requestId: request.requestId, ms, attempts: attempt, plan: plan.key, ok: true })
        const devices = new Set<string>([...plan.plan.volumes.flatMap(v => v.parts.filter(p => p.rows[1] > p.rows[0]).map(p => p.device)), plan.plan.tail.device])
        return { term: plan.term, planId: plan.planId, planner: plan.plan.planner, devices: [...devices], outputs: out.outputs, timings: out.trace, totalMs: ms, attempts: attempt, sentAt: out.sentAt, receivedAt: out.receivedAt }
      } catch (err: any) {
        lastError = err
        log('request %s attempt %d on plan %s failed: %s: %s', request.requestId, attempt, plan?.key ?? '-', err?.name, err?.message)
        if (!RETRYABLE.has(err?.name) || options.signal?.aborted === true) break
        // the next attempt waits for a plan made after this failure
        if (err?.name !== 'NoPlanError' && plan != null) exclude = plan.key
      }
    }
    this.c.emitter.emit('served', { requestId: request.requestId, ms: performance.now() - started, attempts: this.init.attempts, plan: '-', ok: false, error: String(lastError?.message) })
    throw lastError
  }

  private async attempt (plan: PreparedPlan, requestId: string, input: NamedTensor, options: AbortOptions): Promise<{ outputs: NamedTensor[], trace: TraceRecord[], sentAt: number, receivedAt: number }> {
    const sentAt = performance.timeOrigin + performance.now()
    const g = plan.graph
    const members = new Map(plan.members.map(m => [m.peer, m.device]))
    const outputs = new Map<string, TensorFrame>()
    let settle!: { resolve: () => void, reject: (err: Error) => void }
    const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject } })
    // awaited below; a rejection after a failed send must not go unhandled
    done.catch((err: Error) => { log('request %s: %s', requestId, err.message) })
    const unexpect = this.c.router.expect(requestId, (frame, from) => {
      if (frame.kind === 'error') {
        settle.reject(new RemoteError('ProviderError', `device ${frame.errorDevice ?? from} failed: ${frame.error ?? 'unknown error'}`))
        return
      }
      if (!g.outputs.includes(frame.tensor)) {
        log('request %s: ignored an output "%s" the model does not have', requestId, frame.tensor)
        return
      }
      outputs.set(frame.tensor, frame)
      if (outputs.size === g.outputs.length) settle.resolve()
    })
    const onDisconnect = (evt: CustomEvent<PeerId>): void => {
      const device = members.get(evt.detail.toString())
      if (device != null) settle.reject(new ProviderLostError(`provider ${device} (${evt.detail.toString()}) left during request ${requestId}`))
    }
    this.c.events.addEventListener('peer:disconnect', onDisconnect)
    const timer = setTimeout(() => { settle.reject(new InferenceTimeoutError(`request ${requestId} got no result within ${this.init.attemptTimeoutMs} ms on plan ${plan.key}`)) }, this.init.attemptTimeoutMs)
    try {
      const tensor = { dataType: 'float32' as const, dims: input.shape, data: input.data }
      const whole = fullRegion(g, g.input)
      const axes = g.layout.get(g.input)!
      const sends = plan.movement.messages.filter(m => m.from.kind === 'requester').map(async (m) => {
        const device = m.to.kind === 'requester' ? undefined : m.to.device
        const peer = device == null ? undefined : plan.peerOf.get(device)
        if (peer == null) throw new ProviderLostError(`plan ${plan.key} names no peer for device ${device ?? '?'}`)
        const slice = extractRegion(tensor, whole, axes, { rows: m.rows, cols: m.cols })
        const target = frameTarget(plan.plan, m.to)
        const frame: TensorFrame = {
          kind: 'slice', requestId, term: plan.term, planId: plan.planId, volume: target.volume, part: target.part, tensor: m.tensor,
          rows: m.rows, cols: m.cols, shape: [...slice.dims], data: slice.data as Float32Array, trace: [], requester: this.c.self
        }
        try {
          await this.c.router.send(peer, [frame], options)
        } catch (err: any) {
          throw new ProviderLostError(`sending input rows to ${device as string} failed: ${err?.message as string}`)
        }
      })
      await Promise.all([...sends, done])
      const receivedAt = performance.timeOrigin + performance.now()
      const frames = g.outputs.map(name => outputs.get(name)!)
      const trace = new Map<string, TraceRecord>()
      for (const f of frames) for (const t of f.trace) trace.set(`${t.device}:${t.volume}:${t.part}`, t)
      return { outputs: frames.map(f => ({ name: f.tensor, shape: f.shape, data: f.data })), trace: [...trace.values()], sentAt, receivedAt }
    } finally {
      clearTimeout(timer)
      unexpect()
      this.c.events.removeEventListener('peer:disconnect', onDisconnect)
    }
  }
}

/** A fresh request id. */
export function newRequestId (): string {
  return `r${Date.now().toString(36)}${randomBytes(4).toString('hex')}`
}
