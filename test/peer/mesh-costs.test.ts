// The mesh costs a peer records in its profile, measured through its own compute worker and stream stack.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { measureFrameCost, measureHandover } from '../../peer/capabilities/mesh-costs.js'

describe('mesh costs', { timeout: 60_000 }, () => {
  it('times the hand-over to the compute thread and back beyond the run', async () => {
    const ms = await measureHandover()
    // a postMessage each way and a copy of a 64 KiB input: more than nothing, far less than a second
    assert.ok(Number.isFinite(ms) && ms > 0 && ms < 1000, `hand-over ${ms} ms`)
  })

  it('fits a frame\'s cost an end as a fixed part and a part per MiB', async () => {
    const c = await measureFrameCost()
    assert.ok(Number.isFinite(c.fixedMs) && c.fixedMs >= 0 && c.fixedMs < 100, `fixed ${c.fixedMs} ms`)
    // noise seals and opens every byte, and the reader copies it: a MiB costs something
    assert.ok(Number.isFinite(c.msPerMiB) && c.msPerMiB > 0 && c.msPerMiB < 1000, `${c.msPerMiB} ms/MiB`)
  })

  it('stops when asked', async () => {
    await assert.rejects(measureHandover({ signal: AbortSignal.abort(new Error('stop')) }), /stop/)
    await assert.rejects(measureFrameCost({ signal: AbortSignal.abort(new Error('stop')) }), /stop/)
  })
})
