import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BUILTIN_MODELS } from '../../models/index.js'
import { checkModel } from '../../src/cli/check.js'
import { loadGraph } from '../../src/graph/load.js'

// small inputs keep every layer at least a few rows high and the whole file within a minute
const SIZES: Record<string, number> = { vgg16: 64, resnet18: 64, resnet50: 64, mobilenetv2: 64, inceptionv3: 107, yolov2: 96 }

for (const [name, size] of Object.entries(SIZES)) {
  test(`random plans of ${name} at ${size}x${size} over 4 devices equal the whole model`, async () => {
    const inputShape = [1, 3, size, size]
    const bytes = BUILTIN_MODELS[name].build({ inputShape, seed: 3 })
    const graph = loadGraph(bytes, { name })
    const report = await checkModel(graph, bytes, { devices: 4, plans: 3, seed: 11, threads: 1 })
    assert.equal(report.plans.length, 3)
    for (const p of report.plans) assert.ok(p.maxRelError <= 1e-4, `${name}: ${JSON.stringify(p.volumes.map(v => [v.output, v.parts.map(x => x.rows)]))} relative error ${p.maxRelError}`)
    assert.equal(report.pass, true)
  })
}

test('the built-in models cover every model of the issue', () => {
  assert.deepEqual(Object.keys(SIZES).sort(), Object.keys(BUILTIN_MODELS).sort())
})
