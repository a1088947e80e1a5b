// Adam over one flat parameter vector (Kingma and Ba, with the usual bias correction).

export interface AdamInit {
  learningRate: number
  beta1?: number
  beta2?: number
  epsilon?: number
}

export class Adam {
  readonly learningRate: number
  private readonly beta1: number
  private readonly beta2: number
  private readonly epsilon: number
  private readonly m: Float64Array
  private readonly v: Float64Array
  private t = 0

  constructor (size: number, init: AdamInit) {
    this.learningRate = init.learningRate
    this.beta1 = init.beta1 ?? 0.9
    this.beta2 = init.beta2 ?? 0.999
    this.epsilon = init.epsilon ?? 1e-8
    this.m = new Float64Array(size)
    this.v = new Float64Array(size)
  }

  /** One descent step: params -= lr * m_hat / (sqrt(v_hat) + eps), `grads` being d(loss)/d(params). */
  step (params: Float64Array, grads: Float64Array): void {
    this.t++
    const b1 = this.beta1
    const b2 = this.beta2
    const lrT = this.learningRate * Math.sqrt(1 - Math.pow(b2, this.t)) / (1 - Math.pow(b1, this.t))
    const epsT = this.epsilon * Math.sqrt(1 - Math.pow(b2, this.t))
    const m = this.m
    const v = this.v
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]
      m[i] = b1 * m[i] + (1 - b1) * g
      v[i] = b2 * v[i] + (1 - b2) * g * g
      params[i] -= lrT * m[i] / (Math.sqrt(v[i]) + epsT)
    }
  }
}
