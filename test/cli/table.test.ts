import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renderTable } from '../../src/cli/table.js'

const HEAD = ['scenario', 'planner', 'ms']
const ROWS = [['a', 'offload', '12.50'], ['long-name', 'aofl', '3.00']]

describe('renderTable', () => {
  it('aligns text left and numbers right, two spaces apart, the last text column unpadded', () => {
    assert.equal(renderTable(HEAD, ROWS, { numeric: (i) => i === 2 }), [
      'scenario   planner     ms',
      'a          offload  12.50',
      'long-name  aofl      3.00'
    ].join('\n'))
    assert.equal(renderTable(['name', 'note'], [['x', 'short'], ['longer', 'a longer note']]), [
      'name    note',
      'x       short',
      'longer  a longer note'
    ].join('\n'))
  })

  it('draws a rule under the header when asked', () => {
    const lines = renderTable(HEAD, ROWS, { numeric: (i) => i === 2, rule: true }).split('\n')
    assert.equal(lines[1], '---------  -------  -----')
    assert.equal(lines.length, 4)
  })

  it('writes markdown with numeric columns right-aligned', () => {
    assert.equal(renderTable(HEAD, ROWS, { numeric: (i) => i === 2, markdown: true, rule: true }), [
      '| scenario | planner | ms |',
      '| --- | --- | ---: |',
      '| a | offload | 12.50 |',
      '| long-name | aofl | 3.00 |'
    ].join('\n'))
  })

  it('sizes columns by the header when there are no rows', () => {
    assert.equal(renderTable(HEAD, [], { numeric: (i) => i === 2 }), 'scenario  planner  ms')
  })
})
