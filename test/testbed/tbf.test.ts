import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { tbfArgs, tbfSettings } from '../../peer/testbed/tbf.js'

describe('tbf settings', () => {
  it('converts Mbps to bit/s (1 Mbps = 1e6 bit/s) and sizes the bucket at about 2 ms of traffic', () => {
    const s = tbfSettings(300)
    assert.equal(s.rateBps, 300_000_000)
    assert.equal(s.burstBytes, 75_000)
    assert.equal(s.limitBytes, 1_875_000)
  })

  it('keeps slow links\' bucket above a few frames and the queue above 64 KiB', () => {
    const s = tbfSettings(20)
    assert.equal(s.rateBps, 20_000_000)
    assert.ok(s.burstBytes >= 4 * 1514)
    assert.equal(s.limitBytes, 125_000)
    assert.equal(tbfSettings(1).limitBytes, 64 * 1024)
  })

  it('builds the tc command line', () => {
    assert.deepEqual(tbfArgs('veth0', 50), ['qdisc', 'replace', 'dev', 'veth0', 'root', 'tbf', 'rate', '50000000bit', 'burst', '12500', 'limit', '312500'])
  })

  it('rejects a cap that is not a positive number', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => tbfSettings(bad), RangeError)
  })
})
