// DDPG (Lillicrap et al.): a deterministic actor, a Q critic, slowly tracking target copies of both.
import { DenseNetwork, type DenseNetworkSpec } from './nn/dense-network.js'
import { Adam } from './nn/adam.js'
import { ACTION_RANGE } from './action-mapping.js'
import type { Minibatch } from './replay-buffer.js'
import type { Rng } from './rng.js'

export interface DdpgInit {
  stateSize: number
  actionSize: number
  /**
   * Hidden widths of the actor (ReLU). Its output is linear and kept in the action range [A, B] by inverting
   * gradients (Hausknecht and Stone, 2016): a tanh output that saturates at an edge (a provider given no rows,
   * or all of them) has no gradient left to come back with.
   */
  actorLayers: number[]
  /** Hidden widths of the critic (ReLU) over [state, action], output linear. */
  criticLayers: number[]
  actorLearningRate: number
  criticLearningRate: number
  gamma: number
  /** Soft target update rate: target <- tau * online + (1 - tau) * target after every update. */
  tau: number
  /** The actor's output before training (its output biases; the weights into them start near zero). */
  initialAction?: number[]
}

/** (state, action) pairs the actor is pulled toward in an update: `count` rows of states and of actions. */
export interface Imitation {
  states: Float64Array
  actions: Float64Array
  count: number
  weight: number
}

/** Serialisable weights of an agent (the policy file holds these). */
export interface DdpgWeights {
  actor: { spec: DenseNetworkSpec, params: Float64Array }
  critic: { spec: DenseNetworkSpec, params: Float64Array }
}

export class DdpgAgent {
  readonly init: DdpgInit
  readonly actor: DenseNetwork
  readonly critic: DenseNetwork
  private readonly actorTarget: DenseNetwork
  private readonly criticTarget: DenseNetwork
  private readonly actorOptimiser: Adam
  private readonly criticOptimiser: Adam
  private buffers = { capacity: 0, criticInput: new Float64Array(0), targetInput: new Float64Array(0), grad: new Float64Array(0), dAction: new Float64Array(0), actorInput: new Float64Array(0) }

  constructor (init: DdpgInit, rng: Rng) {
    this.init = init
    this.actor = new DenseNetwork({ sizes: [init.stateSize, ...init.actorLayers, init.actionSize], hidden: 'relu', output: 'linear' }, rng)
    this.critic = new DenseNetwork({ sizes: [init.stateSize + init.actionSize, ...init.criticLayers, 1], hidden: 'relu', output: 'linear' }, rng)
    if (init.initialAction !== undefined) this.actor.setOutputBias(init.initialAction)
    this.actorTarget = this.actor.clone()
    this.criticTarget = this.critic.clone()
    this.actorOptimiser = new Adam(this.actor.params.length, { learningRate: init.actorLearningRate })
    this.criticOptimiser = new Adam(this.critic.params.length, { learningRate: init.criticLearningRate })
  }

  /** Replace the online and target weights (a loaded policy); shapes must match. */
  load (weights: DdpgWeights): void {
    for (const [net, w, what] of [[this.actor, weights.actor, 'actor'], [this.critic, weights.critic, 'critic']] as const) {
      if (w.spec.sizes.join('-') !== net.spec.sizes.join('-') || w.spec.hidden !== net.spec.hidden || w.spec.output !== net.spec.output) {
        throw new RangeError(`${what} ${w.spec.sizes.join('-')} does not fit this problem's ${net.spec.sizes.join('-')}`)
      }
      net.params.set(w.params)
    }
    this.actor.softUpdateInto(this.actorTarget, 1)
    this.critic.softUpdateInto(this.criticTarget, 1)
  }

  weights (): DdpgWeights {
    return {
      actor: { spec: this.actor.spec, params: Float64Array.from(this.actor.params) },
      critic: { spec: this.critic.spec, params: Float64Array.from(this.critic.params) }
    }
  }

  /** The actor's actions for n states (n x stateSize); a view valid until the actor's next forward. */
  act (states: Float64Array, n: number): Float64Array {
    return this.actor.forward(states, n)
  }

  /**
   * One critic step then one actor step on a minibatch, then the soft target update. Returns the critic's loss.
   * With `imitation`, the actor's step also descends weight * mean ||mu(s) - a||^2 over those (state, action)
   * pairs (a behaviour-cloning term, as in DDPG from demonstrations with a BC loss, Nair et al. 2018).
   */
  update (batch: Minibatch, imitation?: Imitation): number {
    const n = batch.size
    const s = this.init.stateSize
    const a = this.init.actionSize
    const m = imitation === undefined ? 0 : imitation.count
    this.ensure(n + m)
    const { criticInput, targetInput, grad, dAction } = this.buffers

    // Critic target y = r + gamma * (1 - done) * Q'(s', mu'(s')).
    const nextActions = this.actorTarget.forward(batch.nextStates, n)
    concatRows(batch.nextStates, nextActions, n, s, a, targetInput)
    const nextQ = this.criticTarget.forward(targetInput, n)
    concatRows(batch.states, batch.actions, n, s, a, criticInput)
    const q = this.critic.forward(criticInput, n)
    let loss = 0
    for (let i = 0; i < n; i++) {
      const y = batch.rewards[i] + this.init.gamma * (1 - batch.dones[i]) * nextQ[i]
      const d = q[i] - y
      loss += d * d
      grad[i] = 2 * d / n
    }
    this.critic.zeroGrads()
    this.critic.backward(grad)
    this.criticOptimiser.step(this.critic.params, this.critic.grads)

    // Actor: ascend Q(s, mu(s)); d(-mean Q)/d(action) comes from the critic's input gradient.
    let actorInput = batch.states
    if (m > 0) {
      actorInput = this.buffers.actorInput
      actorInput.set(batch.states.subarray(0, n * s))
      actorInput.set(imitation!.states.subarray(0, m * s), n * s)
    }
    const actions = this.actor.forward(actorInput, n + m)
    concatRows(batch.states, actions, n, s, a, criticInput)
    this.critic.forward(criticInput, n)
    grad.fill(-1 / n, 0, n)
    const dInput = this.critic.backward(grad, true, false) as Float64Array
    const [lo, hi] = ACTION_RANGE
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < a; j++) {
        // d(loss)/d(action) < 0 asks for a larger action: scaled by the room left below B (negative past B, so
        // the step turns back), and likewise toward A.
        const g = dInput[i * (s + a) + s + j]
        const x = actions[i * a + j]
        dAction[i * a + j] = g * (g < 0 ? (hi - x) : (x - lo)) / (hi - lo)
      }
    }
    for (let i = n; i < n + m; i++) {
      for (let j = 0; j < a; j++) dAction[i * a + j] = 2 * imitation!.weight * (actions[i * a + j] - imitation!.actions[(i - n) * a + j]) / m
    }
    this.actor.zeroGrads()
    this.actor.backward(dAction.subarray(0, (n + m) * a))
    this.actorOptimiser.step(this.actor.params, this.actor.grads)

    this.actor.softUpdateInto(this.actorTarget, this.init.tau)
    this.critic.softUpdateInto(this.criticTarget, this.init.tau)
    return loss / n
  }

  /** One actor step on the behaviour-cloning loss alone (weight * mean ||mu(s) - a||^2), targets following. */
  imitate (imitation: Imitation): void {
    const m = imitation.count
    const a = this.init.actionSize
    this.ensure(m)
    const { dAction } = this.buffers
    const actions = this.actor.forward(imitation.states, m)
    for (let i = 0; i < m * a; i++) dAction[i] = 2 * imitation.weight * (actions[i] - imitation.actions[i]) / m
    this.actor.zeroGrads()
    this.actor.backward(dAction.subarray(0, m * a))
    this.actorOptimiser.step(this.actor.params, this.actor.grads)
    this.actor.softUpdateInto(this.actorTarget, this.init.tau)
  }

  private ensure (n: number): void {
    if (n <= this.buffers.capacity) return
    const width = this.init.stateSize + this.init.actionSize
    this.buffers = { capacity: n, criticInput: new Float64Array(n * width), targetInput: new Float64Array(n * width), grad: new Float64Array(n), dAction: new Float64Array(n * this.init.actionSize), actorInput: new Float64Array(n * this.init.stateSize) }
  }
}

function concatRows (left: Float64Array, right: Float64Array, n: number, l: number, r: number, out: Float64Array): void {
  const w = l + r
  for (let i = 0; i < n; i++) {
    out.set(left.subarray(i * l, i * l + l), i * w)
    out.set(right.subarray(i * r, i * r + r), i * w + l)
  }
}
