import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DenseNetwork, type Activation } from '../../src/planners/distredge/nn/dense-network.js'
import { Adam } from '../../src/planners/distredge/nn/adam.js'
import { Rng } from '../../src/planners/distredge/rng.js'

function randomArray (rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n)
  for (let i = 0; i < n; i++) a[i] = (2 * rng.uniform() - 1) * scale
  return a
}

/** loss = sum(out * r): d(loss)/d(out) = r. */
function loss (net: DenseNetwork, x: Float64Array, n: number, r: Float64Array): number {
  const out = net.forward(x, n)
  let s = 0
  for (let i = 0; i < out.length; i++) s += out[i] * r[i]
  return s
}

for (const [sizes, hidden, output, n] of [
  [[5, 7, 6, 3], 'relu', 'tanh', 6],
  [[4, 9, 1], 'relu', 'linear', 9],
  [[3, 8, 8, 5, 2], 'tanh', 'linear', 4],
  [[6, 2], 'relu', 'tanh', 1]
] as Array<[number[], Activation, Activation, number]>) {
  test(`gradients of a ${sizes.join('-')} ${hidden}/${output} network on ${n} samples match central differences`, () => {
    const rng = new Rng(sizes.length * 31 + n)
    const net = new DenseNetwork({ sizes, hidden, output }, rng)
    // Larger output weights than the default init, so every layer's gradient is far from zero.
    for (let i = 0; i < net.params.length; i++) net.params[i] = (2 * rng.uniform() - 1) * 0.8
    const x = randomArray(rng, n * sizes[0], 2)
    const r = randomArray(rng, n * sizes[sizes.length - 1])
    net.zeroGrads()
    net.forward(x, n)
    const dx = Float64Array.from(net.backward(r, true) as Float64Array)
    const analytic = Float64Array.from(net.grads)
    const h = 1e-6
    let worst = 0
    for (let p = 0; p < net.params.length; p++) {
      const keep = net.params[p]
      net.params[p] = keep + h
      const up = loss(net, x, n, r)
      net.params[p] = keep - h
      const down = loss(net, x, n, r)
      net.params[p] = keep
      const numeric = (up - down) / (2 * h)
      worst = Math.max(worst, Math.abs(numeric - analytic[p]) / Math.max(1, Math.abs(numeric)))
    }
    assert.ok(worst < 1e-6, `parameter gradient error ${worst}`)
    let worstX = 0
    for (let k = 0; k < x.length; k++) {
      const keep = x[k]
      x[k] = keep + h
      const up = loss(net, x, n, r)
      x[k] = keep - h
      const down = loss(net, x, n, r)
      x[k] = keep
      const numeric = (up - down) / (2 * h)
      worstX = Math.max(worstX, Math.abs(numeric - dx[k]) / Math.max(1, Math.abs(numeric)))
    }
    assert.ok(worstX < 1e-6, `input gradient error ${worstX}`)
    assert.ok(analytic.some(g => Math.abs(g) > 1e-3), 'gradients are not all zero')
  })
}

test('backward accumulates into grads until zeroGrads', () => {
  const rng = new Rng(5)
  const net = new DenseNetwork({ sizes: [3, 4, 2], hidden: 'relu', output: 'linear' }, rng)
  const x = randomArray(rng, 3 * 5)
  const r = randomArray(rng, 2 * 5)
  net.zeroGrads()
  net.forward(x, 5)
  net.backward(r)
  const once = Float64Array.from(net.grads)
  net.forward(x, 5)
  net.backward(r)
  for (let i = 0; i < once.length; i++) assert.ok(Math.abs(net.grads[i] - 2 * once[i]) < 1e-12)
  net.zeroGrads()
  assert.ok(net.grads.every(g => g === 0))
})

test('Adam fits a small regression', () => {
  const rng = new Rng(11)
  const net = new DenseNetwork({ sizes: [2, 32, 32, 1], hidden: 'relu', output: 'linear' }, rng)
  const adam = new Adam(net.params.length, { learningRate: 3e-3 })
  const n = 64
  const x = randomArray(rng, 2 * n)
  const target = new Float64Array(n)
  for (let i = 0; i < n; i++) target[i] = Math.sin(2 * x[2 * i]) + x[2 * i + 1] * x[2 * i + 1]
  const mse = (): number => {
    const y = net.forward(x, n)
    let s = 0
    for (let i = 0; i < n; i++) s += (y[i] - target[i]) ** 2
    return s / n
  }
  const before = mse()
  const g = new Float64Array(n)
  for (let it = 0; it < 1500; it++) {
    const y = net.forward(x, n)
    for (let i = 0; i < n; i++) g[i] = 2 * (y[i] - target[i]) / n
    net.zeroGrads()
    net.backward(g)
    adam.step(net.params, net.grads)
  }
  const after = mse()
  assert.ok(after < before / 20 && after < 0.01, `mse ${before} -> ${after}`)
})

test('soft update moves the target by tau toward the source', () => {
  const rng = new Rng(3)
  const a = new DenseNetwork({ sizes: [2, 3, 1], hidden: 'relu', output: 'tanh' }, rng)
  const b = new DenseNetwork({ sizes: [2, 3, 1], hidden: 'relu', output: 'tanh' }, rng)
  const before = Float64Array.from(b.params)
  a.softUpdateInto(b, 0.25)
  for (let i = 0; i < before.length; i++) assert.ok(Math.abs(b.params[i] - (0.25 * a.params[i] + 0.75 * before[i])) < 1e-15)
  a.softUpdateInto(b, 1)
  assert.deepEqual(b.params, a.params)
})
