// A fully connected network on Float64Arrays: forward and backward over a minibatch, all parameters in one
// flat array (so the optimiser, the soft target update and the policy file each see one vector).
// Why not a tensor library: at the layer sizes the agent uses, per-op dispatch costs more than the arithmetic
// (docs/distredge.md has the measurements); the kernels here block 4 samples x 2 units so each loaded weight
// feeds several multiply-adds.
import type { Rng } from '../rng.js'

export type Activation = 'relu' | 'tanh' | 'linear'

export interface DenseNetworkSpec {
  /** Layer widths, input first, output last (at least two entries). */
  sizes: number[]
  /** Activation of every hidden layer. */
  hidden: Activation
  /** Activation of the output layer. */
  output: Activation
}

interface Layer {
  inDim: number
  outDim: number
  /** Offset of the weights (outDim x inDim, row j = the weights into unit j) in `params`. */
  w: number
  /** Offset of the biases (outDim) in `params`. */
  b: number
  act: Activation
}

/** A dense network with its gradients; forward() keeps what backward() needs for the last batch. */
export class DenseNetwork {
  readonly spec: DenseNetworkSpec
  readonly params: Float64Array
  readonly grads: Float64Array
  private readonly layers: Layer[]
  /** outputs[l] = activations after layer l for the last forward batch; outputs[-1] is the input. */
  private outputs: Float64Array[] = []
  private input: Float64Array = new Float64Array(0)
  private capacity = 0
  private batch = 0
  private deltaA: Float64Array = new Float64Array(0)
  private deltaB: Float64Array = new Float64Array(0)

  constructor (spec: DenseNetworkSpec, rng?: Rng) {
    if (spec.sizes.length < 2 || spec.sizes.some(s => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(`network sizes must be at least two positive integers, got [${spec.sizes.join(', ')}]`)
    }
    this.spec = { sizes: [...spec.sizes], hidden: spec.hidden, output: spec.output }
    this.layers = []
    let offset = 0
    for (let l = 0; l + 1 < spec.sizes.length; l++) {
      const inDim = spec.sizes[l]
      const outDim = spec.sizes[l + 1]
      const act = l + 2 === spec.sizes.length ? spec.output : spec.hidden
      this.layers.push({ inDim, outDim, w: offset, b: offset + inDim * outDim, act })
      offset += inDim * outDim + outDim
    }
    this.params = new Float64Array(offset)
    this.grads = new Float64Array(offset)
    if (rng !== undefined) this.initialise(rng)
  }

  get inputSize (): number { return this.spec.sizes[0] }
  get outputSize (): number { return this.spec.sizes[this.spec.sizes.length - 1] }

  /**
   * Hidden layers: uniform in +-sqrt(6 / fan_in) (He, for ReLU) or +-sqrt(1 / fan_in) otherwise; the output layer
   * uniform in +-3e-3 so that the first outputs sit near zero (the DDPG paper's choice). Biases start at zero.
   */
  initialise (rng: Rng): void {
    this.params.fill(0)
    this.layers.forEach((layer, l) => {
      const last = l + 1 === this.layers.length
      const bound = last ? 3e-3 : layer.act === 'relu' ? Math.sqrt(6 / layer.inDim) : Math.sqrt(1 / layer.inDim)
      const end = layer.w + layer.inDim * layer.outDim
      for (let i = layer.w; i < end; i++) this.params[i] = (2 * rng.uniform() - 1) * bound
    })
  }

  private ensure (n: number): void {
    if (n <= this.capacity) return
    this.capacity = Math.max(n, this.capacity * 2)
    this.outputs = this.layers.map(layer => new Float64Array(this.capacity * layer.outDim))
    const widest = Math.max(...this.spec.sizes)
    this.deltaA = new Float64Array(this.capacity * widest)
    this.deltaB = new Float64Array(this.capacity * widest)
  }

  /** Forward pass of n samples (x is n x inputSize, row-major); returns a view of the n x outputSize result. */
  forward (x: Float64Array, n: number): Float64Array {
    if (x.length < n * this.inputSize) throw new RangeError(`forward: ${n} samples need ${n * this.inputSize} inputs, got ${x.length}`)
    this.ensure(n)
    this.batch = n
    this.input = x
    let src = x
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]
      const dst = this.outputs[l]
      affine(src, n, layer.inDim, this.params, layer.w, layer.b, layer.outDim, dst)
      activate(dst, n * layer.outDim, layer.act)
      src = dst
    }
    return src.subarray(0, n * this.outputSize)
  }

  /**
   * Backward pass for the last forward batch: adds d(loss)/d(params) into `grads` given d(loss)/d(output)
   * (n x outputSize). Returns d(loss)/d(input) (n x inputSize, a view valid until the next call) when asked;
   * `paramGrads: false` skips the parameter gradients (when only the input gradient is wanted).
   */
  backward (gradOutput: Float64Array, wantInputGrad = false, paramGrads = true): Float64Array | undefined {
    const n = this.batch
    let delta = this.deltaA
    let spare = this.deltaB
    const top = this.layers.length - 1
    delta.set(gradOutput.subarray(0, n * this.outputSize))
    for (let l = top; l >= 0; l--) {
      const layer = this.layers[l]
      const out = this.outputs[l]
      derive(delta, out, n * layer.outDim, layer.act)
      const x = l === 0 ? this.input : this.outputs[l - 1]
      if (paramGrads) accumulateWeightGrads(delta, x, n, layer.inDim, layer.outDim, this.grads, layer.w, layer.b)
      if (l > 0 || wantInputGrad) {
        inputGrads(delta, n, layer.inDim, layer.outDim, this.params, layer.w, spare)
        const t = delta
        delta = spare
        spare = t
      }
    }
    return wantInputGrad ? delta.subarray(0, n * this.inputSize) : undefined
  }

  /** Sets the output layer's biases (what the network outputs before it has learnt anything, given small weights). */
  setOutputBias (bias: ArrayLike<number>): void {
    const last = this.layers[this.layers.length - 1]
    if (bias.length !== last.outDim) throw new RangeError(`output bias needs ${last.outDim} values, got ${bias.length}`)
    this.params.set(bias, last.b)
  }

  zeroGrads (): void {
    this.grads.fill(0)
  }

  /** target <- tau * this + (1 - tau) * target (the soft target update; tau = 1 copies). */
  softUpdateInto (target: DenseNetwork, tau: number): void {
    const p = this.params
    const q = target.params
    if (p.length !== q.length) throw new RangeError('soft update between networks of different shapes')
    const keep = 1 - tau
    for (let i = 0; i < p.length; i++) q[i] = tau * p[i] + keep * q[i]
  }

  /** A network of the same shape with a copy of the parameters. */
  clone (): DenseNetwork {
    const copy = new DenseNetwork(this.spec)
    copy.params.set(this.params)
    return copy
  }
}

/** y[i, j] = b[j] + sum_k x[i, k] w[j, k], 4 samples x 2 units per inner loop. */
function affine (x: Float64Array, n: number, inDim: number, p: Float64Array, w: number, b: number, outDim: number, y: Float64Array): void {
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const x0 = i * inDim
    const x1 = x0 + inDim
    const x2 = x1 + inDim
    const x3 = x2 + inDim
    const y0 = i * outDim
    let j = 0
    for (; j + 2 <= outDim; j += 2) {
      const w0 = w + j * inDim
      const w1 = w0 + inDim
      let s00 = p[b + j]; let s10 = s00; let s20 = s00; let s30 = s00
      let s01 = p[b + j + 1]; let s11 = s01; let s21 = s01; let s31 = s01
      for (let k = 0; k < inDim; k++) {
        const c0 = p[w0 + k]
        const c1 = p[w1 + k]
        const a0 = x[x0 + k]; const a1 = x[x1 + k]; const a2 = x[x2 + k]; const a3 = x[x3 + k]
        s00 += a0 * c0; s01 += a0 * c1
        s10 += a1 * c0; s11 += a1 * c1
        s20 += a2 * c0; s21 += a2 * c1
        s30 += a3 * c0; s31 += a3 * c1
      }
      y[y0 + j] = s00; y[y0 + j + 1] = s01
      y[y0 + outDim + j] = s10; y[y0 + outDim + j + 1] = s11
      y[y0 + 2 * outDim + j] = s20; y[y0 + 2 * outDim + j + 1] = s21
      y[y0 + 3 * outDim + j] = s30; y[y0 + 3 * outDim + j + 1] = s31
    }
    for (; j < outDim; j++) {
      const w0 = w + j * inDim
      let s0 = p[b + j]; let s1 = s0; let s2 = s0; let s3 = s0
      for (let k = 0; k < inDim; k++) {
        const c = p[w0 + k]
        s0 += x[x0 + k] * c; s1 += x[x1 + k] * c; s2 += x[x2 + k] * c; s3 += x[x3 + k] * c
      }
      y[y0 + j] = s0; y[y0 + outDim + j] = s1; y[y0 + 2 * outDim + j] = s2; y[y0 + 3 * outDim + j] = s3
    }
  }
  for (; i < n; i++) {
    const x0 = i * inDim
    for (let j = 0; j < outDim; j++) {
      const w0 = w + j * inDim
      let s = p[b + j]
      for (let k = 0; k < inDim; k++) s += x[x0 + k] * p[w0 + k]
      y[i * outDim + j] = s
    }
  }
}

function activate (y: Float64Array, len: number, act: Activation): void {
  if (act === 'relu') {
    for (let i = 0; i < len; i++) if (y[i] < 0) y[i] = 0
  } else if (act === 'tanh') {
    for (let i = 0; i < len; i++) y[i] = Math.tanh(y[i])
  }
}

/** delta <- delta * act'(pre-activation), written in terms of the activation's output. */
function derive (delta: Float64Array, out: Float64Array, len: number, act: Activation): void {
  if (act === 'relu') {
    for (let i = 0; i < len; i++) if (out[i] <= 0) delta[i] = 0
  } else if (act === 'tanh') {
    for (let i = 0; i < len; i++) delta[i] *= 1 - out[i] * out[i]
  }
}

/** g_w[j, k] += sum_i delta[i, j] x[i, k]; g_b[j] += sum_i delta[i, j]. Four samples per pass over a weight row. */
function accumulateWeightGrads (delta: Float64Array, x: Float64Array, n: number, inDim: number, outDim: number, g: Float64Array, w: number, b: number): void {
  for (let j = 0; j < outDim; j++) {
    const gw = w + j * inDim
    let gb = 0
    let i = 0
    for (; i + 4 <= n; i += 4) {
      const d0 = delta[i * outDim + j]
      const d1 = delta[(i + 1) * outDim + j]
      const d2 = delta[(i + 2) * outDim + j]
      const d3 = delta[(i + 3) * outDim + j]
      gb += d0 + d1 + d2 + d3
      if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue
      const x0 = i * inDim
      const x1 = x0 + inDim
      const x2 = x1 + inDim
      const x3 = x2 + inDim
      for (let k = 0; k < inDim; k++) g[gw + k] += d0 * x[x0 + k] + d1 * x[x1 + k] + d2 * x[x2 + k] + d3 * x[x3 + k]
    }
    for (; i < n; i++) {
      const d = delta[i * outDim + j]
      gb += d
      if (d === 0) continue
      const x0 = i * inDim
      for (let k = 0; k < inDim; k++) g[gw + k] += d * x[x0 + k]
    }
    g[b + j] += gb
  }
}

/** dx[i, k] = sum_j delta[i, j] w[j, k], four weight rows per pass over dx's row. */
function inputGrads (delta: Float64Array, n: number, inDim: number, outDim: number, p: Float64Array, w: number, dx: Float64Array): void {
  dx.fill(0, 0, n * inDim)
  for (let i = 0; i < n; i++) {
    const r = i * inDim
    const dr = i * outDim
    let j = 0
    for (; j + 4 <= outDim; j += 4) {
      const d0 = delta[dr + j]; const d1 = delta[dr + j + 1]; const d2 = delta[dr + j + 2]; const d3 = delta[dr + j + 3]
      if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue
      const w0 = w + j * inDim
      const w1 = w0 + inDim
      const w2 = w1 + inDim
      const w3 = w2 + inDim
      for (let k = 0; k < inDim; k++) dx[r + k] += d0 * p[w0 + k] + d1 * p[w1 + k] + d2 * p[w2 + k] + d3 * p[w3 + k]
    }
    for (; j < outDim; j++) {
      const d = delta[dr + j]
      if (d === 0) continue
      const w0 = w + j * inDim
      for (let k = 0; k < inDim; k++) dx[r + k] += d * p[w0 + k]
    }
  }
}
