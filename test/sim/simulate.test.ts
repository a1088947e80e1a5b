import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSimulator, simulate } from '../../src/sim/simulate.js'
import { device, linearProfile, plan, scenario, SLOW_MBPS, tinyGraph } from './fixtures.js'

// Costs: profile "unit" 1 ms per row of a, 2 ms per row of b, tail 3 ms; "double" twice that.
// Transfers at SLOW_MBPS: 1 ms per input row (16 B), 2 ms per row of a or r (32 B), 1 ms per row of b, 0.75 ms the output.
const graph = tinyGraph()
const unit = linearProfile(graph, 'unit', 1, 2, 3)
const double = linearProfile(graph, 'double', 2, 4, 6)

const close = (actual: number, expected: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`)
}

describe('simulator timelines (worked out by hand)', () => {
  it('serializes the requester uplink, sends halo rows, gathers at the tail', () => {
    // A: b[0,4) needs r,a [0,5) and input [0,6); B: b[4,8) needs r,a [3,8) and input [2,8).
    // requester->A [0,6], ->B [6,12] (one uplink); A computes 5 + 8 = 13 ms [6,19]; B (double) 10 + 16 = 26 ms [12,38].
    // B->A 4 rows of b [38,42]; tail on A [42,45]; result 0.75 ms -> 45.75.
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)])
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    const r = simulate(s, p)
    close(r.latencyMs, 45.75, 'latency')
    assert.deepEqual(r.parts.map((x) => [x.device, x.start, x.end]), [['A', 6, 19], ['B', 12, 38]])
    assert.deepEqual(r.tail, { device: 'A', start: 42, end: 45 })
    const sends = r.messages.filter((m) => !m.local).map((m) => [m.from, m.to, m.bytes, m.start, m.end])
    assert.deepEqual(sends.slice(0, 3), [['requester', 'A', 96, 0, 6], ['requester', 'B', 96, 6, 12], ['B', 'A', 64, 38, 42]])
    close(sends[3][4] as number, 45.75, 'result arrival')
    // the local share of the last volume moves for free
    const local = r.messages.filter((m) => m.local)
    assert.deepEqual(local.map((m) => [m.from, m.to, m.bytes, m.start, m.end]), [['A', 'A', 64, 19, 19]])
  })

  it('adds latencyMs to every message that crosses a link', () => {
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)], { latencyMs: 1 })
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    const r = simulate(s, p)
    // requester->A [0,7], ->B [7,14]; A [7,20]; B [14,40]; B->A [40,45]; tail [45,48]; result [48,49.75]
    assert.deepEqual(r.parts.map((x) => [x.start, x.end]), [[7, 20], [14, 40]])
    close(r.latencyMs, 49.75, 'latency')
  })

  it('takes a linkLatencyMs override for its directed pair, latencyMs for the others', () => {
    // As with latencyMs 1, but B->A takes 4 ms: requester->A [0,7], ->B [7,14]; A [7,20]; B [14,40];
    // B->A [40,48]; tail [48,51]; result (A->requester, latencyMs) [51,52.75]
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)], { latencyMs: 1, linkLatencyMs: { B: { A: 4 } } })
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    const r = simulate(s, p)
    assert.deepEqual(r.parts.map((x) => [x.start, x.end]), [[7, 20], [14, 40]])
    close(r.latencyMs, 52.75, 'latency')
    const sim = createSimulator(s)
    close(sim.transferMs('B', 'A', 0), 4, 'B->A')
    close(sim.transferMs('A', 'B', 0), 1, 'A->B')
  })

  it('delays every message a device receives by its receive delay, not the links', () => {
    // As the first schedule, with A taking a message in 0.5 ms after it is across and B 2 ms:
    // requester->A on the links [0,6], taken in at 6.5; ->B on the links [6,12] (the requester's uplink is
    // free at 6, not 6.5), taken in at 14; A [6.5,19.5]; B [14,40]; B->A [40,44], taken in at 44.5;
    // tail [44.5,47.5]; the result to the external requester (no receive delay) [47.5,48.25].
    const s = scenario(graph, [device('A', 0, { ...unit, receiveMs: 0.5 }), device('B', 1, { ...double, receiveMs: 2 })])
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    const r = simulate(s, p)
    assert.deepEqual(r.parts.map((x) => [x.device, x.start, x.end]), [['A', 6.5, 19.5], ['B', 14, 40]])
    const sends = r.messages.filter((m) => !m.local).map((m) => [m.from, m.to, m.start, m.end, m.arrived])
    assert.deepEqual(sends.slice(0, 3), [['requester', 'A', 0, 6, 6.5], ['requester', 'B', 6, 12, 14], ['B', 'A', 40, 44, 44.5]])
    assert.deepEqual(r.tail, { device: 'A', start: 44.5, end: 47.5 })
    close(r.latencyMs, 48.25, 'latency')
    // the local move is free: no receive delay
    assert.deepEqual(r.messages.filter((m) => m.local).map((m) => [m.end, m.arrived]), [[19.5, 19.5]])
    const sim = createSimulator(s)
    close(sim.transferMs('B', 'A', 64), 4.5, 'B->A with A\'s receive delay')
    close(sim.transferMs('A', 'requester', 12), 0.75, 'to the external requester')
  })

  it('charges the mesh costs of a measured device: a hand-over per part and the tail, its CPU for every frame it sends or reads', () => {
    // A hands a part over in 0.5 ms and spends 0.25 ms + 1 ms per 64 bytes on each frame (either end); B hands over in 1 ms.
    const frames = { handoverMs: 0.5, frameCost: { fixedMs: 0.25, msPerMiB: (1 << 20) / 64 } }
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    // A idle when frames arrive: requester->A [0,6], read by 7.75 (0.25 + 1.5); A 13 + 0.5 [7.75,21.25];
    // ->B [6,12]; B 26 + 1 [12,39]; B->A [39,43], read by 44.25; tail 3 + 0.5 [44.25,47.75];
    // A frames the 12-byte result (0.4375) before it goes out: [48.1875, 48.9375].
    const idle = simulate(scenario(graph, [device('A', 0, { ...unit, ...frames }), device('B', 1, { ...double, handoverMs: 1 })]), p)
    assert.deepEqual(idle.parts.map((x) => [x.device, x.start, x.end]), [['A', 7.75, 21.25], ['B', 12, 39]])
    assert.deepEqual(idle.tail, { device: 'A', start: 44.25, end: 47.75 })
    assert.deepEqual(idle.messages.filter((m) => !m.local).map((m) => [m.from, m.to, m.ready, m.start, m.end, m.arrived]).slice(0, 3),
      [['requester', 'A', 0, 0, 6, 7.75], ['requester', 'B', 0, 6, 12, 12], ['B', 'A', 39, 39, 43, 44.25]])
    close(idle.latencyMs, 48.9375, 'latency')
    // A busy when B's rows arrive: A (double) [7.75,34.25]; B (unit) 13 + 1 [12,26]; B->A [26,30], read after
    // A's part, [34.25,35.5]; tail 6 + 0.5 [35.5,42]; result framed [42,42.4375], across [42.4375,43.1875].
    const busy = simulate(scenario(graph, [device('A', 0, { ...double, ...frames }), device('B', 1, { ...unit, handoverMs: 1 })]), p)
    assert.deepEqual(busy.parts.map((x) => [x.device, x.start, x.end]), [['A', 7.75, 34.25], ['B', 12, 26]])
    assert.deepEqual(busy.tail, { device: 'A', start: 35.5, end: 42 })
    close(busy.latencyMs, 43.1875, 'latency')
    const sim = createSimulator(scenario(graph, [device('A', 0, { ...unit, ...frames }), device('B', 1, double)]))
    close(sim.transferMs('B', 'A', 64), 5.25, 'B->A: 4 ms across, 1.25 ms for A to read')
    close(sim.transferMs('A', 'B', 64), 5.25, 'A->B: 1.25 ms for A to frame, 4 ms across')
    close(sim.partMs('A', { input: 'input', output: 'b' }, [0, 4]), 13.5, 'a part with its hand-over')
    close(sim.tailMs('A', 'b'), 3.5, 'the tail with its hand-over')
  })

  it('moves rows between volumes, skips empty parts, holds the sender uplink', () => {
    // volume 1: A computes all of a (input 8 rows [0,8]; 8 ms [8,16]); B's part is empty.
    // volume 2: A b[0,3) from its own a[0,4): 6 ms [16,22]; B b[3,8) needs a[2,8) = 6 rows from A: 12 ms [16,28],
    // then 5 rows of b at 4 ms [28,48]. Tail on B: A's b[0,3) waits for A's uplink: [28,31]; tail 6 ms [48,54]; result 54.75.
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)])
    const p = plan(graph, [
      { input: 'input', output: 'a', parts: [{ device: 'A', rows: [0, 8] }, { device: 'B', rows: [8, 8] }] },
      { input: 'a', output: 'b', parts: [{ device: 'A', rows: [0, 3] }, { device: 'B', rows: [3, 8] }] }
    ], 'B')
    const r = simulate(s, p)
    assert.deepEqual(r.parts.map((x) => [x.volume, x.device, x.start, x.end]), [[0, 'A', 8, 16], [1, 'A', 16, 22], [1, 'B', 28, 48]])
    const sends = r.messages.filter((m) => !m.local).map((m) => [m.from, m.to, m.bytes, m.ready, m.start, m.end])
    assert.deepEqual(sends.slice(0, 3), [['requester', 'A', 128, 0, 0, 8], ['A', 'B', 192, 16, 16, 28], ['A', 'B', 48, 22, 28, 31]])
    assert.deepEqual(r.tail, { device: 'B', start: 48, end: 54 })
    close(r.latencyMs, 54.75, 'latency')
    assert.equal(r.messages.some((m) => m.receiver !== 'requester' && m.receiver !== 'tail' && m.receiver[0] === 0 && m.receiver[1] === 1), false, 'an empty part receives nothing')
  })

  it('uses a linkMbps override for its directed pair only', () => {
    // As above with A->B ten times faster: a[2,8) in 1.2 ms [16,17.2]; B [17.2,37.2]; A's b rows 0.3 ms [22,22.3];
    // tail [37.2,43.2]; B->requester is not overridden: 0.75 ms -> 43.95.
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)], { linkMbps: { A: { B: 10 * SLOW_MBPS } } })
    const p = plan(graph, [
      { input: 'input', output: 'a', parts: [{ device: 'A', rows: [0, 8] }, { device: 'B', rows: [8, 8] }] },
      { input: 'a', output: 'b', parts: [{ device: 'A', rows: [0, 3] }, { device: 'B', rows: [3, 8] }] }
    ], 'B')
    const r = simulate(s, p)
    close(r.parts[2].start, 17.2, 'B starts')
    close(r.parts[2].end, 37.2, 'B ends')
    close(r.latencyMs, 43.95, 'latency')
    const sim = createSimulator(s)
    close(sim.linkMbps('A', 'B'), 10 * SLOW_MBPS, 'A->B')
    close(sim.linkMbps('B', 'A'), SLOW_MBPS, 'B->A')
  })

  it('lets the requester be a provider: its own rows and the result move for free', () => {
    // A holds the input: its part starts at 0 [0,13]; B's input 6 rows over A's uplink [0,6]; B [6,32];
    // B->A [32,36]; tail on A [36,39]; A is the requester: latency 39.
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)], { requester: { kind: 'device', device: 'A' } })
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'B', rows: [4, 8] }] }], 'A')
    const r = simulate(s, p)
    assert.deepEqual(r.parts.map((x) => [x.start, x.end]), [[0, 13], [6, 32]])
    assert.equal(r.latencyMs, 39)
    assert.deepEqual(r.timeline.map((t) => t.device), ['A', 'B'], 'no separate requester row')
  })

  it('runs a plan without volumes whole on the tail device', () => {
    // input 8 rows [0,8]; a 8 + b 16 + tail 3 = 27 ms [8,35]; result 0.75 -> 35.75
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)])
    const r = simulate(s, plan(graph, [], 'A'))
    assert.deepEqual(r.tail, { device: 'A', start: 8, end: 35 })
    close(r.latencyMs, 35.75, 'latency')
    close(createSimulator(s).wholeModelMs('B'), 54, 'T_B')
  })

  it('breaks ties of equal ready times by scenario order of the senders', () => {
    // C computes fast enough to finish with A at 19; both send 4 rows of b to the tail device B at once.
    const fast = linearProfile(graph, 'fast', 0.5, 1.125, 1)
    const run = (order: Array<'A' | 'C'>): Array<[string, number, number]> => {
      const devices = [...order.map((id, i) => device(id, i, id === 'A' ? unit : fast)), device('B', 2, double)]
      const s = scenario(graph, devices)
      const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 4] }, { device: 'C', rows: [4, 8] }, { device: 'B', rows: [8, 8] }] }], 'B')
      const r = simulate(s, p)
      assert.deepEqual(r.parts.map((x) => x.end), [19, 19])
      return r.messages.filter((m) => m.receiver === 'tail').map((m) => [m.from, m.start, m.end])
    }
    assert.deepEqual(run(['A', 'C']), [['A', 19, 23], ['C', 23, 27]])
    assert.deepEqual(run(['C', 'A']), [['C', 19, 23], ['A', 23, 27]])
  })

  it('gives the same latency through latency() and run(), and a timeline per device', () => {
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)])
    const p = plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 5] }, { device: 'B', rows: [5, 8] }] }], 'B')
    const sim = createSimulator(s)
    const r = sim.run(p)
    assert.equal(sim.latency(p), r.latencyMs)
    const a = r.timeline.find((t) => t.device === 'A')!
    assert.deepEqual(a.intervals.map((i) => i.kind), ['receive', 'compute', 'send'])
    const req = r.timeline.find((t) => t.device === 'requester')!
    assert.deepEqual(req.intervals.map((i) => i.kind), ['send', 'send', 'receive'])
  })

  it('LB = 1 / sum_d (1 / T_d)', () => {
    const s = scenario(graph, [device('A', 0, unit), device('B', 1, double)])
    // T_A = 8 + 16 + 3 = 27, T_B = 54
    close(createSimulator(s).lowerBoundMs(), 1 / (1 / 27 + 1 / 54), 'LB')
  })

  it('rejects plans naming unknown devices or rows past the tensor', () => {
    const s = scenario(graph, [device('A', 0, unit)])
    assert.throws(() => simulate(s, plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'Z', rows: [0, 8] }] }], 'A')), { name: 'InvalidPlanError', message: /unknown device "Z"/ })
    assert.throws(() => simulate(s, plan(graph, [{ input: 'input', output: 'b', parts: [{ device: 'A', rows: [0, 9] }] }], 'A')), { name: 'InvalidPlanError', message: /outside "b"/ })
    assert.throws(() => simulate(s, plan(graph, [{ input: 'a', output: 'b', parts: [{ device: 'A', rows: [0, 8] }] }], 'A')), { name: 'InvalidPlanError', message: /enters at "a"/ })
  })
})
