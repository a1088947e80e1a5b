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

  it('measures what a cached profile predates (the receive delay, the mesh costs, the whole model) and rewrites it, keeping the tables', async () => {
    const graph = tinyGraph()
    const cache = new ProfileCache({ dir })
    const path = cache.path(graph)
    const model = join(dir, 'tiny.onnx')
    writeFileSync(model, tinyModelBytes())
    mkdirSync(dirname(path), { recursive: true })
    const { receiveMs, handoverMs, frameCost, wholeMs, ...v1 } = { ...measuredProfileToJson(linearProfile(graph, 'old', 1, 2, 3)), version: 1 }
    assert.deepEqual([receiveMs, handoverMs, frameCost, wholeMs], [0, 0, { fixedMs: 0, msPerMiB: 0 }, 0])
    writeFileSync(path, JSON.stringify(v1))
    const got = await cache.get(graph, model)
    assert.equal(got.fresh, false)
    assert.ok(Number.isFinite(got.profile.receiveMs) && got.profile.receiveMs > 0, `receiveMs ${got.profile.receiveMs}`)
    assert.ok(Number.isFinite(got.profile.handoverMs) && got.profile.handoverMs >= 0, `handoverMs ${got.profile.handoverMs}`)
    // a 1 MiB frame through noise and yamux costs more than a 4 KiB one
    assert.ok(got.profile.frameCost.msPerMiB > 0 && got.profile.frameCost.fixedMs >= 0, `frameCost ${JSON.stringify(got.profile.frameCost)}`)
    // the tiny model's one run: under a millisecond, more than nothing
    assert.ok(got.profile.wholeMs > 0 && got.profile.wholeMs < 50, `wholeMs ${got.profile.wholeMs}`)
    const file = JSON.parse(readFileSync(path, 'utf8'))
    assert.equal(file.version, 4)
    assert.deepEqual([file.receiveMs, file.handoverMs, file.frameCost, file.wholeMs], [got.profile.receiveMs, got.profile.handoverMs, got.profile.frameCost, got.profile.wholeMs])
    const tables = (f: Record<string, unknown>): Record<string, unknown> => ({ ...f, version: undefined, receiveMs: undefined, handoverMs: undefined, frameCost: undefined, wholeMs: undefined })
    assert.deepEqual(tables(file), tables(v1))
    // read again: nothing left to add, the same profile (the model is not read)
    const again = await cache.get(graph, '/nonexistent.onnx')
    assert.deepEqual(again.profile, got.profile)
    // a version 2 file keeps its receive delay and gets the mesh costs
    const v2 = { ...file, version: 2, receiveMs: 7.5 }
    delete v2.handoverMs
    delete v2.frameCost
    delete v2.wholeMs
    writeFileSync(path, JSON.stringify(v2))
    const two = await cache.get(graph, model)
    assert.equal(two.profile.receiveMs, 7.5)
    assert.ok(two.profile.frameCost.msPerMiB > 0 && two.profile.wholeMs > 0)
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).version, 4)
    // a version 3 file keeps its mesh costs and gets the whole model's time alone
    const v3 = { ...JSON.parse(readFileSync(path, 'utf8')), version: 3, handoverMs: 0.625 }
    delete v3.wholeMs
    writeFileSync(path, JSON.stringify(v3))
    const three = await cache.get(graph, model)
    assert.deepEqual([three.profile.receiveMs, three.profile.handoverMs, three.profile.frameCost], [7.5, 0.625, two.profile.frameCost])
    assert.ok(three.profile.wholeMs > 0)
  })
})
