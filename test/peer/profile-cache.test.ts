import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, it, after } from 'node:test'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { linearProfile, tinyGraph, tinyModelBytes } from '../sim/fixtures.js'

describe('profile cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-profile-cache-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('measures what a cached profile predates (the receive delay, the mesh costs, the whole model, the long hand-over) and rewrites it, keeping the tables', async () => {
    const graph = tinyGraph()
    const cache = new ProfileCache({ dir, speedCheck: false })
    const path = cache.path(graph)
    const model = join(dir, 'tiny.onnx')
    writeFileSync(model, tinyModelBytes())
    mkdirSync(dirname(path), { recursive: true })
    const { receiveMs, handoverMs, frameCost, wholeMs, longHandover, ...v1 } = { ...measuredProfileToJson(linearProfile(graph, 'old', 1, 2, 3)), version: 1 }
    assert.deepEqual([receiveMs, handoverMs, frameCost, wholeMs, longHandover], [0, 0, { fixedMs: 0, msPerMiB: 0 }, 0, { runMs: 0, ms: 0 }])
    writeFileSync(path, JSON.stringify(v1))
    const got = await cache.get(graph, model)
    assert.equal(got.fresh, false)
    assert.ok(Number.isFinite(got.profile.receiveMs) && got.profile.receiveMs > 0, `receiveMs ${got.profile.receiveMs}`)
    assert.ok(Number.isFinite(got.profile.handoverMs) && got.profile.handoverMs >= 0, `handoverMs ${got.profile.handoverMs}`)
    // a 1 MiB frame through noise and yamux costs more than a 4 KiB one
    assert.ok(got.profile.frameCost.msPerMiB > 0 && got.profile.frameCost.fixedMs >= 0, `frameCost ${JSON.stringify(got.profile.frameCost)}`)
    // the whole model in the tables' terms: it holds segment b, which the tables put at 16 ms (8 rows at 2), and more
    assert.ok(got.profile.wholeMs > 8 && got.profile.wholeMs < 1000, `wholeMs ${got.profile.wholeMs}`)
    // the long hand-over follows a run of milliseconds (a 0.6 GFLOP convolution)
    assert.ok(got.profile.longHandover.runMs > 2 && got.profile.longHandover.ms >= 0, `longHandover ${JSON.stringify(got.profile.longHandover)}`)
    const file = JSON.parse(readFileSync(path, 'utf8'))
    assert.equal(file.version, 5)
    assert.deepEqual([file.receiveMs, file.handoverMs, file.frameCost, file.wholeMs, file.longHandover], [got.profile.receiveMs, got.profile.handoverMs, got.profile.frameCost, got.profile.wholeMs, got.profile.longHandover])
    const tables = (f: Record<string, unknown>): Record<string, unknown> => ({ ...f, version: undefined, receiveMs: undefined, handoverMs: undefined, frameCost: undefined, wholeMs: undefined, longHandover: undefined })
    assert.deepEqual(tables(file), tables(v1))
    // read again: nothing left to add, the same profile (the model is not read)
    const again = await cache.get(graph, '/nonexistent.onnx')
    assert.deepEqual(again.profile, got.profile)
    // a version 2 file keeps its receive delay and gets the mesh costs
    const v2 = { ...file, version: 2, receiveMs: 7.5 }
    delete v2.handoverMs
    delete v2.frameCost
    delete v2.wholeMs
    delete v2.longHandover
    writeFileSync(path, JSON.stringify(v2))
    const two = await cache.get(graph, model)
    assert.equal(two.profile.receiveMs, 7.5)
    assert.ok(two.profile.frameCost.msPerMiB > 0 && two.profile.wholeMs > 0 && two.profile.longHandover.runMs > 0)
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).version, 5)
    // a version 3 file keeps its mesh costs and gets the whole model's time alone
    const v3 = { ...JSON.parse(readFileSync(path, 'utf8')), version: 3, handoverMs: 0.625 }
    delete v3.wholeMs
    delete v3.longHandover
    writeFileSync(path, JSON.stringify(v3))
    const three = await cache.get(graph, model)
    assert.deepEqual([three.profile.receiveMs, three.profile.handoverMs, three.profile.frameCost], [7.5, 0.625, two.profile.frameCost])
    assert.ok(three.profile.wholeMs > 0 && three.profile.longHandover.runMs > 0)
    // a version 4 file keeps its whole model's time and gets the long hand-over alone
    const v4 = { ...JSON.parse(readFileSync(path, 'utf8')), version: 4, wholeMs: 0.375 }
    delete v4.longHandover
    writeFileSync(path, JSON.stringify(v4))
    const four = await cache.get(graph, model)
    assert.deepEqual([four.profile.receiveMs, four.profile.handoverMs, four.profile.wholeMs], [7.5, 0.625, 0.375])
    assert.ok(four.profile.longHandover.runMs > 2, `longHandover ${JSON.stringify(four.profile.longHandover)}`)
  })

  it('checks a cached profile against the machine\'s speed now: the tables scaled by its largest segments\' time now against their tables, the file kept', async () => {
    const graph = tinyGraph()
    const cache = new ProfileCache({ dir: join(dir, 'speed') })
    const path = cache.path(graph)
    const model = join(dir, 'tiny.onnx')
    writeFileSync(model, tinyModelBytes())
    mkdirSync(dirname(path), { recursive: true })
    // tables "then" of 1000 ms ('a' at full height) and 2000 ms ('b'): the reference is 'b' alone, which runs in far less now
    const then = { ...linearProfile(graph, 'then', 125, 250, 3), callMs: 0.5, handoverMs: 0.25, longHandover: { runMs: 20, ms: 2 }, wholeMs: 1000 }
    const text = JSON.stringify(measuredProfileToJson(then))
    writeFileSync(path, text)
    const got = await cache.get(graph, model)
    assert.equal(got.fresh, false)
    const s = got.speed!
    assert.equal(s.cachedReferenceMs, 2000)
    assert.ok(s.referenceMs > 0 && s.referenceMs < 50, `reference now ${s.referenceMs} ms`)
    assert.equal(s.factor, s.referenceMs / 2000)
    const p = got.profile
    assert.ok(Math.abs(p.wholeMs - 1000 * s.factor) < 1e-9)
    assert.equal(p.callMs, 0.5 * s.factor)
    assert.equal(p.tailMs, then.tailMs * s.factor)
    p.segments.forEach((seg, i) => { seg.points.forEach(([r, ms], j) => { assert.deepEqual([r, ms], [then.segments[i].points[j][0], then.segments[i].points[j][1] * s.factor]) }) })
    // measured apart from the compute, the hand-overs stay; the gossiped JSON is the scaled profile
    assert.deepEqual([p.handoverMs, p.longHandover], [0.25, { runMs: 20, ms: 2 }])
    assert.equal(JSON.parse(new TextDecoder().decode(got.json)).wholeMs, p.wholeMs)
    assert.equal(readFileSync(path, 'utf8'), text)
    // without the check: the file as it is
    const plain = await new ProfileCache({ dir: join(dir, 'speed'), speedCheck: false }).get(graph, '/nonexistent.onnx')
    assert.equal(plain.speed, undefined)
    assert.equal(plain.profile.wholeMs, 1000)
  })
})
