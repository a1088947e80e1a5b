import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { OnnxBuilder } from '../../models/onnx-builder.js'
import { loadGraph } from '../../src/graph/load.js'
import { MIN_SAMPLE_MS, SPEED_REFERENCE_SHARE, WHOLE_MODEL_SAMPLES, measureProfile, measureReference, measureWholeModel, profileRows, speedReference, strayPoints, timeInTurns, timeSubModel } from '../../src/sim/profile-measure.js'
import type { MeasuredSegment } from '../../src/sim/types.js'
import { partModel } from '../../src/engine/sub-model.js'
import { readMeasuredProfile } from '../../src/sim/profile-measured.js'
import { loadScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { tessera } from '../cli/cli-scenario.js'

/** A small conv net: two conv + relu layers, a pool, global pooling and a classifier. */
/** Its convolutions outweigh its pooled tail some sevenfold (0.32 ms against 0.04 here), so the whole model times above the tail on a loaded machine too. */
function smallNet (): Uint8Array {
  const b = new OnnxBuilder({ name: 'small', seed: 3 })
  let x = b.input('input', [1, 3, 32, 32])
  x = b.relu(b.conv(x, { name: 'c1', out: 64, kernel: 3, pad: 1 }), 'r1')
  x = b.maxPool(x, { name: 'p1', kernel: 2, stride: 2 })
  x = b.relu(b.conv(x, { name: 'c2', out: 64, kernel: 3, pad: 1 }), 'r2')
  x = b.flatten(b.globalAvgPool(x, 'gap'), 'flat')
  b.output(b.gemm(x, { name: 'fc', out: 10, output: 'output' }))
  return b.encode()
}

describe('measuring a profile', () => {
  it('finds the points that stray from their table\'s line: far off it in share and in ms, whatever their place', () => {
    const line = (r: number): number => 1 + 2 * r
    const rows = [1, 2, 3, 4, 5, 6, 7, 8, 12, 17, 24, 32]
    const table = (spikes: Record<number, number>): Array<[number, number]> => rows.map(r => [r, spikes[r] ?? line(r)])
    assert.deepEqual(strayPoints(table({})), [])
    // a burst at 4 rows (x9, as seen on a quarter core), a slow 12 and a fast 32: the line of the others stays
    assert.deepEqual(strayPoints(table({ 4: 81, 12: 60, 32: 40 })), [3, 8, 11])
    // within 30% of the line, or within 1 ms of it: kept
    assert.deepEqual(strayPoints(table({ 24: line(24) * 1.25, 1: line(1) + 0.9 })), [])
    // a fixed cost at the first rows is not noise unless it is far off
    assert.deepEqual(strayPoints([[1, 5], [2, 6.5], [3, 9], [4, 11], [5, 13], [6, 15]]), [])
    // too few points for a line
    assert.deepEqual(strayPoints([[1, 1], [2, 50], [4, 4]]), [])
  })

  it('picks every row count up to 8, then about 1.4x apart, and the height', () => {
    assert.deepEqual(profileRows(5), [1, 2, 3, 4, 5])
    assert.deepEqual(profileRows(32), [1, 2, 3, 4, 5, 6, 7, 8, 12, 17, 24, 32])
  })

  it('times a sub-model by samples of back-to-back runs of at least MIN_SAMPLE_MS, counting the mean run', async () => {
    const graph = loadGraph(smallNet(), { name: 'small' })
    const part = partModel(graph, { input: 'input', output: 'r1' }, [0, 4])
    const t0 = performance.now()
    const ms = await timeSubModel(part, { threads: 1, repeats: 2, warmup: 0, clock: 'wall' })
    const elapsed = performance.now() - t0
    assert.ok(elapsed >= 2 * MIN_SAMPLE_MS, `two samples took ${elapsed.toFixed(1)} ms in all`)
    // a four-row slice of one small convolution runs far faster than a sample lasts: the mean of many runs
    assert.ok(ms > 0 && ms < MIN_SAMPLE_MS / 4, `a run took ${ms} ms`)
  })

  it('takes the largest segments at full height, from the largest down, until they hold half the chain', () => {
    const seg = (output: string, full: number): MeasuredSegment => ({ input: `${output}-in`, output, height: 8, points: [[1, full / 8], [8, full]] })
    const segments = [seg('a', 10), seg('b', 30), seg('c', 5), seg('d', 25), seg('e', 30)]
    // chain 100: 30 + 30 falls short of half with one, holds 60 with two
    const r = speedReference(segments)
    assert.equal(SPEED_REFERENCE_SHARE, 0.5)
    assert.deepEqual(r.volumes.map(v => v.volume.output).sort(), ['b', 'e'])
    assert.equal(r.tablesMs, 60)
    assert.deepEqual(r.volumes[0], { volume: { input: 'b-in', output: 'b' }, height: 8 })
    // one segment holding most of the chain is enough alone
    assert.deepEqual(speedReference([seg('a', 1), seg('b', 90), seg('c', 9)]).volumes.map(v => v.volume.output), ['b'])
    assert.throws(() => speedReference([]), /without segments/)
  })

  it('times sub-models in turns: one sample of each per round, the median of each', async () => {
    const graph = loadGraph(smallNet(), { name: 'small' })
    const small = partModel(graph, { input: 'input', output: 'r1' }, [0, 2])
    const big = partModel(graph, { input: 'input', output: 'r1' }, [0, 32])
    const t0 = performance.now()
    const [a, b] = await timeInTurns([small, big], { threads: 1, repeats: 3, warmup: 0, clock: 'wall' })
    assert.ok(performance.now() - t0 >= 6 * MIN_SAMPLE_MS)
    // 32 rows of a convolution take longer than 2 of them
    assert.ok(a > 0 && b > a, `2 rows ${a} ms, 32 rows ${b} ms`)
    const aborted = new AbortController()
    aborted.abort()
    await assert.rejects(timeInTurns([small], { threads: 1, repeats: 1, warmup: 0, clock: 'wall' }, aborted.signal), { name: 'AbortError' })
  })

  it('records the whole model in its tables\' terms: scaled by the reference segments\' tables over their time now', async () => {
    const graph = loadGraph(smallNet(), { name: 'small' })
    const timing = { threads: 1, repeats: 1, warmup: 0, clock: 'wall' as const }
    const measured = await measureProfile(graph, { repeats: 1 })
    // tables that say every segment takes 100 times what it takes here: the whole model is recorded 100 times slower too
    const slow = measured.segments.map(s => ({ ...s, points: s.points.map(([r, ms]) => [r, ms * 100] as const) }))
    const now = await measureReference(graph, speedReference(measured.segments), timing)
    const asMeasured = await measureWholeModel(graph, measured.segments, timing)
    const asSlow = await measureWholeModel(graph, slow, timing)
    assert.ok(WHOLE_MODEL_SAMPLES >= 7)
    // each measure times the whole model afresh: their ratio is 100 up to the noise of two measurements of a few ms
    assert.ok(asSlow / asMeasured > 40 && asSlow / asMeasured < 250, `whole model by the tables ${asMeasured} ms, by tables 100x slower ${asSlow} ms`)
    // the reference timed again now comes near its tables (one machine, minutes apart)
    const tables = speedReference(measured.segments).tablesMs
    assert.ok(now / tables > 0.4 && now / tables < 2.5, `reference ${now} ms now against ${tables} in the tables`)
  })

  it('measures every segment, the fused layers, one call and the tail', async () => {
    const graph = loadGraph(smallNet(), { name: 'small' })
    const p = await measureProfile(graph, { repeats: 2 })
    assert.deepEqual(p.segments.map((s) => `${s.input}>${s.output}`), ['input>c1', 'c1>r1', 'r1>p1', 'p1>c2', 'c2>r2'])
    assert.deepEqual(p.layers.map((s) => `${s.input}>${s.output}`), ['input>r1', 'p1>r2'])
    assert.deepEqual(p.pairs.map((x) => `${x.table.input}>${x.middle}>${x.table.output}`), ['input>r1>p1', 'r1>p1>r2'])
    assert.deepEqual(p.segments[0].points.map(([r]) => r), profileRows(32))
    assert.deepEqual(p.segments[3].points.map(([r]) => r), profileRows(16))
    for (const s of [...p.segments, ...p.layers]) for (const [, ms] of s.points) assert.ok(ms > 0 && ms < 1000)
    assert.ok(p.callMs > 0 && p.tailMs > 0 && p.wholeMs > 0)
    assert.ok(p.receiveMs >= 0 && p.receiveMs < 1000, `receiveMs ${p.receiveMs}`)
    assert.equal(p.model.sha256, graph.sha256)
  })

  it('tessera profile writes a file a scenario device can name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-profile-'))
    writeFileSync(join(dir, 'small.onnx'), smallNet())
    const r = tessera('profile', join(dir, 'small.onnx'), '--repeats', '1', '--out', join(dir, 'me.json'))
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /profile written to/)
    const p = readMeasuredProfile(join(dir, 'me.json'))
    assert.equal(p.segments.length, 5)
    writeFileSync(join(dir, 's.json'), JSON.stringify({
      model: 'small.onnx',
      requester: { uplinkMbps: 100 },
      devices: [{ id: 'me', profile: 'me.json', uplinkMbps: 100 }, { id: 'twin', profile: 'me.json', uplinkMbps: 100 }]
    }))
    return loadScenario(join(dir, 's.json')).then((s) => {
      const sim = createSimulator(s)
      // T_d is the whole model as measured, and one hand-over to the compute thread (tessera profile measures the mesh costs)
      assert.ok(p.handoverMs > 0 && p.frameCost.msPerMiB > 0 && p.wholeMs > 0 && p.longHandover.runMs > 0, `mesh costs ${p.handoverMs} ms, ${JSON.stringify(p.longHandover)}, ${JSON.stringify(p.frameCost)}, whole ${p.wholeMs} ms`)
      // the simulator makes the chain of tables plus the tail add up to the whole model: it can when the whole times above the tail
      assert.ok(p.wholeMs > p.tailMs, `whole ${p.wholeMs} ms, tail ${p.tailMs} ms`)
      // the hand-over after a run of r ms: from the short one to the long one, linearly up to the long one's run
      const hand = (r: number): number => p.handoverMs + (p.longHandover.ms - p.handoverMs) * Math.min(1, r / p.longHandover.runMs)
      assert.ok(Math.abs(sim.wholeModelMs('me') - (p.wholeMs + hand(p.wholeMs))) < 1e-9)
      // the tail after the first layer (the pool, the second layer): the tables' chain from there, scaled as
      // the whole model is to its chain; after the second layer's one table, that table as measured
      const full = (t: { points: ReadonlyArray<readonly [number, number]> }): number => t.points[t.points.length - 1][1]
      const units = [full(p.layers[0]), full(p.segments[2]), full(p.layers[1])]
      const saved = (i: number): number => Math.max(0, Math.min(units[i] + units[i + 1] - full(p.pairs[i].table), units[i], units[i + 1]))
      const chain = units[0] + units[1] + units[2] - saved(0) - saved(1)
      const scale = (p.wholeMs - p.tailMs + Math.min(p.callMs, p.tailMs)) / chain
      const withTail = (spatial: number): number => { const run = spatial + p.tailMs - Math.min(p.callMs, spatial, p.tailMs); return run + hand(run) }
      assert.ok(Math.abs(sim.tailMs('me', 'r1') - withTail((units[1] + units[2] - saved(1)) * scale)) < 1e-9)
      assert.ok(Math.abs(sim.tailMs('me', 'p1') - withTail(units[2])) < 1e-9)
      assert.equal(sim.wholeModelMs('twin'), sim.wholeModelMs('me'))
      assert.equal(JSON.parse(readFileSync(join(dir, 'me.json'), 'utf8')).kind, 'measured')
    })
  })
})
