import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseIntFlag, parseList, parseShape } from '../../src/cli/args.js'

describe('flag values', () => {
  it('parseList joins repeated and comma-separated values, dropping blanks', () => {
    assert.deepEqual(parseList(undefined), [])
    assert.deepEqual(parseList('a, b,,c '), ['a', 'b', 'c'])
    assert.deepEqual(parseList(['/ip4/1.2.3.4/tcp/1,/ip4/5.6.7.8/tcp/2', ' ', '/ip4/9.9.9.9/tcp/3']), ['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2', '/ip4/9.9.9.9/tcp/3'])
  })

  it('parseShape and parseIntFlag name the flag in their errors', () => {
    assert.deepEqual(parseShape('1,3,32x32'), [1, 3, 32, 32])
    assert.equal(parseShape(undefined), undefined)
    assert.throws(() => parseShape('1,3,0,8'), { name: 'InvalidInputError', message: /--input-shape takes positive integers/ })
    assert.equal(parseIntFlag(undefined, '--runs', 20, 1, 100), 20)
    assert.equal(parseIntFlag('7', '--runs', 20, 1, 100), 7)
    assert.throws(() => parseIntFlag('101', '--runs', 20, 1, 100), { name: 'InvalidInputError', message: '--runs takes an integer from 1 to 100, got "101"' })
  })
})
