import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { formatTable } from '../../src/cli/bench-planners.js'
import { smallScenarioDir, tessera } from './cli-scenario.js'

describe('tessera bench planners', () => {
  it('runs the planners on the scenarios given and reports JSON rows', () => {
    const dir = smallScenarioDir()
    const r = tessera('bench', 'planners', '--scenarios', join(dir, 'small.json'), '--planners', 'offload,deeperthings', '--json')
    assert.equal(r.code, 0, r.stderr)
    const { rows } = JSON.parse(r.stdout)
    assert.deepEqual(rows.map((x: any) => [x.scenario, x.planner]), [['small', 'offload'], ['small', 'deeperthings']])
    for (const row of rows) assert.deepEqual(Object.keys(row), ['scenario', 'planner', 'latencyMs', 'lowerBoundMs', 'planningMs'])
  })

  it('tables speedup over offload and ratio to the lower bound', () => {
    const rows = [
      { scenario: 'A', planner: 'offload', latencyMs: 100, lowerBoundMs: 25, planningMs: 1 },
      { scenario: 'A', planner: 'aofl', latencyMs: 50, lowerBoundMs: 25, planningMs: 20 }
    ]
    const md = formatTable(rows, new Map([['A', 100]]), true)
    assert.match(md, /\| A \| aofl \| 50\.00 \| 25\.00 \| 2\.00 \| 2\.00 \| 20 \|/)
    assert.match(md, /\| aofl \| 2\.00 \| 2\.00 \| 1\/1 \|/)
  })
})
