import { test } from 'node:test'
import assert from 'node:assert/strict'
import { availableExecutionProviders, createSession } from '../../src/engine/runtime.js'
import { oneNode, seededInput } from './harness.js'

test('a session runs on the CPU provider and says so', async () => {
  assert.ok(availableExecutionProviders().includes('cpu'))
  const s = await createSession(oneNode('Relu', [1, 2, 3, 3]), { threads: 1 })
  try {
    assert.equal(s.executionProvider, 'cpu')
    assert.deepEqual([...s.inputNames], ['x'])
    const x = seededInput([1, 2, 3, 3])
    const y = (await s.run({ x })).y
    assert.deepEqual(y.dims, [1, 2, 3, 3])
    assert.deepEqual(Array.from(y.data as Float32Array), Array.from(x.data as Float32Array, v => Math.max(0, v)))
  } finally {
    await s.dispose()
  }
})

test('an execution provider this build cannot run on is an error, not a silent fallback', async () => {
  await assert.rejects(createSession(oneNode('Relu', [1, 2, 3, 3]), { executionProvider: 'tensorrt' }), {
    name: 'ExecutionProviderError',
    message: /"tensorrt" is not available .*available: .*cpu/
  })
})

test('bytes onnxruntime cannot load are a RuntimeError', async () => {
  await assert.rejects(createSession(new Uint8Array([1, 2, 3])), { name: 'RuntimeError' })
})
