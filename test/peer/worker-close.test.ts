// Closing a job worker while onnxruntime runs in it: onnxruntime-node aborts the whole process when a
// thread is killed mid-run, so a peer that stops while computing or profiling must not kill it.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { resnet18 } from '../../models/resnet.js'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { SessionCache } from '../../peer/execution/session-cache.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { loadGraph } from '../../src/graph/load.js'

const SHAPE = [1, 3, 64, 64]

describe('a job worker closed while onnxruntime runs in it', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-worker-close-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })
  const bytes = resnet18({ inputShape: SHAPE }).encode()
  const modelPath = join(dir, 'resnet18.onnx')
  writeFileSync(modelPath, bytes)
  const graph = loadGraph(bytes, { name: 'resnet18', inputShape: SHAPE })

  it('lets the compute worker finish its run, releases its sessions, and rejects the calls it did not run', async () => {
    const sessions = new SessionCache()
    const first = graph.nodes[0].outputs[0]
    const session = await sessions.acquire({ key: 'tail', modelPath, name: 'resnet18', inputShape: SHAPE, spec: { kind: 'tail', from: first } }, 'plan-1')
    assert.ok(session != null)
    const feeds = { [first]: { dataType: 'float32' as const, dims: graph.shapes.get(first)!, data: randomInput(graph.shapes.get(first)!, 1) } }
    const ran = await session.run(feeds)
    assert.ok(Object.keys(ran).length > 0)
    // a stream of runs in flight, then the peer stops
    const runs = Array.from({ length: 6 }, async () => await session.run(feeds).then(() => 'ran', (err: Error) => err.name))
    await new Promise(resolve => setTimeout(resolve, 20))
    await sessions.dispose()
    const outcomes = await Promise.all(runs)
    assert.ok(outcomes.every(o => o === 'ran' || o === 'WorkerJobError'), `outcomes ${outcomes.join(', ')}`)
    assert.ok(outcomes.includes('ran'), 'the run in progress when the peer stopped finished')
    await assert.rejects(session.run(feeds), { name: 'WorkerJobError' })
  })

  it('stops a profile measurement between runs when the peer stops', async () => {
    const cache = new ProfileCache({ dir: join(dir, 'profiles'), repeats: 3 })
    const controller = new AbortController()
    let progressed = 0
    const measuring = cache.get(graph, modelPath, {
      signal: controller.signal,
      onProgress: () => { if (++progressed === 2) controller.abort(new Error('the peer is stopping')) }
    })
    await assert.rejects(measuring, /the peer is stopping/)
    assert.ok(progressed >= 2)
  })
})
