// A peer started without a model serves what the mesh serves: it fetches the model file from a peer
// over /tessera/model/1.0.0 (not a built-in: it cannot be regenerated), checks its sha256, profiles
// it, and is planned for.
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { resolveModel } from '../../models/zoo.js'
import { TesseraPeer } from '../../peer/index.js'

const SHAPE = [1, 3, 64, 64]

describe('a peer without a model', { timeout: 120_000 }, () => {
  const peers: TesseraPeer[] = []
  const obtained: string[] = []
  let path = ''

  before(async () => {
    const built = await resolveModel('resnet18', { inputShape: SHAPE })
    path = join(mkdtempSync(join(tmpdir(), 'tessera-adopt-')), 'custom-net.onnx')
    copyFileSync(built.path, path)
    peers.push(await TesseraPeer.create({ name: 'holder', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, models: [path], planning: { planner: 'modnn' } }))
    const newcomer = await TesseraPeer.create({ name: 'empty', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap: peers[0].node.getMultiaddrs().map(String), planning: { planner: 'modnn' } })
    newcomer.events.on('model', (e) => { obtained.push(`${e.name}:${e.how}:${e.sha256}`) })
    peers.push(newcomer)
  })

  after(async () => {
    await Promise.all(peers.map(async p => await p.stop()))
  })

  it('fetches the model, verified, and joins the plan', async () => {
    const holder = peers[0]
    const sha = holder.models.list()[0].sha256
    const deadline = performance.now() + 90_000
    while (performance.now() < deadline) {
      const plan = holder.plans.currentPlan(sha)
      if (plan != null && plan.members.length === 2 && holder.plans.isReady(plan)) break
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    assert.deepEqual(obtained, [`custom-net:obtained:${sha}`])
    assert.equal(peers[1].models.get(sha)?.sha256, sha)
    const plan = holder.plans.currentPlan(sha)!
    assert.deepEqual(plan.members.map(m => m.device).sort(), ['empty', 'holder'])
    assert.ok(holder.plans.isReady(plan))
  })
})
