// Capabilities reach a peer that connects later without waiting for the periodic republish: both peers
// publish before they are connected (to nobody), and the interval is an hour, so only the publish on a
// peer's subscription can deliver them.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { CapsService } from '../../peer/capabilities/caps-service.js'
import { Gossip } from '../../peer/gossip.js'
import { createMeshNode } from '../../peer/node.js'
import type { CapsRecord } from '../../protocols/caps/codec.js'
import type { MeshNode } from '../../peer/node.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface CapsPeer { node: MeshNode, gossip: Gossip, caps: CapsService, heard: Array<{ from: string, record: CapsRecord }> }

async function capsPeer (name: string): Promise<CapsPeer> {
  const node = await createMeshNode({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const gossip = new Gossip({ pubsub: node.services.pubsub })
  const heard: CapsPeer['heard'] = []
  const caps = new CapsService({ gossip, addrs: () => node.getMultiaddrs().map(String) }, { name, role: 'provider', version: 'test', publishIntervalMs: 3_600_000 }, (from, record) => { heard.push({ from, record }) })
  gossip.start()
  caps.start()
  return { node, gossip, caps, heard }
}

describe('capabilities gossip', { timeout: 30_000 }, () => {
  const peers: CapsPeer[] = []
  after(async () => {
    for (const p of peers) {
      p.caps.stop()
      p.gossip.stop()
      await p.node.stop()
    }
  })

  it('publishes to a peer when it subscribes, not only every interval', async () => {
    const a = await capsPeer('alpha')
    const b = await capsPeer('beta')
    peers.push(a, b)
    await sleep(300)
    assert.equal(a.heard.length + b.heard.length, 0, 'nothing heard before the peers connect')
    await a.node.dial(b.node.getMultiaddrs()[0])
    const deadline = performance.now() + 10_000
    while ((a.heard.length === 0 || b.heard.length === 0) && performance.now() < deadline) await sleep(20)
    assert.deepEqual(a.heard.map(h => [h.from, h.record.name]), [[b.node.peerId.toString(), 'beta']])
    assert.deepEqual(b.heard.map(h => [h.from, h.record.name]), [[a.node.peerId.toString(), 'alpha']])
    assert.deepEqual(b.caps.get(a.node.peerId.toString())?.addrs, a.node.getMultiaddrs().map(String))
  })
})
