// Three peers in one process on loopback (no namespaces, no root): a modnn plan spreads every layer over
// all three, and the mesh's outputs equal the whole model run on onnxruntime.
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { TesseraPeer } from '../../peer/index.js'
import { newRequestId } from '../../peer/requester/coordinator.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { createSession } from '../../src/engine/runtime.js'
import { PLANNERS } from '../../src/planners/index.js'
import { loadScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import type { Plan } from '../../src/plan/types.js'

const SHAPE = [1, 3, 64, 64]

async function until<T> (what: string, test: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs
  while (true) {
    const r = test()
    if (r !== undefined) return r
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('a mesh of three in-process peers', { timeout: 120_000 }, () => {
  const peers: TesseraPeer[] = []
  const ready = new Map<string, { key: string, planner: string, devices: number, plan: Plan }>()
  const saved: Array<{ peer: string, scenario: string, devices: number }> = []
  const scenarios = mkdtempSync(join(tmpdir(), 'tessera-scenarios-'))

  before(async () => {
    const init = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, models: ['resnet18'], inputShape: SHAPE, planning: { planner: 'modnn', saveScenarios: scenarios } }
    peers.push(await TesseraPeer.create({ ...init, name: 'one' }))
    const boot = peers[0].node.getMultiaddrs().map(String)
    peers.push(await TesseraPeer.create({ ...init, name: 'two', bootstrap: boot }))
    peers.push(await TesseraPeer.create({ ...init, name: 'three', bootstrap: boot }))
    for (const p of peers) {
      p.events.on('ready', (e) => { ready.set(p.name, { key: e.key, planner: e.plan.planner, devices: new Set(e.plan.volumes.flatMap(v => v.parts.map(x => x.device))).size, plan: e.plan }) })
      p.events.on('planning', (e) => { if (e.scenario != null) saved.push({ peer: p.name, scenario: e.scenario, devices: e.devices }) })
    }
  })

  after(async () => {
    await Promise.all(peers.map(async p => await p.stop()))
  })

  it('agrees on one leader and term', async () => {
    const leader = await until('a leader everyone follows', () => {
      const seen = peers.map(p => `${p.election.leader ?? ''}@${p.election.term}`)
      return seen[0].startsWith('@') || new Set(seen).size !== 1 ? undefined : seen[0]
    }, 30_000)
    assert.equal(peers.filter(p => p.election.isLeader).length, 1)
    assert.ok(leader.length > 0)
  })

  it('plans over all three and serves outputs equal to the whole model', async () => {
    const leader = peers.find(p => p.election.isLeader)!
    await until('a modnn plan over three peers ready', () => {
      const r = ready.get(leader.name)
      return r != null && r.planner === 'modnn' && r.devices === 3 ? r : undefined
    }, 90_000)
    const model = leader.models.list()[0]
    const input = randomInput(SHAPE, 42)
    const session = await createSession(await readFile(model.path), { threads: 1 })
    const whole = await session.run({ [model.graph.input]: { dataType: 'float32', dims: SHAPE, data: input } })
    await session.dispose()
    for (let i = 0; i < 2; i++) {
      const r = await leader.coordinator.infer({ requestId: newRequestId(), modelSha256: model.sha256, modelName: '', input: { name: model.graph.input, shape: SHAPE, data: input } })
      assert.equal(r.planner, 'modnn')
      assert.equal(r.devices.length, 3)
      for (const o of r.outputs) {
        const ref = whole[o.name].data as Float32Array
        let max = 0
        let scale = 0
        for (let k = 0; k < ref.length; k++) {
          max = Math.max(max, Math.abs(ref[k] - o.data[k]))
          scale = Math.max(scale, Math.abs(ref[k]))
        }
        assert.ok(max <= 1e-4 * Math.max(1, scale), `output ${o.name}: max abs error ${max}`)
      }
      // every part that computed rows, and the tail, reported its timing once (frames carry only the records their receiver lacks)
      assert.ok(new Set(r.timings.map(t => t.device)).size === 3)
      const served = ready.get(leader.name)!.plan
      const expected = served.volumes.flatMap((v, l) => v.parts.flatMap((p, k) => p.rows[1] > p.rows[0] ? [`${l}:${k}`] : [])).concat(`${served.volumes.length}:0`)
      assert.deepEqual(r.timings.map(t => `${t.volume}:${t.part}`).sort(), expected.sort())
      // one process, one clock: the instants make one timeline, inside the attempt and in volume order
      assert.ok(r.sentAt <= r.receivedAt)
      for (const t of r.timings) {
        // the onnxruntime run, timed in the compute thread, is inside the compute the event loop timed around it
        assert.ok(t.runMs > 0 && t.runMs <= t.computeMs, `part ${t.volume}:${t.part}: run ${t.runMs} ms of compute ${t.computeMs} ms`)
        assert.ok(r.sentAt <= t.readyAt && t.readyAt <= t.startedAt && t.startedAt + t.computeMs <= r.receivedAt + 1e-6, `part ${t.volume}:${t.part} on ${t.device} outside the request's timeline`)
        const before = r.timings.filter(u => u.volume === t.volume - 1)
        if (before.length > 0) assert.ok(t.readyAt >= Math.min(...before.map(u => u.startedAt + u.computeMs)) - 1e-6, `part ${t.volume}:${t.part} ready before volume ${t.volume - 1} finished`)
      }
    }
  })

  it('refuses a request for a model it does not serve, and an input of the wrong shape, by name', async () => {
    const leader = peers.find(p => p.election.isLeader)!
    await assert.rejects(leader.coordinator.infer({ requestId: 'x1', modelSha256: '', modelName: 'nope', input: { name: 'input', shape: SHAPE, data: new Float32Array(3 * 64 * 64) } }), { name: 'ModelUnavailableError' })
    const sha = leader.models.list()[0].sha256
    await assert.rejects(leader.coordinator.infer({ requestId: 'x2', modelSha256: sha, modelName: '', input: { name: 'input', shape: [1, 3, 32, 32], data: new Float32Array(3 * 32 * 32) } }), { name: 'InvalidInputError' })
  })

  it('saves the scenarios the leader planned on, and modnn replans the last one to the served plan', async () => {
    const leader = peers.find(p => p.election.isLeader)!
    const mine = saved.filter(s => s.peer === leader.name && s.devices === 3)
    assert.ok(mine.length > 0, `the leader announced no saved 3-device scenario (saved: ${JSON.stringify(saved)})`)
    const scenario = await loadScenario(mine[mine.length - 1].scenario)
    assert.deepEqual(scenario.devices.map(d => d.id).sort(), ['one', 'three', 'two'])
    assert.deepEqual(scenario.requester, { kind: 'device', device: leader.name })
    assert.ok(scenario.devices.every(d => d.profile.kind === 'measured'))
    const served = ready.get(leader.name)!.plan
    const replanned = await PLANNERS.modnn.create().plan(scenario)
    assert.deepEqual(replanned.volumes, served.volumes)
    assert.deepEqual(replanned.tail, served.tail)
    assert.ok(createSimulator(scenario).latency(served) > 0)
  })
})
