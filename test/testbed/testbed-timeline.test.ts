import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compareTimeline, type ServedRequest } from '../../peer/testbed/testbed-timeline.js'
import { simulate } from '../../src/sim/simulate.js'
import { device, linearProfile, plan, scenario, tinyGraph } from '../sim/fixtures.js'

describe('testbed timeline', () => {
  const graph = tinyGraph()
  const s = scenario(graph, [device('A', 0, linearProfile(graph, 'unit', 1, 2, 3)), device('B', 1, linearProfile(graph, 'double', 2, 4, 6))])
  const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
  const sim = simulate(s, p)
  const T0 = 1795811176000
  // a request whose parts each become ready `late` ms after the simulator says, start 1 ms after that and compute `scale` x as long,
  // of which the onnxruntime run is 0.9 of the simulated compute
  const request = (late: number, scale: number): ServedRequest => {
    const timings = [...sim.parts.map(x => ({ device: x.device, volume: x.volume, part: x.part, ms: x.end - x.start, ready: x.start })),
      { device: sim.tail.device, volume: 1, part: 0, ms: sim.tail.end - sim.tail.start, ready: sim.tail.start }]
      .map(x => ({ device: x.device, volume: x.volume, part: x.part, waitMs: 0, computeMs: x.ms * scale, rows: 0, readyAt: T0 + x.ready + late, startedAt: T0 + x.ready + late + 1, runMs: x.ms * 0.9 }))
    return { sentAt: T0, receivedAt: T0 + sim.latencyMs + late + 2, timings }
  }

  it('puts each part\'s measured medians beside the simulated schedule, and the compute ratio', () => {
    const c = compareTimeline(sim, 1, [request(10, 1.5), request(2, 1.1), request(4, 1.2)])
    assert.equal(c.parts.length, 3)
    assert.equal(c.simulatedMs, sim.latencyMs)
    assert.equal(c.measuredMs, sim.latencyMs + 6)
    assert.equal(c.computeRatio, 1.2)
    assert.ok(Math.abs(c.runRatio - 0.9) < 1e-9)
    for (const part of c.parts) {
      const simPart = part.volume === 1 ? { start: sim.tail.start, end: sim.tail.end } : sim.parts.find(x => x.volume === part.volume && x.part === part.part)!
      assert.ok(Math.abs(part.measured.readyMs - (simPart.start + 4)) < 1e-6, `part ${part.volume}:${part.part} ready`)
      assert.ok(Math.abs(part.measured.startMs - (simPart.start + 5)) < 1e-6)
      assert.ok(Math.abs(part.measured.endMs - part.measured.startMs - (simPart.end - simPart.start) * 1.2) < 1e-6)
      assert.ok(Math.abs(part.measured.runMs - (simPart.end - simPart.start) * 0.9) < 1e-6)
      assert.ok(part.simulated.readyMs <= part.simulated.startMs)
    }
    // B's part is ready when the last of its input rows from the (external) requester has arrived
    assert.equal(c.parts.find(x => x.device === 'B')!.simulated.readyMs, Math.max(...sim.messages.filter(m => m.to === 'B' && Array.isArray(m.receiver)).map(m => m.arrived)))
  })

  it('refuses timings of a part the plan does not run', () => {
    const bad = request(0, 1)
    bad.timings.push({ ...bad.timings[0], volume: 7 })
    assert.throws(() => compareTimeline(sim, 1, [bad]), /part 7:0/)
  })
})
