import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { aofl } from '../../src/planners/aofl.js'
import { coedge, waterFill } from '../../src/planners/coedge.js'
import { deeperthings } from '../../src/planners/deeperthings.js'
import { deepthings } from '../../src/planners/deepthings.js'
import { PLANNERS } from '../../src/planners/index.js'
import { cutHeight, layerCuts, stageCuts } from '../../src/sim/layers.js'
import { LinearModel } from '../../src/planners/linear-model.js'
import { modnn } from '../../src/planners/modnn.js'
import { offload } from '../../src/planners/offload.js'
import { minMaxRows } from '../../src/planners/row-split.js'
import { graphWork } from '../../src/graph/cost.js'
import type { Plan } from '../../src/plan/types.js'
import { validatePlan } from '../../src/plan/validate.js'
import { loadScenario, parseScenario, resolveScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import type { Scenario } from '../../src/sim/types.js'

const SUITE = fileURLToPath(new URL('../../src/sim/suite', import.meta.url))

/** A DC-like group (one of each type), the fastest listed third, on a small VGG16. */
async function mixed (): Promise<Scenario> {
  return await resolveScenario(parseScenario({
    name: 'mixed',
    model: 'vgg16',
    inputShape: [1, 3, 64, 64],
    requester: { uplinkMbps: 300 },
    devices: [
      { id: 'nano', profile: 'nano', uplinkMbps: 100 },
      { id: 'pi3', profile: 'pi3', uplinkMbps: 300 },
      { id: 'xavier', profile: 'xavier', uplinkMbps: 200 },
      { id: 'tx2', profile: 'tx2', uplinkMbps: 50 }
    ],
    latencyMs: 1
  }))
}

function rowsOf (plan: Plan, volume: number): number[] {
  return plan.volumes[volume].parts.map((p) => p.rows[1] - p.rows[0])
}

describe('baseline planners', () => {
  let s: Scenario
  let times: number[]
  before(async () => {
    s = await mixed()
    const sim = createSimulator(s)
    times = s.devices.map((d) => sim.wholeModelMs(d.id))
  })

  it('offload runs everything on the device with the lowest whole-model time', async () => {
    const p = await offload().plan(s)
    assert.equal(p.volumes.length, 0)
    const fastest = s.devices[times.indexOf(Math.min(...times))].id
    assert.equal(fastest, 'xavier')
    assert.equal(p.tail.device, fastest)
  })

  it('modnn gives every layer its own volume and rows in proportion to 1 / T_d', async () => {
    const p = await modnn().plan(s)
    const layers = s.graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'MaxPool').length
    assert.equal(p.volumes.length, layers)
    const speed = times.map((t) => 1 / t)
    const total = speed.reduce((a, b) => a + b, 0)
    p.volumes.forEach((v, i) => {
      const h = cutHeight(s.graph, v.output)
      rowsOf(p, i).forEach((r, d) => assert.ok(Math.abs(r - h * speed[d] / total) <= 1, `volume ${i} device ${d}: ${r} rows of ${h}`))
    })
    const mednn = await PLANNERS.mednn.create().plan(s)
    assert.deepEqual({ ...mednn, planner: 'modnn' }, p)
    assert.equal(mednn.planner, 'mednn')
  })

  it('deepthings splits one early block equally and runs the rest on the fastest device', async () => {
    const p = await deepthings().plan(s)
    assert.equal(p.volumes.length, 1)
    assert.equal(p.volumes[0].input, s.graph.input)
    const rows = rowsOf(p, 0)
    assert.ok(Math.max(...rows) - Math.min(...rows) <= 1, `equal split: ${rows.join(', ')}`)
    assert.equal(p.tail.device, 'xavier')
    // the block holds at least half the convolution FLOPs, and it is not the whole spatial prefix
    const work = graphWork(s.graph).perNode
    const end = s.graph.producer.get(p.volumes[0].output)!
    const convFlops = (to: number): number => work.slice(0, to + 1).reduce((a, w) => a + w.flops, 0)
    const prefixEnd = s.graph.producer.get(layerCuts(s.graph).at(-1)!)!
    assert.ok(convFlops(end) >= 0.5 * convFlops(prefixEnd))
    assert.ok(end < prefixEnd)
  })

  it('deeperthings splits one block per stage equally (VGG16: blocks end at the max pools)', async () => {
    const p = await deeperthings().plan(s)
    assert.deepEqual(p.volumes.map((v) => s.graph.nodes[s.graph.producer.get(v.output)!].opType), ['MaxPool', 'MaxPool', 'MaxPool', 'MaxPool', 'MaxPool'])
    p.volumes.forEach((_, i) => {
      const rows = rowsOf(p, i)
      assert.ok(Math.max(...rows) - Math.min(...rows) <= 1, `volume ${i}: ${rows.join(', ')}`)
    })
    assert.deepEqual(stageCuts(s.graph).slice(1), p.volumes.map((v) => v.output))
  })

  it('coedge keeps one share per device through every layer', async () => {
    const p = await coedge().plan(s)
    assert.equal(p.volumes.length, layerCuts(s.graph).length - 1)
    const biggest = p.volumes.reduce((best, v, i) => cutHeight(s.graph, v.output) > cutHeight(s.graph, p.volumes[best].output) ? i : best, 0)
    const h0 = cutHeight(s.graph, p.volumes[biggest].output)
    const shares = rowsOf(p, biggest).map((r) => r / h0)
    p.volumes.forEach((v, i) => {
      const h = cutHeight(s.graph, v.output)
      rowsOf(p, i).forEach((r, d) => assert.ok(Math.abs(r - h * shares[d]) <= 1.5, `volume ${i} device ${d}: ${r} of ${h}`))
    })
  })

  it('water-filling equalises the times of the devices it uses', () => {
    const fixed = [1, 2, 10, 0.5]
    const perShare = [10, 20, 1, 40]
    const a = waterFill(fixed, perShare)
    assert.ok(Math.abs(a.reduce((x, y) => x + y, 0) - 1) < 1e-12)
    const used = a.map((x, d) => x > 0 ? fixed[d] + perShare[d] * x : NaN).filter((t) => !Number.isNaN(t))
    const t = used[0]
    for (const u of used) assert.ok(Math.abs(u - t) < 1e-9)
    a.forEach((x, d) => { if (x === 0) assert.ok(fixed[d] >= t, `device ${d} left out though it would help`) })
    assert.equal(a[2], 0)
  })

  it('min-max row allocation matches brute force', () => {
    const costs = [(x: number) => x === 0 ? 0 : 3 + 2 * x, (x: number) => x === 0 ? 0 : 1 + 5 * x, (x: number) => x === 0 ? 0 : 8 + x]
    const H = 12
    let best = Infinity
    for (let a = 0; a <= H; a++) for (let b = 0; a + b <= H; b++) best = Math.min(best, Math.max(costs[0](a), costs[1](b), costs[2](H - a - b)))
    const rows = minMaxRows(H, costs)
    assert.equal(rows.reduce((x, y) => x + y, 0), H)
    assert.equal(Math.max(...rows.map((r, d) => costs[d](r))), best)
  })

  it('aofl is never worse than deeperthings under its own model, on every suite scenario', async () => {
    for (const f of readdirSync(SUITE).filter((x) => x.endsWith('.json'))) {
      const sc = await loadScenario(join(SUITE, f))
      const model = new LinearModel(createSimulator(sc))
      const a = model.planTime(await aofl().plan(sc))
      const d = model.planTime(await deeperthings().plan(sc))
      assert.ok(a <= d + 1e-9, `${sc.name}: aofl ${a} > deeperthings ${d}`)
    }
  })

  it('every baseline gives a valid plan on every suite scenario', async () => {
    const baselines = ['offload', 'modnn', 'mednn', 'coedge', 'deepthings', 'deeperthings', 'aofl']
    for (const f of readdirSync(SUITE).filter((x) => x.endsWith('.json'))) {
      const sc = await loadScenario(join(SUITE, f))
      for (const name of baselines) {
        const p = await PLANNERS[name].create().plan(sc)
        assert.doesNotThrow(() => validatePlan(sc.graph, p, { devices: sc.devices.map((d) => d.id) }), `${name} on ${sc.name}`)
      }
    }
  })

  it('every baseline gives a plan the simulator runs, rows covering each volume', async () => {
    for (const name of ['offload', 'modnn', 'mednn', 'coedge', 'deepthings', 'deeperthings', 'aofl']) {
      const spec = PLANNERS[name]
      const p = await spec.create().plan(s, { seed: 1 })
      assert.equal(p.planner, name)
      assert.equal(p.model.sha256, s.graph.sha256)
      for (const v of p.volumes) {
        const h = cutHeight(s.graph, v.output)
        const sorted = v.parts.map((x) => x.rows).filter((r) => r[1] > r[0]).sort((x, y) => x[0] - y[0])
        assert.equal(sorted[0][0], 0)
        assert.equal(sorted.at(-1)![1], h)
        for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i][0], sorted[i - 1][1], `${name}: gap or overlap in ${v.output}`)
      }
      const latency = createSimulator(s).latency(p)
      assert.ok(latency >= createSimulator(s).lowerBoundMs(), `${name}: ${latency} below the lower bound`)
    }
  })

  it('planners without options reject flags', () => {
    assert.throws(() => PLANNERS.aofl.create({ episodes: '3' }), { name: 'InvalidInputError', message: /planner aofl takes no options of its own \(got --episodes\)/ })
  })
})
