// The leader's measure of how fast its members run their parts in service against their tables.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ServiceSpeeds } from '../../peer/planning/service-speeds.js'
import type { TraceRecord } from '../../protocols/tensor/codec.js'

const PEER_OF = new Map([['a', 'peer-a'], ['b', 'peer-b']])
const TAGS = new Map([['peer-a', 'pa'], ['peer-b', 'pb']])

/** Plan "1.1": a does volume 0 part 0 (10 ms) and the tail (2 ms), b volume 0 part 1 (20 ms). */
function tracked (init = {}): ServiceSpeeds {
  const s = new ServiceSpeeds({ minPartMs: 1, minPredictedMs: 2, ...init })
  s.track('1.1', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
  return s
}

function trace (aMs: number, bMs: number, tailMs = 2): TraceRecord[] {
  const r = (device: string, volume: number, part: number, computeMs: number): TraceRecord => ({ device, volume, part, computeMs, waitMs: 0, rows: 1, readyAt: 0, startedAt: 0, runMs: computeMs })
  return [r('a', 0, 0, aMs), r('b', 0, 1, bMs), r('a', 1, 0, tailMs)]
}

describe('service speeds', () => {
  it('moves no factor before minRequests requests, then every member with enough requests takes its median ratio', () => {
    const s = tracked()
    // a: (13 + 2) / 12 = 1.25 and (16 + 2) / 12 = 1.5; b: 21 / 20 = 1.05
    assert.equal(s.observe('1.1', trace(13, 21), PEER_OF, TAGS), undefined)
    assert.equal(s.observe('1.1', trace(16, 21), PEER_OF, TAGS), undefined)
    const moves = s.observe('1.1', trace(13, 19), PEER_OF, TAGS)
    assert.deepEqual(moves, [
      { peer: 'peer-a', device: 'a', factor: 1.25, was: 1, requests: 3 },
      { peer: 'peer-b', device: 'b', factor: 1.05, was: 1, requests: 3 }
    ])
    assert.equal(s.factor('peer-a', 'pa'), 1.25)
    assert.equal(s.factor('peer-b', 'pb'), 1.05)
  })

  it('moves nothing while every median stays within the tolerance of the factor planned with', () => {
    const s = tracked()
    for (let i = 0; i < 8; i++) assert.equal(s.observe('1.1', trace(10 + (i % 3) / 2, 20 - (i % 2)), PEER_OF, TAGS), undefined)
    assert.equal(s.factor('peer-a', 'pa'), 1)
  })

  it('measures a member afresh after a move, against the unscaled tables, and keeps only the last `window` requests', () => {
    const s = tracked({ window: 3 })
    for (let i = 0; i < 2; i++) s.observe('1.1', trace(22, 20), PEER_OF, TAGS)
    assert.equal(s.observe('1.1', trace(22, 20), PEER_OF, TAGS)?.[0].factor, 2)
    // now planned at x2: ratios of 2 against the unscaled tables are no move
    for (let i = 0; i < 4; i++) assert.equal(s.observe('1.1', trace(22, 20), PEER_OF, TAGS), undefined)
    // requests at x3: the first leaves the median of the last three at 2, the second moves it
    assert.equal(s.observe('1.1', trace(34, 20), PEER_OF, TAGS), undefined)
    const moves = s.observe('1.1', trace(34, 20), PEER_OF, TAGS)
    assert.deepEqual(moves?.find(m => m.device === 'a'), { peer: 'peer-a', device: 'a', factor: 3, was: 2, requests: 3 })
  })

  it('leaves out parts predicted under minPartMs', () => {
    // by default a's tail (2 ms) is left out and a's 10 ms part alone is under minPredictedMs: only b counts
    const s = new ServiceSpeeds({ minPredictedMs: 10 })
    s.track('1.1', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
    for (let i = 0; i < 2; i++) s.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)
    // a: 15 / 10, its tail's 50 ms not counted; b: 30 / 20
    assert.deepEqual(s.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)?.map(m => [m.device, m.factor]), [['a', 1.5], ['b', 1.5]])
    const d = new ServiceSpeeds()
    d.track('1.1', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
    for (let i = 0; i < 2; i++) d.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)
    // defaults: a's 10 ms is under minPredictedMs (20); b alone moves
    assert.deepEqual(d.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)?.map(m => [m.device, m.factor]), [['b', 1.5]])
  })

  it('keeps factors within the limit, skips parts predicted under minPredictedMs, and ignores plans it does not track', () => {
    const s = tracked({ minPredictedMs: 15 })
    for (let i = 0; i < 2; i++) s.observe('1.1', trace(200, 30), PEER_OF, TAGS)
    // a's parts add up to 12 ms predicted: not counted; b's ratio 1.5
    assert.deepEqual(s.observe('1.1', trace(200, 30), PEER_OF, TAGS), [{ peer: 'peer-b', device: 'b', factor: 1.5, was: 1, requests: 3 }])
    const t = tracked()
    for (let i = 0; i < 3; i++) t.observe('1.1', trace(500, 20), PEER_OF, TAGS)
    assert.equal(t.factor('peer-a', 'pa'), 4)
    assert.equal(t.observe('2.1', trace(500, 20), PEER_OF, TAGS), undefined)
    t.untrack('1.1')
    assert.equal(t.observe('1.1', trace(10, 20), PEER_OF, TAGS), undefined)
  })

  it('starts a member afresh at 1 when it publishes another profile', () => {
    const s = tracked()
    for (let i = 0; i < 3; i++) s.observe('1.1', trace(22, 20), PEER_OF, TAGS)
    assert.equal(s.factor('peer-a', 'pa'), 2)
    assert.equal(s.factor('peer-a', 'pa-new'), 1)
    assert.equal(s.factor('peer-a', 'pa-new'), 1)
  })

  it('rejects a window smaller than minRequests', () => {
    assert.throws(() => new ServiceSpeeds({ window: 2, minRequests: 3 }), /window \(2\) must be at least minRequests \(3\)/)
  })
})
