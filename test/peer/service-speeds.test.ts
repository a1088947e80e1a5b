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
  it('counts no plan\'s first request, moves no factor before minRequests requests, then every member with enough requests takes its median ratio', () => {
    const s = tracked()
    // the first request on a plan runs its sub-models cold: not counted
    assert.equal(s.observe('1.1', trace(100, 100), PEER_OF, TAGS), undefined)
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
    for (let i = 0; i < 12; i++) assert.equal(s.observe('1.1', trace(10 + (i % 3) / 2, 20 - (i % 2)), PEER_OF, TAGS), undefined)
    assert.equal(s.factor('peer-a', 'pa'), 1)
  })

  it('keeps a member\'s ratios over the plans it serves, the last `window` of them, against its unscaled tables', () => {
    const s = tracked({ window: 4, driftTolerance: 0.25 })
    s.observe('1.1', trace(0, 0), PEER_OF, TAGS)
    for (let i = 0; i < 2; i++) s.observe('1.1', trace(22, 20), PEER_OF, TAGS)
    assert.equal(s.observe('1.1', trace(22, 20), PEER_OF, TAGS)?.[0].factor, 2)
    // the plan made at x2: its first request is not counted, and ratios of 2 against the unscaled tables are no move
    s.track('1.2', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
    assert.equal(s.observe('1.2', trace(100, 20), PEER_OF, TAGS), undefined)
    assert.equal(s.observe('1.2', trace(22, 20), PEER_OF, TAGS), undefined)
    // the window of 4 is full at x2 (settled); at x4 it holds 2, 2, 2, 4, then 2, 2, 4, 4: the median 3 moves
    assert.equal(s.observe('1.2', trace(46, 20), PEER_OF, TAGS), undefined)
    const moves = s.observe('1.2', trace(46, 20), PEER_OF, TAGS)
    assert.deepEqual(moves?.find(m => m.device === 'a'), { peer: 'peer-a', device: 'a', factor: 3, was: 2, requests: 4 })
  })

  it('moves again only on minRequests requests since a member\'s last move, not on the one that tips a median back', () => {
    const s = tracked({ window: 8 })
    s.observe('1.1', trace(0, 0), PEER_OF, TAGS)
    // a at x1, x1, x1.5: median 1, no move; then x1.5 (median 1.25 of four) moves a, with 4 requests
    for (const a of [10, 10, 16]) assert.equal(s.observe('1.1', trace(a, 20), PEER_OF, TAGS), undefined)
    assert.deepEqual(s.observe('1.1', trace(16, 20), PEER_OF, TAGS)?.find(m => m.device === 'a')?.factor, 1.25)
    // x1 again: 1, 1, 1.5, 1.5, 1 has median 1, 20% off 1.25, but on one request since the move; then on three it moves
    assert.equal(s.observe('1.1', trace(10, 20), PEER_OF, TAGS), undefined)
    assert.equal(s.observe('1.1', trace(10, 20), PEER_OF, TAGS), undefined)
    assert.deepEqual(s.observe('1.1', trace(10, 20), PEER_OF, TAGS)?.find(m => m.device === 'a'), { peer: 'peer-a', device: 'a', factor: 1, was: 1.25, requests: 7 })
  })

  it('once a member\'s full window did not move, moves it only beyond driftTolerance', () => {
    const s = tracked({ window: 3 })
    s.observe('1.1', trace(0, 0), PEER_OF, TAGS)
    // three requests at x1 fill the window with no move: settled
    for (let i = 0; i < 3; i++) assert.equal(s.observe('1.1', trace(10, 20), PEER_OF, TAGS), undefined)
    // x1.4 for a whole window: within the drift tolerance (50%)
    for (let i = 0; i < 3; i++) assert.equal(s.observe('1.1', trace(14.8, 28), PEER_OF, TAGS), undefined)
    // x2: moves
    assert.equal(s.observe('1.1', trace(22, 40), PEER_OF, TAGS), undefined)
    assert.deepEqual(s.observe('1.1', trace(22, 40), PEER_OF, TAGS)?.map(m => [m.device, m.factor]), [['a', 2], ['b', 2]])
  })

  it('leaves out parts predicted under minPartMs, and requests whose counted parts are under minPredictedMs', () => {
    const s = new ServiceSpeeds({ minPredictedMs: 10 })
    s.track('1.1', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
    for (let i = 0; i < 3; i++) s.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)
    // a: 15 / 10, its tail's 50 ms not counted (2 ms by its tables); b: 30 / 20
    assert.deepEqual(s.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)?.map(m => [m.device, m.factor]), [['a', 1.5], ['b', 1.5]])
    const d = new ServiceSpeeds()
    d.track('1.1', [{ volume: 0, part: 0, device: 'a', ms: 10 }, { volume: 0, part: 1, device: 'b', ms: 20 }, { volume: 1, part: 0, device: 'a', ms: 2 }])
    for (let i = 0; i < 3; i++) d.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)
    // defaults: a's 10 ms is under minPredictedMs (20); b alone moves
    assert.deepEqual(d.observe('1.1', trace(15, 30, 50), PEER_OF, TAGS)?.map(m => [m.device, m.factor]), [['b', 1.5]])
  })

  it('keeps factors within the limit and ignores plans it does not track', () => {
    const t = tracked()
    for (let i = 0; i < 4; i++) t.observe('1.1', trace(500, 20), PEER_OF, TAGS)
    assert.equal(t.factor('peer-a', 'pa'), 4)
    assert.equal(t.observe('2.1', trace(500, 20), PEER_OF, TAGS), undefined)
    t.untrack('1.1')
    assert.equal(t.observe('1.1', trace(10, 20), PEER_OF, TAGS), undefined)
  })

  it('starts a member afresh at 1 when it publishes another profile', () => {
    const s = tracked()
    for (let i = 0; i < 4; i++) s.observe('1.1', trace(22, 20), PEER_OF, TAGS)
    assert.equal(s.factor('peer-a', 'pa'), 2)
    assert.equal(s.factor('peer-a', 'pa-new'), 1)
    assert.equal(s.factor('peer-a', 'pa-new'), 1)
  })

  it('rejects a window smaller than minRequests', () => {
    assert.throws(() => new ServiceSpeeds({ window: 2, minRequests: 3 }), /window \(2\) must be at least minRequests \(3\)/)
  })
})
