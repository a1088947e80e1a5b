import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkModel } from '../../src/cli/check.js'
import { loadGraph } from '../../src/graph/load.js'
import { exporterFixtures } from '../fixtures/exporter-patterns.js'

// graphs in the shapes exporters write (opsets 9-17) split by random plans give the whole model's output
for (const fixture of exporterFixtures()) {
  test(`random plans of ${fixture.name} equal the whole model`, async () => {
    const graph = loadGraph(fixture.bytes, { name: fixture.name })
    const report = await checkModel(graph, fixture.bytes, { devices: 3, plans: 6, seed: 5, threads: 1 })
    assert.equal(report.plans.length, 6)
    // the plans really split: at least one plan has a volume with two non-empty parts
    assert.ok(report.plans.some(p => p.volumes.some(v => v.parts.filter(x => x.rows[1] > x.rows[0]).length > 1)), 'some plan splits rows')
    for (const p of report.plans) assert.ok(p.maxRelError <= 1e-4, `${fixture.name}: relative error ${p.maxRelError}`)
    assert.equal(report.pass, true)
  })
}
