import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeModel, encodeModel } from '../../src/graph/onnx/codec.js'

test('codec round-trips a model and rejects truncated bytes', () => {
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [{ name: 'pads', type: 7, ints: [1, 0, 1, 0] }] }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }] } } } }],
      output: [{ name: 'y' }]
    }
  }
  const bytes = encodeModel(model)
  const back = decodeModel(bytes)
  assert.deepEqual(back.graph?.node?.[0].attribute?.[0].ints, [1, 0, 1, 0])
  assert.equal(back.graph?.input?.[0].type?.tensorType?.shape?.dim?.[1].dimValue, 3)
  assert.throws(() => decodeModel(bytes.subarray(0, bytes.length - 7)), { name: 'OnnxDecodeError' })
})
