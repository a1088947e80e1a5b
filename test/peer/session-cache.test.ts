// Handing a part's input to the compute thread: a buffer the caller gives up moves there instead of
// being copied, and the run's outputs are the same either way.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { resnet18 } from '../../models/resnet.js'
import { movableBuffers, SessionCache } from '../../peer/execution/session-cache.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { loadGraph } from '../../src/graph/load.js'

const SHAPE = [1, 3, 32, 32]

describe('the compute sessions', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sessions-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('moves only buffers an array owns whole', () => {
    const own = new Float32Array(8)
    const view = new Float32Array(new ArrayBuffer(64), 16, 4)
    const pooled = Buffer.from([1, 2, 3, 4])
    const moved = movableBuffers({
      a: { dataType: 'float32', dims: [8], data: own },
      b: { dataType: 'float32', dims: [4], data: view },
      c: { dataType: 'float32', dims: [1], data: new Float32Array(pooled.buffer, pooled.byteOffset, 1) },
      d: { dataType: 'float32', dims: [4], data: new Float32Array(new SharedArrayBuffer(16)) }
    })
    assert.deepEqual(moved, [own.buffer])
  })

  it('runs a handed-over input to the same outputs as a copied one, and the caller no longer holds it', async () => {
    const bytes = resnet18({ inputShape: SHAPE }).encode()
    const modelPath = join(dir, 'resnet18.onnx')
    writeFileSync(modelPath, bytes)
    const graph = loadGraph(bytes, { name: 'resnet18', inputShape: SHAPE })
    const sessions = new SessionCache()
    try {
      const session = await sessions.acquire({ key: 'whole', modelPath, name: 'resnet18', inputShape: SHAPE, spec: { kind: 'tail', from: graph.input } }, 'plan-1')
      assert.ok(session != null)
      const data = randomInput(SHAPE, 3)
      const copied = await session.run({ [graph.input]: { dataType: 'float32', dims: SHAPE, data } })
      assert.equal(data.length, SHAPE.reduce((p, d) => p * d, 1), 'a copied input stays with the caller')
      const mine = data.slice()
      const moved = await session.run({ [graph.input]: { dataType: 'float32', dims: SHAPE, data: mine } }, { handOver: true })
      assert.equal(mine.length, 0, 'a handed-over input left this thread')
      for (const name of graph.outputs) assert.deepEqual(moved.outputs[name].data, copied.outputs[name].data)
    } finally {
      await sessions.dispose()
    }
  })
})
