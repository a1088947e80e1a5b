// One DDPG update (critic step + actor step on a minibatch of 64, then the soft target update) with Tessera's
// own dense-network kernel, and, when given the path of a node_modules holding @tensorflow/tfjs and
// @tensorflow/tfjs-backend-wasm, the same update with tfjs on its wasm and cpu backends.
// Run: node --import ./test/setup.js bench/ddpg-update.ts [--tfjs /path/to/node_modules]
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DdpgAgent } from '../src/planners/distredge/ddpg.js'
import { ReplayBuffer } from '../src/planners/distredge/replay-buffer.js'
import { Rng } from '../src/planners/distredge/rng.js'

const CASES: Array<[devices: number, actor: number[], critic: number[]]> = [
  [4, [400, 200, 100], [400, 200, 100, 100]],
  [4, [128, 64, 64], [128, 64, 64]],
  [4, [64, 64], [64, 64, 64]],
  [4, [32, 32], [64, 32]],
  [16, [32, 32], [64, 32]]
]
const BATCH = 64

function own (d: number, al: number[], cl: number[]): number {
  const rng = new Rng(1)
  const agent = new DdpgAgent({ stateSize: d + 4, actionSize: d - 1, actorLayers: al, criticLayers: cl, actorLearningRate: 1e-4, criticLearningRate: 1e-3, gamma: 0.99, tau: 0.01 }, rng)
  const buffer = new ReplayBuffer(1000, d + 4, d - 1)
  const row = (n: number): number[] => Array.from({ length: n }, () => rng.uniform())
  for (let i = 0; i < 1000; i++) buffer.push(row(d + 4), row(d - 1), rng.uniform(), row(d + 4), rng.uniform() < 0.2)
  let batch = buffer.sample(BATCH, rng)
  for (let i = 0; i < 10; i++) agent.update(batch)
  const runs = al[0] >= 400 ? 30 : 200
  const t = performance.now()
  for (let i = 0; i < runs; i++) {
    batch = buffer.sample(BATCH, rng, batch)
    agent.update(batch)
  }
  return (performance.now() - t) / runs
}

async function tfjs (modules: string, backend: string, d: number, al: number[], cl: number[]): Promise<number> {
  const tf = createRequire(join(modules, 'x.js'))('@tensorflow/tfjs')
  if (backend === 'wasm') createRequire(join(modules, 'x.js'))('@tensorflow/tfjs-backend-wasm')
  await tf.setBackend(backend)
  await tf.ready()
  const S = d + 4
  const A = d - 1
  const mlp = (sizes: number[]): any[] => sizes.slice(1).map((o, i) => ({ W: tf.variable(tf.randomUniform([sizes[i], o], -0.1, 0.1)), b: tf.variable(tf.zeros([o])) }))
  const fwd = (layers: any[], x: any, tanh: boolean): any => {
    let h = x
    layers.forEach((l, i) => {
      h = tf.add(tf.matMul(h, l.W), l.b)
      if (i < layers.length - 1) h = tf.relu(h)
      else if (tanh) h = tf.tanh(h)
    })
    return h
  }
  const actor = mlp([S, ...al, A]); const critic = mlp([S + A, ...cl, 1])
  const actorT = mlp([S, ...al, A]); const criticT = mlp([S + A, ...cl, 1])
  const vars = (layers: any[]): any[] => layers.flatMap(l => [l.W, l.b])
  const actorOpt = tf.train.adam(1e-4); const criticOpt = tf.train.adam(1e-3)
  const s = tf.randomUniform([BATCH, S]); const a = tf.randomUniform([BATCH, A]); const r = tf.randomUniform([BATCH, 1])
  const s2 = tf.randomUniform([BATCH, S]); const done = tf.zeros([BATCH, 1])
  const update = (): void => {
    tf.tidy(() => {
      const y = tf.add(r, tf.mul(tf.mul(tf.sub(1, done), 0.99), fwd(criticT, tf.concat([s2, fwd(actorT, s2, true)], 1), false)))
      criticOpt.minimize(() => tf.mean(tf.square(tf.sub(fwd(critic, tf.concat([s, a], 1), false), y))), false, vars(critic))
      actorOpt.minimize(() => tf.neg(tf.mean(fwd(critic, tf.concat([s, fwd(actor, s, true)], 1), false))), false, vars(actor))
      for (const [src, dst] of [[actor, actorT], [critic, criticT]]) {
        vars(src).forEach((v, i) => { const t = vars(dst)[i]; t.assign(tf.add(tf.mul(v, 0.01), tf.mul(t, 0.99))) })
      }
    })
  }
  for (let i = 0; i < 10; i++) update()
  vars(actorT)[0].dataSync()
  const runs = al[0] >= 400 ? 20 : 100
  const t = performance.now()
  for (let i = 0; i < runs; i++) update()
  vars(actorT)[0].dataSync()
  return (performance.now() - t) / runs
}

const { values } = parseArgs({ options: { tfjs: { type: 'string' } } })
const head = ['devices', 'actor', 'critic', 'own kernel ms', ...(values.tfjs != null ? ['tfjs wasm ms', 'tfjs cpu ms'] : [])]
const lines = [head, head.map((_, i) => i < 3 ? '---' : '---:')]
for (const [d, al, cl] of CASES) {
  const line = [String(d), al.join('-'), cl.join('-'), own(d, al, cl).toFixed(2)]
  if (values.tfjs != null) {
    line.push((await tfjs(values.tfjs, 'wasm', d, al, cl)).toFixed(2))
    line.push((await tfjs(values.tfjs, 'cpu', d, al, cl)).toFixed(2))
  }
  lines.push(line)
}
process.stdout.write(lines.map(l => `| ${l.join(' | ')} |`).join('\n') + '\n')
