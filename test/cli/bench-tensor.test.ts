import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { tessera } from './cli-scenario.js'

describe('tessera bench tensor', () => {
  it('moves frames over raw TCP and the tensor stream between two processes and reports rate, ratio and CPU per MB', () => {
    const r = tessera('bench', 'tensor', '--megabytes', '4', '--repeat', '1', '--warmup', '1', '--frames', '65536,1048576', '--json')
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.warmup, 1)
    assert.deepEqual(out.rows.map((x: any) => x.frameBytes), [65536, 1048576])
    for (const row of out.rows) {
      for (const v of [row.rawMBps, row.libp2pMBps, row.cpuMsPerMB.raw.send, row.cpuMsPerMB.raw.receive, row.cpuMsPerMB.libp2p.send, row.cpuMsPerMB.libp2p.receive]) {
        assert.ok(Number.isFinite(v) && v > 0, `${JSON.stringify(row)}`)
      }
      assert.ok(Math.abs(row.ratio - row.libp2pMBps / row.rawMBps) < 1e-9)
    }
  })

  it('rejects a bad --warmup with exit code 2', () => {
    const r = tessera('bench', 'tensor', '--warmup', '-1')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--warmup/)
  })
})
