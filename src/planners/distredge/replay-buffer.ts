// The replay buffer: a ring of (state, raw action, reward, next state, done) transitions, sampled uniformly.
import type { Rng } from './rng.js'

/** A minibatch laid out row-major, one transition per row, ready for the networks. */
export interface Minibatch {
  size: number
  states: Float64Array
  actions: Float64Array
  rewards: Float64Array
  nextStates: Float64Array
  /** 1 where the transition ended the episode (no bootstrap from the next state). */
  dones: Float64Array
}

export class ReplayBuffer {
  readonly capacity: number
  readonly stateSize: number
  readonly actionSize: number
  private readonly states: Float64Array
  private readonly actions: Float64Array
  private readonly rewards: Float64Array
  private readonly nextStates: Float64Array
  private readonly dones: Float64Array
  private next = 0
  private count = 0

  constructor (capacity: number, stateSize: number, actionSize: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay buffer capacity must be a positive integer, got ${capacity}`)
    this.capacity = capacity
    this.stateSize = stateSize
    this.actionSize = actionSize
    this.states = new Float64Array(capacity * stateSize)
    this.actions = new Float64Array(capacity * actionSize)
    this.rewards = new Float64Array(capacity)
    this.nextStates = new Float64Array(capacity * stateSize)
    this.dones = new Float64Array(capacity)
  }

  get size (): number { return this.count }

  /** Store one transition, overwriting the oldest once full. */
  push (state: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextState: ArrayLike<number>, done: boolean): void {
    if (state.length !== this.stateSize || nextState.length !== this.stateSize || action.length !== this.actionSize) {
      throw new RangeError(`transition sizes (${state.length}, ${action.length}, ${nextState.length}) do not match the buffer (${this.stateSize}, ${this.actionSize})`)
    }
    const i = this.next
    this.states.set(state, i * this.stateSize)
    this.actions.set(action, i * this.actionSize)
    this.rewards[i] = reward
    this.nextStates.set(nextState, i * this.stateSize)
    this.dones[i] = done ? 1 : 0
    this.next = (i + 1) % this.capacity
    this.count = Math.min(this.count + 1, this.capacity)
  }

  /** `size` transitions drawn uniformly with replacement into `out` (allocated when absent or too small). */
  sample (size: number, rng: Rng, out?: Minibatch): Minibatch {
    if (this.count === 0) throw new RangeError('cannot sample an empty replay buffer')
    const batch = out !== undefined && out.rewards.length >= size ? out : this.allocate(size)
    batch.size = size
    const s = this.stateSize
    const a = this.actionSize
    for (let r = 0; r < size; r++) {
      const i = rng.int(this.count)
      batch.states.set(this.states.subarray(i * s, i * s + s), r * s)
      batch.actions.set(this.actions.subarray(i * a, i * a + a), r * a)
      batch.rewards[r] = this.rewards[i]
      batch.nextStates.set(this.nextStates.subarray(i * s, i * s + s), r * s)
      batch.dones[r] = this.dones[i]
    }
    return batch
  }

  private allocate (size: number): Minibatch {
    return {
      size,
      states: new Float64Array(size * this.stateSize),
      actions: new Float64Array(size * this.actionSize),
      rewards: new Float64Array(size),
      nextStates: new Float64Array(size * this.stateSize),
      dones: new Float64Array(size)
    }
  }
}
