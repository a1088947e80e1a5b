import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, it, after } from 'node:test'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { linearProfile, tinyGraph } from '../sim/fixtures.js'

describe('profile cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-profile-cache-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('adds the receive delay to a profile cached before it was measured, keeping the tables', async () => {
    const graph = tinyGraph()
    const cache = new ProfileCache({ dir })
    const path = cache.path(graph)
    mkdirSync(dirname(path), { recursive: true })
    const { receiveMs, ...v2 } = measuredProfileToJson(linearProfile(graph, 'old', 1, 2, 3))
    assert.equal(receiveMs, 0)
    writeFileSync(path, JSON.stringify({ ...v2, version: 1 }))
    const got = await cache.get(graph, '/nonexistent.onnx')
    assert.equal(got.fresh, false)
    assert.ok(Number.isFinite(got.profile.receiveMs) && got.profile.receiveMs > 0, `receiveMs ${got.profile.receiveMs}`)
    const file = JSON.parse(readFileSync(path, 'utf8'))
    assert.equal(file.version, 2)
    assert.equal(file.receiveMs, got.profile.receiveMs)
    assert.deepEqual({ ...file, version: 1, receiveMs: undefined }, { ...v2, version: 1, receiveMs: undefined })
    // read again: nothing left to add, the same profile
    const again = await cache.get(graph, '/nonexistent.onnx')
    assert.equal(again.profile.receiveMs, got.profile.receiveMs)
  })
})
