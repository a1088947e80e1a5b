import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { median, percentile, predictionError } from '../src/stats.js'

describe('latency stats', () => {
  it('takes the median of odd and even counts, in any order', () => {
    assert.equal(median([5, 1, 3]), 3)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(median([7]), 7)
  })

  it('takes percentiles by nearest rank', () => {
    const xs = Array.from({ length: 20 }, (_, i) => 20 - i)
    assert.equal(percentile(xs, 95), 19)
    assert.equal(percentile(xs, 100), 20)
    assert.equal(percentile(xs, 50), 10)
    assert.equal(percentile([3, 9, 1], 95), 9)
  })

  it('refuses empty inputs and percentiles out of range', () => {
    assert.throws(() => median([]), RangeError)
    assert.throws(() => percentile([], 50), RangeError)
    assert.throws(() => percentile([1], 0), RangeError)
    assert.throws(() => percentile([1], 101), RangeError)
  })

  it('relates the prediction error to the measurement', () => {
    assert.equal(predictionError(90, 100), 0.1)
    assert.equal(predictionError(110, 100), 0.1)
    assert.equal(predictionError(50, 200), 0.75)
  })
})
